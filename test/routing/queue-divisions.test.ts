/**
 * Queues carry a division: a routing permission granted in one division reaches only that
 * division's queues (lists filter, reads and changes of others answer 404), and nobody puts a
 * queue into a division where they lack the permission (@see issues 15 and 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('queue divisions on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, token = admin) => t.api(path, { method: 'POST', token, body });
  async function clientWith(name: string, permissions: string[], divisionId: string) {
    const role = await post('/api/v2/authorization/roles', { name: `${name} role`, permissions });
    expect(role.status, role.text).toBe(200);
    const res = await post('/api/v2/oauth/clients', {
      name,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.body.id, divisionId }],
    });
    expect(res.status, res.text).toBe(200);
    return t.token(res.body.id, res.body.secret);
  }

  it('lists, reads and changes only the queues of the divisions where the permission is held', async () => {
    const east = (await post('/api/v2/authorization/divisions', { name: 'East' })).body.id as string;
    const west = (await post('/api/v2/authorization/divisions', { name: 'West' })).body.id as string;
    // The operator (a system caller) gives the admin client its role in the new divisions too.
    const rows = await t.gh.directory.roles.grantRowsOf(t.demo.orgId, t.demo.clientId);
    const grants = rows.map((g) => ({ roleId: g.role_id, divisionId: g.division_id }));
    await t.gh.directory.roles.replaceGrants(
      t.demo.orgId,
      null,
      { type: 'client', id: t.demo.clientId, name: 'demo' },
      [...grants, ...[east, west].map((divisionId) => ({ roleId: grants[0]!.roleId, divisionId }))],
    );
    admin = await t.token();
    const eastQueue = await post('/api/v2/routing/queues', { name: 'East Sales', division: { id: east } });
    const westQueue = await post('/api/v2/routing/queues', { name: 'West Sales', division: { id: west } });
    expect([eastQueue.status, westQueue.status]).toEqual([200, 200]);

    const bot = await clientWith('East queue bot', ['routing:queue:view', 'routing:queue:edit'], east);
    const list = await t.api('/api/v2/routing/queues?name=*Sales', { token: bot });
    expect(list.status, list.text).toBe(200);
    expect(list.body.entities.map((q: { name: string }) => q.name)).toEqual(['East Sales']);
    expect((await t.api(`/api/v2/routing/queues/${eastQueue.body.id}`, { token: bot })).status).toBe(200);
    const other = await t.api(`/api/v2/routing/queues/${westQueue.body.id}`, { token: bot });
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('West Sales');
    const rename = await t.api(`/api/v2/routing/queues/${westQueue.body.id}`, {
      method: 'PUT',
      token: bot,
      body: { name: 'Taken over' },
    });
    expect(rename.status).toBe(404);

    // Moving its own queue into a division where it holds nothing is refused, naming what is missing.
    const move = await t.api(`/api/v2/routing/queues/${eastQueue.body.id}`, {
      method: 'PUT',
      token: bot,
      body: { name: 'East Sales', division: { id: west } },
    });
    expect(move.status).toBe(403);
    expect(move.body.message).toContain('routing:queue:edit');
    const still = await t.api(`/api/v2/routing/queues/${westQueue.body.id}`, { token: admin });
    expect(still.body.name).toBe('West Sales');
  });
});
