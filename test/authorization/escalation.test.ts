/**
 * No privilege escalation (@see issue 15): the four attacks of the issue, each refused with a 403
 * ErrorBody naming what is missing and audited (Authorization/Grant/Refuse), and the same grants
 * allowed to a caller holding them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('no privilege escalation on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let masterAdmin: string;
  let home: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    masterAdmin = (await t.api('/api/v2/authorization/roles?name=Master%20Admin', { token: admin })).body.entities[0]
      .id;
    home = (await t.api('/api/v2/authorization/divisions/home', { token: admin })).body.id;
  });
  afterAll(() => t?.close());

  /** A role with exactly these permissions, a client holding it in the home division, and its token. */
  async function callerWith(name: string, permissions: string[]) {
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token: admin,
      body: { name, permissions },
    });
    expect(role.status).toBe(200);
    const client = await t.clientWithRole(`${name} client`, name);
    return { roleId: role.body.id as string, clientId: client.id, token: await t.token(client.id, client.secret) };
  }

  /** The refusal events recorded for one entity. */
  async function refusals(entityId: string) {
    const now = Date.now();
    const res = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`,
        serviceName: 'Authorization',
        filters: [
          { property: 'EntityType', value: 'Grant' },
          { property: 'Action', value: 'Refuse' },
          { property: 'EntityId', value: entityId },
        ],
        pageSize: 100,
      },
    });
    expect(res.status).toBe(200);
    return res.body.entities as { entityId: string; context?: Record<string, string> }[];
  }

  function expectRefused(res: { status: number; body: any }, missing: string) {
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, code: 'missing.permissions' });
    expect(res.body.message).toContain(missing);
  }

  const clientBody = (name: string, roleId: string, divisionId: string) => ({
    name,
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId, divisionId }],
  });

  it('attack 1: oauth:client:add alone cannot create a client with Master Admin', async () => {
    const adder = await callerWith('Client adder', ['oauth:client:add']);
    const res = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: adder.token,
      body: clientBody('Escalator', masterAdmin, home),
    });
    expectRefused(res, '*:*:*');
    const all = await t.api('/api/v2/oauth/clients?pageSize=100', { token: admin });
    expect(all.body.entities.map((c: { name: string }) => c.name)).not.toContain('Escalator');
    // The refusal is audited, though the creation rolled back (its id was never kept: look by actor).
    const now = Date.now();
    const trail = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`,
        serviceName: 'Authorization',
        filters: [
          { property: 'EntityType', value: 'Grant' },
          { property: 'Action', value: 'Refuse' },
        ],
        pageSize: 100,
      },
    });
    const event = trail.body.entities.find((e: { entity: { name: string } }) => e.entity.name === 'Escalator');
    expect(event).toMatchObject({
      client: { id: adder.clientId },
      context: { subjectType: 'client', missingPermissions: '*:*:*' },
    });
  });

  it('a client adder may give a role it holds', async () => {
    const adder = await callerWith('Viewer adder', ['oauth:client:add', 'directory:user:view']);
    const viewer = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token: admin,
      body: { name: 'Only viewer', permissions: ['directory:user:view'] },
    });
    const ok = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: adder.token,
      body: clientBody('Viewer bot', viewer.body.id, home),
    });
    expect(ok.status).toBe(200);
    // ...but not the role that lets it add clients plus more.
    const more = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token: admin,
      body: { name: 'Viewer and creator', permissions: ['directory:user:view', 'directory:user:add'] },
    });
    const refused = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: adder.token,
      body: clientBody('Creator bot', more.body.id, home),
    });
    expectRefused(refused, 'directory:user:add');
    expect(refused.body.message).not.toContain('directory:user:view');
  });

  it('attack 2: oauth:client:edit alone cannot put Master Admin on its own client', async () => {
    const editor = await callerWith('Client editor', ['oauth:client:edit']);
    const res = await t.api(`/api/v2/oauth/clients/${editor.clientId}`, {
      method: 'PUT',
      token: editor.token,
      body: clientBody('Client editor client', masterAdmin, home),
    });
    expectRefused(res, '*:*:*');
    expect((await refusals(editor.clientId)).length).toBe(1);
    const after = await t.api(`/api/v2/oauth/clients/${editor.clientId}`, { token: admin });
    expect(after.body.roleDivisions).toEqual([{ roleId: editor.roleId, divisionId: home }]);
    // Nor get a new secret for a client holding more than it does.
    const admins = await t.api('/api/v2/oauth/clients?pageSize=100', { token: admin });
    const demo = admins.body.entities.find((c: { id: string }) => c.id === t.demo.clientId);
    expect(demo).toBeDefined();
    const secret = await t.api(`/api/v2/oauth/clients/${t.demo.clientId}/secret`, {
      method: 'POST',
      token: editor.token,
    });
    expectRefused(secret, '*:*:*');
  });

  it('attack 3: authorization:role:edit alone cannot rewrite its own role to *:*:*', async () => {
    const editor = await callerWith('Role editor', ['authorization:role:edit']);
    for (const method of ['PUT', 'PATCH']) {
      const res = await t.api(`/api/v2/authorization/roles/${editor.roleId}`, {
        method,
        token: editor.token,
        body: { name: 'Role editor', permissions: ['*:*:*'] },
      });
      expectRefused(res, '*:*:*');
    }
    expect((await refusals(editor.roleId)).length).toBe(2);
    const role = await t.api(`/api/v2/authorization/roles/${editor.roleId}`, { token: admin });
    expect(role.body.permissions).toEqual(['authorization:role:edit']);
    // Edits that add nothing it lacks pass (a description, or removing a permission).
    const patched = await t.api(`/api/v2/authorization/roles/${editor.roleId}`, {
      method: 'PATCH',
      token: editor.token,
      body: { description: 'still only this' },
    });
    expect(patched.status).toBe(200);
  });

  it('attack 4: authorization:grant:add alone cannot give a user Master Admin', async () => {
    const granter = await callerWith('Granter', ['authorization:grant:add']);
    const user = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Plain User', email: 'plain@example.com' },
    });
    expect(user.status).toBe(200);
    const res = await t.api(`/api/v2/users/${user.body.id}/roles`, {
      method: 'PUT',
      token: granter.token,
      body: [masterAdmin],
    });
    expectRefused(res, '*:*:*');
    expect((await refusals(user.body.id)).length).toBe(1);
    const roles = await t.api(`/api/v2/users/${user.body.id}/roles`, { token: admin });
    expect(roles.body.roles.map((r: { id: string }) => r.id)).not.toContain(masterAdmin);
  });

  it('a role creator cannot create a role with permissions it lacks', async () => {
    const creator = await callerWith('Role creator', ['authorization:role:add']);
    const res = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token: creator.token,
      body: { name: 'Everything', permissions: ['*:*:*'] },
    });
    expectRefused(res, '*:*:*');
    const ok = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token: creator.token,
      body: { name: 'Role adders', permissions: ['authorization:role:add'] },
    });
    expect(ok.status).toBe(200);
  });

  it('Master Admin may give Master Admin', async () => {
    const res = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: clientBody('Second admin', masterAdmin, home),
    });
    expect(res.status).toBe(200);
  });
});
