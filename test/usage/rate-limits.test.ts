/**
 * Fair-use rate limits: per client, per user, per organization, on token requests and on
 * password logins; a 429 carries Retry-After and the upstream ErrorBody, and is metered as 429.
 * With Redis, two processes share one limit (@see issue 6).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Clock, manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { validateShape } from '../helpers/shape.ts';
import { usageRows } from './helpers.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function app<C extends Clock = ReturnType<typeof manualClock>>(env: Record<string, string>, clock: C = manualClock(new Date('2026-11-10T10:00:00Z')) as unknown as C) {
  const t = await startApp('sqlite', { clock, env });
  apps.push(t);
  return { t, clock };
}

describe('rate limits', () => {
  it('refuses the request over the per-client limit with 429, Retry-After and too.many.requests, metered as 429', async () => {
    const { t, clock } = await app({ GATEHOUSE_RATE_LIMIT_CLIENT: '5' });
    const c = await t.clientWithRole('Busy', 'Master Admin');
    const token = await t.token(c.id, c.secret);
    clock.set(new Date('2026-11-10T10:00:15Z'));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.api('/api/v2/organizations/me', { token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = await t.api('/api/v2/organizations/me', { token });
    validateShape('ErrorBody', refused.body);
    expect(refused.body.code).toBe('too.many.requests');
    expect(refused.body.message).toBe('Rate limit exceeded the maximum [5] requests within [60] seconds');
    expect(refused.headers.get('retry-after')).toBe('45');
    // Another client is not affected; the next minute lets this one through again.
    const other = await t.token();
    expect((await t.api('/api/v2/organizations/me', { token: other })).status).toBe(200);
    clock.set(new Date('2026-11-10T10:01:00Z'));
    expect((await t.api('/api/v2/organizations/me', { token })).status).toBe(200);
    // The 429s are in the usage report: a subset of the 400s.
    await t.gh.meter.flush();
    clock.set(new Date('2026-11-11T09:00:00Z'));
    const { rows } = await usageRows(t, await t.token(), { interval: '2026-11-10T00:00:00Z/2026-11-11T00:00:00Z', groupBy: ['OAuthClientId'] });
    expect(rows.find((r) => r.clientId === c.id)).toMatchObject({ requests: 10, status200: 6, status400: 4, status429: 4 });
  });

  it('limits a user per client and an organization as a whole', async () => {
    const { t, clock } = await app({ GATEHOUSE_RATE_LIMIT_ORG: '6', GATEHOUSE_RATE_LIMIT_CLIENT: '100' });
    clock.set(new Date('2026-11-10T10:00:01Z'));
    const one = await t.token();
    const c = await t.clientWithRole('Second', 'Employee');
    const two = await t.token(c.id, c.secret);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.api('/api/v2/organizations/me', { token: one })).status);
    for (let i = 0; i < 4; i++) statuses.push((await t.api('/api/v2/organizations/me', { token: two })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('limits token requests per client id and password logins per email', async () => {
    const { t } = await app({ GATEHOUSE_RATE_LIMIT_TOKEN: '3', GATEHOUSE_RATE_LIMIT_LOGIN: '2' });
    const basic = `Basic ${Buffer.from(`${t.demo.clientId}:${t.demo.clientSecret}`).toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.api('/oauth/token', { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.code).toBe('too.many.requests');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const logins: number[] = [];
    for (let i = 0; i < 3; i++) {
      logins.push((await t.api('/console/api/session', { method: 'POST', body: { email: 'Admin@Demo.Gatehouse.Local', password: 'wrong' } })).status);
    }
    expect(logins).toEqual([401, 401, 429]);
  });

  it.skipIf(!REDIS_URL)('holds one limit across two processes sharing Redis', async () => {
    const env = { GATEHOUSE_REDIS_URL: REDIS_URL!, GATEHOUSE_RATE_LIMIT_CLIENT: '10' };
    const { t } = await app(env, { now: () => new Date() });
    const c = await t.clientWithRole('Shared limit', 'Employee');
    // A second process on the same store and Redis.
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--log-level', 'silent', '--database-url', t.gh.config.databaseUrl, '--seed-demo', 'false'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /Console: (http:\/\/[^/\s]+)\//.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      // Stay inside one one-minute window.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      const token = await t.token(c.id, c.secret);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push((await t.api('/api/v2/organizations/me', { token })).status);
        statuses.push((await fetch(`${url}/api/v2/organizations/me`, { headers: { authorization: `Bearer ${token}` } })).status);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
