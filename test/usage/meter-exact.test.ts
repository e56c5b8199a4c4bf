/**
 * "Exact" under load, with the meter's own timer: several OAuth clients send known mixes of
 * requests at once (200s, 404s, 400s and, over a low per-client limit, 429s); without any manual
 * flush, a moment after the 1-second flush interval the usage report shows exactly those counts
 * per client, URL template, method and status bucket. A graceful close then saves what is still
 * held: the same database, reopened, has it (@see issue 6, "Exact"; docs/usage.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type DemoCredentials, seedDemo } from '../../src/demo.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { ApiInit, ApiResponse, TestApp } from '../helpers/app.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';
import { usageRows } from './helpers.ts';

/**
 * The real clock, running at real speed from a chosen instant: the burst starts at the top of a
 * minute (so one fixed rate-limit window holds it), and the day can be moved on so that the day
 * of the burst is no longer "today", which reports never include.
 */
function runningClock(start: Date): Clock & { set(d: Date): void } {
  let base = start.getTime();
  let since = Date.now();
  return {
    now: () => new Date(base + (Date.now() - since)),
    set(d) {
      base = d.getTime();
      since = Date.now();
    },
  };
}

const SETUP = new Date('2026-11-18T09:58:00Z');
const BURST = new Date('2026-11-18T10:00:00Z');
const NEXT_DAY = new Date('2026-11-19T08:00:00Z');
const DAY_AFTER = new Date('2026-11-20T08:00:00Z');
const INTERVAL = '2026-11-16T00:00:00Z/2026-11-21T00:00:00Z';
const LIMIT = 100;
const NOBODY = '/api/v2/users/00000000-0000-0000-0000-000000000000';

/** One running instance of the app over a database that outlives it. */
interface Instance extends Pick<TestApp, 'api' | 'token'> {
  gh: Gatehouse;
}

