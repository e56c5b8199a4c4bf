/**
 * Boots the real app on a random loopback port against a fresh database, with the demo
 * organization seeded, and gives tests an HTTP client. Closed after each test file.
 */
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type DemoCredentials, seedDemo } from '../../src/demo.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { type FreshDatabase, freshDatabase, type TestDialect } from './dialects.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  gh: Gatehouse;
  url: string;
  demo: DemoCredentials;
  /** fetch against the app; `token` adds a bearer header, a plain object body is sent as JSON. */
  api(path: string, init?: ApiInit): Promise<ApiResponse>;
  /** A client-credentials token for the demo service-account client. */
  token(clientId?: string, secret?: string): Promise<string>;
  /** A client-credentials client in the demo org holding one role (default Employee). */
  clientWithRole(name: string, role?: string, extra?: { tokenTtl?: number }): Promise<{ id: string; secret: string }>;
  close(): Promise<void>;
}

export interface ApiInit {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function startApp(
  dialect: TestDialect = 'sqlite',
  opts: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const db: FreshDatabase = await freshDatabase(dialect);
  const config = loadConfig({ port: '0', 'database-url': db.url, 'log-level': 'silent' }, opts.env ?? {});
  const gh = await createGatehouse(config, { clock: opts.clock, logger: false });
  const demo = (await seedDemo(gh.directory, gh.oauth, ADMIN_PASSWORD))!;
  const url = await listenOnLoopback(gh.app);

  async function api(path: string, init: ApiInit = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method: init.method ?? 'GET', headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  async function token(clientId = demo.clientId, secret = demo.clientSecret) {
    const res = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(json)}`);
    return json.access_token;
  }

  async function clientWithRole(name: string, role = 'Employee', extra: { tokenTtl?: number } = {}) {
    const roles = await gh.directory.roles.list(demo.orgId, { pageSize: 100, pageNumber: 1, offset: 0 }, role, {});
    const roleId = roles.entities.find((r) => r.name === role)!.id;
    const divisionId = (await gh.directory.organizations.homeDivision(demo.orgId)).id;
    const { client, secret } = await gh.oauth.clients.create(demo.orgId, null, {
      name,
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId, divisionId }],
      ...extra,
    });
    return { id: client.id, secret };
  }

  return {
    gh,
    url,
    demo,
    api,
    token,
    clientWithRole,
    async close() {
      await gh.close();
      await db.drop();
    },
  };
}

/**
 * Another Gatehouse on the same store, as a second process of a deployment would be (its own
 * caches, limiters and meter), listening on its own port.
 */
export async function secondProcess(
  t: TestApp,
  env: Record<string, string> = {},
): Promise<{ gh: Gatehouse; url: string }> {
  const config = loadConfig({ 'database-url': t.gh.config.databaseUrl, 'log-level': 'silent' }, env);
  const gh = await createGatehouse(config, { logger: false });
  return { gh, url: await listenOnLoopback(gh.app) };
}
