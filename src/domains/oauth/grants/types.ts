import type { OAuthClientRow } from '../../../storage/schema.ts';

/** What every grant handler answers: RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

export interface GrantContext {
  /** The authenticated client (null when the grant allows public clients and none was sent). */
  client: OAuthClientRow | null;
  /** The form parameters, single-valued. */
  params: Record<string, string>;
  /** True when the client identified itself by client_id alone (no secret): PKCE is then mandatory. */
  publicClient: boolean;
}

export interface Grant {
  grantType: string;
  /** Form parameters this grant reads besides grant_type and client credentials. */
  parameters: readonly string[];
  /** `required`: the client must send its secret; `optional`: a public client may send client_id alone. */
  clientAuthentication: 'required' | 'optional';
  handler(ctx: GrantContext): Promise<TokenResponse>;
}
