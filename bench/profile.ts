/**
 * CPU profile of one hot endpoint under load (not a benchmark: run.ts skips it). Boots Gatehouse
 * in this process as the benchmarks do, puts 10 s of autocannon load on one endpoint from a child
 * process, and prints the functions with the most self time, grouped by where they live.
 *
 *   npm run build && node dist/bench/profile.js users-me /tmp/users-me.cpuprofile
 *   node dist/bench/profile.js --summarize /tmp/users-me.cpuprofile
 *
 * Only the measured load is profiled (through the inspector), not the boot, seeding or warm-up;
 * the .cpuprofile opens in Chrome DevTools or speedscope for a flame graph.
 *
 * Endpoints: bare and bare-post (bare Fastify routes, for comparison), tokens, users-me
 * (GATEHOUSE_BENCH_DATABASE_URL set: on PostgreSQL), organizations-me, oauth-clients, user-by-id,
 * conversation, analytics-details.
 *
 *   node dist/bench/profile.js --cpu bare,bare-post,tokens [rounds]
 *
 * measures server CPU per request without the profiler (which adds to it), the endpoints taking
 * turns for `rounds` rounds (default 2) of 6 s each. Under `taskset -c 0` with BENCH_PIN_LOAD=1 the
 * server and the load generator each have a core of their own (docs/benchmarks.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { bareReferences, bootGatehouse, load } from './lib.ts';
import { type HotRead, hotReads } from './hot-reads.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: node internals, a dependency, Gatehouse, or the engine itself. */
function placeOf(url: string): string {
  if (!url) return '(engine)';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  if (url.startsWith('node:')) return 'node';
  const own = /\/(src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2].replace(/\.js$/, '')}` : url;
}

export function summarize(path: string, top = 30): string[] {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  // Inclusive time of Gatehouse's functions: each sample counted once per function on its stack.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      const place = placeOf(url);
      if (!place.startsWith('src/') && !place.startsWith('fastify')) continue;
      const fn = `${functionName || '(anonymous)'} ${place}:${lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
    }
  }
  const byFn = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const place = placeOf(url);
    const fn = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const group = place.startsWith('src/') ? `gatehouse ${place.split('/').slice(0, 3).join('/')}` : place;
    byPlace.set(group, (byPlace.get(group) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)} %`;
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `| ${pct(us)} | ${k} |`);
  return [
    `${(total / 1e6).toFixed(1)} s sampled`,
    '',
    '| self time | where |',
    '|---|---|',
    ...rows(byPlace, 20),
    '',
    '| self time | function |',
    '|---|---|',
    ...rows(byFn, top),
    '',
    '| inclusive time | Gatehouse or Fastify function |',
    '|---|---|',
    ...rows(inclusive, top),
  ];
}

/** Load on one endpoint for `seconds`; answers what it served and the server CPU it took (this process). */
async function measured(read: HotRead, seconds: number) {
  const cpu = process.cpuUsage();
  const r = await load({ ...read.request, seconds });
  const used = process.cpuUsage(cpu);
  const perRequest = (us: number) => (us / Math.max(1, r.ok)).toFixed(1);
  return (
    `${read.label}: ${Math.round(r.requestsPerSecond)} per second, non-200 ${r.non2xx}; ` +
    `server CPU per request ${perRequest(used.user + used.system)} µs ` +
    `(user ${perRequest(used.user)}, system ${perRequest(used.system)})`
  );
}

async function profiled(read: HotRead, out: string) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  console.log(await measured(read, Number(process.env.PROFILE_SECONDS ?? 10)));
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(out, JSON.stringify(profile));
  console.log(summarize(out).join('\n'));
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--summarize') {
    console.log(summarize(args[1], Number(args[2] ?? 30)).join('\n'));
    return;
  }
  const cpuOnly = args[0] === '--cpu';
  const wanted = ((cpuOnly ? args[1] : args[0]) ?? 'users-me').split(',');
  const { gh, url, demo } = await bootGatehouse(process.env.GATEHOUSE_BENCH_DATABASE_URL);
  const bare = await bareReferences();
  try {
    const reads: HotRead[] = [
      { key: 'bare', label: 'bare Fastify route', request: bare.get },
      { key: 'bare-post', label: 'bare Fastify POST (a form body, a token-sized answer)', request: bare.post },
      ...(await hotReads(gh, url, demo)),
    ];
    const targets = wanted.map((what) => {
      const target = reads.find((r) => r.key === what);
      if (!target) throw new Error(`unknown endpoint ${what}: one of ${reads.map((r) => r.key).join(', ')}`);
      return target;
    });
    if (!cpuOnly) {
      await load({ ...targets[0]!.request, seconds: 2 });
      return await profiled(targets[0]!, args[1] ?? `/tmp/gatehouse-${wanted[0]}.cpuprofile`);
    }
    for (let round = 1; round <= Number(args[2] ?? 2); round++) {
      for (const target of targets) {
        await load({ ...target.request, seconds: 2 });
        console.log(`round ${round}: ${await measured(target, 6)}`);
      }
    }
  } finally {
    await bare.close();
    await gh.close();
  }
}

if (process.argv[1]?.includes('profile')) await main().then(() => process.exit(0));
