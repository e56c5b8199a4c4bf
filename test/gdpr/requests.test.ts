/**
 * Data-subject requests over HTTP: what a request must carry, who may make and read it, and
 * that another organization's requests stay out of reach (seed "GDPR and Data Subject Requests").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherOrganization, tokenWithPermissions } from '../conversations/fixtures.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { waitForRequest } from './fixtures.ts';

describe.each(DIALECTS)('GDPR requests on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const submit = (body: unknown, query = '', token = admin) =>
    t.api(`/api/v2/gdpr/requests${query}`, { method: 'POST', token, body });
  const total = async () => (await t.api('/api/v2/gdpr/requests', { token: admin })).body.total as number;

  it('refuses a request that is incomplete or contradicts itself, in the upstream error shape, and stores nothing', async () => {
    const before = await total();
    const cases: [unknown, string, number, string][] = [
      [{ subject: { emailAddresses: ['a@example.com'] } }, '', 400, 'requestType'],
      [{ requestType: 'GDPR_ERASE', subject: { name: 'A' } }, '', 400, 'requestType'],
      [{ requestType: 'GDPR_EXPORT', subject: {} }, '', 400, 'at least one identifier'],
      [
        { requestType: 'GDPR_EXPORT', subject: { name: '  ', emailAddresses: [''] } },
        '',
        400,
        'at least one identifier',
      ],
      [
        {
          requestType: 'GDPR_DELETE',
          subject: { socialHandle: { type: 'TWITTER', value: '@eve' }, externalContactId: 'crm-1' },
        },
        '?deleteConfirmed=true',
        400,
        'No external contact crm-1',
      ],
      [
        // Upstream: one request per identifier.
        { requestType: 'GDPR_EXPORT', subject: { name: 'Eve', emailAddresses: ['eve@example.com'] } },
        '',
        400,
        'one request per identifier',
      ],
      [
        {
          requestType: 'GDPR_EXPORT',
          subject: { name: 'A' },
          replacementTerms: [{ type: 'NAME', existingValue: 'A', updatedValue: 'B' }],
        },
        '',
        400,
        'GDPR_UPDATE requests only',
      ],
      [{ requestType: 'GDPR_UPDATE', subject: { name: 'A' } }, '', 400, 'at least one replacement term'],
      [
        {
          requestType: 'GDPR_UPDATE',
          subject: { name: 'A' },
          replacementTerms: [{ type: 'TWITTER', existingValue: '@a', updatedValue: '@b' }],
        },
        '',
        400,
        'holds no TWITTER values',
      ],
      [
        {
          requestType: 'GDPR_UPDATE',
          subject: { name: 'A' },
          replacementTerms: [{ type: 'NAME', existingValue: 'A', updatedValue: 'A' }],
        },
        '',
        400,
        'the same',
      ],
      [
        {
          requestType: 'GDPR_UPDATE',
          subject: { name: 'A' },
          replacementTerms: [{ type: 'EMAIL', existingValue: 'a@example.com', updatedValue: 'not-an-email' }],
        },
        '',
        400,
        'not an email address',
      ],
      [{ requestType: 'GDPR_DELETE', subject: { name: 'A' } }, '', 400, 'deleteConfirmed=true'],
      [{ requestType: 'GDPR_DELETE', subject: { name: 'A' } }, '?deleteConfirmed=false', 400, 'deleteConfirmed=true'],
      [{ requestType: 'GDPR_EXPORT', subject: { userId: '00000000-0000-0000-0000-00000000dead' } }, '', 400, 'No user'],
    ];
    for (const [body, query, status, words] of cases) {
      const res = await submit(body, query);
      expect(res.status, JSON.stringify(body)).toBe(status);
      validateShape('ErrorBody', res.body);
      expect(res.body.message, JSON.stringify(body)).toContain(words);
    }
    expect(await total()).toBe(before);
  });

  it('accepts a request, answers it in the upstream GDPRRequest shape and runs it to COMPLETED', async () => {
    const res = await submit({
      name: 'Ticket 4711',
      requestType: 'GDPR_EXPORT',
      subject: { emailAddresses: ['nobody@example.com'] },
    });
    expect(res.status).toBe(200);
    validateShape('GDPRRequest', res.body);
    expect(res.body).toMatchObject({
      name: 'Ticket 4711',
      requestType: 'GDPR_EXPORT',
      status: 'INITIATED',
      subject: { emailAddresses: ['nobody@example.com'] },
    });
    // The demo client acts for its service-account user: the request is that user's.
    const me = await t.api('/api/v2/users/me', { token: admin });
    expect(res.body.createdBy).toEqual({ id: me.body.id, selfUri: `/api/v2/users/${me.body.id}` });
    expect(res.body.selfUri).toBe(`/api/v2/gdpr/requests/${res.body.id}`);
    expect(res.body.resultsUrl).toBeUndefined();
    const done = await waitForRequest(t, admin, res.body.id);
    validateShape('GDPRRequest', done);
    expect(done).toMatchObject({ status: 'COMPLETED', resultsUrl: `/api/v2/gdpr/requests/${res.body.id}/results` });
    const results = await t.api(done.resultsUrl, { token: admin });
    expect(results.status).toBe(200);
    expect(results.headers.get('content-disposition')).toContain(`gdpr-export-${res.body.id}.json`);
    expect(results.body).toMatchObject({ requestId: res.body.id, requestType: 'GDPR_EXPORT', status: 'COMPLETED' });
  });

  it('records who asked for which kind of request in the audit trail, and nothing about the subject', async () => {
    const res = await submit({
      requestType: 'GDPR_EXPORT',
      subject: { emailAddresses: ['audit.subject@example.com'] },
    });
    await waitForRequest(t, admin, res.body.id);
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', res.body.id)
      .execute();
    expect(events.map((e) => `${e.service_name}/${e.entity_type}/${e.action}`)).toEqual(['GDPR/GDPRRequest/Create']);
    expect(events[0]!.actor_client_id).toBe(t.demo.clientId);
    expect(JSON.stringify(events)).not.toMatch(/audit\.subject|Audit Subject/i);
  });

  it('lists requests newest first, paged, and reads one by id', async () => {
    const a = await submit({ name: 'first', requestType: 'GDPR_EXPORT', subject: { name: 'Paging One' } });
    const b = await submit({ name: 'second', requestType: 'GDPR_EXPORT', subject: { name: 'Paging Two' } });
    const page = await t.api('/api/v2/gdpr/requests?pageSize=1', { token: admin });
    expect(page.status).toBe(200);
    validateShape('GDPRRequestEntityListing', page.body);
    expect(page.body.entities.map((r: { id: string }) => r.id)).toEqual([b.body.id]);
    expect(page.body.pageCount).toBe(page.body.total);
    expect(page.body.nextUri).toBe('/api/v2/gdpr/requests?pageSize=1&pageNumber=2');
    const second = await t.api(page.body.nextUri, { token: admin });
    expect(second.body.entities[0].id).toBe(a.body.id);
    const one = await t.api(`/api/v2/gdpr/requests/${a.body.id}`, { token: admin });
    expect(one.body).toMatchObject({ id: a.body.id, name: 'first' });
    expect((await t.api('/api/v2/gdpr/requests/00000000-0000-0000-0000-000000000000', { token: admin })).status).toBe(
      404,
    );
  });

  it('answers results only once a request has finished', async () => {
    const res = await submit({ requestType: 'GDPR_EXPORT', subject: { name: 'Not Yet' } });
    // Held unfinished as a stopped process would leave it.
    await waitForRequest(t, admin, res.body.id);
    const held = new Date(Date.now() + 600_000).toISOString();
    await t.gh.storage.db
      .updateTable('gdpr_requests')
      .set({ status: 'SEARCHING', results: null, claimed_until: held })
      .where('id', '=', res.body.id)
      .execute();
    const early = await t.api(`/api/v2/gdpr/requests/${res.body.id}/results`, { token: admin });
    expect(early.status).toBe(400);
    expect(early.body.message).toContain('SEARCHING');
    expect((await t.api(`/api/v2/gdpr/requests/${res.body.id}`, { token: admin })).body.resultsUrl).toBeUndefined();
    // While another process holds it, nobody else runs it.
    await t.gh.gdpr.resume();
    await t.gh.jobs.idle();
    expect((await t.api(`/api/v2/gdpr/requests/${res.body.id}`, { token: admin })).body.status).toBe('SEARCHING');
    // Once that process's lease has run out (it stopped), the request is taken up again.
    await t.gh.storage.db
      .updateTable('gdpr_requests')
      .set({ claimed_until: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', res.body.id)
      .execute();
    await t.gh.gdpr.resume();
    expect((await waitForRequest(t, admin, res.body.id)).status).toBe('COMPLETED');
  });

  it('refuses a NUL character anywhere and answers 404 for an id that is no request id', async () => {
    const nul = [
      ['GET', '/api/v2/gdpr/subjects?searchType=NAME&searchValue=a%00b'],
      ['POST', '/api/v2/gdpr/requests', { name: 'a\u0000b', requestType: 'GDPR_EXPORT', subject: { name: 'A' } }],
      [
        'POST',
        '/api/v2/gdpr/requests',
        { requestType: 'GDPR_EXPORT', subject: { emailAddresses: ['a\u0000b@example.com'] } },
      ],
      ['POST', '/api/v2/gdpr/requests', { requestType: 'GDPR_EXPORT', subject: { externalId: 'a\u0000b' } }],
    ] as const;
    for (const [method, path, body] of nul) {
      const res = await t.api(path, { method, token: admin, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      validateShape('ErrorBody', res.body);
    }
    for (const path of [
      '/api/v2/gdpr/requests/a%00b',
      '/api/v2/gdpr/requests/not-a-request',
      '/api/v2/gdpr/requests/not-a-request/results',
    ]) {
      const res = await t.api(path, { token: admin });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    expect((await t.api('/api/v2/gdpr/requests/not-a-request', { token: admin })).status).toBe(404);
  });

  it("checks each route's permission", async () => {
    const none = await tokenWithPermissions(t, admin, 'No GDPR', ['directory:user:view']);
    const viewer = await tokenWithPermissions(t, admin, 'GDPR viewer', ['gdpr:request:view']);
    const made = await submit({ requestType: 'GDPR_EXPORT', subject: { name: 'Perm' } });
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/v2/gdpr/subjects?searchType=NAME&searchValue=Perm'],
      ['POST', '/api/v2/gdpr/requests', { requestType: 'GDPR_EXPORT', subject: { name: 'Perm' } }],
      ['GET', '/api/v2/gdpr/requests'],
      ['GET', `/api/v2/gdpr/requests/${made.body.id}`],
      ['GET', `/api/v2/gdpr/requests/${made.body.id}/results`],
    ];
    for (const [method, path, body] of routes) {
      const res = await t.api(path, { method, token: none, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toMatch(/^missing\.(any\.)?permissions$/);
    }
    expect((await t.api('/api/v2/gdpr/requests', { token: viewer })).status).toBe(200);
    expect((await submit({ requestType: 'GDPR_EXPORT', subject: { name: 'Perm' } }, '', viewer)).status).toBe(403);
    expect((await t.api('/api/v2/gdpr/subjects?searchType=NAME&searchValue=Perm', { token: viewer })).status).toBe(403);
  });

  it("keeps each organization's requests to itself", async () => {
    const mine = await submit({ requestType: 'GDPR_EXPORT', subject: { name: 'Mine' } });
    await waitForRequest(t, admin, mine.body.id);
    const other = await otherOrganization(t, 'Elsewhere GDPR');
    for (const path of [`/api/v2/gdpr/requests/${mine.body.id}`, `/api/v2/gdpr/requests/${mine.body.id}/results`]) {
      expect((await t.api(path, { token: other.token })).status).toBe(404);
    }
    const list = await t.api('/api/v2/gdpr/requests', { token: other.token });
    expect(list.body.total).toBe(0);
    expect(list.body.entities).toEqual([]);
  });

  it('checks the search parameters', async () => {
    expect((await t.api('/api/v2/gdpr/subjects?searchType=NAME', { token: admin })).status).toBe(400);
    expect((await t.api('/api/v2/gdpr/subjects?searchType=SHOE_SIZE&searchValue=9', { token: admin })).status).toBe(
      400,
    );
    const social = await t.api('/api/v2/gdpr/subjects?searchType=TWITTER&searchValue=%40someone', { token: admin });
    expect(social.status).toBe(200);
    validateShape('GDPRSubjectEntityListing', social.body);
    expect(social.body).toMatchObject({ entities: [], total: 0 });
  });
});
