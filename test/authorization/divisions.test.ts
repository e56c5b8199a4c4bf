/**
 * Divisions and grants through HTTP (@see issue 15): the division routes with their rules, grants
 * as (role, division) pairs through the subjects routes, and division-scoped reach: a permission
 * granted in one division reaches only that division's users and OAuth clients (others: 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('divisions on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let home: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    home = (await t.api('/api/v2/authorization/divisions/home', { token: admin })).body.id;
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, token = admin) => t.api(path, { method: 'POST', token, body });
  const division = async (name: string) => {
    const res = await post('/api/v2/authorization/divisions', { name, description: `${name} things` });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  const role = async (name: string, permissions: string[]) =>
    (await post('/api/v2/authorization/roles', { name, permissions })).body.id as string;
  const user = async (name: string, divisionId?: string) => {
    const res = await post('/api/v2/users', {
      name,
      email: `${name.replace(/\W/g, '').toLowerCase()}@example.com`,
      divisionId,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.id as string;
  };
  /** A client-credentials client holding these (role, division) grants, and its token. */
  async function clientWith(name: string, grants: { roleId: string; divisionId: string }[]) {
    const res = await post('/api/v2/oauth/clients', {
      name,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: grants,
    });
    expect(res.status, res.text).toBe(200);
    return { id: res.body.id as string, token: await t.token(res.body.id, res.body.secret) };
  }

  it('creates, lists, queries, reads, renames a division; home and limit', async () => {
    const id = await division('Sales');
    expect((await post('/api/v2/authorization/divisions', { name: 'Sales' })).status).toBe(409);
    const list = await t.api('/api/v2/authorization/divisions?name=sal', { token: admin });
    expect(list.body.entities.map((d: { name: string }) => d.name)).toEqual(['Sales']);
    const byId = await t.api(`/api/v2/authorization/divisions?id=${id}&objectCount=true`, { token: admin });
    expect(byId.body.entities[0]).toMatchObject({ id, homeDivision: false, objectCounts: { USER: 0, OAUTHCLIENT: 0 } });
    const got = await t.api(`/api/v2/authorization/divisions/${id}`, { token: admin });
    expect(got.body).toMatchObject({ id, name: 'Sales', description: 'Sales things', homeDivision: false });
    const put = await t.api(`/api/v2/authorization/divisions/${id}`, {
      method: 'PUT',
      token: admin,
      body: { name: 'Sales EMEA', description: 'renamed' },
    });
    expect(put.body).toMatchObject({ name: 'Sales EMEA', description: 'renamed' });
    expect((await t.api('/api/v2/authorization/divisions/limit', { token: admin })).body).toBe(50);
    expect((await t.api('/api/v2/authorization/divisions/not-a-division', { token: admin })).status).toBe(404);
    // The cursor query walks every division once.
    await division('Support');
    const seen: string[] = [];
    let next: string | undefined = '/api/v2/authorization/divisions/query?pageSize=1';
    while (next) {
      const page = await t.api(next, { token: admin });
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.entities.map((d: { name: string }) => d.name));
      next = page.body.nextUri;
    }
    expect(seen).toEqual(['Home', 'Sales EMEA', 'Support']);
  });

  it('a permission granted in one division reaches only that division (others answer 404)', async () => {
    const east = await division('East');
    const viewer = await role('East viewer', ['directory:user:view', 'oauth:client:view']);
    const inEast = await user('Erin East', east);
    const inHome = await user('Hank Home');
    const c = await clientWith('East viewer bot', [{ roleId: viewer, divisionId: east }]);
    const users = await t.api('/api/v2/users?pageSize=100', { token: c.token });
    expect(users.status).toBe(200);
    expect(users.body.entities.map((u: { id: string }) => u.id)).toEqual([inEast]);
    expect(users.body.total).toBe(1);
    expect((await t.api(`/api/v2/users/${inEast}`, { token: c.token })).status).toBe(200);
    const hidden = await t.api(`/api/v2/users/${inHome}`, { token: c.token });
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('Hank');
    // OAuth clients too: it sees only the clients of East (none yet but itself? it lives in home).
    const clients = await t.api('/api/v2/oauth/clients?pageSize=100', { token: c.token });
    expect(clients.body.entities).toEqual([]);
    expect((await t.api(`/api/v2/oauth/clients/${c.id}`, { token: c.token })).status).toBe(404);

    // Moving the home user into East makes it visible; moving needs directory:user:edit in both divisions.
    const mover = await role('East user editor', [
      'directory:user:edit',
      'directory:user:view',
      'authorization:division:view',
    ]);
    const m = await clientWith('East mover', [{ roleId: mover, divisionId: east }]);
    const refused = await post(`/api/v2/authorization/divisions/${east}/objects/USER`, [inHome], m.token);
    expect(refused.status).toBe(404);
    const moved = await post(`/api/v2/authorization/divisions/${east}/objects/USER`, [inHome]);
    expect(moved.status, moved.text).toBe(204);
    expect((await t.api(`/api/v2/users/${inHome}`, { token: c.token })).status).toBe(200);
    const clientMoved = await post(`/api/v2/authorization/divisions/${east}/objects/OAUTHCLIENT`, [c.id]);
    expect(clientMoved.status, clientMoved.text).toBe(204);
    expect((await t.api(`/api/v2/oauth/clients/${c.id}`, { token: c.token })).status).toBe(200);
    const bad = await post(`/api/v2/authorization/divisions/${east}/objects/PLANET`, [c.id]);
    expect(bad.status).toBe(400);
  });

  it('deletes only empty, non-home divisions; force removes grants; deleted ones restore', async () => {
    expect((await t.api(`/api/v2/authorization/divisions/${home}`, { method: 'DELETE', token: admin })).status).toBe(
      409,
    );
    const full = await division('Full');
    await user('Fay Full', full);
    expect((await t.api(`/api/v2/authorization/divisions/${full}`, { method: 'DELETE', token: admin })).status).toBe(
      409,
    );
    const granted = await division('Granted');
    const r = await role('Granted viewer', ['directory:user:view']);
    const someone = await user('Gus Granted');
    expect(
      (
        await post(`/api/v2/authorization/subjects/${someone}/bulkadd`, {
          grants: [{ roleId: r, divisionId: granted }],
        })
      ).status,
    ).toBe(204);
    const grants = await t.api(`/api/v2/authorization/divisions/${granted}/grants`, { token: admin });
    expect(grants.body.entities).toEqual([
      expect.objectContaining({ subjectId: someone, role: expect.objectContaining({ id: r }) }),
    ]);
    const del = `/api/v2/authorization/divisions/${granted}`;
    expect((await t.api(del, { method: 'DELETE', token: admin })).status).toBe(409);
    expect((await t.api(`${del}?force=true`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await t.api(del, { token: admin })).status).toBe(404);
    const deleted = await t.api('/api/v2/authorization/divisions/deleted', { token: admin });
    expect(deleted.body.entities.map((d: { id: string }) => d.id)).toContain(granted);
    const subject = await t.api(`/api/v2/authorization/subjects/${someone}`, { token: admin });
    expect(subject.body.grants).toEqual([]);
    const restored = await post(`/api/v2/authorization/divisions/${granted}/restore`, { name: 'Granted again' });
    expect(restored.status, restored.text).toBe(200);
    expect((await t.api(del, { token: admin })).body.name).toBe('Granted again');
  });

  it('grants through subjects and role users, escalation-checked per division', async () => {
    const west = await division('West');
    const r = await role('West reader', ['directory:user:view']);
    const u = await user('Wendy West');
    const s = `/api/v2/authorization/subjects/${u}`;
    expect((await post(`${s}/divisions/${west}/roles/${r}`, {})).status).toBe(204);
    expect((await post(`${s}/bulkadd`, { grants: [{ roleId: r, divisionId: home }] })).status).toBe(204);
    const subject = await t.api(s, { token: admin });
    expect(subject.status).toBe(200);
    expect(subject.body.grants.map((g: { division: { id: string } }) => g.division.id).sort()).toEqual(
      [home, west].sort(),
    );
    const counts = await t.api(`/api/v2/authorization/subjects/rolecounts?id=${r}`, { token: admin });
    expect(counts.body).toEqual({ [r]: 1 });
    const holders = await t.api(`/api/v2/authorization/roles/${r}/subjectgrants`, { token: admin });
    expect(holders.body.entities).toEqual([
      expect.objectContaining({
        id: u,
        type: 'PC_USER',
        divisions: expect.arrayContaining([expect.objectContaining({ id: west })]),
      }),
    ]);
    expect((await t.api(`${s}/divisions/${west}/roles/${r}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await post(`${s}/bulkreplace`, { grants: [] })).status).toBe(204);
    expect((await t.api(s, { token: admin })).body.grants).toEqual([]);

    // roles/{id}/users: add, list, remove.
    const add = await t.api(`/api/v2/authorization/roles/${r}/users/add`, { method: 'PUT', token: admin, body: [u] });
    expect(add.status, add.text).toBe(200);
    const listed = await t.api(`/api/v2/authorization/roles/${r}/users`, { token: admin });
    expect(listed.body.entities.map((x: { id: string }) => x.id)).toEqual([u]);
    await t.api(`/api/v2/authorization/roles/${r}/users/remove`, { method: 'PUT', token: admin, body: [u] });
    expect((await t.api(`/api/v2/authorization/roles/${r}/users`, { token: admin })).body.entities).toEqual([]);

    // A granter holding directory:user:view in home only cannot give it in West.
    const granter = await role('Home granter', ['authorization:grant:add', 'directory:user:view']);
    const g = await clientWith('Home granter bot', [{ roleId: granter, divisionId: home }]);
    const inHome = await post(`${s}/divisions/${home}/roles/${r}`, {}, g.token);
    expect(inHome.status, inHome.text).toBe(204);
    const inWest = await post(`${s}/divisions/${west}/roles/${r}`, {}, g.token);
    expect(inWest.status).toBe(403);
    expect(inWest.body.message).toContain('directory:user:view');
    // subjects/me answers the caller's own grants.
    const me = await t.api('/api/v2/authorization/subjects/me', { token: g.token });
    expect(me.body).toMatchObject({
      id: g.id,
      grants: [expect.objectContaining({ role: expect.objectContaining({ id: granter }) })],
    });
  });
});
