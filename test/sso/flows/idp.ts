/**
 * The login-flow tests' harness: a Gatehouse app whose clock follows real time with an adjustable
 * offset (pysaml2 stamps real time), the independent pysaml2 IdP (test/sso/idp/pysaml2_idp.py),
 * and helpers to configure a provider and post to the ACS as a browser would.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newId } from '../../../src/platform/ids.ts';
import { startApp, type TestApp } from '../../helpers/app.ts';
import type { TestDialect } from '../../helpers/dialects.ts';

const run = promisify(execFile);
export const KEYS = join(import.meta.dirname, '..', 'keys');
const SCRIPT = join(import.meta.dirname, '..', 'idp', 'pysaml2_idp.py');
export const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const ISSUER = 'https://idp.flows.test/saml';
export const SSO_URL = 'https://idp.flows.test/sso';
export const SLO_URL = 'https://idp.flows.test/slo';
export const USER = 'flow.user@demo.gatehouse.local';
export const pem = (name: string) => readFileSync(join(KEYS, name), 'utf8');

export interface IdpJob {
  mode?:
    | 'response'
    | 'verify-request'
    | 'expired-cert'
    | 'logout-response'
    | 'logout-request'
    | 'verify-logout-response';
  session_indexes?: string[];
  key?: string;
  cert?: string;
  issuer?: string;
  name_id?: string;
  attributes?: Record<string, string[]>;
  in_response_to?: string;
  acs?: string;
  audience?: string;
  sign_response?: boolean;
  sign_assertion?: boolean;
  encrypt?: boolean;
  encrypt_alg?: string;
  binding?: 'redirect' | 'post';
  query?: string;
  saml_request?: string;
  want_signed?: boolean;
  sp_metadata?: string;
}

export interface FlowApp {
  t: TestApp;
  admin: string;
  orgId: string;
  clock: { offsetMs: number; now(): Date };
  spMetadata: string;
  acsUrl: string;
  /** Runs the pysaml2 IdP with this job (our SP metadata and the idp.* key pair by default). */
  idp(job: IdpJob): Promise<string>;
  addProvider(body?: Record<string, unknown>): Promise<string>;
  addUser(email: string, name?: string): Promise<string>;
  acs(
    samlResponse: string,
    relayState?: string,
    orgId?: string,
  ): Promise<{ status: number; text: string; cookie: string | null; location: string | null }>;
  /** GET /saml/{orgId}/login/{providerId}: the answer, and for the Redirect binding the IdP URL's query. */
  start(
    providerId: string,
    returnTo?: string,
    cookie?: string,
  ): Promise<{
    status: number;
    text: string;
    location: string | null;
    query: URLSearchParams | null;
    rawQuery: string;
  }>;
  /** SP-initiated login through pysaml2: start, answer the AuthnRequest, post to the ACS with the RelayState. */
  spLogin(
    providerId: string,
    returnTo?: string,
    job?: IdpJob,
  ): Promise<Awaited<ReturnType<FlowApp['acs']>> & { requestId: string }>;
  /** The console session behind a session cookie, or null. */
  whoami(
    cookie: string | null,
  ): Promise<{ user: { email: string; name: string }; organization: { id: string } } | null>;
  close(): Promise<void>;
}

export async function startFlowApp(dialect: TestDialect): Promise<FlowApp> {
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  const t = await startApp(dialect, { clock });
  const admin = await t.token();
  const orgId = t.demo.orgId;
  const spMetadata = (await t.api('/api/v2/identityproviders/sp/metadata', { token: admin })).text;
  const base = t.gh.config.publicUrl;

  const app: FlowApp = {
    t,
    admin,
    orgId,
    clock,
    spMetadata,
    acsUrl: `${base}/saml/${orgId}/acs`,
    async idp(job) {
      const input = JSON.stringify({
        key: join(KEYS, 'idp.key'),
        cert: join(KEYS, 'idp.crt'),
        issuer: ISSUER,
        sso_url: SSO_URL,
        slo_url: SLO_URL,
        sp_metadata: spMetadata,
        ...job,
      });
      const child = run('/usr/bin/python3', [SCRIPT], { encoding: 'utf8', maxBuffer: 4 << 20 });
      child.child.stdin!.end(input);
      return (await child).stdout.trim();
    },
    async addProvider(body = {}) {
      const res = await t.api('/api/v2/identityproviders', {
        method: 'POST',
        token: admin,
        body: {
          name: `Flows IdP ${newId().slice(0, 6)}`,
          issuerURI: ISSUER,
          ssoTargetURI: SSO_URL,
          ssoBinding: REDIRECT,
          sloURI: SLO_URL,
          sloBinding: REDIRECT,
          certificates: [pem('idp.crt')],
          ...body,
        },
      });
      if (res.status !== 200) throw new Error(`provider: ${res.status} ${res.text}`);
      return res.body.id as string;
    },
    async addUser(email, name = 'Flow User') {
      return (await t.gh.directory.users.create(orgId, null, { name, email, password: 'a passphrase long enough' })).id;
    },
    async acs(samlResponse, relayState, org = orgId) {
      const form = new URLSearchParams({
        SAMLResponse: samlResponse,
        ...(relayState ? { RelayState: relayState } : {}),
      });
      const res = await fetch(`${t.url}/saml/${org}/acs`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const cookie =
        res.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .find((c) => c.startsWith('gatehouse_session=') && c.length > 'gatehouse_session='.length) ?? null;
      return { status: res.status, text: await res.text(), cookie, location: res.headers.get('location') };
    },
    async start(providerId, returnTo, cookie) {
      const q = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
      const res = await fetch(`${t.url}/saml/${orgId}/login/${providerId}${q}`, {
        redirect: 'manual',
        headers: cookie ? { cookie } : {},
      });
      const location = res.headers.get('location');
      const rawQuery = location?.includes('?') ? location.slice(location.indexOf('?') + 1) : '';
      return {
        status: res.status,
        text: await res.text(),
        location,
        query: location ? new URL(location).searchParams : null,
        rawQuery,
      };
    },
    async spLogin(providerId, returnTo, job = {}) {
      const started = await app.start(providerId, returnTo);
      if (started.status !== 302) throw new Error(`start: ${started.status} ${started.text}`);
      const request = JSON.parse(
        await app.idp({ mode: 'verify-request', binding: 'redirect', query: started.rawQuery }),
      ) as { id: string };
      const res = await app.acs(
        await app.idp({ name_id: USER, in_response_to: request.id, ...job }),
        started.query!.get('RelayState')!,
      );
      return { ...res, requestId: request.id };
    },
    async whoami(cookie) {
      if (!cookie) return null;
      const res = await t.api('/console/api/session', { headers: { cookie } });
      return res.status === 200 ? res.body : null;
    },
    close: () => t.close(),
  };
  return app;
}

/** An expired certificate for a key (python3-cryptography), for the rotation tests. */
export function expiredCertFor(keyFile: string): string {
  return execFileSync('/usr/bin/python3', [SCRIPT], {
    input: JSON.stringify({ mode: 'expired-cert', key: join(KEYS, keyFile) }),
    encoding: 'utf8',
  });
}
