/**
 * POST /api/v2/analytics/conversations/details/query, the details jobs and the queue
 * observations over simulated traffic, through HTTP on every dialect (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraffic } from '../../src/contact-center.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const DAY = 86_400_000;

describe.each(DIALECTS)('conversation analytics on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let interval: string;
  const query = (body: unknown, token = admin) =>
    t.api('/api/v2/analytics/conversations/details/query', { method: 'POST', token, body });

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    await simulateTraffic({ ...t.gh, clock: systemClock }, t.demo.orgId, { days: 3, peakPerHour: 30, seed: 7 });
    const now = Date.now();
    interval = `${new Date(now - 2 * DAY).toISOString()}/${new Date(now - DAY).toISOString()}`;
  });
  afterAll(() => t?.close());

  it("answers a day's conversations with ids, media, segments, durations and wrap-up codes", async () => {
    const res = await query({ interval, paging: { pageSize: 100, pageNumber: 1 } });
    expect(res.status).toBe(200);
    validateShape('AnalyticsConversationQueryResponse', res.body);
    expect(res.body.totalHits).toBeGreaterThan(20);
    const convs = res.body.conversations;
    expect(convs.length).toBe(Math.min(100, res.body.totalHits));
    const [from, to] = interval.split('/');
    for (const c of convs) {
      expect(c.conversationStart >= from! && c.conversationStart < to!).toBe(true);
      expect(c.conversationEnd > c.conversationStart).toBe(true);
    }
    const sessions = convs.flatMap((c: any) =>
      c.participants.flatMap((p: any) => p.sessions.map((s: any) => ({ p, s }))),
    );
    expect(new Set(sessions.map((x: any) => x.s.mediaType))).toContain('voice');
    const agentSessions = sessions.filter((x: any) => x.p.purpose === 'agent');
    expect(agentSessions.length).toBeGreaterThan(0);
    const handled = agentSessions.find((x: any) => x.s.metrics?.some((m: any) => m.name === 'tHandle'));
    const metric = (name: string) => handled.s.metrics.find((m: any) => m.name === name)?.value ?? 0;
    expect(metric('tHandle')).toBe(metric('tTalk') + metric('tHeld') + metric('tAcw'));
    expect(handled.s.segments.find((g: any) => g.segmentType === 'wrapup').wrapUpCode).toMatch(/^[0-9a-f-]{36}$/);
    expect(convs.every((c: any) => c.conversationStart <= (convs[convs.length - 1] as any).conversationStart)).toBe(
      true,
    );
    const purposes = new Set(convs.flatMap((c: any) => c.participants.map((p: any) => p.purpose)));
    for (const p of ['customer', 'ivr', 'acd', 'agent']) expect(purposes).toContain(p);
  });

  it('filters by queue, user, media type, wrap-up code and conversation id', async () => {
    const all = (await query({ interval, paging: { pageSize: 100, pageNumber: 1 } })).body.conversations;
    const agent = all.flatMap((c: any) => c.participants).find((p: any) => p.purpose === 'agent');
    const seg = agent.sessions[0].segments.find((g: any) => g.segmentType === 'wrapup');
    const dim = (dimension: string, value: string) => ({
      interval,
      paging: { pageSize: 100, pageNumber: 1 },
      segmentFilters: [{ type: 'and', predicates: [{ type: 'dimension', dimension, operator: 'matches', value }] }],
    });
    const byQueue = await query(dim('queueId', seg.queueId));
    expect(byQueue.body.totalHits).toBeGreaterThan(0);
    for (const c of byQueue.body.conversations)
      expect(
        c.participants.some((p: any) =>
          p.sessions.some((s: any) => s.segments.some((g: any) => g.queueId === seg.queueId)),
        ),
      ).toBe(true);
    const byUser = await query(dim('userId', agent.userId));
    for (const c of byUser.body.conversations)
      expect(c.participants.some((p: any) => p.userId === agent.userId)).toBe(true);
    const byCode = await query(dim('wrapUpCode', seg.wrapUpCode));
    expect(byCode.body.totalHits).toBeGreaterThan(0);
    const chat = await query(dim('mediaType', 'chat'));
    for (const c of chat.body.conversations ?? []) expect(c.participants[0].sessions[0].mediaType).toBe('chat');
    const one = await query({
      interval,
      conversationFilters: [
        { type: 'or', predicates: [{ dimension: 'conversationId', value: all[3].conversationId }] },
      ],
    });
    expect(one.body.totalHits).toBe(1);
    expect(one.body.conversations[0].conversationId).toBe(all[3].conversationId);
    const both = await query({
      interval,
      segmentFilters: [
        { type: 'and', predicates: [{ dimension: 'queueId', value: seg.queueId }] },
        { type: 'and', predicates: [{ dimension: 'mediaType', value: 'voice' }] },
      ],
    });
    expect(both.body.totalHits).toBeLessThanOrEqual(byQueue.body.totalHits);
  });

  it('filters by direction: the count and every page agree with the sessions the answer shows', async () => {
    const pages = async (body: object) => {
      const first = await query({ ...body, interval, order: 'desc', paging: { pageSize: 100, pageNumber: 1 } });
      expect(first.status).toBe(200);
      const ids: string[] = (first.body.conversations ?? []).map((c: any) => c.conversationId);
      const convs: any[] = [...(first.body.conversations ?? [])];
      for (let n = 2; (n - 1) * 100 < first.body.totalHits; n++) {
        const next = await query({ ...body, interval, order: 'desc', paging: { pageSize: 100, pageNumber: n } });
        expect(next.body.totalHits).toBe(first.body.totalHits);
        convs.push(...next.body.conversations);
        ids.push(...next.body.conversations.map((c: any) => c.conversationId));
      }
      return { total: first.body.totalHits as number, ids, convs };
    };
    const all = await pages({});
    const starts = all.convs.map((c: any) => c.conversationStart);
    expect(starts).toEqual([...starts].sort().reverse());
    for (const direction of ['inbound', 'outbound']) {
      const expected = all.convs
        .filter((c: any) => c.participants.some((p: any) => p.sessions[0]?.direction === direction))
        .map((c: any) => c.conversationId);
      const got = await pages({
        segmentFilters: [{ type: 'and', predicates: [{ dimension: 'direction', value: direction }] }],
      });
      expect(got.total).toBe(expected.length);
      expect(got.ids).toEqual(expected);
    }
    // A common direction: most of the interval's conversations have an inbound session.
    expect(
      all.convs.filter((c: any) => c.participants.some((p: any) => p.sessions[0]?.direction === 'inbound')).length,
    ).toBeGreaterThan(all.total / 2);
  });

  it('pages and orders, with a constant totalHits', async () => {
    const desc = await query({ interval, order: 'desc', paging: { pageSize: 10, pageNumber: 1 } });
    const page2 = await query({ interval, order: 'desc', paging: { pageSize: 10, pageNumber: 2 } });
    expect(page2.body.totalHits).toBe(desc.body.totalHits);
    const starts = [...desc.body.conversations, ...page2.body.conversations].map((c: any) => c.conversationStart);
    expect(starts).toEqual([...starts].sort().reverse());
    // The last page (not full) and a page past the end still give the whole total.
    const total = desc.body.totalHits as number;
    const lastNumber = Math.ceil(total / 10);
    const last = await query({ interval, order: 'desc', paging: { pageSize: 10, pageNumber: lastNumber } });
    expect(last.body.conversations.length).toBe(total - (lastNumber - 1) * 10);
    expect(last.body.totalHits).toBe(total);
    const past = await query({ interval, order: 'desc', paging: { pageSize: 10, pageNumber: lastNumber + 1 } });
    expect(past.body).toEqual({ totalHits: total });
    const empty = await query({ interval: '2001-01-01T00:00:00Z/2001-01-02T00:00:00Z' });
    expect(empty.body).toEqual({ totalHits: 0 });
  });

  it('refuses bad input with upstream 400s', async () => {
    const cases = [
      { interval: 'yesterday' },
      { interval: '2026-01-02T00:00:00Z/2026-01-01T00:00:00Z' },
      { interval: '2026-01-01T00:00:00Z/2026-03-01T00:00:00Z' },
      { interval, paging: { pageSize: 101, pageNumber: 1 } },
      { interval, paging: { pageSize: 100, pageNumber: 101 } },
      { interval, segmentFilters: [{ type: 'and', predicates: [{ dimension: 'favouriteColour', value: 'blue' }] }] },
      { interval, conversationFilters: [{ type: 'and', predicates: [{ dimension: 'queueId', value: 'x' }] }] },
      { interval, segmentFilters: [{ type: 'xor', predicates: [{ dimension: 'queueId', value: 'x' }] }] },
      { interval, orderBy: 'segmentStart' },
      {},
    ];
    for (const body of cases) {
      const res = await query(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      validateShape('ErrorBody', res.body, { extraProperties: true });
    }
    const long = await query(cases[2]);
    expect(long.body.message).toMatch(/details job/);
    const unknown = await query(cases[5]);
    expect(unknown.body.message).toMatch(/favouriteColour/);
  });

  it('runs a details job over 90 days and pages its results by cursor', async () => {
    const now = Date.now();
    const body = { interval: `${new Date(now - 90 * DAY).toISOString()}/${new Date(now).toISOString()}` };
    expect((await query(body)).status).toBe(400);
    const submit = await t.api('/api/v2/analytics/conversations/details/jobs', { method: 'POST', token: admin, body });
    expect(submit.status).toBe(202);
    const { jobId } = submit.body;
    await t.gh.jobs.idle();
    const status = await t.api(`/api/v2/analytics/conversations/details/jobs/${jobId}`, { token: admin });
    expect(status.body).toMatchObject({ state: 'FULFILLED' });
    validateShape('AsyncQueryStatus', status.body);
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const url = `/api/v2/analytics/conversations/details/jobs/${jobId}/results?pageSize=100${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.api(url, { token: admin });
      expect(res.status).toBe(200);
      validateShape('AnalyticsConversationAsyncQueryResponse', res.body);
      for (const c of res.body.conversations ?? []) seen.add(c.conversationId);
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 100);
    const count = await t.gh.storage.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('org_id', '=', t.demo.orgId)
      .where('start_time', '>=', body.interval.split('/')[0]!)
      .executeTakeFirstOrThrow();
    expect(seen.size).toBe(Number(count.n));
    expect(pages).toBeGreaterThan(1);
    const avail = await t.api('/api/v2/analytics/conversations/details/jobs/availability', { token: admin });
    validateShape('DataAvailabilityResponse', avail.body);
    const bad = await t.api(`/api/v2/analytics/conversations/details/jobs/${jobId}/results?cursor=nonsense`, {
      token: admin,
    });
    expect(bad.status).toBe(400);
    expect(
      (await t.api(`/api/v2/analytics/conversations/details/jobs/${jobId}`, { method: 'DELETE', token: admin })).status,
    ).toBe(200);
    expect((await t.api(`/api/v2/analytics/conversations/details/jobs/${jobId}`, { token: admin })).status).toBe(404);
  });

  it('observes queues, and a disconnected interaction leaves the figures at once', async () => {
    const queues = (await t.api('/api/v2/routing/queues?pageSize=100', { token: admin })).body.entities;
    const body = {
      filter: {
        type: 'or',
        predicates: queues.map((q: any) => ({
          type: 'dimension',
          dimension: 'queueId',
          operator: 'matches',
          value: q.id,
        })),
      },
      metrics: ['oWaiting', 'oInteracting', 'oOnQueueUsers', 'oMemberUsers'],
      detailMetrics: ['oWaiting', 'oInteracting'],
    };
    const observe = () => t.api('/api/v2/analytics/queues/observations/query', { method: 'POST', token: admin, body });
    const before = await observe();
    expect(before.status).toBe(200);
    validateShape('QueueObservationQueryResponse', before.body);
    const figures = (res: any, metric: string) =>
      res.body.results.flatMap((r: any) =>
        r.data.filter((d: any) => d.metric === metric).flatMap((d: any) => d.observations ?? []),
      );
    const waiting = figures(before, 'oWaiting');
    expect(waiting.length).toBeGreaterThan(0);
    expect(figures(before, 'oInteracting').length).toBeGreaterThan(0);
    const target = waiting[0].conversationId;
    const disconnect = await t.api(`/api/v2/conversations/${target}/disconnect`, { method: 'POST', token: admin });
    expect(disconnect.status).toBe(202);
    const after = await observe();
    expect(figures(after, 'oWaiting').map((o: any) => o.conversationId)).not.toContain(target);
    expect(figures(after, 'oWaiting').length).toBe(waiting.length - 1);
    const bad = await t.api('/api/v2/analytics/queues/observations/query', {
      method: 'POST',
      token: admin,
      body: { ...body, metrics: ['oFavourite'] },
    });
    expect(bad.status).toBe(400);
  });

  it('needs analytics permissions', async () => {
    const employee = await t.clientWithRole('analytics reader');
    const token = await t.token(employee.id, employee.secret);
    expect((await query({ interval }, token)).status).toBe(403);
    const obs = await t.api('/api/v2/analytics/queues/observations/query', {
      method: 'POST',
      token,
      body: { filter: { type: 'or', predicates: [] }, metrics: ['oWaiting'] },
    });
    expect(obs.status).toBe(403);
  });
});
