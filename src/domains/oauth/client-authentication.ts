/**
 * RFC 6749 §2.3.1 client authentication: HTTP Basic (preferred; values form-urlencoded) or
 * client_id and client_secret in the form body. Never both.
 */
import { InvalidClient, InvalidRequest, UnauthorizedClient } from '../../platform/errors/index.ts';
import { safeEqual } from '../../platform/crypto.ts';
import { isUuid } from '../../platform/ids.ts';
import type { OAuthClientRow } from '../../storage/schema.ts';
import type { Clients } from './clients.ts';
import type { Secrets } from './secrets.ts';

export interface PresentedCredentials {
  clientId: string;
  clientSecret: string | null;
  via: 'basic' | 'body' | 'none';
}

/** RFC 6749 §2.3.1's form-urlencoding of the Basic values; most ids and secrets have nothing encoded. */
const formDecoded = (value: string) => (value.includes('%') ? decodeURIComponent(value) : value);

export function readCredentials(
  authorization: string | undefined,
  params: Record<string, string>,
): PresentedCredentials | null {
  if (authorization !== undefined) {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!m)
      throw new InvalidClient(
        'the Authorization header is not valid HTTP Basic (expected "Basic base64(client_id:client_secret)")',
      );
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidClient('the Basic credentials must be client_id:client_secret');
    if (params.client_secret !== undefined)
      throw new InvalidRequest('send the client credentials in one place only, not both Basic and body');
    try {
      return {
        clientId: formDecoded(decoded.slice(0, colon)),
        clientSecret: formDecoded(decoded.slice(colon + 1)),
        via: 'basic',
      };
    } catch {
      throw new InvalidClient('the Basic credentials are not form-urlencoded correctly');
    }
  }
  if (params.client_id === undefined) return null;
  return {
    clientId: params.client_id,
    clientSecret: params.client_secret ?? null,
    via: params.client_secret ? 'body' : 'none',
  };
}

/**
 * A public client names itself by client_id alone; only a Code Authorization client may, and
 * the grant then demands PKCE.
 */
export async function identifyPublicClient(clients: Clients, clientId: string): Promise<OAuthClientRow> {
  const client = isUuid(clientId) ? await clients.findForAuthentication(clientId) : undefined;
  if (!client || client.internal === 1 || client.grant_type !== 'CODE')
    throw new InvalidClient('client authentication failed: unknown client or wrong secret');
  if (client.state !== 'active')
    throw new UnauthorizedClient(`the client is ${client.state}; an administrator must set it active`);
  return client;
}

/**
 * The secret that last verified against a client row, per row object. `findForAuthentication`
 * keeps a row for at most a second and any change to the client (a new secret, a state) drops it,
 * so an entry lives no longer than the hash it was checked against: a client polling for tokens
 * pays one HMAC a second rather than one a request (issue 22; docs/decisions/0023). Compared in
 * constant time.
 */
const verifiedSecrets = new WeakMap<OAuthClientRow, string>();

function secretMatches(secrets: Secrets, client: OAuthClientRow | undefined, presented: string): boolean {
  const known = client && verifiedSecrets.get(client);
  if (known !== undefined && safeEqual(known, presented)) return true;
  const ok = secrets.verify(client?.secret_hash ?? null, presented);
  if (ok && client) verifiedSecrets.set(client, presented);
  return ok;
}

/** Authenticates a confidential client; one message for unknown client and wrong secret. */
export async function authenticateClient(
  clients: Clients,
  secrets: Secrets,
  creds: PresentedCredentials,
): Promise<OAuthClientRow> {
  const client = isUuid(creds.clientId) ? await clients.findForAuthentication(creds.clientId) : undefined;
  const ok = secretMatches(secrets, client, creds.clientSecret ?? '');
  if (!client || !ok || client.internal === 1)
    throw new InvalidClient('client authentication failed: unknown client or wrong secret');
  if (client.state !== 'active')
    throw new UnauthorizedClient(`the client is ${client.state}; an administrator must set it active`);
  return client;
}
