/**
 * Grants in "all divisions" (upstream's division id `*`, @see issue 15): such a grant reaches every
 * division of the organization, including one created after it; the subjects routes answer it as
 * upstream does; only a holder of every permission in `*` may give it; and Master Admin granted in
 * one division reaches that division only (no shortcut, decision 0017).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('grants in all divisions on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let home: string;
  let masterAdmin: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    home = (await t.api('/api/v2/authorization/divisions/home', { token: admin })).body.id;
    const roles = await t.api('/api/v2/authorization/roles?name=Master%20Admin', { token: admin });
    masterAdmin = roles.body.entities[0].id;
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, token = admin) => t.api(path, { method: 'POST', token, body });
  const division = async (name: string) => {
    const res = await post('/api/v2/authorization/divisions', { name });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  const role = async (name: string, permissions: string[]) => {
    const res = await post('/api/v2/authorization/roles', { name, permissions });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  const user = async (name: string, divisionId: string) => {
    const res = await post('/api/v2/users', {
      name,
      email: `${name.replace(/\W/g, '').toLowerCase()}@ex.com`,
      divisionId,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  async function clientWith(name: string, grants: { roleId: string; divisionId: string }[], token = admin) {
    const res = await post(
      '/api/v2/oauth/clients',
      { name, authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions: grants },
      token,
    );
    expect(res.status, res.text).toBe(200);
    return { id: res.body.id as string, token: await t.token(res.body.id, res.body.secret) };
  }

  it('reaches every division, including one created after the grant', async () => {
    const viewer = await role('User viewer everywhere', ['directory:user:view']);
    const before = await division('Before');
    const everywhere = await clientWith('Everywhere viewer', [{ roleId: viewer, divisionId: '*' }]);
    const homeOnly = await clientWith('Home viewer', [{ roleId: viewer, divisionId: home }]);
    const later = await division('Created later');
    const inBefore = await user('In Before', before);
    const inLater = await user('In Later', later);

    for (const id of [inBefore, inLater]) {
      expect((await t.api(`/api/v2/users/${id}`, { token: everywhere.token })).status).toBe(200);
      expect((await t.api(`/api/v2/users/${id}`, { token: homeOnly.token })).status).toBe(404);
    }
    const listed = await t.api('/api/v2/users?pageSize=100', { token: everywhere.token });
    const names = listed.body.entities.map((u: { name: string }) => u.name);
    expect(names).toEqual(expect.arrayContaining(['In Before', 'In Later']));
    const homeListed = await t.api('/api/v2/users?pageSize=100', { token: homeOnly.token });
    expect(homeListed.body.entities.map((u: { name: string }) => u.name)).not.toContain('In Later');
  });

  it('answers the grant in upstream shape on the subjects routes and the client', async () => {
    const viewer = await role('Shape viewer', ['directory:user:view']);
    const c = await clientWith('Shape client', [{ roleId: viewer, divisionId: '*' }]);
    const subject = await t.api(`/api/v2/authorization/subjects/${c.id}`, { token: admin });
    expect(subject.status, subject.text).toBe(200);
    expect(subject.body.grants).toEqual([
      expect.objectContaining({
        subjectId: c.id,
        division: expect.objectContaining({ id: '*', name: 'All Divisions', homeDivision: false }),
        role: expect.objectContaining({ id: viewer, name: 'Shape viewer' }),
      }),
    ]);
    const grants = await t.api(`/api/v2/authorization/roles/${viewer}/subjectgrants`, { token: admin });
    expect(grants.body.entities).toEqual([
      expect.objectContaining({ id: c.id, type: 'PC_OAUTH_CLIENT', divisions: [expect.objectContaining({ id: '*' })] }),
    ]);
    const client = await t.api(`/api/v2/oauth/clients/${c.id}`, { token: admin });
    expect(client.body.roleDivisions).toEqual([{ roleId: viewer, divisionId: '*' }]);
    // The demo administrator holds Master Admin in every division, as upstream's first administrator.
    const me = await t.api('/api/v2/authorization/subjects/me', { token: admin });
    expect(me.body.grants.map((g: { division: { id: string } }) => g.division.id)).toEqual(['*']);
  });

  it('one grant in * through the subjects routes, removed again; a division deleted with force keeps it', async () => {
    const viewer = await role('Subject viewer', ['directory:user:view']);
    const target = await clientWith('Subject target', [{ roleId: viewer, divisionId: home }]);
    const one = `/api/v2/authorization/subjects/${target.id}/divisions/*/roles/${viewer}?subjectType=PC_OAUTH_CLIENT`;
    expect((await post(one, undefined)).status).toBe(204);
    const gone = await division('Gone soon');
    await post(`/api/v2/authorization/subjects/${target.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`, {
      grants: [{ roleId: viewer, divisionId: gone }],
    });
    const del = await t.api(`/api/v2/authorization/divisions/${gone}?force=true`, { method: 'DELETE', token: admin });
    expect(del.status, del.text).toBeLessThan(300);
    const after = await t.api(`/api/v2/authorization/subjects/${target.id}`, { token: admin });
    expect(after.body.grants.map((g: { division: { id: string } }) => g.division.id).sort()).toEqual(
      ['*', home].sort(),
    );
    const removed = await t.api(one.replace('?subjectType=PC_OAUTH_CLIENT', ''), { method: 'DELETE', token: admin });
    expect(removed.status).toBe(204);
    const last = await t.api(`/api/v2/authorization/subjects/${target.id}`, { token: admin });
    expect(last.body.grants.map((g: { division: { id: string } }) => g.division.id)).toEqual([home]);
  });

  it('only a holder of the permissions in * gives them in *; Master Admin in one division reaches only it', async () => {
    const granter = await role('Granter', ['authorization:grant:add', 'oauth:client:add', 'directory:user:view']);
    const viewer = await role('Plain viewer', ['directory:user:view']);
    const elsewhere = await division('Granter land');
    // Master Admin and the granting role in the home division and in another division: not in `*`.
    const holder = await clientWith('Single-division admin', [
      { roleId: masterAdmin, divisionId: home },
      { roleId: granter, divisionId: elsewhere },
    ]);
    const target = await clientWith('Grant target', [{ roleId: viewer, divisionId: home }]);

    const refused = await post(
      `/api/v2/authorization/subjects/${target.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`,
      { grants: [{ roleId: viewer, divisionId: '*' }] },
      holder.token,
    );
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body).toMatchObject({ code: 'missing.permissions' });
    expect(refused.body.message).toContain('directory:user:view');
    const viaClient = await post(
      '/api/v2/oauth/clients',
      {
        name: 'Sneaky',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: viewer, divisionId: '*' }],
      },
      holder.token,
    );
    expect(viaClient.status).toBe(403);
    // The refusal is audited, naming the grant asked for in `*`.
    const now = Date.now();
    const trail = await post('/api/v2/audits/query/realtime', {
      interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`,
      serviceName: 'Authorization',
      filters: [
        { property: 'EntityType', value: 'Grant' },
        { property: 'Action', value: 'Refuse' },
        { property: 'EntityId', value: target.id },
      ],
    });
    expect(trail.body.entities.map((e: { context?: { requested?: string } }) => e.context?.requested)).toContain(
      'Plain viewer@*',
    );
    // In the divisions it holds the permissions in, the same holder may give them.
    const allowed = await post(
      `/api/v2/authorization/subjects/${target.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`,
      { grants: [{ roleId: viewer, divisionId: elsewhere }] },
      holder.token,
    );
    expect(allowed.status, allowed.text).toBe(204);
    // Master Admin in the home division reaches the home division only.
    const away = await user('Away user', elsewhere);
    const later = await user('Later user', await division('Admin-less'));
    expect((await t.api(`/api/v2/users/${away}`, { token: holder.token })).status).toBe(200);
    expect((await t.api(`/api/v2/users/${later}`, { token: holder.token })).status).toBe(404);
    // A holder of everything in `*` (the demo administrator) gives it in `*`.
    const given = await post(`/api/v2/authorization/subjects/${target.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`, {
      grants: [{ roleId: viewer, divisionId: '*' }],
    });
    expect(given.status, given.text).toBe(204);
  });

  it('adding a permission to a role granted in * needs it in *', async () => {
    const editor = await role('Role editor', ['authorization:role:edit', 'directory:user:view']);
    const shared = await role('Shared role', ['directory:user:view']);
    await clientWith('Holder of shared', [{ roleId: shared, divisionId: '*' }]);
    const home1 = await clientWith('Home role editor', [{ roleId: editor, divisionId: home }]);
    const res = await t.api(`/api/v2/authorization/roles/${shared}`, {
      method: 'PUT',
      token: home1.token,
      body: { name: 'Shared role', permissions: ['directory:user:view', 'authorization:role:edit'] },
    });
    expect(res.status, res.text).toBe(403);
    expect(res.body.message).toContain('authorization:role:edit');
  });

  it('refuses a division id that is neither a division of the organization nor *', async () => {
    const viewer = await role('Bad division viewer', ['directory:user:view']);
    const c = await clientWith('Bad division target', [{ roleId: viewer, divisionId: home }]);
    const res = await post(`/api/v2/authorization/subjects/${c.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`, {
      grants: [{ roleId: viewer, divisionId: '**' }],
    });
    expect(res.status).toBe(400);
  });
});
