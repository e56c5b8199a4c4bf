/**
 * The rules of the seeds for an OAuth client, each refused with a 400 that names the field:
 * token lifetime 300–172,800 s; at most 125 redirect URIs, absolute, https except loopback
 * http, matched exactly later so no wildcard or fragment; roles only for client credentials,
 * scopes only for the other grants; no new implicit client after the cutoff date.
 */
import { ApiError, invalidValue } from '../../platform/errors/index.ts';
import { checkHttpsUrl } from '../../platform/urls.ts';
import type { RoleGrant } from '../directory/index.ts';
import type { AuthorizedGrantType } from '../../storage/schema.ts';
import { isKnownScope } from './scopes.ts';
import { CLIENT_CREDENTIALS } from './tokens.ts';

export const GRANT_TYPES = [
  'CODE',
  'TOKEN',
  'SAML2-BEARER',
  'PASSWORD',
  CLIENT_CREDENTIALS,
] as const satisfies readonly AuthorizedGrantType[];
export const CLIENT_STATES = ['active', 'disabled', 'inactive'] as const;
export const DEFAULT_TOKEN_TTL = 86_400;
export const MIN_TOKEN_TTL = 300;
export const MAX_TOKEN_TTL = 172_800;
export const MAX_REDIRECT_URIS = 125;

export interface ClientInput {
  name: string;
  description?: string;
  grantType: string;
  tokenTtl?: number;
  roleDivisions?: RoleGrant[];
  scopes?: string[];
  redirectUris?: string[];
  state?: string;
  /** Requests per minute on the SCIM paths (beyond upstream); absent or null: the server's default. */
  scimRateLimit?: number | null;
}

export function checkRedirectUri(uri: string): void {
  checkHttpsUrl(uri, 'registeredRedirectUri');
}

/** The stored grant type for an input's `authorizedGrantType`, or 400 bad.grant.type. */
export function grantTypeOf(value: string): AuthorizedGrantType {
  const known = GRANT_TYPES.find((t) => t === value);
  if (known) return known;
  throw new ApiError(400, 'bad.grant.type', `authorizedGrantType must be one of ${GRANT_TYPES.join(', ')}.`, {
    details: [{ errorCode: 'bad.grant.type', fieldName: 'authorizedGrantType' }],
  });
}

/** Checks an input against the rules; `isNew` decides whether the implicit cutoff applies. */
export function checkClientInput(
  input: ClientInput,
  opts: { isNew: boolean; now: Date; implicitCutoff: Date; previousGrantType?: string },
): void {
  if (!input.name.trim()) throw invalidValue('name', 'name must not be empty.');
  grantTypeOf(input.grantType);
  if (input.grantType === 'PASSWORD') {
    throw new ApiError(400, 'bad.grant.type', 'The password grant is not offered; use Code Authorization with PKCE.', {
      details: [{ errorCode: 'bad.grant.type', fieldName: 'authorizedGrantType' }],
    });
  }
  const becomesImplicit = input.grantType === 'TOKEN' && (opts.isNew || opts.previousGrantType !== 'TOKEN');
  if (becomesImplicit && opts.now >= opts.implicitCutoff) {
    throw new ApiError(
      400,
      'bad.grant.type',
      `New implicit (TOKEN) clients cannot be created since ${opts.implicitCutoff.toISOString().slice(0, 10)}. Use Code Authorization with PKCE.`,
      {
        details: [{ errorCode: 'bad.grant.type', fieldName: 'authorizedGrantType' }],
      },
    );
  }
  const ttl = input.tokenTtl ?? DEFAULT_TOKEN_TTL;
  if (!Number.isInteger(ttl) || ttl < MIN_TOKEN_TTL || ttl > MAX_TOKEN_TTL) {
    throw invalidValue(
      'accessTokenValiditySeconds',
      `accessTokenValiditySeconds must be between ${MIN_TOKEN_TTL} and ${MAX_TOKEN_TTL} seconds.`,
    );
  }
  const uris = input.redirectUris ?? [];
  if (uris.length > MAX_REDIRECT_URIS)
    throw invalidValue(
      'registeredRedirectUri',
      `At most ${MAX_REDIRECT_URIS} redirect URIs are allowed; got ${uris.length}.`,
    );
  uris.forEach(checkRedirectUri);
  if (new Set(uris).size !== uris.length)
    throw invalidValue('registeredRedirectUri', 'Each redirect URI may appear once.');
  if ((input.grantType === 'CODE' || input.grantType === 'TOKEN') && uris.length === 0) {
    throw invalidValue(
      'registeredRedirectUri',
      'A Code Authorization or Implicit client needs at least one redirect URI.',
    );
  }
  if (input.state !== undefined && !(CLIENT_STATES as readonly string[]).includes(input.state)) {
    throw invalidValue('state', `state must be one of ${CLIENT_STATES.join(', ')}.`);
  }
  const cc = input.grantType === CLIENT_CREDENTIALS;
  if (cc && input.scopes?.length)
    throw invalidValue('scope', 'Scopes apply only to clients that do not use client credentials; give roles instead.');
  if (!cc && input.roleDivisions?.length)
    throw invalidValue('roleDivisions', 'Roles apply only to client-credentials clients; give scopes instead.');
  if (cc && !input.roleDivisions?.length) {
    throw new ApiError(
      400,
      'missing.client.roles',
      'A client-credentials client needs at least one role (roleDivisions).',
      {
        details: [{ errorCode: 'missing.client.roles', fieldName: 'roleDivisions' }],
      },
    );
  }
  for (const s of input.scopes ?? [])
    if (!isKnownScope(s)) throw invalidValue('scope', `"${s}" is not a scope. See GET /api/v2/oauth/scopes.`);
}
