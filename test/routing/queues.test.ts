/**
 * /api/v2/routing/queues and queue membership through HTTP, on every dialect: create, list with
 * the name filter and paging, get, update, delete, members; permissions, organizations and
 * audit (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('routing queues on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const post = (body: unknown, token = admin) => t.api('/api/v2/routing/queues', { method: 'POST', token, body });

  it('creates, reads, lists by name with paging, updates and deletes queues', async () => {
    const created = await post({
      name: 'Support',
      description: 'Tier 1',
      acwSettings: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 60000 },
    });
    expect(created.status).toBe(200);
    validateShape('Queue', created.body);
    const home = await t.gh.directory.organizations.homeDivision(t.demo.orgId);
    expect(created.body).toMatchObject({
      name: 'Support',
      division: { id: home.id },
      memberCount: 0,
      acwSettings: { timeoutMs: 60000 },
    });
    for (const name of ['Sales', 'Billing', 'Support Escalations']) expect((await post({ name })).status).toBe(200);

    const dup = await post({ name: 'support' });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toMatch(/already exists/);

    const exact = await t.api('/api/v2/routing/queues?name=support', { token: admin });
    expect(exact.body.entities.map((q: { name: string }) => q.name)).toEqual(['Support']);
    const wild = await t.api('/api/v2/routing/queues?name=Support*', { token: admin });
    expect(wild.body.entities.map((q: { name: string }) => q.name)).toEqual(['Support', 'Support Escalations']);
    const page = await t.api('/api/v2/routing/queues?pageSize=2&pageNumber=2', { token: admin });
    validateShape('QueueEntityListing', page.body);
    expect(page.body).toMatchObject({ total: 4, pageCount: 2, pageNumber: 2 });
    expect(page.body.entities.map((q: { name: string }) => q.name)).toEqual(['Support', 'Support Escalations']);

    const id = created.body.id;
    const put = await t.api(`/api/v2/routing/queues/${id}`, {
      method: 'PUT',
      token: admin,
      body: { name: 'Customer Support' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Customer Support', description: 'Tier 1' });
    expect((await t.api(`/api/v2/routing/queues/${id}`, { token: admin })).body.name).toBe('Customer Support');

    const bad = await t.api(`/api/v2/routing/queues/${id}`, {
      method: 'PUT',
      token: admin,
      body: { name: 'x', acwSettings: { wrapupPrompt: 'SOMETIMES' } },
    });
    expect(bad.status).toBe(400);

    expect((await t.api(`/api/v2/routing/queues/${id}`, { method: 'DELETE', token: admin })).status).toBe(200);
    expect((await t.api(`/api/v2/routing/queues/${id}`, { token: admin })).status).toBe(404);
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .execute();
    expect(events.map((e) => e.action).sort()).toEqual(['Create', 'Delete', 'Update']);
  });

  it('adds, joins and removes members', async () => {
    const q = (await post({ name: 'Members queue' })).body;
    const users = await t.api('/api/v2/users?pageSize=10', { token: admin });
    const userId = users.body.entities[0].id;
    const add = await t.api(`/api/v2/routing/queues/${q.id}/members`, {
      method: 'POST',
      token: admin,
      body: [{ id: userId }],
    });
    expect(add.status).toBe(200);
    const members = await t.api(`/api/v2/routing/queues/${q.id}/members`, { token: admin });
    expect(members.body).toMatchObject({ total: 1, entities: [{ id: userId, joined: true }] });
    expect((await t.api(`/api/v2/routing/queues/${q.id}`, { token: admin })).body).toMatchObject({
      memberCount: 1,
      joinedMemberCount: 1,
    });
    const unjoin = await t.api(`/api/v2/routing/queues/${q.id}/members/${userId}`, {
      method: 'PATCH',
      token: admin,
      body: { joined: false },
    });
    expect(unjoin.status).toBe(202);
    expect((await t.api(`/api/v2/routing/queues/${q.id}/members?joined=true`, { token: admin })).body.total).toBe(0);
    const unknown = await t.api(`/api/v2/routing/queues/${q.id}/members`, {
      method: 'POST',
      token: admin,
      body: [{ id: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(unknown.status).toBe(400);
    const del = await t.api(`/api/v2/routing/queues/${q.id}/members?delete=true`, {
      method: 'POST',
      token: admin,
      body: [{ id: userId }],
    });
    expect(del.status).toBe(200);
    expect((await t.api(`/api/v2/routing/queues/${q.id}/members`, { token: admin })).body.total).toBe(0);
  });

  it('needs routing permissions and keeps organizations apart', async () => {
    const employee = await t.clientWithRole('queue reader');
    const token = await t.token(employee.id, employee.secret);
    expect((await t.api('/api/v2/routing/queues', { token })).status).toBe(403);
    expect((await post({ name: 'Nope' }, token)).status).toBe(403);
    const other = await t.gh.directory.createOrganization('Other Org', 'other.example');
    const foreign = await t.gh.routing.create(null, other.org.id, { name: 'Foreign' });
    expect((await t.api(`/api/v2/routing/queues/${foreign.id}`, { token: admin })).status).toBe(404);
    expect((await t.api('/api/v2/routing/queues?name=Foreign', { token: admin })).body.total).toBe(0);
    expect((await t.api('/api/v2/routing/queues/not-a-uuid', { token: admin })).status).toBe(404);
  });
});
