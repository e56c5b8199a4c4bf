/**
 * Realistic contact-center traffic, generated (Gatehouse has no telephony): arrivals through
 * the day, IVR, queue waits, answers, holds, transfers, abandons and wrap-ups, as finished
 * history; interactions live right now (waiting, talking, on hold, in after-call work); and the
 * stuck cases of seed 000's "When to Use It" table. Deterministic for a seed.
 */
import type { Conversation, Direction, MediaType, StoredParticipant, StoredSegment, StoredSession } from './model.ts';

export interface SimQueue {
  id: string;
  name: string;
  media: MediaType[];
}
export interface SimAgent {
  id: string;
  name: string;
  queueIds: string[];
}

/** The wrap-up codes simulated agents pick (ids are stable, as upstream's wrap-up code ids are). */
export const WRAPUP_CODES = [
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000001', name: 'Resolved' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000002', name: 'Follow-up needed' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000003', name: 'Sale' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000004', name: 'Billing question' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000005', name: 'Escalated' },
] as const;

export interface SimOptions {
  orgId: string;
  divisionId: string;
  queues: SimQueue[];
  agents: SimAgent[];
  /** Arrivals per hour across all queues at the busiest hour (default 40). */
  peakPerHour?: number;
  seed?: number;
}

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A UUID v4 shape from the PRNG (stable ids for a seed). */
function uuidFrom(rand: () => number) {
  const word = () =>
    Math.floor(rand() * 4_294_967_296)
      .toString(16)
      .padStart(8, '0');
  const s = word() + word() + word() + word();
  const variant = ((Number.parseInt(s[16]!, 16) & 3) | 8).toString(16);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20)}`;
}

const iso = (t: number) => new Date(t).toISOString();

/** The segment as it looks while still running: no end, no disconnect type. */
function openedAt(g: StoredSegment): StoredSegment {
  const { end: _end, disconnectType: _type, ...open } = g;
  return open;
}

/** Arrival intensity by hour of day (UTC): quiet nights, a morning and an afternoon peak. */
const HOURLY = [
  0.05, 0.03, 0.03, 0.03, 0.05, 0.1, 0.2, 0.45, 0.8, 1, 0.95, 0.85, 0.7, 0.8, 0.95, 0.9, 0.75, 0.55, 0.4, 0.3, 0.2,
  0.15, 0.1, 0.07,
];

type Stage = 'waiting' | 'alerting' | 'talking' | 'held' | 'acw' | 'done';

export function createSimulator(opts: SimOptions) {
  const rand = prng(opts.seed ?? 18);
  const peak = opts.peakPerHour ?? 40;
  const exp = (mean: number) => -Math.log(1 - rand()) * mean;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const phone = () => `tel:+1317555${String(Math.floor(rand() * 10_000)).padStart(4, '0')}`;
  const agentsOf = (queueId: string) => opts.agents.filter((a) => a.queueIds.includes(queueId));

  function participant(
    purpose: StoredParticipant['purpose'],
    name: string,
    start: number,
    extra: Partial<StoredParticipant> = {},
  ): StoredParticipant {
    return {
      id: uuidFrom(rand),
      purpose,
      name,
      state: 'disconnected',
      wrapupRequired: false,
      startTime: iso(start),
      ...extra,
    };
  }
  const session = (
    direction: Direction,
    segments: StoredSegment[],
    extra: Partial<StoredSession> = {},
  ): StoredSession => ({
    id: uuidFrom(rand),
    direction,
    segments,
    ...extra,
  });
  const seg = (
    type: StoredSegment['type'],
    start: number,
    end: number | null,
    extra: Partial<StoredSegment> = {},
  ): StoredSegment => ({
    type,
    start: iso(start),
    ...(end !== null ? { end: iso(end) } : {}),
    ...extra,
  });

  /**
   * One inbound interaction arriving at `t0`, seen at `now`: segments after `now` are not there
   * yet, and the one spanning `now` is open. `stage` forces a live state (for the live set).
   */
  function interaction(t0: number, now: number, queue: SimQueue, stage?: Stage): Conversation {
    const media = pick(queue.media);
    const voice = media === 'call' || media === 'callback';
    const ani = voice ? phone() : `visitor-${Math.floor(rand() * 1e6)}@example.com`;
    const dnis = voice ? 'tel:+18005550100' : `${queue.name.toLowerCase().replace(/\W+/g, '-')}@support.example.com`;
    const participants: StoredParticipant[] = [];
    let t = t0;
    const customerSegs: StoredSegment[] = [];
    if (media === 'call') {
      const ivrEnd = t + 10_000 + exp(25_000);
      participants.push(
        participant('ivr', 'Main IVR', t, {
          sessions: [session('inbound', [seg('ivr', t, ivrEnd, { disconnectType: 'transfer' })])],
        }),
      );
      t = ivrEnd;
    }
    // Queue legs: the first queue, and the second after a transfer (10 %).
    const transferred = rand() < 0.1 && stage === undefined;
    const abandons = rand() < 0.08 && stage === undefined;
    let queueNow = queue;
    let finalEnd = t;
    let legs = transferred ? 2 : 1;
    let lastAgent: SimAgent | undefined;
    while (legs-- > 0) {
      const wait = stage === 'waiting' ? now - t + 3_600_000 : exp(abandons ? 90_000 : 45_000);
      const acdEnd = t + wait;
      const agents = agentsOf(queueNow.id).filter((a) => a !== lastAgent);
      const answered = !abandons && agents.length > 0 && stage !== 'waiting';
      participants.push(
        participant('acd', queueNow.name, t, {
          queueId: queueNow.id,
          sessions: [
            session('inbound', [
              seg('interact', t, acdEnd, { queueId: queueNow.id, disconnectType: answered ? 'transfer' : 'peer' }),
            ]),
          ],
        }),
      );
      t = acdEnd;
      if (!answered) {
        finalEnd = t;
        break;
      }
      const agent = pick(agents);
      lastAgent = agent;
      const alertEnd = t + 3_000 + exp(6_000);
      const segs: StoredSegment[] = [seg('alert', t, alertEnd, { queueId: queueNow.id })];
      let talkStart = alertEnd;
      let talkEnd = talkStart + 60_000 + exp(media === 'email' ? 300_000 : 240_000);
      if (stage === 'talking') talkEnd = now + 3_600_000;
      const holds = (stage === undefined && rand() < 0.25) || stage === 'held';
      if (holds) {
        const holdStart = talkStart + (talkEnd - talkStart) * 0.4;
        const holdEnd = stage === 'held' ? now + 3_600_000 : holdStart + 15_000 + exp(60_000);
        segs.push(seg('interact', talkStart, holdStart, { queueId: queueNow.id }));
        segs.push(seg('hold', holdStart, holdEnd, { queueId: queueNow.id }));
        customerSegs.push(seg('hold', holdStart, holdEnd));
        talkStart = holdEnd;
        talkEnd = Math.max(talkEnd, holdEnd + 30_000);
      }
      const transferOut = legs > 0;
      segs.push(
        seg('interact', talkStart, talkEnd, {
          queueId: queueNow.id,
          disconnectType: transferOut ? 'transfer' : pick(['client', 'endpoint'] as const),
        }),
      );
      const acwEnd = stage === 'acw' ? now + 3_600_000 : talkEnd + 5_000 + exp(40_000);
      const code = pick(WRAPUP_CODES);
      segs.push(seg('wrapup', talkEnd, acwEnd, { queueId: queueNow.id, wrapUpCode: code.id }));
      participants.push(
        participant('agent', agent.name, t, {
          userId: agent.id,
          queueId: queueNow.id,
          wrapupRequired: true,
          wrapup: { code: code.id, name: code.name, endTime: iso(acwEnd) },
          sessions: [session('inbound', segs)],
        }),
      );
      t = talkEnd;
      finalEnd = acwEnd;
      if (transferOut) {
        const others = opts.queues.filter((q) => q !== queueNow && agentsOf(q.id).length > 0);
        if (others.length) queueNow = pick(others);
      }
    }
    const customerEnd = t;
    participants.unshift(
      participant('customer', ani.startsWith('tel:') ? `Caller ${ani.slice(4)}` : ani, t0, {
        sessions: [
          session(
            'inbound',
            [seg('interact', t0, customerEnd, { disconnectType: abandons ? 'client' : 'peer' }), ...customerSegs].sort(
              (a, b) => a.start.localeCompare(b.start),
            ),
            { ani, dnis, addressFrom: ani, addressTo: dnis },
          ),
        ],
      }),
    );
    return finalize({ t0, end: finalEnd, now, media, queue: queueNow, participants });
  }

  /** Cuts the interaction at `now`: later segments dropped, the one spanning `now` left open. */
  function finalize(x: {
    t0: number;
    end: number;
    now: number;
    media: MediaType;
    queue: SimQueue;
    participants: StoredParticipant[];
  }): Conversation {
    const { now } = x;
    let live = false;
    const participants = x.participants
      .filter((p) => Date.parse(p.startTime) <= now)
      .map((p) => {
        const sessions = p.sessions!.map((s) => ({
          ...s,
          segments: s.segments
            .filter((g) => Date.parse(g.start) <= now)
            .map((g): StoredSegment => (Date.parse(g.end!) > now ? openedAt(g) : g)),
        }));
        const segs = sessions.flatMap((s) => s.segments);
        const open = segs.find((g) => !g.end);
        const lastEnd = segs.reduce((m, g) => (g.end && g.end > m ? g.end : m), p.startTime);
        if (open) live = true;
        const connected = open !== undefined && open.type !== 'wrapup';
        const wrapupDone = p.wrapup && Date.parse(p.wrapup.endTime) <= now;
        return {
          ...p,
          sessions,
          state: connected ? ('connected' as const) : ('disconnected' as const),
          ...(connected ? {} : { endTime: open?.type === 'wrapup' ? open.start : lastEnd }),
          ...(p.wrapup && !wrapupDone ? { wrapup: undefined } : {}),
        } as StoredParticipant;
      })
      .map((p) => (p.wrapup === undefined ? (({ wrapup, ...rest }) => rest)(p) : p) as StoredParticipant);
    const at = iso(x.t0);
    return {
      id: uuidFrom(rand),
      orgId: opts.orgId,
      divisionId: opts.divisionId,
      mediaType: x.media,
      state: live ? 'connected' : 'disconnected',
      queueName: x.queue.name,
      queueId: x.queue.id,
      originatingDirection: 'inbound',
      participants,
      startTime: at,
      endTime: live ? null : iso(Math.min(x.end, now)),
      stuckReason: null,
      notes: null,
      version: 1,
      dateCreated: at,
      dateModified: live ? at : iso(Math.min(x.end, now)),
    };
  }

  return {
    /** Finished (and, near `now`, still running) interactions arriving in [from, to). */
    history(from: Date, to: Date, now: Date = to): Conversation[] {
      const out: Conversation[] = [];
      let t = from.getTime();
      const end = to.getTime();
      while (t < end) {
        const rate = peak * HOURLY[new Date(t).getUTCHours()]!;
        t += exp(3_600_000 / Math.max(rate, 0.5));
        if (t >= end) break;
        out.push(interaction(t, now.getTime(), pick(opts.queues)));
      }
      return out;
    },

    /** Interactions live at `now`, one in each state an agent or customer can be in. */
    live(now: Date): Conversation[] {
      const n = now.getTime();
      const stages: Stage[] = ['waiting', 'waiting', 'alerting', 'talking', 'talking', 'held', 'acw'];
      return stages.map((stage) => {
        const c = interaction(
          n - 60_000 - exp(240_000),
          n,
          pick(opts.queues.filter((q) => agentsOf(q.id).length)),
          stage,
        );
        return c;
      });
    },

    /** The stuck cases of seed 000's "When to Use It" table, as they would look at `now`. */
    stuck(now: Date): Conversation[] {
      const n = now.getTime();
      const q = opts.queues.find((x) => agentsOf(x.id).length) ?? opts.queues[0]!;
      // Finished half an hour after it started (`ago` before now), then relived as stuck.
      const base = (ago: number) => interaction(n - ago, n - ago + 30 * 60_000, q);
      const relive = (c: Conversation, mutate: (c: Conversation) => void) => {
        const copy: Conversation = structuredClone({ ...c, state: 'connected', endTime: null });
        mutate(copy);
        return copy;
      };
      const answered = (ago = 2 * 3_600_000) => {
        for (;;) {
          const c = base(ago);
          if (c.participants.some((p) => p.purpose === 'agent')) return c;
        }
      };
      return [
        // Active in the real-time dashboard after the agent ended the call: nobody is connected.
        relive(answered(), () => {}),
        // Queue statistics show an interaction that cannot be answered: in queue, no customer.
        relive(answered(), (c) => {
          c.participants = c.participants.filter((p) => p.purpose !== 'agent');
          const acd = c.participants.find((p) => p.purpose === 'acd')!;
          acd.state = 'connected';
          delete acd.endTime;
          const s = acd.sessions![0]!.segments[0]!;
          delete s.end;
          delete s.disconnectType;
        }),
        // Agent stuck in ACW for a call that ended (the signaling never closed).
        relive(answered(), (c) => {
          const agent = c.participants.find((p) => p.purpose === 'agent')!;
          const w = agent.sessions![0]!.segments.find((g) => g.type === 'wrapup')!;
          delete w.end;
          delete w.wrapUpCode;
          delete agent.wrapup;
        }),
        // Left on hold with nobody: the agent's session is gone, the customer still holds.
        relive(answered(), (c) => {
          const customer = c.participants.find((p) => p.purpose === 'customer')!;
          customer.state = 'connected';
          delete customer.endTime;
          const segs = customer.sessions![0]!.segments;
          const last = segs[segs.length - 1]!;
          segs.push({ type: 'hold', start: last.end ?? last.start });
        }),
        // Ghost interaction in Performance Views: everyone "connected" for hours.
        relive(answered(9 * 3_600_000), (c) => {
          for (const p of c.participants) {
            if (p.purpose !== 'customer' && p.purpose !== 'agent') continue;
            p.state = 'connected';
            delete p.endTime;
            const segs = p.sessions![0]!.segments.filter((g) => g.type !== 'wrapup');
            const last = segs[segs.length - 1]!;
            delete last.end;
            delete last.disconnectType;
            p.sessions![0]!.segments = segs;
            delete p.wrapup;
          }
        }),
      ];
    },
  };
}
