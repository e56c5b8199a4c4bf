/**
 * The hot requests of issue 22, ready to put load on: client-credentials token issuance and the
 * reads the SDKs poll, each with a bearer token of the demo client-credentials client (which acts
 * as its service-account user with the admin role). Adds one day of simulated contact-center
 * traffic so a conversation and its analytics details exist; checks every request answers 200.
 */
import type { Gatehouse } from '../src/app.ts';
import type { DemoCredentials } from '../src/demo.ts';
import { importSource, type LoadOptions } from './lib.ts';

export interface HotRead {
  key: string;
  label: string;
  request: LoadOptions;
}

const FORM = 'application/x-www-form-urlencoded';
const { simulateTraffic } = (await importSource('contact-center')) as typeof import('../src/contact-center.ts');

async function call(r: LoadOptions): Promise<unknown> {
  const res = await fetch(r.url, { method: r.method ?? 'GET', headers: r.headers, body: r.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${r.method ?? 'GET'} ${r.url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

export async function hotReads(gh: Gatehouse, url: string, demo: DemoCredentials): Promise<HotRead[]> {
  const basic = `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`;
  const tokenRequest: LoadOptions = {
    url: `${url}/oauth/token`,
    method: 'POST',
    body: 'grant_type=client_credentials',
    headers: { authorization: basic, 'content-type': FORM },
  };
  const token = ((await call(tokenRequest)) as { access_token: string }).access_token;
  const bearer = { authorization: `Bearer ${token}` };
  const get = (path: string): LoadOptions => ({ url: `${url}${path}`, headers: bearer });

  await simulateTraffic({ ...gh, clock: { now: () => new Date() } }, demo.orgId, {
    days: 1,
    peakPerHour: 20,
    seed: 22,
    live: false,
  });
  const me = (await call(get('/api/v2/users/me'))) as { id: string };
  const now = Date.now();
  const interval = `${new Date(now - 86_400_000 - 3_600_000).toISOString()}/${new Date(now).toISOString()}`;
  const details = (body: unknown): LoadOptions => ({
    url: `${url}/api/v2/analytics/conversations/details/query`,
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const day = (await call(details({ interval, paging: { pageSize: 1, pageNumber: 1 } }))) as {
    conversations?: { conversationId: string }[];
  };
  const conversationId = day.conversations?.[0]?.conversationId;
  if (!conversationId) throw new Error('the simulated day has no conversation');
  const oneConversation = details({
    interval,
    conversationFilters: [
      { type: 'and', predicates: [{ type: 'dimension', dimension: 'conversationId', value: conversationId }] },
    ],
  });

  const reads: HotRead[] = [
    { key: 'tokens', label: 'POST /oauth/token (client credentials)', request: tokenRequest },
    { key: 'users-me', label: 'GET /api/v2/users/me', request: get('/api/v2/users/me') },
    { key: 'organizations-me', label: 'GET /api/v2/organizations/me', request: get('/api/v2/organizations/me') },
    { key: 'oauth-clients', label: 'GET /api/v2/oauth/clients', request: get('/api/v2/oauth/clients') },
    { key: 'user-by-id', label: 'GET /api/v2/users/{id}', request: get(`/api/v2/users/${me.id}`) },
    {
      key: 'conversation',
      label: 'GET /api/v2/conversations/{id}',
      request: get(`/api/v2/conversations/${conversationId}`),
    },
    {
      key: 'analytics-details',
      label: 'POST /api/v2/analytics/conversations/details/query (one conversation)',
      request: oneConversation,
    },
  ];
  for (const r of reads.slice(1)) {
    const body = await call(r.request);
    if (r.key === 'analytics-details' && (body as { totalHits?: number }).totalHits !== 1)
      throw new Error(`the one-conversation details query found ${JSON.stringify(body).slice(0, 200)}`);
  }
  return reads;
}
