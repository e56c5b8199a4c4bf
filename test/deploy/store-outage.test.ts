/**
 * A lost dependency never ends the process (@see issue 21): a `gatehouse start` process on a
 * PostgreSQL cluster of the test's own survives pg_terminate_backend and a stop of the server
 * under load, answers 503 in upstream shape (RFC 6749 at /oauth/token) while it is down, and
 * recovers by itself when it is back; a throwaway Redis and NATS likewise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken, type GatehouseProcess, startGatehouse, waitFor } from '../helpers/gatehouse-process.ts';
import {
  freePort,
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresAvailable,
} from '../helpers/throwaway-postgres.ts';

const haveAll =
  throwawayPostgresAvailable() && existsSync('/usr/bin/redis-server') && existsSync('/usr/sbin/nats-server');
if (!haveAll) console.warn('store-outage: skipped (needs PostgreSQL 15 binaries, redis-server and nats-server)');

function daemon(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { stdio: 'ignore' });
}

describe.skipIf(!haveAll)('a lost store, Redis or NATS', { timeout: 120_000 }, () => {
  let pg: ThrowawayPostgres;
  let gh: GatehouseProcess;
  let redis: ChildProcess;
  let nats: ChildProcess;
  let redisPort: number;
  let natsPort: number;
  const startRedis = () =>
    daemon('/usr/bin/redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no']);
  const startNats = () => daemon('/usr/sbin/nats-server', ['-p', String(natsPort), '-a', '127.0.0.1']);

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    redisPort = await freePort();
    natsPort = await freePort();
    redis = startRedis();
    nats = startNats();
    gh = await startGatehouse(
      [
        '--port',
        '0',
        '--database-url',
        pg.url,
        '--redis-url',
        `redis://127.0.0.1:${redisPort}`,
        '--nats-url',
        `nats://127.0.0.1:${natsPort}`,
        '--log-level',
        'error',
        '--token-cache-seconds',
        '0',
      ],
      { timeoutMs: 120_000 },
    );
    // A cold start compiles the sources (tsx) when dist/ is stale: slow on a loaded CI machine.
  }, 150_000);

  afterAll(async () => {
    if (gh && !gh.alive()) console.error(gh.output());
    gh?.child.kill('SIGKILL');
    redis?.kill('SIGKILL');
    nats?.kill('SIGKILL');
    await pg?.destroy();
  });

  const get = async (token: string) => {
    const res = await fetch(`${gh.url}/api/v2/users?pageSize=1`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('survives pg_terminate_backend on every connection', async () => {
    const token = await clientToken(gh.url, gh.demo!.clientId, gh.demo!.clientSecret);
    expect((await get(token)).status).toBe(200);
    const ended = await pg.psql(
      'select count(pg_terminate_backend(pid)) from pg_stat_activity where pid <> pg_backend_pid() and datname is not null',
    );
    expect(Number(ended)).toBeGreaterThan(0);
    // The idle connections' errors arrive on the pool; the process must not die of them.
    await waitFor(async () => (await get(token)).status === 200, 'a request after the connections were ended');
    expect(gh.alive()).toBe(true);
  });

  it('answers 503 in upstream shape while the store is down, then recovers by itself', async () => {
    const token = await clientToken(gh.url, gh.demo!.clientId, gh.demo!.clientSecret);
    const statuses: number[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const r = await get(token).catch(() => ({ status: -1, body: {} }));
        statuses.push(r.status);
      }
    })();
    await waitFor(async () => statuses.length > 5, 'some requests before the outage');
    await pg.stop();
    const down = await get(token);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    const tokenRequest = () =>
      fetch(`${gh.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${gh.demo!.clientId}:${gh.demo!.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
    // An authenticated client is cached for 1 s: the token endpoint needs the store once that has passed.
    let tokenWhileDown = await tokenRequest();
    await waitFor(async () => {
      if (tokenWhileDown.status === 503) return true;
      tokenWhileDown = await tokenRequest();
      return false;
    }, 'the token endpoint answers 503 once the client cache has passed');
    expect(tokenWhileDown.status).toBe(503);
    expect(await tokenWhileDown.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const scim = await fetch(`${gh.url}/api/v2/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    expect(scim.status).toBe(503);
    expect(await scim.json()).toMatchObject({ status: '503' });
    const ready = await fetch(`${gh.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${gh.url}/health/live`)).status).toBe(200);
    await pg.start();
    await waitFor(async () => (await get(token)).status === 200, 'recovery after the store is back');
    await waitFor(async () => (await fetch(`${gh.url}/health/ready`)).status === 200, 'ready again');
    loading = false;
    await load;
    expect(gh.alive()).toBe(true);
    // Every answer during the outage was a 200 or a 503: no 500, no dropped connection.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
  });

  it('survives Redis and NATS going away and coming back', async () => {
    const token = await clientToken(gh.url, gh.demo!.clientId, gh.demo!.clientSecret);
    redis.kill('SIGKILL');
    nats.kill('SIGKILL');
    await waitFor(async () => (await fetch(`${gh.url}/health/ready`)).status === 503, 'not ready without Redis');
    // Rate limits fail open and audit delivery waits: authenticated requests still work.
    expect((await get(token)).status).toBe(200);
    expect(gh.alive()).toBe(true);
    redis = startRedis();
    nats = startNats();
    await waitFor(async () => (await fetch(`${gh.url}/health/ready`)).status === 200, 'ready again', 30_000);
    expect((await get(token)).status).toBe(200);
    expect(gh.alive()).toBe(true);
  });
});
