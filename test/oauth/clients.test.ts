/**
 * /api/v2/oauth/clients: the seed's rules, each a 400 naming the field; the secret only from
 * create and regenerate; regeneration invalidates the old secret at once; audit without the
 * secret (@see issue 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const sortGrants = (grants: { roleId: string; divisionId: string }[]) =>
  [...grants].sort((a, b) => `${a.roleId}/${a.divisionId}`.localeCompare(`${b.roleId}/${b.divisionId}`));

describe.each(DIALECTS)('OAuth clients API on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let roleDivisions: { roleId: string; divisionId: string }[];
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token });
    const home = await t.api('/api/v2/authorization/divisions/home', { token });
    roleDivisions = [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }];
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown>) => t.api('/api/v2/oauth/clients', { method: 'POST', token, body });
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const tokenFor = (id: string, secret: string) =>
    t.api('/oauth/token', {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });

  it('creates a client-credentials client and shows the secret only then', async () => {
    const res = await create({
      name: 'Reporting script',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions,
      accessTokenValiditySeconds: 64800,
    });
    expect(res.status).toBe(200);
    validateShape('OAuthClient', res.body);
    expect(res.body.secret).toMatch(/^\S{43}$/);
    expect(res.body).toMatchObject({ accessTokenValiditySeconds: 64800, state: 'active', roleDivisions });
    const got = await t.api(`/api/v2/oauth/clients/${res.body.id}`, { token });
    validateShape('OAuthClient', got.body);
    expect(got.body.secret).toBeUndefined();
    const list = await t.api('/api/v2/oauth/clients', { token });
    // The demo client is a service account: its two documented extension fields aside, upstream's exact shape.
    const entities = list.body.entities.map(({ serviceAccount, serviceAccountUser, ...rest }: any) => rest);
    validateShape('OAuthClientEntityListing', { ...list.body, entities });
    expect(list.text).not.toContain(res.body.secret);
    expect((await tokenFor(res.body.id, res.body.secret)).status).toBe(200);
  });

  it('enforces the token lifetime range (300–172,800 s) and defaults to 86,400', async () => {
    for (const ttl of [299, 172801]) {
      const res = await create({
        name: 'x',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions,
        accessTokenValiditySeconds: ttl,
      });
      expect(res.status, String(ttl)).toBe(400);
      expect(res.body.details[0].fieldName).toBe('accessTokenValiditySeconds');
    }
    for (const ttl of [300, 172800]) {
      expect(
        (
          await create({
            name: 'x',
            authorizedGrantType: 'CLIENT-CREDENTIALS',
            roleDivisions,
            accessTokenValiditySeconds: ttl,
          })
        ).status,
      ).toBe(200);
    }
    expect(
      (await create({ name: 'default', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions })).body
        .accessTokenValiditySeconds,
    ).toBe(86400);
  });

  it('checks redirect URIs: absolute, https except loopback, at most 125', async () => {
    const code = (uris: string[]) =>
      create({ name: 'web app', authorizedGrantType: 'CODE', registeredRedirectUri: uris, scope: ['users:readonly'] });
    expect((await code(['https://app.example.com/cb', 'http://localhost:3000/cb', 'http://127.0.0.1/cb'])).status).toBe(
      200,
    );
    for (const bad of [
      'http://app.example.com/cb',
      '/relative',
      'https://app.example.com/cb#frag',
      'javascript:alert(1)',
    ]) {
      const res = await code([bad]);
      expect(res.status, bad).toBe(400);
      expect(res.body.details[0].fieldName).toBe('registeredRedirectUri');
    }
    const many = Array.from({ length: 126 }, (_, i) => `https://app.example.com/cb/${i}`);
    expect((await code(many)).body.message).toMatch(/At most 125/);
    expect((await code(many.slice(0, 125))).status).toBe(200);
    expect((await code([])).status).toBe(400);
  });

  it('allows roles only for client credentials and scopes only for the others', async () => {
    const rolesOnCode = await create({
      name: 'x',
      authorizedGrantType: 'CODE',
      registeredRedirectUri: ['https://a.example/cb'],
      roleDivisions,
    });
    expect(rolesOnCode.status).toBe(400);
    expect(rolesOnCode.body.details[0].fieldName).toBe('roleDivisions');
    const scopesOnCc = await create({
      name: 'x',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions,
      scope: ['users'],
    });
    expect(scopesOnCc.body.details[0].fieldName).toBe('scope');
    const noRoles = await create({ name: 'x', authorizedGrantType: 'CLIENT-CREDENTIALS' });
    expect(noRoles.body.code).toBe('missing.client.roles');
    const unknownScope = await create({
      name: 'x',
      authorizedGrantType: 'CODE',
      registeredRedirectUri: ['https://a.example/cb'],
      scope: ['everything'],
    });
    expect(unknownScope.body.details[0].fieldName).toBe('scope');
  });

  it('refuses a new implicit client after the cutoff date', async () => {
    const res = await create({
      name: 'legacy spa',
      authorizedGrantType: 'TOKEN',
      registeredRedirectUri: ['https://spa.example/cb'],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('bad.grant.type');
    expect(res.body.message).toMatch(/PKCE/);
  });

  it('regenerates the secret: the old one stops at once', async () => {
    const made = await create({ name: 'rotating', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions });
    // The secret just verified is remembered with the client's cached row (issue 22): the
    // regeneration must drop it with the row.
    expect((await tokenFor(made.body.id, made.body.secret)).status).toBe(200);
    expect((await tokenFor(made.body.id, made.body.secret)).status).toBe(200);
    const regen = await t.api(`/api/v2/oauth/clients/${made.body.id}/secret`, { method: 'POST', token });
    expect(regen.status).toBe(200);
    validateShape('OAuthClient', regen.body);
    expect(regen.body.secret).not.toBe(made.body.secret);
    expect((await tokenFor(made.body.id, made.body.secret)).status).toBe(401);
    expect((await tokenFor(made.body.id, regen.body.secret)).status).toBe(200);
  });

  it('updates with PUT, disables at once, deletes only when inactive; all audited without the secret', async () => {
    const made = await create({ name: 'lifecycle', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions });
    const id = made.body.id;
    const issued = await tokenFor(id, made.body.secret);
    const body = {
      name: 'lifecycle',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions,
      accessTokenValiditySeconds: 3600,
    };
    const disabled = await t.api(`/api/v2/oauth/clients/${id}`, {
      method: 'PUT',
      token,
      body: { ...body, state: 'disabled' },
    });
    expect(disabled.body).toMatchObject({ state: 'disabled', accessTokenValiditySeconds: 3600 });
    expect((await t.api('/api/v2/tokens/me', { token: issued.body.access_token })).status).toBe(401);
    const early = await t.api(`/api/v2/oauth/clients/${id}`, { method: 'DELETE', token });
    expect(early.status).toBe(400);
    expect(early.body.code).toBe('cannot.delete.client');
    await t.api(`/api/v2/oauth/clients/${id}`, { method: 'PUT', token, body: { ...body, state: 'inactive' } });
    expect((await t.api(`/api/v2/oauth/clients/${id}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await t.api(`/api/v2/oauth/clients/${id}`, { token })).status).toBe(404);
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['Create', 'Update', 'Update', 'Delete']);
    expect(JSON.parse(events[1].changes)).toEqual(
      expect.arrayContaining([
        { property: 'state', oldValues: ['active'], newValues: ['disabled'] },
        { property: 'accessTokenValiditySeconds', oldValues: ['86400'], newValues: ['3600'] },
      ]),
    );
    expect(JSON.stringify(events)).not.toContain(made.body.secret);
  });

  it('needs oauth:client:* permissions and keeps organizations apart', async () => {
    const weak = await t.clientWithRole('viewer');
    const weakToken = await t.token(weak.id, weak.secret);
    expect((await t.api('/api/v2/oauth/clients', { token: weakToken })).body.code).toBe('missing.permissions');
    const other = await t.gh.directory.createOrganization('Elsewhere', 'elsewhere.example');
    const foreign = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'foreign',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    expect((await t.api(`/api/v2/oauth/clients/${foreign.client.id}`, { token })).status).toBe(404);
    expect((await t.api(`/api/v2/oauth/clients/${foreign.client.id}/secret`, { method: 'POST', token })).status).toBe(
      404,
    );
    expect((await tokenFor(foreign.client.id, foreign.secret)).status).toBe(200);
  });

  it('counts the clients on every page, full, partial and past the end', async () => {
    const all = await t.api('/api/v2/oauth/clients?pageSize=100', { token });
    const n = all.body.total as number;
    expect(n).toBe(all.body.entities.length);
    expect(n).toBeGreaterThan(2);
    const page = (size: number, number: number) =>
      t.api(`/api/v2/oauth/clients?pageSize=${size}&pageNumber=${number}`, { token }).then((r) => r.body);
    const full = await page(2, 1);
    expect(full).toMatchObject({ total: n, pageCount: Math.ceil(n / 2) });
    expect(full.entities).toHaveLength(2);
    const last = await page(n - 1, 2);
    expect(last).toMatchObject({ total: n, pageCount: 2 });
    expect(last.entities).toHaveLength(1);
    const beyond = await page(n, 3);
    expect(beyond).toMatchObject({ total: n });
    expect(beyond.entities ?? []).toHaveLength(0);
  });

  it('lists each client with its own role grants, as reading it alone shows them, on every page (issue 22)', async () => {
    const roles = (await t.api('/api/v2/authorization/roles?pageSize=100', { token })).body.entities as {
      id: string;
    }[];
    const home = (await t.api('/api/v2/authorization/divisions/home', { token })).body.id as string;
    const other = await t.api('/api/v2/authorization/divisions', {
      method: 'POST',
      token,
      body: { name: 'Listing division' },
    });
    expect(other.status).toBe(200);
    const many = [
      { roleId: roles[0].id, divisionId: home },
      { roleId: roles[1].id, divisionId: home },
      { roleId: roles[1].id, divisionId: other.body.id },
      { roleId: roles[0].id, divisionId: '*' },
    ];
    const made = await create({
      name: 'aa listed with grants',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: many,
    });
    expect(made.status).toBe(200);
    const code = await create({
      name: 'aa listed without grants',
      authorizedGrantType: 'CODE',
      registeredRedirectUri: ['https://a.example/cb'],
    });
    expect(code.status).toBe(200);
    // The console's own client exists now and is never listed.
    await t.gh.oauth.clients.internalClient(t.demo.orgId);

    const all = (await t.api('/api/v2/oauth/clients?pageSize=100', { token })).body;
    const names = all.entities.map((c: { name: string }) => c.name);
    expect(names).not.toContain('Gatehouse Console');
    expect(all.total).toBe(all.entities.length);
    const sortKey = (c: { name: string; id: string }) => [c.name, c.id];
    const sorted = [...all.entities].sort((a, b) => {
      const [x, y] = [sortKey(a), sortKey(b)];
      return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : 1;
    });
    expect(all.entities.map((c: { id: string }) => c.id)).toEqual(sorted.map((c) => c.id));
    const listed = all.entities.find((c: { id: string }) => c.id === made.body.id);
    expect(new Set(listed.roleDivisions.map((g: object) => JSON.stringify(g)))).toEqual(
      new Set(many.map((g) => JSON.stringify(g))),
    );
    expect(all.entities.find((c: { id: string }) => c.id === code.body.id).roleDivisions).toEqual([]);
    // Page by page (one client a page, then two), each client is what GET of it alone answers.
    for (const size of [1, 2]) {
      for (let n = 1; n <= Math.ceil(all.total / size); n++) {
        const page = (await t.api(`/api/v2/oauth/clients?pageSize=${size}&pageNumber=${n}`, { token })).body;
        expect(page.total).toBe(all.total);
        for (const c of page.entities) {
          const alone = (await t.api(`/api/v2/oauth/clients/${c.id}`, { token })).body;
          expect({ ...c, roleDivisions: sortGrants(c.roleDivisions), roleIds: [...c.roleIds].sort() }).toEqual({
            ...alone,
            roleDivisions: sortGrants(alone.roleDivisions),
            roleIds: [...alone.roleIds].sort(),
          });
        }
        expect(page.entities.map((c: { id: string }) => c.id)).toEqual(
          all.entities.slice((n - 1) * size, n * size).map((c: { id: string }) => c.id),
        );
      }
    }
  });

  it('serves the scope catalogue', async () => {
    const res = await t.api('/api/v2/oauth/scopes', { token });
    validateShape('OAuthScopeListing', res.body);
    expect(res.body.entities.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['oauth', 'oauth:readonly', 'users:readonly', 'audits:readonly']),
    );
    const one = await t.api('/api/v2/oauth/scopes/users:readonly', { token });
    validateShape('OAuthScope', one.body);
  });
});
