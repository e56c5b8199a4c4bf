/**
 * Scale-out benchmark (issue 21): client-credentials tokens issued per second and authenticated
 * GET /api/v2/users/me per second with 1, 2 and 3 `gatehouse start` processes on PostgreSQL +
 * Redis behind HAProxy (deploy/haproxy.cfg), beside the embedded single process (SQLite, no
 * balancer), in one run. Needs GATEHOUSE_BENCH_DATABASE_URL, GATEHOUSE_BENCH_REDIS_URL and
 * /usr/sbin/haproxy; otherwise only the embedded row is measured, with a note.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGatehouse, fmt, freePort, freshPostgresSchema, HIGH_LIMITS_ENV, type LoadResult, measure } from './lib.ts';

export const name = 'processes';

const ROOT = join(import.meta.dirname, import.meta.url.endsWith('.js') ? '../..' : '..');
const PG_URL = process.env.GATEHOUSE_BENCH_DATABASE_URL;
const REDIS_URL = process.env.GATEHOUSE_BENCH_REDIS_URL;
const HAPROXY = '/usr/sbin/haproxy';
const FORM = 'application/x-www-form-urlencoded';

/** Starts `gatehouse start` and resolves with its printed output once it runs. */
function startProcess(port: number, env: Record<string, string>): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'gatehouse.js'), 'start', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/Gatehouse is running[^\n]*\n\n/.test(out) || /client secret: \S+\n/.test(out)) {
        clearInterval(timer);
        resolve({ child, out: () => out });
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`gatehouse exited ${code}: ${out}`));
    });
  });
}

/** deploy/haproxy.cfg with only the first `n` server lines. */
function balancerConfig(n: number): string {
  const lines = readFileSync(join(ROOT, 'deploy', 'haproxy.cfg'), 'utf8').split('\n');
  const kept = lines.filter((l) => {
    const m = /^\s*server gh(\d+)/.exec(l);
    return !m || Number(m[1]) <= n;
  });
  const file = join(mkdtempSync(join(tmpdir(), 'gh-bench-lb-')), 'haproxy.cfg');
  writeFileSync(file, kept.join('\n'));
  return file;
}

async function measureEndpoints(url: string, clientId: string, secret: string) {
  const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  const headers = { authorization: basic, 'content-type': FORM };
  const res = await fetch(`${url}/oauth/token`, { method: 'POST', headers, body: 'grant_type=client_credentials' });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  const token = ((await res.json()) as { access_token: string }).access_token;
  const tokens = await measure({
    url: `${url}/oauth/token`,
    method: 'POST',
    headers,
    body: 'grant_type=client_credentials',
  });
  const me = await measure({ url: `${url}/api/v2/users/me`, headers: { authorization: `Bearer ${token}` } });
  return { tokens, me };
}

async function measureProcesses(n: number, databaseUrl: string) {
  const ports = await Promise.all(Array.from({ length: n }, freePort));
  const lbPort = await freePort();
  const env = {
    ...HIGH_LIMITS_ENV,
    GATEHOUSE_DATABASE_URL: databaseUrl,
    GATEHOUSE_REDIS_URL: REDIS_URL!,
    GATEHOUSE_LOG_LEVEL: 'warn',
    GATEHOUSE_TRUST_PROXY: '127.0.0.1',
    GATEHOUSE_DRAIN_SECONDS: '0',
  };
  const procs: { child: ChildProcess; out: () => string }[] = [];
  let haproxy: ChildProcess | undefined;
  try {
    // The first process migrates and seeds; the others start after it.
    procs.push(await startProcess(ports[0]!, env));
    for (const p of ports.slice(1)) procs.push(await startProcess(p, env));
    const out = procs[0]!.out();
    const clientId = /client id:\s+(\S+)/.exec(out)?.[1];
    const secret = /client secret:\s+(\S+)/.exec(out)?.[1];
    if (!clientId || !secret) throw new Error(`no demo credentials printed: ${out}`);
    const lbEnv: Record<string, string> = { GATEHOUSE_LB_BIND: `127.0.0.1:${lbPort}` };
    for (const [i, p] of ports.entries()) lbEnv[`GATEHOUSE_${i + 1}`] = `127.0.0.1:${p}`;
    haproxy = spawn(HAPROXY, ['-db', '-f', balancerConfig(n)], { stdio: 'ignore', env: { ...process.env, ...lbEnv } });
    const lb = `http://127.0.0.1:${lbPort}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${lb}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (i > 200) throw new Error('the balancer never answered');
      await new Promise((r) => setTimeout(r, 50));
    }
    // rise 2 × inter 500 ms: every server is up after about a second.
    await new Promise((r) => setTimeout(r, 1_500));
    return await measureEndpoints(lb, clientId, secret);
  } finally {
    haproxy?.kill('SIGKILL');
    for (const p of procs) p.child.kill('SIGKILL');
  }
}

export async function run(): Promise<string[]> {
  const rows: string[] = [];
  const row = (label: string, r: { tokens: LoadResult; me: LoadResult }) =>
    `| ${label} | ${fmt(r.tokens.requestsPerSecond)} | ${r.tokens.p99} | ${fmt(r.me.requestsPerSecond)} | ${r.me.p99} | ${r.tokens.non2xx + r.me.non2xx} | ${r.tokens.errors + r.me.errors} |`;

  const embedded = await bootGatehouse();
  try {
    rows.push(
      row(
        'embedded: 1 process, SQLite, no balancer',
        await measureEndpoints(embedded.url, embedded.demo.clientId, embedded.demo.clientSecret),
      ),
    );
  } finally {
    await embedded.gh.close();
  }
  const notes: string[] = [];
  if (!PG_URL || !REDIS_URL || !existsSync(HAPROXY)) {
    notes.push(
      '',
      'Scaled-out rows skipped: set GATEHOUSE_BENCH_DATABASE_URL and GATEHOUSE_BENCH_REDIS_URL and install haproxy.',
    );
  } else {
    for (const n of [1, 2, 3]) {
      const schema = await freshPostgresSchema(PG_URL);
      try {
        rows.push(
          row(`${n} process${n > 1 ? 'es' : ''}, PostgreSQL + Redis, HAProxy`, await measureProcesses(n, schema.url)),
        );
      } finally {
        await schema.drop();
      }
    }
  }
  return [
    '| setup | tokens/s | tokens p99 ms | users/me/s | users/me p99 ms | non-2xx | errors |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    ...notes,
  ];
}
