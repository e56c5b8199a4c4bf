/**
 * A details query naming one conversation (a required conversationId predicate, no segment
 * filters) is answered from that conversation's row, tested in memory, not by building the SQL
 * query (@see issue 22). It must answer exactly what the SQL query answers, for every
 * conversation filter and paging, and show a change made by another process on the next query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../src/app.ts';
import { simulateTraffic } from '../../src/contact-center.ts';
import { detailsQueryOf, pagingOf, SYNC_MAX_DAYS } from '../../src/domains/analytics/query.ts';
import type { ConversationQuery } from '../../src/domains/analytics/schemas.ts';
import { analyticsConversationView } from '../../src/domains/conversations/analytics-view.ts';
import { createDetailsStore, pinnedConversation } from '../../src/domains/conversations/details-store.ts';
import { conversationFromRow } from '../../src/domains/conversations/rows.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { secondProcess, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Predicate = { type: 'dimension'; dimension: string; operator?: string; value?: string };
const is = (dimension: string, value: string): Predicate => ({ type: 'dimension', dimension, value });
const has = (dimension: string, operator: 'exists' | 'notExists'): Predicate => ({
  type: 'dimension',
  dimension,
  operator,
});

describe.each(DIALECTS)('details queries naming one conversation on %s', (dialect) => {
  let t: TestApp;
  let b: Gatehouse;
  let bUrl: string;
  let admin: string;
  let interval: string;
  let ended: { conversationId: string; conversationStart: string; divisionIds: string[] };
  let other: { conversationId: string };

  const queryAt = async (url: string, body: unknown) => {
    const res = await fetch(`${url}/api/v2/analytics/conversations/details/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };

  /** What the SQL query answers (the path every other query takes). */
  async function bySql(body: ConversationQuery) {
    const q = detailsQueryOf(t.demo.orgId, body, SYNC_MAX_DAYS);
    const { offset, limit } = pagingOf(body.paging);
    const details = createDetailsStore();
    const page = await details.page(t.gh.storage.db, q, offset, limit);
    const total = await details.count(t.gh.storage.db, q);
    const conversations = page.map((r) => analyticsConversationView(conversationFromRow(r)));
    return { ...(conversations.length ? { conversations } : {}), totalHits: total };
  }

  beforeAll(async () => {
    t = await startApp(dialect);
    ({ gh: b, url: bUrl } = await secondProcess(t));
    admin = await t.token();
    await simulateTraffic({ ...t.gh, clock: systemClock }, t.demo.orgId, { days: 1, peakPerHour: 10, seed: 5 });
    const now = Date.now();
    interval = `${new Date(now - DAY - HOUR).toISOString()}/${new Date(now + HOUR).toISOString()}`;
    const day = await t.api('/api/v2/analytics/conversations/details/query', {
      method: 'POST',
      token: admin,
      body: { interval, paging: { pageSize: 100, pageNumber: 1 } },
    });
    const all = day.body.conversations as (typeof ended & { conversationEnd?: string })[];
    ended = all.find((c) => c.conversationEnd)!;
    other = all.find((c) => c.conversationId !== ended.conversationId)!;
    expect(ended && other).toBeTruthy();
  });
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('answers what the SQL query answers, for every conversation filter and paging', async () => {
    const id = ended.conversationId;
    const division = ended.divisionIds[0]!;
    const start = Date.parse(ended.conversationStart);
    const filters = (...f: unknown[]) => ({ interval, conversationFilters: f });
    const bodies: ConversationQuery[] = [
      filters({ type: 'and', predicates: [is('conversationId', id)] }),
      filters({ type: 'or', predicates: [is('conversationId', id)] }),
      { ...filters({ type: 'and', predicates: [is('conversationId', id)] }), paging: { pageSize: 1, pageNumber: 2 } },
      { ...filters({ type: 'and', predicates: [is('conversationId', id)] }), paging: { pageSize: 5, pageNumber: 1 } },
      filters({ type: 'and', predicates: [is('conversationId', id), is('divisionId', division)] }),
      filters({ type: 'and', predicates: [is('conversationId', id), is('divisionId', other.conversationId)] }),
      filters({ type: 'and', predicates: [is('conversationId', id), has('conversationEnd', 'exists')] }),
      filters({ type: 'and', predicates: [is('conversationId', id), has('conversationEnd', 'notExists')] }),
      filters({ type: 'and', predicates: [is('conversationId', id), is('originatingDirection', 'inbound')] }),
      filters({ type: 'and', predicates: [is('conversationId', id), is('originatingDirection', 'outbound')] }),
      filters({ type: 'and', predicates: [is('conversationId', id), has('originatingDirection', 'notExists')] }),
      filters(
        { type: 'and', predicates: [is('conversationId', id)] },
        { type: 'or', predicates: [is('divisionId', 'elsewhere'), is('divisionId', division)] },
      ),
      filters(
        { type: 'and', predicates: [is('conversationId', id)] },
        { type: 'or', predicates: [is('divisionId', 'elsewhere')], clauses: [] },
      ),
      filters({
        type: 'and',
        predicates: [is('conversationId', id)],
        clauses: [{ type: 'or', predicates: [has('conversationEnd', 'notExists'), is('divisionId', division)] }],
      }),
      filters({
        type: 'and',
        predicates: [is('conversationId', id)],
        clauses: [{ type: 'and', predicates: [has('conversationEnd', 'notExists'), is('divisionId', division)] }],
      }),
      filters({ type: 'and', predicates: [is('conversationId', id), is('conversationId', other.conversationId)] }),
      filters({ type: 'and', predicates: [is('conversationId', 'not-an-id')] }),
      filters({ type: 'and', predicates: [is('conversationId', id.toUpperCase())] }),
      // The interval: the conversation's start is included, the end excluded.
      {
        interval: `${new Date(start).toISOString()}/${new Date(start + HOUR).toISOString()}`,
        conversationFilters: [{ type: 'and', predicates: [is('conversationId', id)] }],
      },
      {
        interval: `${new Date(start - HOUR).toISOString()}/${new Date(start).toISOString()}`,
        conversationFilters: [{ type: 'and', predicates: [is('conversationId', id)] }],
      },
      // Not pinned (answered in SQL either way): an `or` of two ids.
      filters({ type: 'or', predicates: [is('conversationId', id), is('conversationId', other.conversationId)] }),
    ] as ConversationQuery[];
    let pinned = 0;
    for (const body of bodies) {
      if (pinnedConversation(detailsQueryOf(t.demo.orgId, body, SYNC_MAX_DAYS)) !== null) pinned++;
      const expected = await bySql(body);
      // Twice in each process: the second answer reuses the view (and the serialized answer).
      for (const url of [t.url, t.url, bUrl, bUrl]) {
        const res = await queryAt(url, body);
        expect(res.status, res.text).toBe(200);
        expect(JSON.parse(res.text), JSON.stringify(body)).toEqual(expected);
      }
    }
    expect(pinned).toBe(bodies.length - 1);
  });

  it("shows another process's disconnect and division move on the next query", async () => {
    const created = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'chat', participants: [{ purpose: 'customer', name: 'Pinned Pat' }] },
    });
    const id = created.body.id as string;
    const body = { interval, conversationFilters: [{ type: 'and', predicates: [is('conversationId', id)] }] };
    for (let i = 0; i < 2; i++) {
      const live = JSON.parse((await queryAt(bUrl, body)).text);
      expect(live.totalHits).toBe(1);
      expect(live.conversations[0].conversationEnd).toBeUndefined();
    }
    expect((await t.api(`/api/v2/conversations/${id}/disconnect`, { method: 'POST', token: admin })).status).toBe(202);
    const done = JSON.parse((await queryAt(bUrl, body)).text);
    expect(done.conversations[0].conversationEnd).toEqual(expect.any(String));
    expect(done).toEqual(await bySql(body as ConversationQuery));

    const east = await t.api('/api/v2/authorization/divisions', {
      method: 'POST',
      token: admin,
      body: { name: 'East' },
    });
    const inHome = {
      ...body,
      conversationFilters: [
        ...body.conversationFilters,
        { type: 'and', predicates: [is('divisionId', done.conversations[0].divisionIds[0])] },
      ],
    };
    expect(JSON.parse((await queryAt(bUrl, inHome)).text).totalHits).toBe(1);
    const moved = await t.api(`/api/v2/authorization/divisions/${east.body.id}/objects/CONVERSATION`, {
      method: 'POST',
      token: admin,
      body: [id],
    });
    expect(moved.status, moved.text).toBe(204);
    expect(JSON.parse((await queryAt(bUrl, inHome)).text)).toEqual({ totalHits: 0 });
    expect(JSON.parse((await queryAt(bUrl, body)).text).conversations[0].divisionIds).toEqual([east.body.id]);
  });
});
