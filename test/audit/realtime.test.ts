/**
 * The audit trail's read side: realtime query (14-day limit), service mapping, related events,
 * permission and organization isolation (@see issue 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/platform/audit.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const DAY = 86_400_000;
const interval = (fromMsAgo: number, toMsAhead = 60_000) =>
  `${new Date(Date.now() - fromMsAgo).toISOString()}/${new Date(Date.now() + toMsAhead).toISOString()}`;

describe.each(DIALECTS)('audit realtime query on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let clientId: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token });
    const home = await t.api('/api/v2/authorization/divisions/home', { token });
    const roleDivisions = [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }];
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: { name: 'Audited', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions },
    });
    clientId = made.body.id;
    await t.api(`/api/v2/oauth/clients/${clientId}`, {
      method: 'PUT',
      token,
      body: {
        name: 'Audited v2',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions,
        accessTokenValiditySeconds: 7200,
      },
    });
  });
  afterAll(() => t?.close());

  const query = (body: Record<string, unknown>, q = '') =>
    t.api(`/api/v2/audits/query/realtime${q}`, { method: 'POST', token, body });

  it('finds the changes to one entity, newest first, with who, where and before/after', async () => {
    const res = await query(
      { interval: interval(DAY), serviceName: 'OAuth', filters: [{ property: 'EntityId', value: clientId }] },
      '?expand=user',
    );
    expect(res.status).toBe(200);
    validateShape('AuditRealtimeQueryResultsResponse', res.body);
    expect(res.body.total).toBe(2);
    const [update, create] = res.body.entities;
    expect([update.action, create.action]).toEqual(['Update', 'Create']);
    expect(update).toMatchObject({
      serviceName: 'OAuth',
      entityType: 'OAuthClient',
      entity: { id: clientId, name: 'Audited v2' },
      level: 'USER',
      remoteIp: ['127.0.0.1'],
    });
    expect(update.user).toMatchObject({ name: 'Demo Service Account' });
    expect(update.client.id).toBe(t.demo.clientId);
    expect(update.propertyChanges).toEqual(
      expect.arrayContaining([
        { property: 'name', oldValues: ['Audited'], newValues: ['Audited v2'] },
        { property: 'accessTokenValiditySeconds', oldValues: ['86400'], newValues: ['7200'] },
      ]),
    );
    const asc = await query({
      interval: interval(DAY),
      filters: [{ property: 'EntityId', value: clientId }],
      sort: [{ name: 'Timestamp', sortOrder: 'ascending' }],
    });
    expect(asc.body.entities.map((e: { action: string }) => e.action)).toEqual(['Create', 'Update']);
  });

  it('filters by action, entity type and user, and pages', async () => {
    const creates = await query({
      interval: interval(DAY),
      filters: [
        { property: 'Action', value: 'Create' },
        { property: 'EntityType', value: 'User' },
      ],
    });
    expect(
      creates.body.entities.every(
        (e: { action: string; entityType: string }) => e.action === 'Create' && e.entityType === 'User',
      ),
    ).toBe(true);
    expect(creates.body.total).toBe(2);
    const paged = await query({ interval: interval(DAY), pageSize: 1, pageNumber: 2 });
    expect(paged.body.entities).toHaveLength(1);
    expect(paged.body.pageCount).toBe(paged.body.total);
  });

  it('covers at most 14 days and points to the async query beyond', async () => {
    expect((await query({ interval: interval(14 * DAY - 120_000) })).status).toBe(200);
    const res = await query({ interval: interval(15 * DAY) });
    expect(res.status).toBe(400);
    validateShape('ErrorBody', res.body);
    expect(res.body.message).toContain('POST /api/v2/audits/query');
    for (const bad of ['yesterday', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z/2026-11-01T00:00:00Z']) {
      const r = await query({ interval: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body.details[0].fieldName).toBe('interval');
    }
    expect((await query({ interval: interval(DAY), serviceName: 'Nope' })).body.details[0].fieldName).toBe(
      'serviceName',
    );
    expect((await query({ interval: interval(DAY), filters: [{ property: 'Color', value: 'x' }] })).status).toBe(400);
  });

  it('maps services, entity types and actions from the code', async () => {
    const res = await t.api('/api/v2/audits/query/servicemapping', { token });
    validateShape('AuditQueryServiceMapping', res.body);
    const oauth = res.body.services.find((s: { name: string }) => s.name === 'OAuth');
    expect(oauth.entities).toContainEqual({
      name: 'OAuthClient',
      actions: ['Create', 'Delete', 'RegenerateSecret', 'Update'],
    });
    const again = await t.api('/api/v2/audits/query/realtime/servicemapping', { token });
    expect(again.body).toEqual(res.body);
  });

  it('follows related events from any link of a chain', async () => {
    const db = t.gh.storage.db;
    const orgId = t.demo.orgId;
    const base = {
      orgId,
      serviceName: 'Directory',
      entityType: 'User',
      entityName: 'Chain',
      actor: { type: 'system' } as const,
    };
    const root = await recordAudit(db, systemClock, { ...base, entityId: 'u-root', action: 'Update' });
    const child = await recordAudit(db, systemClock, {
      ...base,
      entityId: 'u-child',
      action: 'Update',
      causeEventId: root,
    });
    const grandchild = await recordAudit(db, systemClock, {
      ...base,
      entityId: 'u-grand',
      action: 'Delete',
      causeEventId: child,
    });
    const res = await t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token,
      body: { auditId: grandchild, sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] },
    });
    validateShape('AuditRealtimeRelatedResultsResponse', res.body);
    expect(res.body.entities.map((e: { id: string }) => e.id)).toEqual([root, child, grandchild]);
    expect(res.body.entities[1].initiatingAction.transactionId).toBe(root);
    expect(res.body.entities[0].transactionInitiator).toBe(true);
  });

  it('needs audits:audit:view and keeps organizations apart', async () => {
    const weak = await t.clientWithRole('no audit');
    const denied = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: await t.token(weak.id, weak.secret),
      body: { interval: interval(DAY) },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('audits:audit:view');
    const other = await t.gh.directory.createOrganization('Audit Elsewhere', 'audit-elsewhere.example');
    const foreign = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'foreign admin',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    const theirs = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: await t.token(foreign.client.id, foreign.secret),
      body: { interval: interval(DAY), filters: [{ property: 'EntityId', value: clientId }] },
    });
    expect(theirs.body.total).toBe(0);
  });
});
