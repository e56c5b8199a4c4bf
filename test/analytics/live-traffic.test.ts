/**
 * Simulated traffic progresses as time passes (`gatehouse simulate --follow`, the demo at
 * `npm start`): driven here by the platform clock and explicit ticks, never by wall time. The
 * real-time listing and the queue observations change; followed interactions finish into the
 * details query; new stuck cases appear; a disconnect is not undone (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followTraffic, simulateTraffic } from '../../src/contact-center.ts';
import type { LiveTraffic } from '../../src/domains/conversations/index.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const MINUTE = 60_000;

describe.each(DIALECTS)('live simulated traffic on %s', (dialect) => {
  const clock = manualClock(new Date('2026-11-20T10:00:00.000Z'));
  let t: TestApp;
  let admin: string;
  let traffic: LiveTraffic;
  let observationsBody: object;
  beforeAll(async () => {
    t = await startApp(dialect, { clock });
    admin = await t.token();
    const made = await simulateTraffic({ ...t.gh, clock }, t.demo.orgId, {
      days: 1,
      peakPerHour: 60,
      seed: 9,
      follow: {},
    });
    traffic = made.traffic!;
    const queues = (await t.api('/api/v2/routing/queues?pageSize=100', { token: admin })).body.entities;
    observationsBody = {
      filter: { type: 'or', predicates: queues.map((q: { id: string }) => ({ dimension: 'queueId', value: q.id })) },
      metrics: ['oWaiting', 'oInteracting'],
      detailMetrics: ['oWaiting', 'oInteracting'],
    };
  });
  afterAll(() => t?.close());

  const active = async () => {
    const res = await t.api('/api/v2/gatehouse/interactions/active?pageSize=100', { token: admin });
    expect(res.status).toBe(200);
    return res.body.entities as { id: string; stuckReason?: string | null }[];
  };
  /** The conversation ids each queue observes as waiting and interacting. */
  const observed = async () => {
    const res = await t.api('/api/v2/analytics/queues/observations/query', {
      method: 'POST',
      token: admin,
      body: observationsBody,
    });
    expect(res.status).toBe(200);
    const ids = (metric: string) =>
      res.body.results
        .flatMap((r: any) => r.data.filter((d: any) => d.metric === metric).flatMap((d: any) => d.observations ?? []))
        .map((o: any) => o.conversationId as string);
    return { waiting: ids('oWaiting').sort(), interacting: ids('oInteracting').sort() };
  };

  it('moves live interactions on as the clock advances, with arrivals, finishes and new stuck cases', async () => {
    const first = await active();
    const healthy = first.filter((a) => !a.stuckReason).map((a) => a.id);
    const stuckAtStart = first.filter((a) => a.stuckReason).length;
    expect(healthy.length).toBeGreaterThan(3);
    expect(traffic.following).toBeGreaterThanOrEqual(healthy.length);
    const seen = [JSON.stringify(await observed())];

    // Nothing moves while the clock stands still.
    expect(await traffic.tick()).toEqual({ arrived: 0, progressed: 0, finished: 0, stuck: 0 });

    const totals = { arrived: 0, progressed: 0, finished: 0, stuck: 0 };
    for (let step = 0; step < 24; step++) {
      clock.advance(5 * MINUTE);
      const r = await traffic.tick();
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
      seen.push(JSON.stringify(await observed()));
    }
    expect(totals.arrived).toBeGreaterThan(10);
    expect(totals.progressed).toBeGreaterThan(0);
    expect(totals.finished).toBeGreaterThan(healthy.length);
    expect(totals.stuck).toBeGreaterThan(0);
    // The queue figures changed from tick to tick.
    expect(new Set(seen).size).toBeGreaterThan(5);

    // Two hours on, none of the interactions live at the start is still live: each finished.
    const later = await active();
    const laterIds = new Set(later.map((a) => a.id));
    for (const id of healthy) expect(laterIds.has(id), id).toBe(false);
    expect(later.filter((a) => a.stuckReason).length).toBeGreaterThan(stuckAtStart);
    const done = await t.api(`/api/v2/gatehouse/interactions/${healthy[0]}`, { token: admin });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'disconnected', conversationEnd: expect.any(String) });
  });

  it('ticks by itself every intervalMs once started, and never after stop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      // A fixed seed: some seeds have no arrival in these ten minutes still live at their end (about
      // 1 in 20 of them), and with the default (the time now) the test failed that often.
      const timed = await followTraffic({ ...t.gh, clock }, t.demo.orgId, { intervalMs: 5_000, seed: 22 });
      if (!timed) throw new Error('the demo organization has queues and agents: it must be followed');
      clock.advance(10 * MINUTE);
      expect(vi.getTimerCount()).toBe(0); // made, not started: nothing scheduled
      timed.start();
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(5_000);
      // The tick it ran wrote the last ten minutes' arrivals and follows those still live.
      await vi.waitFor(() => expect(timed.following).toBeGreaterThan(0), { timeout: 15_000 });
      timed.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets a disconnected interaction go: the next ticks do not bring it back', async () => {
    let target: string | undefined;
    for (let step = 0; step < 12 && !target; step++) {
      clock.advance(MINUTE);
      await traffic.tick();
      target = (await observed()).interacting[0];
    }
    expect(target).toBeTruthy();
    const res = await t.api(`/api/v2/conversations/${target}/disconnect`, { method: 'POST', token: admin });
    expect(res.status).toBe(202);
    for (let step = 0; step < 10; step++) {
      clock.advance(MINUTE);
      await traffic.tick();
      const now = await observed();
      expect(now.interacting).not.toContain(target);
      expect(now.waiting).not.toContain(target);
    }
    const detail = await t.api(`/api/v2/gatehouse/interactions/${target}`, { token: admin });
    expect(detail.body.state).toBe('disconnected');
    // Torn down when it was disconnected, not finished later as its plan had it.
    expect(Date.parse(detail.body.conversationEnd)).toBeLessThan(clock.now().getTime() - 9 * MINUTE);
  });
});
