/**
 * Benchmark helpers: autocannon runs in a child process (its own core on this 2-core machine)
 * against servers in this process, on loopback only, for a fixed time, and stops by itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Gatehouse } from '../src/app.ts';
import type { DemoCredentials } from '../src/demo.ts';

/**
 * Benchmarks measure the compiled server (`npm start` runs it; tsx costs ~15 % at run time):
 * `npm run bench` builds dist/ first. Without it they fall back to the sources.
 */
const HERE = import.meta.dirname;
const SELF_COMPILED = import.meta.url.endsWith('.js');
const compiled = (name: string) =>
  SELF_COMPILED ? join(HERE, '..', 'src', `${name}.js`) : join(HERE, '..', 'dist', 'src', `${name}.js`);
const module = (name: string) => (existsSync(compiled(name)) ? compiled(name) : join(HERE, '..', 'src', `${name}.ts`));
const { createGatehouse, listenOnLoopback } = (await import(module('app'))) as typeof import('../src/app.ts');
const { loadConfig } = (await import(module('config'))) as typeof import('../src/config.ts');
const { seedDemo } = (await import(module('demo'))) as typeof import('../src/demo.ts');
/** A module of src/ (compiled when built), e.g. `importSource('storage/db')`. */
export const importSource = (name: string): Promise<unknown> => import(module(name));
export const RUNS_COMPILED = existsSync(compiled('app'));
const AUTOCANNON = join(HERE, SELF_COMPILED ? '../..' : '..', 'node_modules', 'autocannon', 'autocannon.js');

export interface LoadResult {
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
}

export interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  seconds?: number;
  connections?: number;
}

export function load(o: LoadOptions): Promise<LoadResult> {
  const seconds = o.seconds ?? 10;
  const args = [
    AUTOCANNON,
    '--json',
    '-c',
    String(o.connections ?? 50),
    '-d',
    String(seconds),
    '-m',
    o.method ?? 'GET',
  ];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (o.body) args.push('-b', o.body);
  args.push(o.url);
  return new Promise((resolve, reject) => {
    // BENCH_PIN_LOAD=<cpu>: the load generator on that core only (docs/benchmarks.md).
    const pinned = process.env.BENCH_PIN_LOAD;
    const child = pinned
      ? spawn('taskset', ['-c', pinned, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    // 'close', not 'exit': the JSON may still be in the pipe when the process exits.
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.trim()}`));
      const r = JSON.parse(out);
      // Only 200s count as served; anything else is a failure to report.
      const ok = (r.statusCodeStats?.['200']?.count as number | undefined) ?? 0;
      resolve({
        requestsPerSecond: ok / seconds,
        ok,
        non2xx: r.non2xx + r['2xx'] - ok,
        errors: r.errors + r.timeouts,
        p50: r.latency.p50,
        p99: r.latency.p99,
      });
    });
  });
}

/** A 2 s warm-up (discarded), then the measured run. */
export async function measure(o: LoadOptions): Promise<LoadResult> {
  await load({ ...o, seconds: 2 });
  return load(o);
}

/**
 * A fresh, empty PostgreSQL schema on the server at `baseUrl`, reached through
 * `?options=-c search_path=…` (as test/helpers/dialects.ts does); `drop` removes it.
 */
export async function freshPostgresSchema(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = `gh_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

/**
 * Every rate limit active but far above what one run can reach: the measured path includes the
 * limiter's work, and no request is refused (defaults such as 300 tokens a minute would be).
 */
export const HIGH_LIMITS_ENV: Record<string, string> = {
  GATEHOUSE_RATE_LIMIT_CLIENT: '1000000',
  GATEHOUSE_RATE_LIMIT_USER_CLIENT: '1000000',
  GATEHOUSE_RATE_LIMIT_USER: '1000000',
  GATEHOUSE_RATE_LIMIT_ORG: '1000000',
  GATEHOUSE_RATE_LIMIT_TOKEN: '1000000',
};

export async function bootGatehouse(
  databaseUrl?: string,
  extra: { env?: Record<string, string>; options?: Parameters<typeof createGatehouse>[1] } = {},
): Promise<{ gh: Gatehouse; url: string; demo: DemoCredentials }> {
  // Without a URL: a temporary SQLite file, removed when the server closes.
  const dir = databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const url = databaseUrl ?? `sqlite:${join(dir!, 'gatehouse.db')}`;
  const gh = await createGatehouse(
    loadConfig({ port: '0', 'database-url': url, 'log-level': 'silent' }, extra.env ?? HIGH_LIMITS_ENV),
    { logger: false, ...extra.options },
  );
  if (dir) {
    const close = gh.close.bind(gh);
    gh.close = async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const demo = (await seedDemo(gh.directory, gh.oauth, 'bench password'))!;
  return { gh, demo, url: await listenOnLoopback(gh.app) };
}

/** A TCP port free on the loopback right now (for a server started as another process). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export { listenOnLoopback };

/** As large as a token response (a 366-character token): what the bare POST answers. */
const BARE_TOKEN_ANSWER = { access_token: 'x'.repeat(366), token_type: 'bearer', expires_in: 86_400 };

/**
 * The references every ratio is read against: a bare Fastify GET route, and a bare POST with the
 * token request's form body and Basic header, answered with a token-sized body and no other work.
 */
export async function bareReferences(): Promise<{ get: LoadOptions; post: LoadOptions; close(): Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ ok: true }));
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  bare.post('/bare-post', async () => BARE_TOKEN_ANSWER);
  const url = await listenOnLoopback(bare);
  return {
    get: { url: `${url}/bare` },
    post: {
      url: `${url}/bare-post`,
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: {
        authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
    },
    close: () => bare.close(),
  };
}
