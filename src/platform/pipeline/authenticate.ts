/**
 * Pipeline step 1: authenticate. The bearer token (or, for the console, the session cookie)
 * is resolved to a principal; a missing, unknown, expired or revoked one is a 401 ErrorBody.
 * Cookie-authenticated mutations must echo the session's CSRF token in X-CSRF-Token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, authenticationRequired } from '../errors/index.ts';
import type { Principal } from '../principal.ts';
import { safeEqual } from '../crypto.ts';
import { routeOf } from './route-path.ts';

export const SESSION_COOKIE = 'gatehouse_session';

export interface TokenResolver {
  /** The principal for a presented access token, or null when it is unknown, expired or revoked. */
  resolve(token: string): Promise<Principal | null>;
  /** What `resolve` would answer from its cache, synchronously; undefined when it must be resolved. */
  cached?(token: string): Principal | null | undefined;
  /** The CSRF token bound to a console session token. */
  csrfTokenFor(sessionToken: string): string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerOf(request: FastifyRequest): string | null | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : null;
}

export function authenticateStep(tokens: TokenResolver) {
  /** Sets the request's principal, or throws the 401 for a token that resolved to none. */
  function accept(request: FastifyRequest, principal: Principal | null, bearer: string | undefined) {
    if (!principal) {
      throw new ApiError(
        401,
        'authentication.required',
        'The access token is invalid, expired or revoked. Get a new token.',
      );
    }
    // A console session rides only on its cookie, where CSRF is checked and metering is skipped:
    // sent as a bearer token it would be a script's token that neither is metered nor checked.
    if (principal.internal && bearer !== undefined) {
      throw new ApiError(
        401,
        'authentication.required',
        'A console session cannot be used as a bearer token; use an OAuth client.',
      );
    }
    request.principal = principal;
    request.caller = { principal, remoteIp: request.ip };
  }

  /**
   * Throws at once for a refused request; answers a promise only when the token must be resolved
   * (not cached): a cached token is accepted synchronously (issue 22).
   */
  return function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> | undefined {
    // The pipeline calls this for REST API routes only (index.ts decides on the matched route);
    // /oauth, the console and static files guard themselves.
    if (request.is404 || routeOf(request).config?.public) return undefined;
    const bearer = bearerOf(request);
    if (bearer === null)
      throw new ApiError(401, 'authentication.required', 'The Authorization header must be "Bearer <token>".');
    let token = bearer;
    if (token === undefined) {
      const session = request.cookies?.[SESSION_COOKIE];
      if (!session) throw authenticationRequired();
      if (!SAFE_METHODS.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, tokens.csrfTokenFor(session))) {
          throw new ApiError(
            403,
            'csrf.token.invalid',
            'The request is missing a valid X-CSRF-Token header for this session.',
          );
        }
      }
      token = session;
    }
    const cached = tokens.cached?.(token);
    if (cached !== undefined) {
      accept(request, cached, bearer);
      return undefined;
    }
    return tokens.resolve(token).then((principal) => accept(request, principal, bearer));
  };
}
