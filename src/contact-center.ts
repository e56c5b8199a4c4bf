/**
 * Contact-center traffic for an organization (`gatehouse simulate`, and the demo organization at
 * first start): queues and agents (made when the organization has none), a few days of history,
 * interactions live right now, and the stuck cases of seed 000's "When to Use It" table.
 */
import type { ConversationsService, SimAgent, SimQueue, Simulator } from './domains/conversations/index.ts';
import { createLiveTraffic, createSimulator } from './domains/conversations/index.ts';
import type { DirectoryService } from './domains/directory/index.ts';
import type { RoutingService } from './domains/routing/index.ts';
import type { Clock } from './platform/clock.ts';
import type { Db } from './storage/db.ts';

export interface ContactCenterDeps {
  directory: DirectoryService;
  routing: RoutingService;
  conversations: ConversationsService;
  clock: Clock;
  storage: { db: Db };
}

/** Live traffic (conversations/simulator-live.ts): progressed by `tick()`, or every `intervalMs` once started. */
export interface FollowOptions {
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export interface SimulateOptions {
  /** Days of history before now (default 3). */
  days?: number;
  /** Arrivals per hour at the busiest hour, all queues together (default 40). */
  peakPerHour?: number;
  seed?: number;
  /** Add interactions live now and the stuck cases (default true). */
  live?: boolean;
  /**
   * Plan the live interactions to their end and answer a LiveTraffic that moves them on, with new
   * arrivals and stuck cases, as the clock advances (not started: call `start()` or `tick()`).
   */
  follow?: FollowOptions;
}

const DEMO_QUEUES: { name: string; media: SimQueue['media'] }[] = [
  { name: 'Support', media: ['call', 'call', 'chat', 'email'] },
  { name: 'Sales', media: ['call', 'call', 'chat'] },
  { name: 'Billing', media: ['call', 'callback', 'email'] },
  { name: 'Web Chat', media: ['chat', 'message'] },
];

const DEMO_AGENTS = [
  ['Avery Brooks', [0, 2]],
  ['Jordan Lee', [0, 3]],
  ['Sam Patel', [0, 1]],
  ['Riley Chen', [1]],
  ['Morgan Diaz', [1, 2]],
  ['Casey Nguyen', [2, 0]],
  ['Taylor Kim', [3, 0]],
  ['Jamie Rossi', [3, 1]],
] as const;

/**
 * The organization's queues with members, or (with `make`) a demo set of queues and agents made
 * now; without `make`, undefined when there are none.
 */
async function queuesAndAgents(deps: ContactCenterDeps, orgId: string, make = true) {
  const existing = await deps.routing.queuesOf(orgId);
  const memberships = await deps.routing.membershipsOf(
    orgId,
    existing.map((q) => q.id),
  );
  if (existing.length && memberships.length) {
    const names = new Map<string, string>();
    for (const m of memberships)
      if (!names.has(m.user_id)) names.set(m.user_id, (await deps.directory.users.getRow(orgId, m.user_id)).name);
    const queues: SimQueue[] = existing.map((q) => ({
      id: q.id,
      name: q.name,
      media: ['call', 'call', 'chat', 'email'],
    }));
    const agents: SimAgent[] = [...names].map(([id, name]) => ({
      id,
      name,
      queueIds: memberships.filter((m) => m.user_id === id).map((m) => m.queue_id),
    }));
    return { queues, agents };
  }
  if (!make) return undefined;
  const queues: SimQueue[] = [];
  for (const q of DEMO_QUEUES) {
    const taken = existing.find((e) => e.name_key === q.name.toLowerCase());
    const made = taken ?? (await deps.routing.create(null, orgId, { name: q.name, description: `${q.name} queue` }));
    queues.push({ id: made.id, name: made.name, media: q.media });
  }
  const agents: SimAgent[] = [];
  for (const [name, queueIdx] of DEMO_AGENTS) {
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@agents.gatehouse.invalid`;
    const user = await deps.directory.users.create(orgId, null, {
      name,
      email,
      title: 'Agent',
      department: 'Contact Center',
    });
    agents.push({ id: user.id, name, queueIds: queueIdx.map((i) => queues[i]!.id) });
  }
  for (const q of queues) {
    const ids = agents.filter((a) => a.queueIds.includes(q.id)).map((a) => a.id);
    await deps.routing.changeMembers(null, orgId, q.id, ids);
  }
  return { queues, agents };
}

async function simulatorFor(deps: ContactCenterDeps, orgId: string, opts: SimulateOptions, make = true) {
  const found = await queuesAndAgents(deps, orgId, make);
  if (!found) return undefined;
  const { queues, agents } = found;
  const divisionId = (await deps.directory.organizations.homeDivision(orgId)).id;
  const sim = createSimulator({ orgId, divisionId, queues, agents, peakPerHour: opts.peakPerHour, seed: opts.seed });
  return { sim, queues: queues.length, agents: agents.length };
}

const follower = (deps: ContactCenterDeps, orgId: string, sim: Simulator, follow: FollowOptions) =>
  createLiveTraffic({ db: deps.storage.db, clock: deps.clock, sim, orgId, ...follow });

/** Writes the traffic; answers how many interactions of each kind were written (and the LiveTraffic, to follow). */
export async function simulateTraffic(deps: ContactCenterDeps, orgId: string, opts: SimulateOptions = {}) {
  const { sim, queues, agents } = (await simulatorFor(deps, orgId, opts))!;
  const now = deps.clock.now();
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const from = new Date(now.getTime() - (opts.days ?? 3) * 86_400_000);
  // History stops well before now, so nothing in it is still running; the live set covers now.
  const history = sim.history(from, hourAgo, now);
  const withLive = opts.live !== false;
  // Followed: the last hour's arrivals and the live set are plans, seen now and moved on later.
  const plans = withLive && opts.follow ? [...sim.plans(hourAgo, now), ...sim.livePlans(now)] : [];
  const seenNow = plans.map((p) => p.at(now.getTime()));
  const live = withLive && !opts.follow ? sim.live(now) : seenNow.filter((c) => c.state === 'connected');
  const stuck = withLive ? sim.stuck(now) : [];
  const all = [...history, ...seenNow, ...(opts.follow ? [] : live), ...stuck];
  for (let i = 0; i < all.length; i += 5_000) await deps.conversations.insertGenerated(all.slice(i, i + 5_000));
  const traffic = opts.follow ? follower(deps, orgId, sim, opts.follow) : undefined;
  traffic?.follow(plans, now.getTime());
  return {
    history: history.length + seenNow.length - live.length,
    live: live.length,
    stuck: stuck.length,
    queues,
    agents,
    traffic,
  };
}

/**
 * Live traffic for an organization that already has its queues and agents (the demo at a later
 * start); undefined when it has none yet. It never makes them: another process starting on the
 * same empty store may still be seeding them (test/deploy/first-start.test.ts). `seed` fixes the
 * traffic (tests); by default it is the time now, so each start follows new traffic.
 */
export async function followTraffic(
  deps: ContactCenterDeps,
  orgId: string,
  { seed, ...opts }: FollowOptions & { seed?: number } = {},
) {
  const found = await simulatorFor(deps, orgId, { seed: seed ?? Date.now() }, false);
  return found && follower(deps, orgId, found.sim, opts);
}
