/**
 * Seed 000's "in queue with no active parties" case, as Queues Activity shows it: the interaction
 * listed under a queue is counted in that queue's waiting figure. A simulated interaction that was
 * transferred had waited in two queues; its stuck copy once waited in the first queue's leg while
 * the listing named the second, so the queue it was listed under showed 0 waiting (a full run of
 * test/e2e/queues-activity.test.ts read 0 there, depending on the time of day).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraffic } from '../../src/contact-center.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

const IN_QUEUE = 'In queue with no active parties';
// At the clock below, seeds 10 and 22 make a stuck in-queue interaction that was transferred; seed 1
// makes one that was not.
const SEEDS = [1, 10, 22];

type Datum = { metric: string; observations?: { conversationId: string }[] };

describe('a stuck interaction in queue', () => {
  const clock = manualClock(new Date('2026-11-20T14:00:00.000Z'));
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp('sqlite', { clock });
    admin = await t.token();
  });
  afterAll(() => t?.close());

  it('is counted waiting in the queue the real-time listing names, after a transfer too', async () => {
    let transferred = 0;
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      await simulateTraffic({ ...t.gh, clock }, t.demo.orgId, { days: 1, peakPerHour: 4, seed });
      const active = await t.api('/api/v2/gatehouse/interactions/active?pageSize=500&stuck=true', { token: admin });
      expect(active.status).toBe(200);
      const stuck = (active.body.entities as { id: string; queueId?: string; stuckReason?: string }[]).filter((a) =>
        a.stuckReason?.startsWith(IN_QUEUE),
      );
      expect(stuck.length).toBeGreaterThan(0);
      for (const s of stuck.filter((x) => !seen.has(x.id))) {
        seen.add(s.id);
        const detail = await t.api(`/api/v2/gatehouse/interactions/${s.id}`, { token: admin });
        const queues = (detail.body.participants as { purpose: string }[]).filter((p) => p.purpose === 'acd');
        if (queues.length > 1) transferred++;
        const obs = await t.api('/api/v2/analytics/queues/observations/query', {
          method: 'POST',
          token: admin,
          body: {
            filter: { type: 'or', predicates: [{ dimension: 'queueId', value: s.queueId }] },
            metrics: ['oWaiting'],
            detailMetrics: ['oWaiting'],
          },
        });
        expect(obs.status).toBe(200);
        const waiting = (obs.body.results as { data: Datum[] }[])
          .flatMap((r) => r.data)
          .flatMap((d) => (d.metric === 'oWaiting' ? (d.observations ?? []) : []))
          .map((o) => o.conversationId);
        expect(waiting, `seed ${seed}: ${s.id} in queue ${s.queueId}`).toContain(s.id);
      }
    }
    // The case this guards: a stuck interaction that had waited in two queues.
    expect(transferred).toBe(2);
  });
});
