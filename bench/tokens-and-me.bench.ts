/**
 * Foundation benchmark: client-credentials tokens issued per second and authenticated
 * GET /api/v2/users/me per second, each beside a bare Fastify route that does no work
 * (the practical limit of this machine), in the same run. users/me also runs on PostgreSQL when
 * GATEHOUSE_BENCH_DATABASE_URL names a server (a fresh schema is made and dropped).
 */
import Fastify from 'fastify';
import { bootGatehouse, fmt, freshPostgresSchema, type LoadResult, listenOnLoopback, measure } from './lib.ts';

export const name = 'tokens-and-me';

const PG_URL = process.env.GATEHOUSE_BENCH_DATABASE_URL;
const FORM = 'application/x-www-form-urlencoded';

/** Boots Gatehouse on `databaseUrl` (a temporary SQLite file when absent) and measures it. */
async function measureGatehouse(databaseUrl: string | undefined, withTokens: boolean) {
  const { gh, url, demo } = await bootGatehouse(databaseUrl);
  try {
    const basic = `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`;
    const tokenReq = {
      url: `${url}/oauth/token`,
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: { authorization: basic, 'content-type': FORM },
    };
    const res = await fetch(tokenReq.url, { method: 'POST', headers: tokenReq.headers, body: tokenReq.body });
    if (res.status !== 200) throw new Error(`POST /oauth/token answered ${res.status}: ${await res.text()}`);
    const token = ((await res.json()) as { access_token: string }).access_token;
    const meUrl = `${url}/api/v2/users/me`;
    const check = await fetch(meUrl, { headers: { authorization: `Bearer ${token}` } });
    if (check.status !== 200) throw new Error(`GET /api/v2/users/me answered ${check.status}: ${await check.text()}`);

    const tokens = withTokens ? await measure(tokenReq) : undefined;
    const me = await measure({ url: meUrl, headers: { authorization: `Bearer ${token}` } });
    return { tokens, me };
  } finally {
    await gh.close();
  }
}

export async function run(): Promise<string[]> {
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ ok: true }));
  const base = await measure({ url: `${await listenOnLoopback(bare)}/bare` });
  await bare.close();

  const sqlite = await measureGatehouse(undefined, true);
  let postgres: LoadResult | undefined;
  if (PG_URL) {
    const schema = await freshPostgresSchema(PG_URL);
    try {
      postgres = (await measureGatehouse(schema.url, false)).me;
    } finally {
      await schema.drop();
    }
  }

  const ratio = (r: LoadResult) => r.requestsPerSecond / base.requestsPerSecond;
  const row = (label: string, r: LoadResult) =>
    `| ${label} | ${fmt(r.requestsPerSecond)} | ${ratio(r).toFixed(2)} × | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`;
  return [
    '| what | per second (200s) | vs bare route | p50 ms | p99 ms | non-200 | socket errors |',
    '|---|---|---|---|---|---|---|',
    row('bare Fastify route (no work)', base),
    row('POST /oauth/token (client credentials, SQLite)', sqlite.tokens!),
    row('GET /api/v2/users/me (bearer, SQLite)', sqlite.me),
    ...(postgres ? [row('GET /api/v2/users/me (bearer, PostgreSQL)', postgres)] : []),
    '',
    `tokens/s ${fmt(sqlite.tokens!.requestsPerSecond)} = ${ratio(sqlite.tokens!).toFixed(2)} × bare; ` +
      `users/me/s ${fmt(sqlite.me.requestsPerSecond)} = ${ratio(sqlite.me).toFixed(2)} × bare (SQLite)` +
      (postgres ? `; ${fmt(postgres.requestsPerSecond)} = ${ratio(postgres).toFixed(2)} × bare (PostgreSQL).` : '.'),
    ...(postgres
      ? []
      : [
          '',
          'PostgreSQL skipped: set GATEHOUSE_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run users/me on it.',
        ]),
  ];
}
