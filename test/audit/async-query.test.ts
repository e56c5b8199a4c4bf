/**
 * The asynchronous audit query: submit → transaction id → status → results by cursor, for any
 * interval inside retention; a query left unfinished by a stopped process runs on the next start
 * (@see issue 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const DAY = 86_400_000;
const interval = (days: number) =>
  `${new Date(Date.now() - days * DAY).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('audit async query on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
    for (let i = 0; i < 7; i++)
      await t.api('/api/v2/users', {
        method: 'POST',
        token,
        body: { name: `Bulk ${i}`, email: `bulk${i}@example.com` },
      });
  });
  afterAll(() => t?.close());

  it('runs in the background and pages its results by cursor', async () => {
    const submitted = await t.api('/api/v2/audits/query', {
      method: 'POST',
      token,
      body: {
        interval: interval(90),
        serviceName: 'Directory',
        filters: [
          { property: 'EntityType', value: 'User' },
          { property: 'Action', value: 'Create' },
        ],
      },
    });
    expect(submitted.status).toBe(200);
    validateShape('AuditQueryExecutionStatusResponse', submitted.body);
    expect(submitted.body.state).toBe('Queued');
    await t.gh.jobs.idle();
    const status = await t.api(`/api/v2/audits/query/${submitted.body.id}`, { token });
    expect(status.body.state).toBe('Succeeded');

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await t.api(
        `/api/v2/audits/query/${submitted.body.id}/results?pageSize=4${cursor ? `&cursor=${cursor}` : ''}&expand=user`,
        { token },
      );
      expect(res.status).toBe(200);
      validateShape('AuditQueryExecutionResultsResponse', res.body);
      seen.push(...res.body.entities.map((e: { entity: { name: string } }) => e.entity.name));
      cursor = res.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    // 7 bulk users + the demo admin and service account, newest first, each once.
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(seen[0]).toBe('Bulk 6');
    expect(pages).toBe(3);
  });

  it('fixes its results at submit time, even for an interval that ends in the future (review finding 8)', async () => {
    const body = {
      interval: interval(1),
      serviceName: 'Directory',
      filters: [{ property: 'EntityType', value: 'User' }],
      sort: [{ name: 'Timestamp', sortOrder: 'ascending' }],
    };
    const submitted = await t.api('/api/v2/audits/query', { method: 'POST', token, body });
    expect(submitted.status).toBe(200);
    await t.gh.jobs.idle();
    const names = async () => {
      const res = await t.api(`/api/v2/audits/query/${submitted.body.id}/results?pageSize=100`, { token });
      expect(res.status).toBe(200);
      return res.body.entities.map((e: { entity: { name: string } }) => e.entity.name) as string[];
    };
    const first = await names();
    expect(first).toContain('Bulk 6');

    // Changes after the submit, inside the requested interval, stay out of the results.
    await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'After Submit', email: 'after.submit@example.com' },
    });
    expect(await names()).toEqual(first);
    // The requested interval is still what the status reports.
    expect((await t.api(`/api/v2/audits/query/${submitted.body.id}`, { token })).body.interval).toBe(body.interval);
    // A new query sees the new user.
    const again = await t.api('/api/v2/audits/query', { method: 'POST', token, body });
    await t.gh.jobs.idle();
    const later = await t.api(`/api/v2/audits/query/${again.body.id}/results?pageSize=100`, { token });
    expect(later.body.entities.map((e: { entity: { name: string } }) => e.entity.name)).toContain('After Submit');
  });

  it('refuses an interval beyond retention, a bad cursor, and unfinished or foreign queries', async () => {
    const old = await t.api('/api/v2/audits/query', { method: 'POST', token, body: { interval: interval(400) } });
    expect(old.status).toBe(400);
    expect(old.body.message).toMatch(/kept for 365 days/);
    const q = await t.api('/api/v2/audits/query', { method: 'POST', token, body: { interval: interval(30) } });
    await t.gh.jobs.idle();
    expect((await t.api(`/api/v2/audits/query/${q.body.id}/results?cursor=garbage`, { token })).status).toBe(400);
    const other = await t.gh.directory.createOrganization('Async Elsewhere', 'async-elsewhere.example');
    const foreign = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'foreign',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    const theirs = await t.token(foreign.client.id, foreign.secret);
    expect((await t.api(`/api/v2/audits/query/${q.body.id}`, { token: theirs })).status).toBe(404);
    expect((await t.api(`/api/v2/audits/query/${q.body.id}/results`, { token: theirs })).status).toBe(404);
  });

  it('finishes on the next start a query a stopped process left queued', async () => {
    const id = '00000000-0000-4000-8000-00000000a5c1';
    await t.gh.storage.db
      .insertInto('audit_queries')
      .values({
        id,
        org_id: t.demo.orgId,
        state: 'Queued',
        interval: interval(10),
        service_name: null,
        filters: '[]',
        sort: '[]',
        total: null,
        error: null,
        created_by: null,
        created_at: new Date().toISOString(),
        finished_at: null,
      })
      .execute();
    const second = await createGatehouse(
      loadConfig({ 'database-url': t.gh.config.databaseUrl, 'log-level': 'silent' }, {}),
      { logger: false },
    );
    await second.jobs.idle();
    await second.close();
    const status = await t.api(`/api/v2/audits/query/${id}`, { token });
    expect(status.body.state).toBe('Succeeded');
  });
});

describe('audit retention', () => {
  it('purges only what is past retention', async () => {
    const t = await startApp('sqlite', { env: { GATEHOUSE_AUDIT_RETENTION_DAYS: '30' } });
    try {
      const db = t.gh.storage.db;
      const row = (id: string, daysAgo: number) => ({
        id,
        org_id: t.demo.orgId,
        service_name: 'Directory',
        entity_type: 'User',
        entity_id: id,
        entity_name: null,
        action: 'Update',
        actor_type: 'system',
        actor_user_id: null,
        actor_client_id: null,
        remote_ip: null,
        changes: '[]',
        context: '{}',
        cause_event_id: null,
        occurred_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
      });
      await db
        .insertInto('audit_events')
        .values([row('old-31', 31), row('edge-29', 29), row('new-1', 1)])
        .execute();
      expect(await t.gh.audit.purgeExpired()).toBe(1);
      const left = (
        await db.selectFrom('audit_events').select('id').where('id', 'in', ['old-31', 'edge-29', 'new-1']).execute()
      )
        .map((r) => r.id)
        .sort();
      expect(left).toEqual(['edge-29', 'new-1']);
    } finally {
      await t.close();
    }
  });
});
