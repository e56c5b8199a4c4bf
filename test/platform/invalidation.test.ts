/**
 * The invalidation bus (@see issue 21): a revocation in one process reaches another sharing the
 * store and Redis well under 100 ms, long before its 1 s token cache would expire; without Redis
 * the bus works in process.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_ORG, seedDemo } from '../../src/demo.ts';
import { MAX_TOKEN_TTL, rotateTokenKey } from '../../src/domains/oauth/index.ts';
import { inProcessBus, redisBus } from '../../src/platform/invalidation.ts';
import { type FreshDatabase, freshDatabase, PG_URL } from '../helpers/dialects.ts';
import { clientToken, waitFor } from '../helpers/gatehouse-process.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;

describe('invalidation bus', () => {
  it('delivers in process, to every subscriber of the topic', () => {
    const bus = inProcessBus();
    const got: string[] = [];
    const off = bus.subscribe('oauth.tokens', { onMessage: (m) => got.push(m.id), onResync: () => {} });
    bus.publish('oauth.tokens', { kind: 'token', id: 'a' });
    off();
    bus.publish('oauth.tokens', { kind: 'token', id: 'b' });
    expect(got).toEqual(['a']);
  });

  it.skipIf(!REDIS_URL)('delivers through Redis to another bus, not twice to its own', async () => {
    const a = redisBus(REDIS_URL!, () => {});
    const b = redisBus(REDIS_URL!, () => {});
    try {
      const atA: string[] = [];
      const atB: string[] = [];
      a.subscribe('oauth.tokens', { onMessage: (m) => atA.push(m.id), onResync: () => {} });
      b.subscribe('oauth.tokens', { onMessage: (m) => atB.push(m.id), onResync: () => {} });
      // Wait until b's subscription is live (publishing until one arrives).
      await waitFor(async () => {
        a.publish('oauth.tokens', { kind: 'token', id: 'probe' });
        await new Promise((r) => setTimeout(r, 20));
        return atB.includes('probe');
      }, 'the subscription');
      atA.length = 0;
      atB.length = 0;
      a.publish('oauth.tokens', { kind: 'user', id: 'u1' });
      await waitFor(async () => atB.includes('u1'), 'delivery to b');
      expect(atA).toEqual(['u1']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.skipIf(!REDIS_URL || !PG_URL)('revocation across processes', { timeout: 60_000 }, () => {
  let db: FreshDatabase;
  const apps: Gatehouse[] = [];
  afterAll(async () => {
    for (const gh of apps) await gh.close();
    await db?.drop();
  });

  it('reaches the other process well under 100 ms (the 1 s cache is only the fallback)', async () => {
    db = await freshDatabase('postgres');
    const config = loadConfig(
      { port: '0', 'database-url': db.url, 'log-level': 'silent', 'redis-url': REDIS_URL! },
      {},
    );
    // No key poll in this test: only the bus can bring a rotated key to the other process.
    apps.push(await createGatehouse(config, { logger: false, keyRefreshMs: 3_600_000 }));
    apps.push(await createGatehouse(config, { logger: false, keyRefreshMs: 3_600_000 }));
    const demo = (await seedDemo(apps[0]!.directory, apps[0]!.oauth, 'a long enough password'))!;
    const [a, b] = [await listenOnLoopback(apps[0]!.app), await listenOnLoopback(apps[1]!.app)];
    const me = (url: string, token: string) =>
      fetch(`${url}/api/v2/users/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const token = await clientToken(a, demo.clientId, demo.clientSecret);
      // Both processes have the token's state cached (for up to 1 s).
      expect(await me(a, token)).toBe(200);
      expect(await me(b, token)).toBe(200);
      const revoked = await fetch(`${a}/api/v2/tokens/me`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(revoked.status).toBeLessThan(300);
      const at = performance.now();
      // Polled back to back (a waitFor's pause would be most of what is measured).
      while ((await me(b, token)) !== 401) if (performance.now() - at > 2_000) throw new Error('not revoked at b');
      latencies.push(performance.now() - at);
    }
    latencies.sort((x, y) => x - y);
    console.log(`revocation reached the other process in ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
    // The median is the bus's figure; the slowest stays far below the 1 s the cache alone would
    // take (the shared CI machine adds scheduling delays to single requests).
    expect(latencies[2]).toBeLessThan(100);
    expect(latencies[latencies.length - 1]).toBeLessThan(800);
  });

  it('a narrowed role reaches the other process through the bus, not after the 1 s cache', async () => {
    const urlOf = (gh: Gatehouse) => `http://127.0.0.1:${(gh.app.server.address() as { port: number }).port}`;
    const [a, b] = [urlOf(apps[0]!), urlOf(apps[1]!)];
    const demo = await apps[0]!.directory.organizations.findByName(DEMO_ORG);
    const clients = await apps[0]!.oauth.clients.list(demo!.id, { pageSize: 100, pageNumber: 1, offset: 0 }, {});
    const demoClient = clients.entities.find((c: { name: string }) => c.name === 'Demo Service Account')!;
    const secret = (await apps[0]!.oauth.clients.regenerateSecret(demo!.id, null, demoClient.id)).secret;
    const admin = await clientToken(a, demoClient.id, secret);
    const call = (url: string, path: string, token: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const role = await (
      await call(a, '/api/v2/authorization/roles', admin, {
        method: 'POST',
        body: JSON.stringify({ name: 'Client viewer', permissions: ['oauth:client:view'] }),
      })
    ).json();
    const home = await (await call(a, '/api/v2/authorization/divisions/home', admin)).json();
    const bot = await (
      await call(a, '/api/v2/oauth/clients', admin, {
        method: 'POST',
        body: JSON.stringify({
          name: 'Viewer bot',
          authorizedGrantType: 'CLIENT-CREDENTIALS',
          roleDivisions: [{ roleId: role.id, divisionId: home.id }],
        }),
      })
    ).json();
    const token = await clientToken(a, bot.id, bot.secret);
    expect((await call(b, '/api/v2/oauth/clients', token)).status).toBe(200);
    const narrowed = await call(a, `/api/v2/authorization/roles/${role.id}`, admin, {
      method: 'PUT',
      body: JSON.stringify({ name: 'Client viewer', permissions: ['directory:user:view'] }),
    });
    expect(narrowed.status).toBe(200);
    const at = performance.now();
    while ((await call(b, '/api/v2/oauth/clients', token)).status !== 403) {
      if (performance.now() - at > 2_000) throw new Error('the narrowed role did not reach b');
    }
    const ms = performance.now() - at;
    console.log(`a narrowed role reached the other process in ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(800);
  });

  it('a rotated token key reaches the other process through the bus (no poll)', async () => {
    const [a, b] = apps;
    const kidOf = (token: string) => token.split('.')[1];
    const before = (
      await b!.oauth.tokens.issue({ orgId: 'o', clientId: 'c', userId: null, scopes: [], ttlSeconds: 60 })
    ).accessToken;
    const kid = await rotateTokenKey(a!.storage.db, new Date(), MAX_TOKEN_TTL);
    expect(kid).not.toBe(kidOf(before));
    await a!.invalidation.publish('oauth.token-keys', { reason: 'test' });
    const at = performance.now();
    await waitFor(
      async () => {
        const t = await b!.oauth.tokens.issue({ orgId: 'o', clientId: 'c', userId: null, scopes: [], ttlSeconds: 60 });
        return kidOf(t.accessToken) === kid;
      },
      'the new key at b',
      2_000,
    );
    expect(performance.now() - at).toBeLessThan(1_000);
  });
});
