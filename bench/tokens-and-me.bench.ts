/**
 * Foundation benchmark (issue 22): client-credentials tokens issued per second, authenticated
 * GET /api/v2/users/me and the other hot reads the SDKs poll, each beside a bare Fastify route
 * that does no work (the practical limit of this machine), in the same run. Every rate limit is
 * on (out of reach) and metering is on. users/me also runs on PostgreSQL when
 * GATEHOUSE_BENCH_DATABASE_URL names a server (a fresh schema is made and dropped).
 * TOKENS_AND_ME=quick measures only the bare GET, tokens and users/me; TOKENS_AND_ME=only:a,b the bare
 * GET and POST and the named hot reads (keys of bench/hot-reads.ts, e.g. only:oauth-clients,conversation).
 */
import { loadavg } from 'node:os';
import { bareReferences, bootGatehouse, fmt, freshPostgresSchema, type LoadResult, measure } from './lib.ts';
import { hotReads } from './hot-reads.ts';

export const name = 'tokens-and-me';

const PG_URL = process.env.GATEHOUSE_BENCH_DATABASE_URL;
const QUICK = process.env.TOKENS_AND_ME === 'quick';
const ONLY = process.env.TOKENS_AND_ME?.startsWith('only:')
  ? new Set(process.env.TOKENS_AND_ME.slice('only:'.length).split(','))
  : undefined;

/** Boots Gatehouse on `databaseUrl` (a temporary SQLite file when absent) and measures `keys`. */
async function measureGatehouse(databaseUrl: string | undefined, keys: (key: string) => boolean) {
  const { gh, url, demo } = await bootGatehouse(databaseUrl);
  try {
    const results: { label: string; result: LoadResult }[] = [];
    for (const read of await hotReads(gh, url, demo)) {
      if (keys(read.key)) results.push({ label: read.label, result: await measure(read.request) });
    }
    return results;
  } finally {
    await gh.close();
  }
}

/**
 * Each POST beside the bare POST: a POST reads a request body, which a GET does not, so this is how
 * much of the POST's own ceiling the route reaches (token issuance, the details query).
 */
function postsAgainstBarePost(basePost: LoadResult | undefined, rows: { label: string; result: LoadResult }[]) {
  const posts = rows.filter((r) => r.label.startsWith('POST '));
  if (!basePost || posts.length === 0) return [];
  const ratio = (r: LoadResult) => (r.requestsPerSecond / basePost.requestsPerSecond).toFixed(2);
  return ['', ...posts.map((r) => `${r.label.split(' (')[0]} / bare POST: ${ratio(r.result)} ×.`)];
}

const loadAverage = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');

export async function run(): Promise<string[]> {
  const loadBefore = loadAverage();
  const bare = await bareReferences();
  const base = await measure(bare.get);
  const basePost = QUICK ? undefined : await measure(bare.post);
  await bare.close();

  const quick = new Set(['tokens', 'users-me']);
  const sqlite = await measureGatehouse(undefined, (k) => (ONLY ? ONLY.has(k) : !QUICK || quick.has(k)));
  let postgres: { label: string; result: LoadResult }[] = [];
  if (PG_URL && !ONLY) {
    const schema = await freshPostgresSchema(PG_URL);
    try {
      postgres = await measureGatehouse(schema.url, (k) => k === 'users-me');
    } finally {
      await schema.drop();
    }
  }
  const loadAfter = loadAverage();

  const ratio = (r: LoadResult) => r.requestsPerSecond / base.requestsPerSecond;
  const row = (label: string, r: LoadResult) =>
    `| ${label} | ${fmt(r.requestsPerSecond)} | ${ratio(r).toFixed(2)} × | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`;
  return [
    `Load average (1 / 5 / 15 min) before the run: ${loadBefore}; after: ${loadAfter}.`,
    '',
    '| what | per second (200s) | vs bare route | p50 ms | p99 ms | non-200 | socket errors |',
    '|---|---|---|---|---|---|---|',
    row('bare Fastify route (no work)', base),
    ...(basePost ? [row('bare Fastify POST (a form body, a token-sized answer; no work)', basePost)] : []),
    ...sqlite.map((r) => row(`${r.label} (SQLite)`, r.result)),
    ...postgres.map((r) => row(`${r.label} (PostgreSQL)`, r.result)),
    ...postsAgainstBarePost(basePost, sqlite),
    ...(PG_URL
      ? []
      : [
          '',
          'PostgreSQL skipped: set GATEHOUSE_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run users/me on it.',
        ]),
  ];
}
