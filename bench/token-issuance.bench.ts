/**
 * Client-credentials token issuance: Gatehouse (SQLite store, compiled) beside
 * panva's oidc-provider configured minimally (its default in-memory adapter, opaque tokens), in
 * the same run, as a ratio. Target (OAuth issue): Gatehouse at least 2× oidc-provider.
 */
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { bootGatehouse, fmt, type LoadResult, load } from './lib.ts';

export const name = 'token-issuance';

const SECRET = 'bench-secret-that-is-long-enough-for-oidc-provider';

async function startOidcProvider() {
  const provider = new Provider('http://127.0.0.1', {
    clients: [
      {
        client_id: 'bench',
        client_secret: SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    ttl: { ClientCredentials: 3600 },
  });
  const server = provider.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

export async function run(): Promise<string[]> {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  const oidc = await startOidcProvider();
  console.warn = warn;
  console.log = log;
  const { gh, url, demo } = await bootGatehouse();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const theirsReq = {
    url: `${oidc.url}/token`,
    method: 'POST',
    body: 'grant_type=client_credentials',
    headers: { ...form, authorization: basic('bench', SECRET) },
  };
  const oursReq = {
    url: `${url}/oauth/token`,
    method: 'POST',
    body: 'grant_type=client_credentials',
    headers: { ...form, authorization: basic(demo.clientId, demo.clientSecret) },
  };
  await load({ ...theirsReq, seconds: 2 });
  await load({ ...oursReq, seconds: 2 });
  // This machine's speed drifts between runs: alternate the two servers and keep the median.
  const rounds: { theirs: LoadResult; ours: LoadResult }[] = [];
  for (let i = 0; i < 3; i++)
    rounds.push({ theirs: await load({ ...theirsReq, seconds: 6 }), ours: await load({ ...oursReq, seconds: 6 }) });
  const ratios = rounds.map((r) => r.ours.requestsPerSecond / r.theirs.requestsPerSecond).sort((a, b) => a - b);
  const median = rounds.find((r) => r.ours.requestsPerSecond / r.theirs.requestsPerSecond === ratios[1])!;
  const { theirs, ours } = median;

  await gh.close();
  await oidc.close();
  const row = (label: string, r: typeof ours) =>
    `| ${label} | ${fmt(r.requestsPerSecond)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} |`;
  return [
    '| server | tokens per second | p50 ms | p99 ms | failures |',
    '|---|---|---|---|---|',
    row('oidc-provider 9 (in-memory adapter)', theirs),
    row('Gatehouse (SQLite store; self-verifying token, nothing written)', ours),
    '',
    `Ratio Gatehouse / oidc-provider, median of 3 alternating rounds: **${ratios[1].toFixed(2)} ×** (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 2 ×).`,
  ];
}
