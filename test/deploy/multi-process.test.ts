/**
 * Three `gatehouse start` processes on the local PostgreSQL, Redis and NATS behind HAProxy,
 * started from the very files docs/deployment.md tells operators to use (deploy/haproxy.cfg,
 * deploy/gatehouse@.service's ExecStart, deploy/gatehouse.env) (@see issue 21): a token from one
 * works on all; revocation reaches all; the rate limit is global; usage counts are exact; each
 * audit event reaches NATS once; SIGTERM fails no request at the balancer; kill -9 under load
 * loses no acknowledged write or audit event. Skipped, saying why, where a service is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FreshDatabase, freshDatabase, PG_URL } from '../helpers/dialects.ts';
import { BIN, clientToken, type GatehouseProcess, startGatehouse, waitFor } from '../helpers/gatehouse-process.ts';
import { freePort } from '../helpers/throwaway-postgres.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const HAPROXY = process.env.GATEHOUSE_TEST_HAPROXY ?? '/usr/sbin/haproxy';
const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL;
const NATS_URL = process.env.GATEHOUSE_TEST_NATS_URL;
const missing = [
  !PG_URL && 'PostgreSQL',
  !REDIS_URL && 'Redis',
  !NATS_URL && 'NATS',
  !existsSync(HAPROXY) && `HAProxy (${HAPROXY})`,
].filter(Boolean);
if (missing.length) console.warn(`multi-process deployment test skipped: missing ${missing.join(', ')}`);

/** deploy/gatehouse.env as variables, with the local services in place of the example addresses. */
function environment(db: string, publicUrl: string, keyDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(DEPLOY, 'gatehouse.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return {
    ...env,
    GATEHOUSE_DATABASE_URL: db,
    GATEHOUSE_REDIS_URL: REDIS_URL!,
    GATEHOUSE_NATS_URL: NATS_URL!,
    GATEHOUSE_PUBLIC_URL: publicUrl,
    // One data dir for the three: `gatehouse migrate` creates the master key file they share.
    GATEHOUSE_DATA_DIR: keyDir,
    GATEHOUSE_SEED_DEMO: 'true',
    GATEHOUSE_LOG_LEVEL: 'warn',
    // Above haproxy.cfg's inter × fall (2 s) plus a check's time.
    GATEHOUSE_DRAIN_SECONDS: '3',
    // One dedicated client checks the global limit on token requests; the load is not limited.
    GATEHOUSE_RATE_LIMIT_TOKEN: '40',
    GATEHOUSE_RATE_LIMIT_CLIENT: '1000000',
    GATEHOUSE_RATE_LIMIT_ORG: '10000000',
    // A killed process's leased audit batch is taken over after this (the default 30 s is long for a test).
    GATEHOUSE_AUDIT_STREAM_LEASE_SECONDS: '4',
  };
}

/** The unit's ExecStart arguments for one instance (`%i` is the port). */
function execStartArgs(port: number): string[] {
  const unit = readFileSync(join(DEPLOY, 'gatehouse@.service'), 'utf8');
  const exec = /^ExecStart=\S+\s+(.*)$/m.exec(unit)![1]!;
  return exec.replaceAll('%i', String(port)).split(/\s+/);
}

interface Outcome {
  status: number;
  server: string | null;
}

