/**
 * RFC 6749 §5.2 errors for /oauth/token, one class per code (the model is node-oidc-provider).
 * The body carries `description` beside `error_description` because the Go SDK reads both.
 */
export class OAuthError extends Error {
  override name = 'OAuthError';
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
  toBody() {
    return { error: this.error, description: this.description, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description);
  }
}

/**
 * RFC 6749 §5.2: 401. The error mapper sends `WWW-Authenticate: Basic` with every invalid_client, which the
 * RFC requires when the client tried Basic and allows otherwise.
 */
export class InvalidClient extends OAuthError {
  constructor(description = 'client authentication failed') {
    super('invalid_client', description, 401);
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', description);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', description);
  }
}

/** RFC 6749 §4.1.2.1 temporarily_unavailable, answered as 503 when the store is down. */
export class TemporarilyUnavailable extends OAuthError {
  constructor() {
    super('temporarily_unavailable', 'the server is temporarily unavailable; try again later', 503);
  }
}

export class ServerError extends OAuthError {
  constructor() {
    super('server_error', 'the server could not complete the request', 500);
  }
}
