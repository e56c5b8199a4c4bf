/**
 * The console's session: a login form posts email and password; the answer sets an HttpOnly,
 * SameSite=Strict cookie holding a token of the organization's internal console client. The
 * console then calls /api/v2 with that cookie and echoes the CSRF token on every mutation.
 */
import { Type } from '@sinclair/typebox';
import type { RateLimits } from '../../platform/rate-limit.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../platform/crypto.ts';
import { authenticationRequired, isBadCredentials } from '../../platform/errors/index.ts';
import { SESSION_COOKIE, setSessionCookie } from '../../platform/session-cookie.ts';
import { ErrorBody } from '../../platform/schemas.ts';
import { Session } from './schemas.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { OAuthService } from '../oauth/index.ts';

const LoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  organization: Type.Optional(Type.String({ maxLength: 255 })),
});

export function registerConsoleRoutes(
  app: FastifyInstance,
  deps: {
    directory: DirectoryService;
    oauth: OAuthService;
    secureCookies: boolean;
    limits: RateLimits;
    /** The SSO-only password policy (docs/sso.md); throws when this user must sign in with SSO. */
    checkPasswordLogin?: (orgId: string, userId: string) => Promise<void>;
  },
) {
  const { directory, oauth } = deps;

  async function sessionOf(request: FastifyRequest) {
    const token = request.cookies[SESSION_COOKIE];
    const principal = token ? await oauth.tokens.resolve(token) : null;
    if (!token || !principal?.internal || !principal.userId) throw authenticationRequired('You are not signed in.');
    const user = await directory.users.get(principal.orgId, principal.userId);
    return {
      user: { id: user.id, name: user.name, email: user.email },
      organization: { id: principal.orgId, name: principal.orgName },
      csrfToken: oauth.secrets.csrfFor(token),
    };
  }

  const setCookie = (reply: FastifyReply, value: string, maxAge: number) =>
    setSessionCookie(reply, value, maxAge, deps.secureCookies);

  app.get(
    '/console/api/session',
    { config: { public: true }, schema: { response: { 200: Session, 401: ErrorBody } } },
    (request) => sessionOf(request),
  );

  app.post<{ Body: { email: string; password: string; organization?: string } }>(
    '/console/api/session',
    { config: { public: true }, schema: { body: LoginBody, response: { 200: Session } } },
    async (request, reply) => {
      const { email, password, organization } = request.body;
      // Credentials first, then the SSO-only policy, so no user enumeration is added. Only failed
      // attempts count, per email from this address and per address.
      const who = await deps.limits.failures(
        [
          ['login', `${email.trim().toLowerCase()} ${request.ip}`],
          ['authFailures', request.ip],
        ],
        () => directory.verifyLogin(email, password, organization),
        isBadCredentials,
      );
      await deps.checkPasswordLogin?.(who.orgId, who.userId);
      const session = await oauth.issueConsoleSession(who.orgId, who.userId);
      setCookie(reply, session.accessToken, session.expiresIn);
      return {
        user: { id: who.userId, name: who.name, email: who.email },
        organization: { id: who.orgId, name: who.orgName },
        csrfToken: oauth.secrets.csrfFor(session.accessToken),
      };
    },
  );

  app.delete('/console/api/session', { config: { public: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    const principal = token ? await oauth.tokens.resolve(token) : null;
    if (token && principal?.internal) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, oauth.secrets.csrfFor(token)))
        return reply
          .code(403)
          .send({ message: 'Missing or wrong X-CSRF-Token.', code: 'csrf.token.invalid', status: 403 });
      await oauth.tokens.revoke(principal);
    }
    setCookie(reply, '', 0);
    return reply.code(204).send();
  });
}
