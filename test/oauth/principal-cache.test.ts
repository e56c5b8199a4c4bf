/**
 * The principal cached with a token's state carries the user's view, which GET /api/v2/users/me
 * answers from (@see issue 22). Nothing may be traded for it: a changed user, a renamed
 * division, a deactivated user and changed grants show on the very next request in the process
 * that made the change, and in another process sharing the store within the 1 s token cache
 * (through the invalidation bus, well before, when Redis is configured).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../src/app.ts';
import { manualClock } from '../../src/platform/clock.ts';
import { secondProcess, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS, PG_URL } from '../helpers/dialects.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;

/** A client-credentials client acting as its own new service-account user, with the admin role. */
async function serviceClient(t: TestApp, name: string) {
  const { orgId } = t.demo;
  const roles = await t.gh.directory.roles.list(orgId, { pageSize: 100, pageNumber: 1, offset: 0 }, 'Master Admin', {});
  const divisionId = (await t.gh.directory.organizations.homeDivision(orgId)).id;
  const user = await t.gh.directory.users.create(orgId, null, {
    name,
    email: `${name.toLowerCase().replace(/\W+/g, '.')}@example.com`,
    serviceAccount: true,
  });
  const { client, secret } = await t.gh.oauth.clients.create(orgId, null, {
    name,
    grantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: roles.entities[0]!.id, divisionId }],
    serviceUserId: user.id,
  });
  return { user, token: await t.token(client.id, secret), clientId: client.id };
}

describe.each(DIALECTS)('the cached principal on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  const clock = manualClock();
  beforeAll(async () => {
    // Time stands still: a cached principal never expires by itself here, so only the
    // invalidation that a change sends can make the next request see it.
    t = await startApp(dialect, { clock });
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const me = (token: string) => t.api('/api/v2/users/me', { token });
  /** A new service client, and time moved past the setup's own invalidations (they stop caching for 1 s). */
  const fresh = async (name: string) => {
    const made = await serviceClient(t, name);
    clock.advance(1_001);
    return made;
  };

  it("shows a user's change on the next users/me, without waiting for the cache", async () => {
    const { user, token } = await fresh('Cached Carol');
    expect((await me(token)).body.name).toBe('Cached Carol');
    // Twice: the second answer comes from the cached principal.
    expect((await me(token)).body).toMatchObject({ name: 'Cached Carol', version: 1 });
    const patched = await t.api(`/api/v2/users/${user.id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: 1, name: 'Renamed Carol', title: 'Cache tester' },
    });
    expect(patched.status).toBe(200);
    expect((await me(token)).body).toMatchObject({ name: 'Renamed Carol', title: 'Cache tester', version: 2 });
  });

  it('shows a renamed division on the next users/me', async () => {
    const { token } = await fresh('Division Dan');
    const before = (await me(token)).body.division;
    const home = await t.api(`/api/v2/authorization/divisions/${before.id}`, { token: admin });
    const renamed = await t.api(`/api/v2/authorization/divisions/${before.id}`, {
      method: 'PUT',
      token: admin,
      body: { name: 'Headquarters', description: home.body.description },
    });
    expect(renamed.status).toBe(200);
    expect((await me(token)).body.division).toMatchObject({ id: before.id, name: 'Headquarters' });
  });

  it('refuses the token of a deactivated user on the next request', async () => {
    const { user, token } = await fresh('Leaving Lee');
    expect((await me(token)).status).toBe(200);
    const off = await t.api(`/api/v2/users/${user.id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: 1, state: 'inactive' },
    });
    expect(off.status).toBe(200);
    expect((await me(token)).status).toBe(401);
  });

  it("answers organizations/me from the principal, and drops it with the organization's tokens", async () => {
    const { token } = await fresh('Org Olga');
    const before = await t.api('/api/v2/organizations/me', { token });
    expect(before.body).toMatchObject({
      id: t.demo.orgId,
      name: 'Gatehouse Demo',
      selfUri: '/api/v2/organizations/me',
    });
    // No API renames an organization yet; a future write must announce it as this does.
    await t.gh.storage.db
      .updateTable('organizations')
      .set({ name: 'Renamed Demo' })
      .where('id', '=', t.demo.orgId)
      .execute();
    t.gh.oauth.tokens.forgetOrganization(t.demo.orgId);
    clock.advance(1_001);
    expect((await t.api('/api/v2/organizations/me', { token })).body.name).toBe('Renamed Demo');
    await t.gh.storage.db
      .updateTable('organizations')
      .set({ name: 'Gatehouse Demo' })
      .where('id', '=', t.demo.orgId)
      .execute();
    t.gh.oauth.tokens.forgetOrganization(t.demo.orgId);
    clock.advance(1_001);
  });

  it("applies a client's narrowed grants on the next request", async () => {
    const { clientId, token } = await fresh('Narrowed Nora');
    expect((await t.api('/api/v2/oauth/clients', { token })).status).toBe(200);
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token: admin });
    const home = await t.api('/api/v2/authorization/divisions/home', { token: admin });
    const current = await t.api(`/api/v2/oauth/clients/${clientId}`, { token: admin });
    const put = await t.api(`/api/v2/oauth/clients/${clientId}`, {
      method: 'PUT',
      token: admin,
      body: {
        name: current.body.name,
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }],
      },
    });
    expect(put.status).toBe(200);
    expect((await t.api('/api/v2/oauth/clients', { token })).status).toBe(403);
    // users/me still answers (Employee needs no permission for it), with the same user.
    expect((await me(token)).body.name).toBe('Narrowed Nora');
  });
});

