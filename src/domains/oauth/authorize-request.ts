/**
 * Validates an authorization request (RFC 6749 §4.1.1, §4.2.1; RFC 7636 §4.3) in named steps.
 * Until the client and its redirect URI are established, a failure is shown as a page and
 * never redirected (§4.1.2.1), so redirect_uri and state cannot be used as an open redirect.
 */
import type { OAuthClientRow } from '../../storage/schema.ts';
import type { Clients } from './clients.ts';
import { isKnownScope } from './scopes.ts';
import { isUuid } from '../../platform/ids.ts';

export const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

export interface AuthorizeRequest {
  client: OAuthClientRow;
  redirectUri: string;
  responseType: 'code' | 'token';
  scopes: string[];
  state?: string;
  codeChallenge: string | null;
  /** The request's parameters, carried through the login and consent forms. */
  params: Record<string, string>;
}

/** Shown as a page: the client or its redirect URI is not established. */
export class AuthorizePageError extends Error {}

/** Sent back to the established redirect URI as error + error_description. */
export class AuthorizeRedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly redirectUri: string,
    readonly useFragment: boolean,
    readonly state?: string,
  ) {
    super(description);
  }
}

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function pickParams(source: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of AUTHORIZE_PARAMS) {
    const v = source[k];
    if (Array.isArray(v)) throw new AuthorizePageError(`The parameter "${k}" was sent more than once.`);
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

async function establishClient(clients: Clients, params: Record<string, string>) {
  const id = params.client_id;
  if (!id) throw new AuthorizePageError('The request has no client_id.');
  const client = isUuid(id) ? await clients.findForAuthentication(id) : undefined;
  if (!client || client.internal === 1) throw new AuthorizePageError('This application is not known to Gatehouse.');
  if (client.grant_type !== 'CODE' && client.grant_type !== 'TOKEN') {
    throw new AuthorizePageError('This application cannot sign users in (its grant type is not Code Authorization).');
  }
  if (client.state !== 'active') throw new AuthorizePageError(`This application is ${client.state}.`);
  return client;
}

/** Exact string match against the registered URIs: no prefix, no normalization. */
function establishRedirectUri(client: OAuthClientRow, params: Record<string, string>) {
  const registered = JSON.parse(client.redirect_uris) as string[];
  const asked = params.redirect_uri;
  if (asked === undefined) {
    if (registered.length === 1) return registered[0];
    throw new AuthorizePageError('The request has no redirect_uri and the application registers several.');
  }
  if (!registered.includes(asked))
    throw new AuthorizePageError('The redirect_uri is not registered for this application.');
  return asked;
}

export async function parseAuthorizeRequest(
  clients: Clients,
  source: Record<string, unknown>,
  opts: { now: Date; implicitSunset: Date },
): Promise<AuthorizeRequest> {
  const params = pickParams(source);
  const client = await establishClient(clients, params);
  const redirectUri = establishRedirectUri(client, params);
  const implicit = client.grant_type === 'TOKEN';
  const fail = (error: string, description: string) =>
    new AuthorizeRedirectError(error, description, redirectUri, implicit, params.state);

  const responseType = params.response_type;
  if (responseType !== (implicit ? 'token' : 'code')) {
    throw fail(
      'unsupported_response_type',
      `response_type must be "${implicit ? 'token' : 'code'}" for this application`,
    );
  }
  if (implicit && opts.now >= opts.implicitSunset) {
    throw fail(
      'unauthorized_client',
      `the implicit grant was retired on ${opts.implicitSunset.toISOString().slice(0, 10)}; the administrator must change this application to Code Authorization with PKCE`,
    );
  }
  let codeChallenge: string | null = null;
  if (params.code_challenge !== undefined || params.code_challenge_method !== undefined) {
    if (implicit) throw fail('invalid_request', 'PKCE applies to the authorization code flow only');
    if (params.code_challenge_method !== 'S256')
      throw fail('invalid_request', 'code_challenge_method must be S256 (plain is refused)');
    if (!params.code_challenge || !CHALLENGE.test(params.code_challenge)) {
      throw fail('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)');
    }
    codeChallenge = params.code_challenge;
  }
  const allowed = JSON.parse(client.scopes) as string[];
  const asked = params.scope ? params.scope.split(' ').filter(Boolean) : allowed;
  const unknown = asked.filter((s) => !isKnownScope(s) || !allowed.includes(s));
  if (unknown.length) throw fail('invalid_scope', `scope "${unknown[0]}" is not allowed for this application`);
  return {
    client,
    redirectUri,
    responseType: implicit ? 'token' : 'code',
    scopes: asked,
    state: params.state,
    codeChallenge,
    params,
  };
}

/** The redirect URI with the answer in the query (code) or the fragment (implicit). */
export function redirectWith(
  redirectUri: string,
  values: Record<string, string | undefined>,
  useFragment: boolean,
): string {
  const url = new URL(redirectUri);
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined) q.set(k, v);
  if (useFragment) {
    url.hash = q.toString();
    return url.toString();
  }
  for (const [k, v] of q) url.searchParams.append(k, v);
  return url.toString();
}