async function open(databaseUrl: string, clock: Clock): Promise<Instance> {
  const config = loadConfig(
    { port: '0', 'database-url': databaseUrl, 'log-level': 'silent' },
    { GATEHOUSE_RATE_LIMIT_CLIENT: String(LIMIT) },
  );
  const gh = await createGatehouse(config, { clock, logger: false });
  const url = await listenOnLoopback(gh.app);
  async function api(path: string, init: ApiInit = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text.startsWith('{') ? JSON.parse(text) : undefined,
    };
  }
  async function token(clientId?: string, secret?: string) {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token request failed: ${res.status}`);
    return json.access_token;
  }
  return { gh, api, token };
}

/** What the report must show for the burst: client, method, template, requests, status200, status400, status429, status500. */
const EXPECTED = [
  ['A', 'GET', '/api/v2/oauth/clients', 70, 70, 0, 0, 0],
  ['A', 'GET', '/api/v2/users/{userId}', 30, 0, 30, 0, 0],
  ['B', 'GET', '/api/v2/organizations/me', 60, 60, 0, 0, 0],
  ['B', 'POST', '/api/v2/authorization/roles', 40, 0, 40, 0, 0],
  ['C', 'GET', '/api/v2/organizations/me', 250, LIMIT, 250 - LIMIT, 250 - LIMIT, 0],
];

type Row = Record<string, any>;
/** The report's rows of these clients, summed over dates, as EXPECTED lists them (in its order). */
function counts(rows: Row[], clients: Record<string, string>) {
  const sums = new Map<string, number[]>();
  for (const r of rows) {
    const who = clients[r.clientId];
    if (!who) continue;
    const key = `${who} ${r.httpMethod} ${r.templateUri}`;
    const s = sums.get(key) ?? [0, 0, 0, 0, 0];
    sums.set(
      key,
      [r.requests, r.status200, r.status400, r.status429, r.status500].map((n: number, i) => s[i]! + n),
    );
  }
  const order = (x: unknown[]) => x.slice(0, 3).join(' ');
  return [...sums].map(([k, s]) => [...k.split(' '), ...s]).sort((x, y) => order(x).localeCompare(order(y)));
}

describe.each(DIALECTS)('usage meter under load on %s', (dialect) => {
  let db: FreshDatabase;
  let first: Instance;
  let demo: DemoCredentials;
  let clients: Record<string, string>;
  let loaderA: { id: string; secret: string };
  const clock = runningClock(SETUP);
  let firstClosed = false;

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    first = await open(db.url, clock);
    demo = (await seedDemo(first.gh.directory, first.gh.oauth, 'correct horse battery staple'))!;
  });
  afterAll(async () => {
    if (!firstClosed) await first?.gh.close();
    await db?.drop();
  });

  it('reports exactly what several concurrent clients sent, flushed by the 1-second timer alone', async () => {
    const { gh } = first;
    const roles = await gh.directory.roles.list(demo.orgId, { pageSize: 100, pageNumber: 1, offset: 0 }, undefined, {});
    const divisionId = (await gh.directory.organizations.homeDivision(demo.orgId)).id;
    const roleId = (name: string) => roles.entities.find((r) => r.name === name)!.id;
    const make = async (name: string, role: string) => {
      const { client, secret } = await gh.oauth.clients.create(demo.orgId, null, {
        name,
        grantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: roleId(role), divisionId }],
      });
      return { id: client.id, token: await first.token(client.id, secret), secret };
    };
    const a = await make('Loader A', 'Master Admin');
    const b = await make('Loader B', 'Master Admin');
    const c = await make('Loader C', 'Employee');
    clients = { [a.id]: 'A', [b.id]: 'B', [c.id]: 'C' };
    loaderA = a;

    // A: 70 × 200 and 30 × 404; B: 60 × 200 and 40 × 400; both within the limit of 100 a minute.
    // C: 250 × the same GET, of which the first 100 in the minute pass and 150 are refused (429).
    const plan: [string, string, ApiInit, number][] = [
      ['A', '/api/v2/oauth/clients', { token: a.token }, 70],
      ['A', NOBODY, { token: a.token }, 30],
      ['B', '/api/v2/organizations/me', { token: b.token }, 60],
      ['B', '/api/v2/authorization/roles', { token: b.token, method: 'POST', body: { nope: 1 } }, 40],
      ['C', '/api/v2/organizations/me', { token: c.token }, 250],
    ];
    const calls = plan.flatMap(([who, path, init, n]) => Array.from({ length: n }, () => [who, path, init] as const));
    // Interleave the clients' requests, all in flight at once.
    calls.sort(() => Math.random() - 0.5);
    clock.set(BURST);
    const answers = await Promise.all(
      calls.map(async ([who, path, init]) => [who, path, (await first.api(path, init)).status] as const),
    );
    expect(clock.now().getTime() - BURST.getTime()).toBeLessThan(60_000); // one rate-limit window
    const statuses: Record<string, Record<string, number>> = {};
    for (const [who, path, status] of answers) {
      const k = `${who} ${path}`;
      statuses[k] ??= {};
      statuses[k][status] = (statuses[k][status] ?? 0) + 1;
    }
    // What the clients saw.
    expect(statuses).toEqual({
      'A /api/v2/oauth/clients': { 200: 70 },
      [`A ${NOBODY}`]: { 404: 30 },
      'B /api/v2/organizations/me': { 200: 60 },
      'B /api/v2/authorization/roles': { 400: 40 },
      'C /api/v2/organizations/me': { 200: LIMIT, 429: 250 - LIMIT },
    });

    // No manual flush: the meter's own timer (every second) saves the counts. Waited for by what
    // is stored, not for a fixed time (a loaded machine can run the timer late).
    const stored = async () =>
      Number(
        (
          await gh.storage.db
            .selectFrom('api_usage_hourly')
            .select((e) => e.fn.sum<number | string>('requests').as('n'))
            .where('client_id', 'in', [a.id, b.id, c.id])
            .executeTakeFirst()
        )?.n ?? 0,
      );
    for (const until = Date.now() + 30_000; (await stored()) < calls.length; ) {
      if (Date.now() > until) throw new Error(`the meter's timer stored ${await stored()} of ${calls.length}`);
      await sleep(100);
    }
    clock.set(NEXT_DAY); // the burst's day is now yesterday, so reportable
    const admin = await first.token(demo.clientId, demo.clientSecret);
    const t = first as unknown as TestApp; // usageRows needs only api and gh
    // By day (the daily rollups) and by hour (the hourly rows): the same exact figures.
    const byDay = await usageRows(t, admin, {
      interval: INTERVAL,
      groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
    });
    expect(counts(byDay.rows, clients)).toEqual(EXPECTED);
    expect(byDay.rows.filter((r) => clients[r.clientId]).every((r) => r.date.startsWith('2026-11-18'))).toBe(true);
    const byHour = await usageRows(t, admin, {
      interval: '2026-11-18T00:00:00Z/2026-11-19T00:00:00Z',
      granularity: 'Hour',
      groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
    });
    expect(counts(byHour.rows, clients)).toEqual(EXPECTED);
    expect(byHour.rows.filter((r) => clients[r.clientId]).every((r) => r.date === '2026-11-18T10:00:00.000Z')).toBe(
      true,
    );
    // Per client, too.
    const perClient = await usageRows(
      t,
      admin,
      { interval: INTERVAL, groupBy: ['TemplateUri'] },
      `/api/v2/oauth/clients/${c.id}/usage/query`,
    );
    expect(perClient.rows.map((r) => [r.templateUri, r.requests, r.status200, r.status429])).toEqual([
      ['/api/v2/organizations/me', 250, LIMIT, 250 - LIMIT],
    ]);
  });

  it('saves the counts still held on a graceful close: the reopened database has them', async () => {
    const a = loaderA;
    const token = await first.token(a.id, a.secret);
    // Sent and closed at once, well inside the next 1-second flush.
    const sent = await Promise.all([
      ...Array.from({ length: 8 }, () => first.api('/api/v2/oauth/clients', { token })),
      ...Array.from({ length: 4 }, () => first.api(NOBODY, { token })),
    ]);
    expect(sent.map((r) => r.status).sort()).toEqual([...Array(8).fill(200), ...Array(4).fill(404)]);
    await first.gh.close();
    firstClosed = true;

    clock.set(DAY_AFTER); // the day of the 12 is now yesterday
    const second = await open(db.url, clock);
    try {
      const admin = await second.token(demo.clientId, demo.clientSecret);
      const { rows } = await usageRows(second as unknown as TestApp, admin, {
        interval: INTERVAL,
        groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
      });
      const mine = rows.filter((r) => r.clientId === a.id && r.date.startsWith('2026-11-19'));
      expect(mine.map((r) => [r.httpMethod, r.templateUri, r.requests, r.status200, r.status400]).sort()).toEqual([
        ['GET', '/api/v2/oauth/clients', 8, 8, 0],
        ['GET', '/api/v2/users/{userId}', 4, 0, 4],
      ]);
      // The burst of the day before is still there, once.
      expect(
        counts(
          rows.filter((r) => r.date.startsWith('2026-11-18')),
          clients,
        ),
      ).toEqual(EXPECTED);
    } finally {
      await second.gh.close();
    }
  });
});
