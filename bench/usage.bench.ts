/**
 * Usage benchmark (issue 6): (1) authenticated GET /api/v2/users/me with metering and rate
 * limiting on, beside the same server with both off, both booted once in one process and measured
 * in alternating slices; target overhead ≤ 10 %. (2) Usage report queries over 90 days of hourly
 * rows and their daily rollup for 1,000 clients and 500 URL templates on SQLite; target p95 < 200 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { bootGatehouse, fmt, HIGH_LIMITS_ENV, importSource, load, type LoadResult } from './lib.ts';

export const name = 'usage';

const OFF_ENV = {
  GATEHOUSE_RATE_LIMIT_CLIENT: '0',
  GATEHOUSE_RATE_LIMIT_USER_CLIENT: '0',
  GATEHOUSE_RATE_LIMIT_USER: '0',
  GATEHOUSE_RATE_LIMIT_ORG: '0',
  GATEHOUSE_RATE_LIMIT_TOKEN: '0',
};
// On: every limit active but high enough never to refuse during the run.
const ON_ENV = HIGH_LIMITS_ENV;

/** A slice's throughput, and the server's own CPU time per request served (this process). */
type Round = LoadResult & { cpuMicros: number };

/** One server, booted once and kept for the whole comparison, with the load it is measured under. */
interface Variant {
  slice(seconds: number): Promise<Round>;
  close(): Promise<void>;
}

async function bootVariant(limits: boolean, metering: boolean): Promise<Variant> {
  const { gh, url, demo } = await bootGatehouse(undefined, {
    env: limits ? ON_ENV : OFF_ENV,
    options: metering ? {} : { meter: { record: () => {}, flush: async () => {} } },
  });
  const basic = `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`;
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const o = { url: `${url}/api/v2/users/me`, headers: { authorization: `Bearer ${token}` } };
  return {
    async slice(seconds) {
      // The server runs in this process and the load generator in a child, and only one server
      // is under load at a time: this process's CPU time is that server's work.
      const cpu0 = process.cpuUsage();
      const r = await load({ ...o, seconds });
      const cpu = process.cpuUsage(cpu0);
      return { ...r, cpuMicros: (cpu.user + cpu.system) / Math.max(1, r.ok + r.non2xx) };
    },
    close: () => gh.close(),
  };
}

/**
 * Boots every variant once, warms each up, then measures them in short alternating slices, the
 * order reversed every round (A B, B A, …) so that a drift of the VM's speed during the run
 * weighs on every variant alike. Returns each variant's slices, in round order.
 */
