/**
 * Simulated traffic progressed in real time (`gatehouse simulate --follow`, the demo at
 * `npm start`): each tick writes the interactions that arrived since the last one, moves the live
 * ones on (answered, held, wrapped up, finished) as their plans say, and now and then adds one of
 * seed 000's stuck cases. Only what changed is written, each change a new version, so the
 * real-time views and queue observations show it at once. Time is the platform clock: tests move
 * it by hand and call `tick()`; without `intervalMs` nothing runs by itself.
 */
import type { Clock } from '../../platform/clock.ts';
import { type Db, withTransaction } from '../../storage/db.ts';
import { participantRows } from './analytics-view.ts';
import type { Conversation } from './model.ts';
import { rowFromConversation } from './rows.ts';
import type { SimPlan, Simulator } from './simulator.ts';
import { createConversationStore } from './store.ts';

export interface LiveTrafficOptions {
  db: Db;
  clock: Clock;
  sim: Simulator;
  orgId: string;
  /** Run `tick()` this often (wall time); without it, only explicit ticks progress the traffic. */
  intervalMs?: number;
  /** A new stuck case about this often, in simulated time (default 20 minutes; 0: none). */
  stuckEveryMs?: number;
  /** No new stuck case while this many of those added are still live (default 6). */
  maxStuck?: number;
  onError?: (err: unknown) => void;
}

export interface TickResult {
  arrived: number;
  progressed: number;
  finished: number;
  stuck: number;
}

/** What a plan looks like at a time, reduced to what the views show: whose segments, open or not. */
const shapeOf = (c: Conversation) =>
  c.participants
    .map((p) => `${p.state}:${(p.sessions ?? []).map((s) => s.segments.map((g) => g.type + (g.end ? '' : '*')))}`)
    .join('|');

export function createLiveTraffic(opts: LiveTrafficOptions) {
  const { db, clock, sim, orgId } = opts;
  const rows = createConversationStore();
  const stuckEvery = opts.stuckEveryMs ?? 20 * 60_000;
  const maxStuck = opts.maxStuck ?? 6;
  /** Live plans by id, with the version and shape last written. */
  const running = new Map<string, { plan: SimPlan; version: number; shape: string }>();
  let stuckIds: string[] = [];
  let last = clock.now().getTime();
  let nextStuck = last + stuckEvery;
  let timer: NodeJS.Timeout | undefined;
  let busy = false;

  /** Registers plans whose state at `now` was written as version 1 (their first write). */
  function follow(plans: SimPlan[], now: number) {
    for (const plan of plans)
      if (plan.end > now) running.set(plan.id, { plan, version: 1, shape: shapeOf(plan.at(now)) });
  }

  async function insert(conversations: Conversation[]) {
    if (!conversations.length) return;
    await withTransaction(db, (trx) =>
      rows.insertMany(trx, conversations.map(rowFromConversation), conversations.flatMap(participantRows)),
    );
  }

  /** A new stuck case when it is time and there are not too many already. */
  async function addStuck(now: number) {
    if (!stuckEvery || now < nextStuck) return 0;
    nextStuck = now + stuckEvery;
    if (stuckIds.length) {
      const alive = await rows.byIds(db, orgId, stuckIds);
      stuckIds = alive.filter((r) => r.state === 'connected').map((r) => r.id);
    }
    if (stuckIds.length >= maxStuck) return 0;
    const cases = sim.stuck(new Date(now));
    const one = cases[Math.floor(Math.random() * cases.length)]!;
    await insert([one]);
    stuckIds.push(one.id);
    return 1;
  }

  /** Moves every followed plan to `now`; a plan someone else changed (a disconnect) is let go. */
  async function progress(now: number) {
    let progressed = 0;
    let finished = 0;
    for (const [id, entry] of running) {
      const seen = entry.plan.at(now);
      const done = entry.plan.end <= now;
      const shape = shapeOf(seen);
      if (!done && shape === entry.shape) continue;
      const next = { ...seen, version: entry.version + 1, dateModified: new Date(now).toISOString() };
      const written = await withTransaction(db, async (trx) => {
        if (!(await rows.update(trx, rowFromConversation(next), entry.version))) return false;
        await rows.replaceParticipants(trx, orgId, id, participantRows(next));
        return true;
      });
      if (!written || done) running.delete(id);
      else Object.assign(entry, { version: next.version, shape });
      if (written && done) finished++;
      else if (written) progressed++;
    }
    return { progressed, finished };
  }

  const traffic = {
    /** Follows plans already written (the live part of the first traffic), so they progress too. */
    follow,

    /** Brings the traffic to the clock's time; answers what it wrote. */
    async tick(): Promise<TickResult> {
      const now = clock.now().getTime();
      if (busy || now <= last) return { arrived: 0, progressed: 0, finished: 0, stuck: 0 };
      busy = true;
      try {
        const arrivals = sim.plans(new Date(last), new Date(now));
        last = now;
        await insert(arrivals.map((p) => ({ ...p.at(now), version: 1 })));
        follow(arrivals, now);
        const { progressed, finished } = await progress(now);
        const stuck = await addStuck(now);
        return { arrived: arrivals.length, progressed, finished, stuck };
      } finally {
        busy = false;
      }
    },

    /** How many interactions it is moving on. */
    get following() {
      return running.size;
    },

    start() {
      if (timer || !opts.intervalMs) return traffic;
      timer = setInterval(() => {
        traffic.tick().catch((err) => opts.onError?.(err));
      }, opts.intervalMs);
      timer.unref();
      return traffic;
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return traffic;
}

export type LiveTraffic = ReturnType<typeof createLiveTraffic>;
