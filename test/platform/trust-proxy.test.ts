/**
 * --trust-proxy (@see issue 21): behind a balancer, the client's real address (X-Forwarded-For
 * from a trusted proxy) drives the per-address failed-credentials limit and the audit remoteIp;
 * without it, a forged header changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function tokenRequest(t: TestApp, id: string, secret: string, forwardedFor: string) {
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': forwardedFor,
    },
    body: 'grant_type=client_credentials',
  });
  return res.status;
}

describe('--trust-proxy', () => {
  it('accepts a hop count or proxy addresses, and refuses anything else', () => {
    expect(loadConfig({ 'trust-proxy': '1' }, {}).trustProxy).toBe(1);
    expect(loadConfig({ 'trust-proxy': '10.0.0.5, 10.1.0.0/16' }, {}).trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16']);
    expect(loadConfig({}, {}).trustProxy).toBe(false);
    expect(() => loadConfig({ 'trust-proxy': 'the balancer' }, {})).toThrow(/--trust-proxy must be a hop count/);
  });

  for (const trust of ['127.0.0.1', '1']) {
    it(`limits failed credentials per real client address (trust ${trust})`, async () => {
      const t = await startApp('sqlite', {
        env: { GATEHOUSE_TRUST_PROXY: trust, GATEHOUSE_RATE_LIMIT_AUTH_FAILURES: '3' },
      });
      apps.push(t);
      for (let i = 0; i < 3; i++) expect(await tokenRequest(t, t.demo.clientId, 'wrong', '203.0.113.7')).toBe(401);
      expect(await tokenRequest(t, t.demo.clientId, 'wrong', '203.0.113.7')).toBe(429);
      // Another caller behind the same balancer is not refused.
      expect(await tokenRequest(t, t.demo.clientId, t.demo.clientSecret, '198.51.100.9')).toBe(200);

      const token = await t.token();
      const created = await t.api('/api/v2/users', {
        method: 'POST',
        token,
        headers: { 'x-forwarded-for': '198.51.100.9' },
        body: { name: 'Proxy Test', email: `proxy-${trust}@example.com` },
      });
      expect(created.status).toBe(200);
      const event = await t.gh.storage.db
        .selectFrom('audit_events')
        .select('remote_ip')
        .where('entity_id', '=', created.body.id)
        .executeTakeFirstOrThrow();
      expect(event.remote_ip).toBe('198.51.100.9');
    });
  }

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const t = await startApp('sqlite', { env: { GATEHOUSE_RATE_LIMIT_AUTH_FAILURES: '3' } });
    apps.push(t);
    for (let i = 0; i < 3; i++) expect(await tokenRequest(t, t.demo.clientId, 'wrong', `203.0.113.${i}`)).toBe(401);
    // The forged header does not give a fresh budget: the connection's own address is counted.
    expect(await tokenRequest(t, t.demo.clientId, 'wrong', '203.0.113.99')).toBe(429);
  });
});