/**
 * Polls `read` until it answers `want`; answers how long after the start the answering read was
 * sent, in ms. Fails when a read sent after `limitMs` still answers otherwise: a read sent in time
 * may answer late on a loaded machine, and what it answers is what the server held when it was sent.
 */
async function until(read: () => Promise<unknown>, want: unknown, limitMs: number): Promise<number> {
  const at = performance.now();
  for (;;) {
    const sent = performance.now() - at;
    if ((await read()) === want) return sent;
    if (sent > limitMs) throw new Error(`still not ${String(want)} for a read sent ${sent.toFixed(0)} ms after`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(DIALECTS)('the cached principal in two processes on %s', (dialect) => {
  let a: TestApp;
  let b: Gatehouse;
  let bUrl: string;
  // Redis (when configured, with PostgreSQL) carries the change to the other process at once;
  // without it the other process sees it when its 1 s cache entry expires.
  const withBus = dialect === 'postgres' && !!REDIS_URL && !!PG_URL;
  beforeAll(async () => {
    // No rate limits: the polls below would otherwise meet the token's 300 a minute on a fast machine.
    const unlimited = {
      GATEHOUSE_RATE_LIMIT_CLIENT: '0',
      GATEHOUSE_RATE_LIMIT_ORG: '0',
      GATEHOUSE_RATE_LIMIT_TOKEN: '0',
    };
    const env: Record<string, string> = withBus ? { ...unlimited, GATEHOUSE_REDIS_URL: REDIS_URL! } : unlimited;
    a = await startApp(dialect, { env });
    ({ gh: b, url: bUrl } = await secondProcess(a, env));
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const meAt = (url: string, token: string) =>
    fetch(`${url}/api/v2/users/me`, { headers: { authorization: `Bearer ${token}` } });
  // With the bus, well before b's cache entry (made just before the change) would expire.
  const bound = withBus ? 400 : 1_500;

  it(`shows a renamed user and a deactivated one in the other process within ${withBus ? 'the bus delay' : '1 s'}`, async () => {
    const admin = await a.token();
    const { user, token } = await serviceClient(a, 'Shared Sam');
    // Both processes have the principal cached.
    expect((await (await meAt(a.url, token)).json()).name).toBe('Shared Sam');
    expect((await (await meAt(bUrl, token)).json()).name).toBe('Shared Sam');
    const renamed = await a.api(`/api/v2/users/${user.id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: 1, name: 'Renamed Sam' },
    });
    expect(renamed.status).toBe(200);
    const nameAtB = async () => (await (await meAt(bUrl, token)).json()).name;
    const ms = await until(nameAtB, 'Renamed Sam', bound);
    console.log(`a renamed user reached the other process in ${ms.toFixed(1)} ms (${dialect})`);
    const off = await a.api(`/api/v2/users/${user.id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: 2, state: 'inactive' },
    });
    expect(off.status).toBe(200);
    expect((await meAt(a.url, token)).status).toBe(401);
    await until(async () => (await meAt(bUrl, token)).status, 401, bound);
  });
});
