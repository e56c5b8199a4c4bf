/**
 * Cold start and idle memory (issue 22): `gatehouse start` as an operator runs it (the compiled
 * server, info logging to a pipe, the demo organization and its simulated traffic seeded on the
 * first start). The first start makes the store; then it is started again five times on that
 * existing store, each time measuring from spawn to the first 200 from /health, and the resident
 * memory (VmRSS) 10 s after that, idle. Targets: cold start under 1 s, idle RSS under 120 MB.
 * It also gives the server's own CPU time up to that first 200 (user + system, every thread, from
 * /proc): on a loaded machine the wall-clock start mostly measures the wait for a core, the CPU
 * time much less so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './lib.ts';

export const name = 'startup';

const ROOT = join(import.meta.dirname, import.meta.url.endsWith('.js') ? '../..' : '..');
const RESTARTS = 5;
const IDLE_MS = 10_000;

/** User + system CPU time of the process so far, all threads, in ms (/proc/<pid>/stat, 100 Hz ticks). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

const rssMb = (pid: number) => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

/** Spawns `gatehouse start` and resolves once /health answers 200, with the time that took. */
async function start(dataDir: string): Promise<{ child: ChildProcess; ms: number; cpu: number }> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'gatehouse.js'), 'start', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_DRAIN_SECONDS: '0', GATEHOUSE_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  for (;;) {
    if (exited !== null) throw new Error(`gatehouse exited ${exited}: ${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { child, ms: performance.now() - began, cpu: cpuMs(child.pid!) };
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function stop(child: ChildProcess) {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<string[]> {
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
  try {
    const first = await start(dataDir);
    // The first start seeds the demo organization after it listens: let it finish.
    await new Promise((r) => setTimeout(r, 5_000));
    await stop(first.child);
    const starts: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const { child, ms, cpu: used } = await start(dataDir);
      starts.push(ms);
      cpu.push(used);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      rss.push(rssMb(child.pid!));
      await stop(child);
    }
    const list = (xs: number[], digits: number) => xs.map((x) => x.toFixed(digits)).join(', ');
    return [
      `Load average (1 / 5 / 15 min) before the run: ${load}.`,
      '',
      '| measurement | median | runs | target |',
      '|---|---|---|---|',
      `| cold start on an existing store (spawn → first 200 from /health), ms | ${median(starts).toFixed(0)} | ${list(starts, 0)} | < 1,000 |`,
      `| server CPU time to that first 200 (user + system), ms | ${median(cpu).toFixed(0)} | ${list(cpu, 0)} | |`,
      `| idle RSS ${IDLE_MS / 1000} s after start, MB | ${median(rss).toFixed(1)} | ${list(rss, 1)} | < 120 |`,
      '',
      `First start (a new store: migrations, keys, the demo organization): ${first.ms.toFixed(0)} ms to /health.`,
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
