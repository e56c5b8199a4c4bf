/**
 * Realistic contact-center traffic, generated (Gatehouse has no telephony): arrivals through
 * the day, IVR, queue waits, answers, holds, transfers, abandons and wrap-ups, as finished
 * history; interactions live right now (waiting, talking, on hold, in after-call work); and the
 * stuck cases of seed 000's "When to Use It" table. Deterministic for a seed.
 */
import type { Conversation, Direction, MediaType, StoredParticipant, StoredSegment, StoredSession } from './model.ts';
import { prng, uuidFrom } from './random.ts';
import {
  type SimAgent,
  type SimOptions,
  type SimPlan,
  type SimQueue,
  WRAPUP_CODES,
  type Whole,
} from './simulator-types.ts';

export { type SimAgent, type SimOptions, type SimPlan, type SimQueue, WRAPUP_CODES } from './simulator-types.ts';

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

const LIVE_STAGES: Stage[] = ['waiting', 'waiting', 'alerting', 'talking', 'talking', 'held', 'acw'];

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

  /** Who calls or writes on this media, and the address they reach. */
  function endpoints(media: MediaType, queue: SimQueue) {
    const voice = media === 'call' || media === 'callback';
    const ani = voice ? phone() : `visitor-${Math.floor(rand() * 1e6)}@example.com`;
    const dnis = voice ? 'tel:+18005550100' : `${queue.name.toLowerCase().replace(/\W+/g, '-')}@support.example.com`;
    return { ani, dnis };
  }

  /** The IVR a call meets first, from `t`; returns when it transfers the call to the queue. */
  function ivr(t: number, participants: StoredParticipant[]): number {
    const ivrEnd = t + 10_000 + exp(25_000);
    participants.push(
      participant('ivr', 'Main IVR', t, {
        sessions: [session('inbound', [seg('ivr', t, ivrEnd, { disconnectType: 'transfer' })])],
      }),
    );
    return ivrEnd;
  }

  /** One queue leg as the interaction sees it: where, when, and what is forced or decided. */
  interface Leg {
    t: number;
    now: number;
    media: MediaType;
    queue: SimQueue;
    stage: Stage | undefined;
    /** When a forced stage ends (an hour after `now` for a snapshot, minutes for live traffic). */
    until: number;
    transferOut: boolean;
    /** The customer's own hold segments, collected as the agents put them on hold. */
    customerSegs: StoredSegment[];
  }

  /** The agent's part of an answered leg: alert, talk (perhaps with a hold), wrap-up. */
  function agentLeg(agent: SimAgent, leg: Leg) {
    const { t, until, stage, queue } = leg;
    const alertEnd = t + 3_000 + exp(6_000);
    const segs: StoredSegment[] = [seg('alert', t, alertEnd, { queueId: queue.id })];
    let talkStart = alertEnd;
    let talkEnd = talkStart + 60_000 + exp(leg.media === 'email' ? 300_000 : 240_000);
    if (stage === 'talking') talkEnd = until;
    const holds = (stage === undefined && rand() < 0.25) || stage === 'held';
    if (holds) {
      const holdStart = talkStart + (talkEnd - talkStart) * 0.4;
      const holdEnd = stage === 'held' ? until : holdStart + 15_000 + exp(60_000);
      segs.push(seg('interact', talkStart, holdStart, { queueId: queue.id }));
      segs.push(seg('hold', holdStart, holdEnd, { queueId: queue.id }));
      leg.customerSegs.push(seg('hold', holdStart, holdEnd));
      talkStart = holdEnd;
      talkEnd = Math.max(talkEnd, holdEnd + 30_000);
    }
    segs.push(
      seg('interact', talkStart, talkEnd, {
        queueId: queue.id,
        disconnectType: leg.transferOut ? 'transfer' : pick(['client', 'endpoint'] as const),
      }),
    );
    const acwEnd = stage === 'acw' ? until : talkEnd + 5_000 + exp(40_000);
    const code = pick(WRAPUP_CODES);
    segs.push(seg('wrapup', talkEnd, acwEnd, { queueId: queue.id, wrapUpCode: code.id }));
    const agentParticipant = participant('agent', agent.name, t, {
      userId: agent.id,
      queueId: queue.id,
      wrapupRequired: true,
      wrapup: { code: code.id, name: code.name, endTime: iso(acwEnd) },
      sessions: [session('inbound', segs)],
    });
    return { participant: agentParticipant, talkEnd, acwEnd };
  }

  /** The queue's own participant for a leg that waited `wait`, and whether it was answered. */
  function acdLeg(leg: Leg, wait: number, answered: boolean): StoredParticipant {
    const { t, queue } = leg;
    return participant('acd', queue.name, t, {
      queueId: queue.id,
      sessions: [
        session('inbound', [
          seg('interact', t, t + wait, { queueId: queue.id, disconnectType: answered ? 'transfer' : 'peer' }),
        ]),
      ],
    });
  }

  /**
   * The queue legs from `t`: the first queue and, after a transfer, a second one (another agent).
   * Returns when the customer's part ends, when the last participant's ends, and the last queue.
   */
  function queueLegs(
    start: Omit<Leg, 'transferOut'>,
    legCount: number,
    abandons: boolean,
    participants: StoredParticipant[],
  ) {
    const { until, stage } = start;
    let { t, queue } = start;
    let finalEnd = t;
    let lastAgent: SimAgent | undefined;
    for (let left = legCount - 1; left >= 0; left--) {
      const wait = stage === 'waiting' ? until - t : exp(abandons ? 90_000 : 45_000);
      const agents = agentsOf(queue.id).filter((a) => a !== lastAgent);
      const answered = !abandons && agents.length > 0 && stage !== 'waiting';
      const leg: Leg = { ...start, t, queue, transferOut: left > 0 };
      participants.push(acdLeg(leg, wait, answered));
      t += wait;
      if (!answered) {
        finalEnd = t;
        break;
      }
      lastAgent = pick(agents);
      const agent = agentLeg(lastAgent, { ...leg, t });
      participants.push(agent.participant);
      t = agent.talkEnd;
      finalEnd = agent.acwEnd;
      if (leg.transferOut) queue = transferTarget(queue);
    }
    return { customerEnd: t, finalEnd, queue };
  }

  /** Another queue that has agents, or the same one when there is none. */
  function transferTarget(from: SimQueue): SimQueue {
    const others = opts.queues.filter((q) => q !== from && agentsOf(q.id).length > 0);
    return others.length ? pick(others) : from;
  }

  /**
   * One inbound interaction arriving at `t0`, seen at `now`: segments after `now` are not there
   * yet, and the one spanning `now` is open. `stage` forces a live state at `now` (for the live
   * set), lasting until `until`.
   */
  function interaction(t0: number, now: number, queue: SimQueue, stage?: Stage, until?: number): Conversation {
    return finalize(whole(t0, now, queue, stage, until));
  }

  /** The whole interaction, every segment to its end, for `finalize` to cut at a time. */
  function whole(t0: number, now: number, queue: SimQueue, stage?: Stage, until = now + 3_600_000): Whole {
    const media = pick(queue.media);
    const { ani, dnis } = endpoints(media, queue);
    const participants: StoredParticipant[] = [];
    const t = media === 'call' ? ivr(t0, participants) : t0;
    // Queue legs: the first queue, and the second after a transfer (10 %).
    const transferred = rand() < 0.1 && stage === undefined;
    const abandons = rand() < 0.08 && stage === undefined;
    const customerSegs: StoredSegment[] = [];
    const legs = queueLegs(
      { t, now, until, media, queue, stage, customerSegs },
      transferred ? 2 : 1,
      abandons,
      participants,
    );
    participants.unshift(
      participant('customer', ani.startsWith('tel:') ? `Caller ${ani.slice(4)}` : ani, t0, {
        sessions: [
          session(
            'inbound',
            [
              seg('interact', t0, legs.customerEnd, { disconnectType: abandons ? 'client' : 'peer' }),
              ...customerSegs,
            ].sort((a, b) => a.start.localeCompare(b.start)),
            { ani, dnis, addressFrom: ani, addressTo: dnis },
          ),
        ],
      }),
    );
    return { t0, end: legs.finalEnd, now, media, queue: legs.queue, participants };
  }

  /** A whole interaction as a plan: how it looks at any time, under one id (live traffic). */
  function planOf(x: Whole): SimPlan {
    const id = uuidFrom(rand);
    return { id, end: x.end, at: (now) => finalize({ ...x, now }, id) };
  }

  /** Cuts the interaction at `now`: later segments dropped, the one spanning `now` left open. */
  function finalize(x: Whole, id = uuidFrom(rand)): Conversation {
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
      id,
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

  /** Arrival times in [from, to), by the hour's intensity. */
  function arrivals(from: Date, to: Date): number[] {
    const out: number[] = [];
    let t = from.getTime();
    const end = to.getTime();
    while (t < end) {
      const rate = peak * HOURLY[new Date(t).getUTCHours()]!;
      t += exp(3_600_000 / Math.max(rate, 0.5));
      if (t < end) out.push(t);
    }
    return out;
  }

  /** One interaction in each live stage at `n`; a forced stage lasts `linger` past `n` (an hour). */
  function liveWholes(n: number, linger = () => 3_600_000): Whole[] {
    return LIVE_STAGES.map((stage) =>
      whole(n - 60_000 - exp(240_000), n, pick(opts.queues.filter((q) => agentsOf(q.id).length)), stage, n + linger()),
    );
  }

  return {
    /** Finished (and, near `now`, still running) interactions arriving in [from, to). */
    history(from: Date, to: Date, now: Date = to): Conversation[] {
      return arrivals(from, to).map((t) => interaction(t, now.getTime(), pick(opts.queues)));
    },

    /** Interactions arriving in [from, to), as plans to their end (live traffic). */
    plans(from: Date, to: Date): SimPlan[] {
      return arrivals(from, to).map((t) => planOf(whole(t, t, pick(opts.queues))));
    },

    /** Interactions live at `now`, one in each state an agent or customer can be in. */
    live(now: Date): Conversation[] {
      return liveWholes(now.getTime()).map((x) => finalize(x));
    },

    /** The same live set as plans whose forced states end within minutes (live traffic). */
    livePlans(now: Date): SimPlan[] {
      return liveWholes(now.getTime(), () => 30_000 + exp(150_000)).map(planOf);
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
        // Queue statistics show an interaction that cannot be answered: in queue, no customer. It
        // waits in its own queue: after a transfer, the last queue's leg, not the first one's.
        relive(answered(), (c) => {
          c.participants = c.participants.filter((p) => p.purpose !== 'agent');
          const acd = c.participants.filter((p) => p.purpose === 'acd').at(-1)!;
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

export type Simulator = ReturnType<typeof createSimulator>;
