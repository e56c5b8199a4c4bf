/**
 * Nothing secret reaches a log line or an audit event (@see issue 16, "Proof"): the main flows
 * (client credentials, console and authorize-page logins, a failed login, user creation with a
 * password, client secrets and their regeneration, the code flow with refresh, token revocation,
 * an audit stream's secret and delivery, a SAML response posted to the ACS) run against a server
 * logging at trace level; then every log line and every audit event is searched for each
 * secret, password, token, cookie, key and assertion the run used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type DemoCredentials, seedDemo } from '../../src/demo.ts';
import { serverKeysNamed } from '../../src/platform/server-keys.ts';
import type { TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const ADMIN_PASSWORD = 'scan admin passphrase 7319';
const USER_PASSWORD = 'scan user passphrase 4482';
const WRONG_PASSWORD = 'scan wrong passphrase 9051';
const MASTER_KEY = `scan-master-key-${randomBytes(16).toString('hex')}`;
const REDIRECT = 'https://scan.example/cb';

describe.each(DIALECTS)('secrets in logs and audit events on %s', (dialect) => {
  let gh: Gatehouse;
  let url: string;
  let db: FreshDatabase;
  let demo: DemoCredentials;
  const lines: string[] = [];
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string | null | undefined) => {
    expect(value, what).toBeTruthy();
    secrets.set(what, value!);
  };

  beforeAll(async () => {
    db = await freshDatabase(dialect);
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = loadConfig(
      { 'database-url': db.url, 'log-level': 'trace' },
      { GATEHOUSE_MASTER_KEY: MASTER_KEY, GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE: 'true' },
    );
    gh = await createGatehouse(config, { logStream: stream, streamIntervalMs: 50 });
    url = await listenOnLoopback(gh.app);
    demo = (await seedDemo(gh.directory, gh.oauth, ADMIN_PASSWORD))!;
  });
  afterAll(async () => {
    await gh?.close();
    await db?.drop();
  });

  const call = async (
    path: string,
    init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + path, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: text.startsWith('{') ? JSON.parse(text) : undefined,
    };
  };
  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });

  it('runs the main flows, then finds none of their secrets in the logs or the audit trail', async () => {
    keep('admin password', ADMIN_PASSWORD);
    keep('wrong password', WRONG_PASSWORD);
    keep('master key', MASTER_KEY);
    keep('demo client secret', demo.clientSecret);
    const basic = Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64');
    keep('basic credentials', basic);
    const cc = await call(
      '/oauth/token',
      form({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` }),
    );
    const admin = cc.body.access_token as string;
    keep('client-credentials token', admin);

    // Console: a failed and a good password login; the session cookie and its CSRF token.
    expect(
      (
        await call('/console/api/session', {
          method: 'POST',
          body: { email: demo.adminEmail, password: WRONG_PASSWORD },
        })
      ).status,
    ).toBe(401);
    const login = await call('/console/api/session', {
      method: 'POST',
      body: { email: demo.adminEmail, password: ADMIN_PASSWORD },
    });
    expect(login.status).toBe(200);
    keep('console session', login.headers.get('set-cookie')!.split(';')[0].split('=')[1]);
    keep('console CSRF token', login.body.csrfToken);

    // A user with a password; a client with its secret, regenerated.
    const user = await call('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Scan User', email: 'scan.user@example.com', password: USER_PASSWORD },
    });
    expect(user.status).toBe(200);
    keep('user password', USER_PASSWORD);
    const app = await call('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Scan app',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [REDIRECT],
        scope: ['users:readonly'],
      },
    });
    keep('code client secret', app.body.secret);
    const regenerated = await call(`/api/v2/oauth/clients/${app.body.id}/secret`, { method: 'POST', token: admin });
    keep('regenerated client secret', regenerated.body.secret);

    // The code flow in the authorize pages, the code exchange and a refresh.
    const verifier = randomBytes(48).toString('base64url');
    keep('PKCE verifier', verifier);
    const t = { url } as TestApp;
    const flow = await new AuthorizeSession(t).authorize(
      {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      },
      { email: demo.adminEmail, password: ADMIN_PASSWORD },
    );
    const code = new URL(flow.location!).searchParams.get('code')!;
    keep('authorization code', code);
    const appBasic = Buffer.from(`${app.body.id}:${regenerated.body.secret}`).toString('base64');
    const tokens = await call(
      '/oauth/token',
      form(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
        { authorization: `Basic ${appBasic}` },
      ),
    );
    keep('user access token', tokens.body.access_token);
    keep('refresh token', tokens.body.refresh_token);
    const refreshed = await call(
      '/oauth/token',
      form(
        { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token },
        { authorization: `Basic ${appBasic}` },
      ),
    );
    keep('refreshed access token', refreshed.body.access_token);
    expect(
      (await call('/api/v2/tokens/me', { method: 'DELETE', token: refreshed.body.access_token })).status,
    ).toBeLessThan(300);
    // A refused bearer token is not logged either.
    const forged = `${admin.slice(0, -6)}AAAAAA`;
    keep('refused token', forged);
    expect((await call('/api/v2/users/me', { token: forged })).status).toBe(401);

    // An audit stream: its secret, and a delivery.
    const receiver = await startReceiver();
    try {
      const stream = await call('/api/v2/audits/streams', {
        method: 'POST',
        token: admin,
        body: { name: 'Scan', url: receiver.url },
      });
      keep('audit stream secret', stream.body.secret);
      await call('/api/v2/authorization/roles', { method: 'POST', token: admin, body: { name: 'Scan role' } });
      await receiver.waitFor(() => receiver.received.length > 0);
    } finally {
      await receiver.close();
    }

    // A SAML response posted to the ACS (refused: no provider), and one to the SAML2-bearer grant.
    const assertion = `<saml:Assertion ID="scan-${randomBytes(8).toString('hex')}">secret-assertion</saml:Assertion>`;
    const samlResponse = Buffer.from(`<samlp:Response>${assertion}</samlp:Response>`).toString('base64');
    keep('SAML response', samlResponse);
    await call(`/saml/${demo.orgId}/acs`, form({ SAMLResponse: samlResponse, RelayState: 'r' }));
    await call(
      '/oauth/token',
      form(
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
          assertion: Buffer.from(assertion).toString('base64url'),
        },
        { authorization: `Basic ${basic}` },
      ),
    );
    keep('SAML assertion (base64url)', Buffer.from(assertion).toString('base64url'));

    // Server keys, unsealed, are secrets too.
    for (const k of await serverKeysNamed(gh.storage.db, '')) keep(`server key ${k.name}`, k.value);

    await gh.streaming.streams.flush();
    const log = lines.join('');
    expect(log).toContain('/oauth/token');
    const events = await gh.storage.db.selectFrom('audit_events').selectAll().execute();
    expect(events.length).toBeGreaterThan(3);
    const trail = JSON.stringify(events);
    for (const [what, value] of secrets) {
      expect(log.includes(value), `${what} in the log`).toBe(false);
      expect(trail.includes(value), `${what} in an audit event`).toBe(false);
    }
  });
});