async function compare<K extends string>(
  variants: Record<K, readonly [limits: boolean, metering: boolean]>,
  rounds: number,
  seconds: number,
): Promise<Record<K, Round[]>> {
  const names = Object.keys(variants) as K[];
  const servers = {} as Record<K, Variant>;
  const out = {} as Record<K, Round[]>;
  try {
    for (const k of names) {
      const [limits, metering] = variants[k];
      servers[k] = await bootVariant(limits, metering);
      out[k] = [];
    }
    for (const k of names) await servers[k].slice(3); // warm-up, discarded
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? names : [...names].reverse();
      for (const k of order) out[k].push(await servers[k].slice(seconds));
    }
    return out;
  } finally {
    for (const k of names) await servers[k]?.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function reportQueries(): Promise<string[]> {
  const { createStorage } = (await importSource('storage/db')) as typeof import('../src/storage/db.ts');
  const { migrateToLatest } = (await importSource(
    'storage/migrations/index',
  )) as typeof import('../src/storage/migrations/index.ts');
  const { runUsageQuery } = (await importSource(
    'domains/usage/reports',
  )) as typeof import('../src/domains/usage/reports.ts');
  type Row = import('../src/storage/schema.ts').ApiUsageHourlyRow;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-bench-'));
  const storage = createStorage(`sqlite:${join(dir, 'usage.db')}`);
  try {
    await migrateToLatest(storage);
    const org = '00000000-0000-0000-0000-000000000001';
    const end = new Date('2026-11-20T00:00:00Z');
    const started = Date.now();
    let rows = 0;
    // 90 days × 1,000 clients; each client calls 5 of the 500 templates in 4 hours a day.
    for (let day = 0; day < 90; day++) {
      const date = new Date(end.getTime() - (day + 1) * 86_400_000).toISOString().slice(0, 10);
      const batch: Row[] = [];
      for (let c = 0; c < 1000; c++) {
        for (let k = 0; k < 5; k++) {
          const template = `/api/v2/bench/resource${(c * 7 + k * 101) % 500}/{id}`;
          for (const h of [3, 9, 14, 20]) {
            const requests = 1 + ((c + k + h + day) % 50);
            batch.push({
              org_id: org,
              hour: `${date}T${String(h).padStart(2, '0')}:00:00.000Z`,
              client_id: `client-${c}`,
              user_id: '',
              method: k % 2 ? 'POST' : 'GET',
              template,
              client_name: `Client ${c}`,
              requests,
              status200: requests - 1,
              status300: 0,
              status400: 1,
              status429: 0,
              status500: 0,
            });
          }
        }
      }
      await storage.db.transaction().execute(async (trx) => {
        for (let i = 0; i < batch.length; i += 500)
          await trx
            .insertInto('api_usage_hourly')
            .values(batch.slice(i, i + 500))
            .execute();
      });
      rows += batch.length;
    }
    const seedSeconds = (Date.now() - started) / 1000;
    // The daily rollup the meter keeps at each flush, filled as migration 0011 fills it.
    const rollupStarted = Date.now();
    await sql`DELETE FROM api_usage_daily`.execute(storage.db);
    await sql`
      INSERT INTO api_usage_daily (org_id, day, client_id, user_id, method, template, client_name,
        requests, status200, status300, status400, status429, status500)
      SELECT org_id, substr(hour, 1, 10), client_id, user_id, method, template, max(client_name),
        sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
      FROM api_usage_hourly
      GROUP BY org_id, substr(hour, 1, 10), client_id, user_id, method, template
    `.execute(storage.db);
    await sql`DELETE FROM api_usage_daily_clients`.execute(storage.db);
    await sql`
      INSERT INTO api_usage_daily_clients (org_id, day, client_id, client_name, requests, status200, status300, status400, status429, status500)
      SELECT org_id, day, client_id, max(client_name), sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
      FROM api_usage_daily GROUP BY org_id, day, client_id
    `.execute(storage.db);
    await sql`DELETE FROM api_usage_daily_templates`.execute(storage.db);
    await sql`
      INSERT INTO api_usage_daily_templates (org_id, day, method, template, requests, status200, status300, status400, status429, status500)
      SELECT org_id, day, method, template, sum(requests), sum(status200), sum(status300), sum(status400), sum(status429), sum(status500)
      FROM api_usage_daily GROUP BY org_id, day, method, template
    `.execute(storage.db);
    const dailyRows = Number(
      (await sql<{ n: number }>`SELECT count(*) AS n FROM api_usage_daily`.execute(storage.db)).rows[0]!.n,
    );
    const count = async (table: string) =>
      Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(storage.db)).rows[0]!.n);
    const clientRows = await count('api_usage_daily_clients');
    const templateRows = await count('api_usage_daily_templates');
    const rollupSeconds = (Date.now() - rollupStarted) / 1000;
    // The planner statistics, as the server refreshes them at start and hourly.
    await sql`PRAGMA optimize=0x10002`.execute(storage.db);
    const interval = `${new Date(end.getTime() - 90 * 86_400_000).toISOString()}/${end.toISOString()}`;
    const cases: [string, object][] = [
      ['daily totals (the graph)', { interval, granularity: 'Day' }],
      ['by client, monthly (top clients)', { interval, granularity: 'Month', groupBy: ['OAuthClientId'] }],
      ['by URL template, monthly (top URLs)', { interval, granularity: 'Month', groupBy: ['TemplateUri'] }],
      [
        'one client by URL, daily',
        { interval, granularity: 'Day', groupBy: ['TemplateUri'], clientIds: ['client-42'] },
      ],
      [
        'last day by client, hourly (single-day graph)',
        {
          interval: `${new Date(end.getTime() - 86_400_000).toISOString()}/${end.toISOString()}`,
          granularity: 'Hour',
          groupBy: ['OAuthClientId'],
        },
      ],
    ];
    const lines = [
      `${fmt(rows)} hourly rows (90 days, 1,000 clients, 500 URL templates), seeded in ${seedSeconds.toFixed(1)} s;`,
      `daily rollups filled from them in ${rollupSeconds.toFixed(1)} s: ${fmt(dailyRows)} rows in api_usage_daily, ${fmt(clientRows)} per client, ${fmt(templateRows)} per URL template.`,
      '',
      '| report query (SQLite, 90 days) | result rows | p50 ms | p95 ms |',
      '|---|---|---|---|',
    ];
    for (const [label, q] of cases) {
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        count = (await runUsageQuery(storage.db, org, q as never, end)).length;
        times.push(performance.now() - t0);
      }
      const measured = times.slice(2);
      lines.push(
        `| ${label} | ${fmt(count)} | ${median(measured).toFixed(0)} | ${percentile(measured, 95).toFixed(0)} |`,
      );
    }
    return lines;
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The work metering and rate limiting add to one request, timed alone in a tight loop (no
 * network, no other tenant's noise to speak of): the pipeline's rate-limit step and meter step
 * on a client-credentials request, and the meter's once-a-second flush.
 */
async function perRequestWork(): Promise<{ lines: string[]; micros: number; flushMs: number }> {
  const { createStorage } = (await importSource('storage/db')) as typeof import('../src/storage/db.ts');
  const { migrateToLatest } = (await importSource(
    'storage/migrations/index',
  )) as typeof import('../src/storage/migrations/index.ts');
  const { createRateLimits, memoryRateLimiter } = (await importSource(
    'platform/rate-limit',
  )) as typeof import('../src/platform/rate-limit.ts');
  const { rateLimitStep } = (await importSource(
    'platform/pipeline/rate-limit',
  )) as typeof import('../src/platform/pipeline/rate-limit.ts');
  const { meterStep } = (await importSource(
    'platform/pipeline/meter',
  )) as typeof import('../src/platform/pipeline/meter.ts');
  const { createUsageMeter } = (await importSource(
    'domains/usage/meter',
  )) as typeof import('../src/domains/usage/meter.ts');
  const { systemClock } = (await importSource('platform/clock')) as typeof import('../src/platform/clock.ts');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-usage-work-'));
  const storage = createStorage(`sqlite:${join(dir, 'work.db')}`);
  try {
    await migrateToLatest(storage);
    const limits = createRateLimits(
      memoryRateLimiter(),
      { client: 1e9, userClient: 1e9, user: 1e9, org: 1e9, token: 1e9, login: 1e9, authFailures: 1e9, scim: 1e9 },
      systemClock,
    );
    const meter = createUsageMeter({
      db: storage.db,
      clock: systemClock,
      flushMs: 3_600_000,
      onError: (err) => {
        throw err;
      },
    });
    const rateLimit = rateLimitStep(limits);
    const meterResponse = meterStep(meter, systemClock);
    const principal = {
      orgId: 'org-1',
      clientId: 'client-1',
      clientName: 'Bench',
      userId: null,
      clientCredentials: true,
      internal: false,
    };
    const request = { principal, method: 'GET', routeOptions: { url: '/api/v2/users/me' } } as never;
    const reply = { statusCode: 200 } as never;
    const done = () => {};
    const N = 1_000_000;
    for (let i = 0; i < 50_000; i++) {
      rateLimit(request);
      meterResponse(request, reply, done);
    }
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      rateLimit(request);
      meterResponse(request, reply, done);
    }
    const perRequest = ((performance.now() - t0) * 1000) / N;
    // A flush as the meter makes each second: ten keys (clients × templates) of counts.
    const flushes: number[] = [];
    for (let f = 0; f < 20; f++) {
      for (let k = 0; k < 10; k++) {
        meterResponse(
          {
            principal: { ...principal, clientId: `client-${k}` },
            method: 'GET',
            routeOptions: { url: '/api/v2/users/me' },
          } as never,
          reply,
          done,
        );
      }
      const f0 = performance.now();
      await meter.flush();
      flushes.push(performance.now() - f0);
    }
    await meter.close?.();
    return {
      micros: perRequest,
      flushMs: median(flushes),
      lines: [
        `Per-request work alone (rate-limit step + meter step, ${fmt(N)} calls): ${perRequest.toFixed(2)} µs per request;`,
        `the once-a-second flush of ten keys: ${median(flushes).toFixed(2)} ms (median of 20).`,
      ],
    };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which of the two costs what: rate limits alone and metering alone, beside off and both. */
async function split(): Promise<string[]> {
  const rounds = Number(process.env.USAGE_BENCH_ROUNDS ?? 10);
  const r = await compare(
    { off: [false, false], 'rate limits only': [true, false], 'metering only': [false, true], both: [true, true] },
    rounds,
    3,
  );
  const off = r.off;
  return [
    `${rounds} rounds of 3 s slices per variant, all four servers booted once, the order reversed every round.`,
    '',
    '| GET /api/v2/users/me | median per second | throughput vs off (median of rounds) | server CPU µs per request (median) | CPU vs off (median of rounds) |',
    '|---|---|---|---|---|',
    ...Object.entries<Round[]>(r).map(([k, xs]) => {
      const rps = median(xs.map((x) => x.requestsPerSecond));
      const cpu = median(xs.map((x) => x.cpuMicros));
      const dRps = median(xs.map((x, i) => (1 - x.requestsPerSecond / off[i]!.requestsPerSecond) * 100));
      const dCpu = median(xs.map((x, i) => (x.cpuMicros / off[i]!.cpuMicros - 1) * 100));
      return `| ${k} | ${fmt(rps)} | ${k === 'off' ? '—' : `${dRps.toFixed(1)} % fewer`} | ${cpu.toFixed(1)} | ${k === 'off' ? '—' : `${dCpu >= 0 ? '+' : ''}${dCpu.toFixed(1)} %`} |`;
    }),
  ];
}

export async function run(): Promise<string[]> {
  // USAGE_BENCH=report runs only the report queries (while tuning them).
  if (process.env.USAGE_BENCH === 'report') return reportQueries();
  if (process.env.USAGE_BENCH === 'work') return (await perRequestWork()).lines;
  // USAGE_BENCH=split measures rate limits and metering apart.
  if (process.env.USAGE_BENCH === 'split') return split();
  // Both servers booted once; twenty rounds of 3 s slices, the order reversed every round. Session
  // 5 booted a new server for every 5 s round: single rounds of one setting then spread by up to
  // 2× on this shared 2-core VM, far more than the effect (docs/benchmarks.md, usage).
  const ROUNDS = Number(process.env.USAGE_BENCH_ROUNDS ?? 20);
  const { off, on } = await compare({ off: [false, false], on: [true, true] }, ROUNDS, 3);
  const sum = (xs: Round[], f: (r: Round) => number) => xs.reduce((n, r) => n + f(r), 0);
  // Each round's pair ran back to back; the pooled figure weighs every second alike.
  const pairs = off.map((r, i) => (1 - on[i]!.requestsPerSecond / r.requestsPerSecond) * 100);
  const pooled = (1 - sum(on, (r) => r.requestsPerSecond) / sum(off, (r) => r.requestsPerSecond)) * 100;
  const cpuPairs = off.map((r, i) => (on[i]!.cpuMicros / r.cpuMicros - 1) * 100);
  const offCpu = median(off.map((r) => r.cpuMicros));
  const pct = (p: number) => `${p.toFixed(1)} %`;
  const work = await perRequestWork();
  return [
    `Throughput overhead (target ≤ 10 %): median of ${ROUNDS} pairs ${pct(median(pairs))} (quartiles ${pct(percentile(pairs, 25))} to ${pct(percentile(pairs, 75))}), pooled over all slices ${pct(pooled)}.`,
    '',
    `| GET /api/v2/users/me (SQLite), ${ROUNDS} rounds of 3 s | slices (per second) | median per second | non-200 |`,
    '|---|---|---|---|',
    `| metering and rate limits off | ${off.map((r) => fmt(r.requestsPerSecond)).join(', ')} | ${fmt(median(off.map((r) => r.requestsPerSecond)))} | ${sum(off, (r) => r.non2xx)} |`,
    `| metering and rate limits on | ${on.map((r) => fmt(r.requestsPerSecond)).join(', ')} | ${fmt(median(on.map((r) => r.requestsPerSecond)))} | ${sum(on, (r) => r.non2xx)} |`,
    '',
    `Throughput overhead per pair: ${pairs.map(pct).join(', ')}.`,
    '',
    '| server CPU per request (µs) | slices | median |',
    '|---|---|---|',
    `| metering and rate limits off | ${off.map((r) => r.cpuMicros.toFixed(1)).join(', ')} | ${offCpu.toFixed(1)} |`,
    `| metering and rate limits on | ${on.map((r) => r.cpuMicros.toFixed(1)).join(', ')} | ${median(on.map((r) => r.cpuMicros)).toFixed(1)} |`,
    '',
    `CPU overhead per pair: ${cpuPairs.map(pct).join(', ')}; median ${pct(median(cpuPairs))}.`,
    '',
    ...work.lines,
    `That is ${pct((work.micros / offCpu) * 100)} of the server CPU of a request with both off (median ${offCpu.toFixed(1)} µs), plus ${((work.flushMs / 1000) * 100).toFixed(2)} % of each second for the flush.`,
    '',
    ...(await reportQueries()),
  ];
}
