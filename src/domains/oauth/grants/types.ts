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
  /** The client: authenticated by its secret, or identified by client_id alone when `publicClient`. */
  client: OAuthClientRow;
  /** The form parameters, single-valued. */
  params: Record<string, string>;
  /** True when the client identified itself by client_id alone (no secret): PKCE is then mandatory. */
  publicClient: boolean;
}

export interface Grant {
  grantType: string;
  /** `required`: the client must send its secret; `optional`: a public client may send client_id alone. */
  clientAuthentication: 'required' | 'optional';
  handler(ctx: GrantContext): Promise<TokenResponse>;
}
