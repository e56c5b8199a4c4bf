/**
 * Fair-use rate limits: per client, per user, per organization, on token requests and on
 * password logins; a 429 carries Retry-After and the upstream ErrorBody, and is metered as 429.
 * With Redis, two processes share one limit (@see issue 6).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Clock, manualClock } from '../../src/platform/clock.ts';
import { redisRateLimiter } from '../../src/platform/rate-limit.ts';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { validateShape } from '../helpers/shape.ts';
import { usageRows } from './helpers.ts';

const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

async function app<C extends Clock = ReturnType<typeof manualClock>>(
  env: Record<string, string>,
  clock: C = manualClock(new Date('2026-11-10T10:00:00Z')) as unknown as C,
) {
  const t = await startApp('sqlite', { clock, env });
  apps.push(t);
  return { t, clock };
}

/** A POST sent from a given loopback address (127.0.0.2 is another caller on the same machine). */
function fromAddress(base: string, localAddress: string, path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
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
    const { rows } = await usageRows(t, await t.token(), {
      interval: '2026-11-10T00:00:00Z/2026-11-11T00:00:00Z',
      groupBy: ['OAuthClientId'],
    });
    expect(rows.find((r) => r.clientId === c.id)).toMatchObject({
      requests: 10,
      status200: 6,
      status400: 4,
      status429: 4,
    });
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

  it("counts the console's own requests against the person's limit only, never metering them", async () => {
    const { t, clock } = await app({ GATEHOUSE_RATE_LIMIT_USER: '4', GATEHOUSE_RATE_LIMIT_ORG: '2' });
    clock.set(new Date('2026-11-10T10:00:01Z'));
    const login = await t.api('/console/api/session', {
      method: 'POST',
      body: { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await t.api('/api/v2/organizations/me', { headers: { cookie } })).status);
    // The organization's limit of 2 does not stop its administrators; the user's limit of 4 does.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    await t.gh.meter.flush();
    clock.set(new Date('2026-11-11T09:00:00Z'));
    const { rows } = await usageRows(t, await t.token(), {
      interval: '2026-11-10T00:00:00Z/2026-11-11T00:00:00Z',
      groupBy: ['OAuthClientId'],
    });
    expect(rows).toEqual([]);
  });

  it('counts only failed credentials, per address: guessing at a client or an email locks out neither owner', async () => {
    const { t } = await app({
      GATEHOUSE_RATE_LIMIT_TOKEN: '3',
      GATEHOUSE_RATE_LIMIT_LOGIN: '2',
      GATEHOUSE_RATE_LIMIT_AUTH_FAILURES: '6',
    });
    const form = 'application/x-www-form-urlencoded';
    const basic = (secret: string) => `Basic ${Buffer.from(`${t.demo.clientId}:${secret}`).toString('base64')}`;
    const tokenFrom = (from: string, secret: string) =>
      fromAddress(
        t.url,
        from,
        '/oauth/token',
        { authorization: basic(secret), 'content-type': form },
        'grant_type=client_credentials',
      );
    const loginFrom = (from: string, password: string) =>
      fromAddress(
        t.url,
        from,
        '/console/api/session',
        { 'content-type': 'application/json' },
        JSON.stringify({ email: 'admin@demo.gatehouse.local', password }),
      );
    // Someone at 127.0.0.2 guesses the demo client's secret and the admin's password.
    const guesses: number[] = [];
    for (let i = 0; i < 3; i++) guesses.push((await tokenFrom('127.0.0.2', `wrong-${i}`)).status);
    for (let i = 0; i < 3; i++) guesses.push((await loginFrom('127.0.0.2', `wrong-${i}`)).status);
    // The third password guess is over the per-email-and-address limit of 2.
    expect(guesses).toEqual([401, 401, 401, 401, 401, 429]);
    // Six failures from that address: it now waits, even with the right secret.
    expect((await tokenFrom('127.0.0.2', t.demo.clientSecret)).status).toBe(429);
    // The owners, elsewhere, are not locked out: the client's token budget (3) is all theirs.
    const owner: number[] = [];
    for (let i = 0; i < 4; i++) owner.push((await tokenFrom('127.0.0.1', t.demo.clientSecret)).status);
    expect(owner).toEqual([200, 200, 200, 429]);
    expect((await loginFrom('127.0.0.1', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('lets no more parallel guesses through than the limit', async () => {
    const { t } = await app({ GATEHOUSE_RATE_LIMIT_LOGIN: '3' });
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.api('/console/api/session', {
          method: 'POST',
          body: { email: 'admin@demo.gatehouse.local', password: `guess ${i}` },
        }),
      ),
    );
    const statuses = guesses.map((g) => g.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });

  it('limits token requests per client id and password logins per email', async () => {
    const { t } = await app({ GATEHOUSE_RATE_LIMIT_TOKEN: '3', GATEHOUSE_RATE_LIMIT_LOGIN: '2' });
    const basic = `Basic ${Buffer.from(`${t.demo.clientId}:${t.demo.clientSecret}`).toString('base64')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.api('/oauth/token', {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      statuses.push(r.status);
      if (r.status === 429) expect(r.body.code).toBe('too.many.requests');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const logins: number[] = [];
    for (let i = 0; i < 3; i++) {
      logins.push(
        (
          await t.api('/console/api/session', {
            method: 'POST',
            body: { email: 'Admin@Demo.Gatehouse.Local', password: 'wrong' },
          })
        ).status,
      );
    }
    expect(logins).toEqual([401, 401, 429]);
  });

  it.skipIf(!REDIS_URL)('counts the requests a process answers before its Redis connection is ready', async () => {
    // The CI failure: a process that had just started let its first requests past the shared
    // limit, as if Redis were down, because its connection was still being made.
    const limiter = redisRateLimiter(REDIS_URL!, () => {});
    try {
      const key = `early:${randomUUID()}`;
      const now = Date.now();
      expect(await Promise.all([limiter.hit(key, now), limiter.hit(key, now), limiter.hit(key, now)])).toEqual([
        1, 2, 3,
      ]);
    } finally {
      await limiter.close();
    }
  });

  it.skipIf(!REDIS_URL)(
    'holds one limit across two processes sharing Redis',
    async () => {
      const env = { GATEHOUSE_REDIS_URL: REDIS_URL!, GATEHOUSE_RATE_LIMIT_CLIENT: '10' };
      const { t } = await app(env, { now: () => new Date() });
      const c = await t.clientWithRole('Shared limit', 'Employee');
      // A second process on the same store and Redis.
      const child = spawn(
        process.execPath,
        [
          BIN,
          'start',
          '--port',
          '0',
          '--log-level',
          'silent',
          '--database-url',
          t.gh.config.databaseUrl,
          '--seed-demo',
          'false',
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...env },
        },
      );
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
        // The 14 requests must fall in one one-minute window: a loaded machine can take long enough
        // to cross into the next one, so a run that did is made again with a new client.
        const minute = () => Math.floor(Date.now() / 60_000);
        let statuses: number[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const intoMinute = Date.now() % 60_000;
          if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
          const client = attempt === 0 ? c : await t.clientWithRole(`Shared limit ${attempt}`, 'Employee');
          const token = await t.token(client.id, client.secret);
          const started = minute();
          statuses = [];
          for (let i = 0; i < 7; i++) {
            statuses.push((await t.api('/api/v2/organizations/me', { token })).status);
            statuses.push(
              (await fetch(`${url}/api/v2/organizations/me`, { headers: { authorization: `Bearer ${token}` } })).status,
            );
          }
          if (minute() === started) break;
        }
        expect(statuses.filter((s) => s === 200)).toHaveLength(10);
        expect(statuses.filter((s) => s === 429)).toHaveLength(4);
      } finally {
        child.kill('SIGTERM');
      }
    },
    240_000,
  );
});