describe.skipIf(missing.length > 0)('three processes behind HAProxy', { timeout: 180_000 }, () => {
  let db: FreshDatabase;
  let haproxy: ChildProcess;
  let lb: string;
  const procs: GatehouseProcess[] = [];
  let demo: { clientId: string; clientSecret: string };
  let adminToken: string;

  beforeAll(async () => {
    db = await freshDatabase('postgres');
    const ports = [await freePort(), await freePort(), await freePort()];
    const lbPort = await freePort();
    lb = `http://127.0.0.1:${lbPort}`;
    const env = environment(db.url, lb, mkdtempSync(join(tmpdir(), 'gh-deploy-')));
    // The rolling-upgrade order: migrate once, then start every instance with --no-migrate.
    const migrate = spawnSync(process.execPath, [BIN, 'migrate'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    expect(migrate.status, migrate.stderr).toBe(0);
    const started = await Promise.all(ports.map((p) => startGatehouse(execStartArgs(p), { env, timeoutMs: 120_000 })));
    procs.push(...started);
    const seeded = started.filter((p) => p.demo);
    expect(seeded).toHaveLength(1);
    demo = seeded[0]!.demo!;
    haproxy = spawn(HAPROXY, ['-db', '-f', join(DEPLOY, 'haproxy.cfg')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        GATEHOUSE_LB_BIND: `127.0.0.1:${lbPort}`,
        GATEHOUSE_1: `127.0.0.1:${ports[0]}`,
        GATEHOUSE_2: `127.0.0.1:${ports[1]}`,
        GATEHOUSE_3: `127.0.0.1:${ports[2]}`,
      },
    });
    let haproxyErrors = '';
    haproxy.stderr!.on('data', (d) => (haproxyErrors += d));
    haproxy.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') console.error(`haproxy exited ${code}: ${haproxyErrors}`);
    });
    // Every backend is up at the balancer once three requests in a row reach three processes.
    await waitFor(async () => {
      const servers = new Set<string | null>();
      for (let i = 0; i < 3; i++) servers.add((await fetch(`${lb}/health/ready`)).headers.get('x-gatehouse-server'));
      return servers.size === 3;
    }, 'the balancer to reach all three processes');
    adminToken = await clientToken(lb, demo.clientId, demo.clientSecret);
  }, 170_000);

  afterAll(async () => {
    haproxy?.kill('SIGKILL');
    for (const p of procs) p.child.kill('SIGKILL');
    await db?.drop();
  });

  const api = async (base: string, path: string, token: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, server: res.headers.get('x-gatehouse-server') };
  };

  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(text, values)).rows as T[];
    } finally {
      await c.end();
    }
  };

  it('a token from one process works on all, and its revocation reaches all', async () => {
    const token = await clientToken(procs[0]!.url, demo.clientId, demo.clientSecret);
    for (const p of procs) expect((await api(p.url, '/api/v2/users/me', token)).status).toBe(200);
    expect((await api(procs[1]!.url, '/api/v2/tokens/me', token, { method: 'DELETE' })).status).toBeLessThan(300);
    for (const p of [procs[0]!, procs[2]!])
      await waitFor(async () => (await api(p.url, '/api/v2/users/me', token)).status === 401, 'revocation', 1_000);
  });

  /** A client-credentials client with the Employee role, created through the balancer. */
  async function newClient(name: string): Promise<{ id: string; secret: string }> {
    const roles = await api(lb, '/api/v2/authorization/roles?name=Employee', adminToken);
    const home = await api(lb, '/api/v2/authorization/divisions/home', adminToken);
    const created = await api(lb, '/api/v2/oauth/clients', adminToken, {
      method: 'POST',
      body: JSON.stringify({
        name,
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }],
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    return created.body;
  }

  it('enforces one rate limit across the processes', async () => {
    const created = await newClient('limited');
    // Not across a minute boundary: the windows are fixed minutes.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100));
    const statuses = await Promise.all(
      Array.from({ length: 55 }, () =>
        fetch(`${lb}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${created.id}:${created.secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('counts usage exactly across the processes', async () => {
    const client = await newClient('metered');
    const token = await clientToken(lb, client.id, client.secret);
    const outcomes = await Promise.all(Array.from({ length: 60 }, () => api(lb, '/api/v2/users', token)));
    expect(new Set(outcomes.map((o) => o.server)).size).toBe(3);
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    await waitFor(async () => (await usageOf(client.id)) >= 60, 'the usage flush', 10_000);
    // Flushed by all three (each about every second): exactly once each, never more.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await usageOf(client.id)).toBe(60);
  });

  const usageOf = async (clientId: string) =>
    Number(
      (
        await query<{ n: string | null }>(
          'select sum(requests) as n from api_usage_hourly where client_id = $1 and template = $2',
          [clientId, '/api/v2/users'],
        )
      )[0]?.n ?? 0,
    );

  /** Runs `workers` loops of `request` until stopped; answers every outcome. */
  function load(workers: number, request: (i: number) => Promise<Outcome>) {
    let running = true;
    let n = 0;
    const outcomes: Outcome[] = [];
    const done = Promise.all(
      Array.from({ length: workers }, async () => {
        while (running) outcomes.push(await request(n++).catch(() => ({ status: -1, server: null })));
      }),
    );
    return {
      outcomes,
      async stop() {
        running = false;
        await done;
        return outcomes;
      },
    };
  }

  it('SIGTERM: the balancer fails no request while a process drains and stops', async () => {
    const traffic = load(4, () => api(lb, '/api/v2/users/me', adminToken));
    await waitFor(async () => traffic.outcomes.length > 20, 'traffic');
    procs[1]!.child.kill('SIGTERM');
    expect(await procs[1]!.exited).toBe(0);
    const after = traffic.outcomes.length;
    await waitFor(async () => traffic.outcomes.length > after + 20, 'traffic after the stop');
    const outcomes = await traffic.stop();
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
  });

  it('kill -9 under load loses no acknowledged write and no audit event; NATS gets each once', async () => {
    const subject = `gatehouse.audit.deploy-${Date.now().toString(36)}`;
    const stream = await api(lb, '/api/v2/audits/streams', adminToken, {
      method: 'POST',
      body: JSON.stringify({ name: 'deploy test', type: 'nats', subject }),
    });
    expect(stream.status, JSON.stringify(stream.body)).toBe(200);
    const acknowledged: string[] = [];
    const run = Date.now().toString(36);
    const writes = load(4, async (i) => {
      const r = await api(lb, '/api/v2/users', adminToken, {
        method: 'POST',
        body: JSON.stringify({ name: `Load ${i}`, email: `load-${run}-${i}@example.com` }),
      });
      if (r.status === 200) acknowledged.push(r.body.id);
      return r;
    });
    await waitFor(async () => acknowledged.length > 20, 'writes');
    procs[2]!.child.kill('SIGKILL');
    await procs[2]!.exited;
    const at = acknowledged.length;
    await waitFor(async () => acknowledged.length > at + 20, 'writes after the kill');
    await writes.stop();

    const stored = new Set(
      (await query<{ id: string }>('select id from users where id = any($1)', [acknowledged])).map((r) => r.id),
    );
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const events = await query<{ id: string; entity_id: string }>(
      `select id, entity_id from audit_events where entity_id = any($1) and action = 'Create'`,
      [acknowledged],
    );
    expect(new Set(events.map((e) => e.entity_id)).size).toBe(acknowledged.length);

    // Every event reaches NATS (the survivors take over the killed process's leases), once.
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: NATS_URL });
    try {
      const wanted = new Set(events.map((e) => e.id));
      const seen: string[] = [];
      await waitFor(
        async () => {
          seen.length = 0;
          const js = await jetstreamManager(nc);
          const name = await js.streams.find(subject);
          const consumer = await jetstream(nc).consumers.get(name, { filter_subjects: subject });
          const messages = await consumer.fetch({ max_messages: 5_000, expires: 1_000 });
          for await (const m of messages) seen.push((m.json() as { id: string }).id);
          return [...wanted].every((id) => seen.includes(id));
        },
        'every audit event on NATS',
        60_000,
      );
      expect(seen.length).toBe(new Set(seen).size);
    } finally {
      await nc.close();
    }
  });
});
