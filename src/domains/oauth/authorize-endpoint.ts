/**
 * GET /oauth/authorize → login page → consent (when the app is not yet authorized for the
 * user's organization) → redirect with code and state (or, for implicit clients, a token in
 * the fragment). The login sets the same HttpOnly session cookie as the console; the consent
 * form carries that session's CSRF token.
 */
import type { RateLimits } from '../../platform/rate-limit.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../platform/crypto.ts';
import { ApiError, isBadCredentials } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { hasPermission } from '../../platform/permissions.ts';
import type { Principal } from '../../platform/principal.ts';
import { SESSION_COOKIE, setSessionCookie } from '../../platform/session-cookie.ts';
import type { DirectoryService } from '../directory/index.ts';
import { consentPage, errorPage, type LoginPolicyHook, loginPage, pendingPage } from './authorize-pages.ts';
import {
  type AuthorizeRequest,
  AuthorizePageError,
  AuthorizeRedirectError,
  parseAuthorizeRequest,
  redirectWith,
} from './authorize-request.ts';
import { acceptForms } from './form.ts';
import { createLoginCsrf, LOGIN_CSRF_FIELD, sameOrigin } from './login-csrf.ts';
import { scopeById } from './scopes.ts';
import type { OAuthService } from './service.ts';

// No CSP form-action: Chromium applies it to the redirect after the consent form, which must
// go to the application's origin.
const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('X-Frame-Options', 'DENY')
    .header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
    )
    .header('Cache-Control', 'no-store')
    .send(body);

/** Injected by the sso domain: null when this session may authorize the client, else a URL to send the browser to. */
export type SsoGuardHook = (
  session: { tokenId: string; orgId: string },
  clientId: string,
  authorizeUrl: string,
) => Promise<string | null>;

export function registerAuthorizeEndpoint(
  app: FastifyInstance,
  deps: {
    oauth: OAuthService;
    directory: DirectoryService;
    secureCookies: boolean;
    limits: RateLimits;
    loginPolicy?: LoginPolicyHook;
    ssoGuard?: SsoGuardHook;
    /** The configured public URL (its origin is the one forms may come from), or null: the request's. */
    publicUrl?: string | null;
  },
) {
  const { oauth, directory } = deps;
  const loginCsrf = createLoginCsrf({ csrfFor: oauth.secrets.csrfFor, secureCookies: deps.secureCookies });
  const refused = (reply: FastifyReply) =>
    html(
      reply,
      403,
      errorPage(
        'Request refused',
        'The form has expired or did not come from this site. Start again from the application.',
      ),
    );

  /** The login page, with the SSO buttons of the client's organization (and its SSO-only mode). */
  async function login(
    request: FastifyRequest,
    reply: FastifyReply,
    req: AuthorizeRequest,
    extra: { error?: string; email?: string; askOrganization?: boolean } = {},
  ) {
    const sso = deps.loginPolicy ? await deps.loginPolicy.loginOptions(req.client.org_id) : null;
    const csrf = loginCsrf.issue(request, reply);
    return loginPage({ clientName: req.client.name, params: req.params, sso, csrf, ...extra });
  }

  async function sessionOf(request: FastifyRequest): Promise<{ token: string; principal: Principal } | null> {
    const token = request.cookies[SESSION_COOKIE];
    const principal = token ? await oauth.tokens.resolve(token) : null;
    return token && principal?.internal && principal.userId ? { token, principal } : null;
  }

  const parse = (source: Record<string, unknown>) =>
    parseAuthorizeRequest(oauth.clients, source, {
      now: oauth.clock.now(),
      implicitSunset: oauth.config.implicitSunset,
    });

  /** Issues the code (or implicit token) and redirects, once the app is authorized. */
  async function complete(
    reply: FastifyReply,
    req: AuthorizeRequest,
    principal: Principal,
    authorizationId: string,
    granted: string[],
  ) {
    const scopes = req.scopes.filter((s) => granted.includes(s));
    const grant = { orgId: principal.orgId, userId: principal.userId!, authorizationId, scopes };
    if (req.responseType === 'token') {
      const t = await oauth.issuer.issueTokens(req.client, { ...grant, grantId: newId() }, false);
      return reply.redirect(
        redirectWith(
          req.redirectUri,
          { access_token: t.access_token, token_type: 'bearer', expires_in: String(t.expires_in), state: req.state },
          true,
        ),
        303,
      );
    }
    const code = await oauth.issuer.issueCode(req.client, grant, req.redirectUri, req.codeChallenge);
    return reply.redirect(redirectWith(req.redirectUri, { code, state: req.state }, false), 303);
  }

  /**
   * AuthorizedClientIDs of an SSO session: the URL to send the browser back to the IdP when this
   * session may not authorize the client, else null. Every path that shows consent or issues a
   * code or implicit token (GET /oauth/authorize and POST /oauth/authorize/decision) asks first.
   */
  const ssoBounce = async (req: AuthorizeRequest, session: { principal: Principal }) =>
    (await deps.ssoGuard?.(session.principal, req.client.id, `/oauth/authorize?${new URLSearchParams(req.params)}`)) ??
    null;

  /** The step after login: authorized already → redirect; otherwise ask for consent. */
  async function proceed(reply: FastifyReply, req: AuthorizeRequest, session: { token: string; principal: Principal }) {
    const back = await ssoBounce(req, session);
    if (back) return reply.redirect(back, 303);
    const current = await oauth.authorizations.current(session.principal.orgId, req.client.id);
    const granted = current?.state === 'Authorized' ? (JSON.parse(current.scopes) as string[]) : [];
    if (current?.state === 'Authorized' && req.scopes.every((s) => granted.includes(s))) {
      return complete(reply, req, session.principal, current.id, granted);
    }
    if (current?.state === 'Requested') return html(reply, 200, pendingPage(req.client.name));
    return html(
      reply,
      200,
      consentPage({
        clientName: req.client.name,
        orgName: session.principal.orgName,
        scopes: req.scopes.map((id) => ({ id, description: scopeById(id)?.description ?? id })),
        params: req.params,
        csrf: oauth.secrets.csrfFor(session.token),
      }),
    );
  }

  async function handle(reply: FastifyReply, run: () => Promise<unknown>) {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AuthorizePageError)
        return html(reply, 400, errorPage('Cannot sign in to this application', err.message));
      if (err instanceof AuthorizeRedirectError) {
        return reply.redirect(
          redirectWith(
            err.redirectUri,
            { error: err.error, error_description: err.description, state: err.state },
            err.useFragment,
          ),
          303,
        );
      }
      throw err;
    }
  }

  app.register(async (scope) => {
    acceptForms(scope);

    scope.get('/oauth/authorize', { config: { public: true } }, (request, reply) =>
      handle(reply, async () => {
        const req = await parse(request.query as Record<string, unknown>);
        const session = await sessionOf(request);
        if (!session) return html(reply, 200, await login(request, reply, req));
        return proceed(reply, req, session);
      }),
    );

    scope.post('/oauth/authorize/login', { config: { public: true } }, (request, reply) =>
      handle(reply, async () => {
        const body = (request.body ?? {}) as Record<string, string>;
        if (!sameOrigin(request, deps.publicUrl ?? null) || !loginCsrf.verify(request, body[LOGIN_CSRF_FIELD])) {
          return refused(reply);
        }
        const req = await parse(body);
        try {
          // Credentials first, then the SSO-only policy: an unknown email and a wrong password stay
          // indistinguishable; only someone who knows the password learns that it cannot be used.
          // Only failed attempts count, per email from this address and per address.
          const who = await deps.limits.failures(
            [
              ['login', `${(body.email ?? '').trim().toLowerCase()} ${request.ip}`],
              ['authFailures', request.ip],
            ],
            () => directory.verifyLogin(body.email ?? '', body.password ?? '', body.organization),
            isBadCredentials,
          );
          await deps.loginPolicy?.checkPasswordLogin(who.orgId, who.userId);
          const session = await oauth.issueConsoleSession(who.orgId, who.userId);
          setSessionCookie(reply, session.accessToken, session.expiresIn, deps.secureCookies);
          return reply.redirect(`/oauth/authorize?${new URLSearchParams(req.params)}`, 303);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          if (err.extra.headers) reply.headers(err.extra.headers);
          return html(
            reply,
            [401, 403, 429].includes(err.status) ? err.status : 400,
            await login(request, reply, req, {
              error: err.message,
              email: body.email,
              askOrganization: err.code === 'organization.required' || !!body.organization,
            }),
          );
        }
      }),
    );

    scope.post('/oauth/authorize/decision', { config: { public: true } }, (request, reply) =>
      handle(reply, async () => {
        const body = (request.body ?? {}) as Record<string, string>;
        const req = await parse(body);
        const session = await sessionOf(request);
        if (!session) return html(reply, 200, await login(request, reply, req));
        if (
          !sameOrigin(request, deps.publicUrl ?? null) ||
          !body.csrf ||
          !safeEqual(body.csrf, oauth.secrets.csrfFor(session.token))
        ) {
          return refused(reply);
        }
        // The CSRF token is per session, not per client: the SSO client restriction is checked here too.
        const back = await ssoBounce(req, session);
        if (back) return reply.redirect(back, 303);
        if (body.decision !== 'approve') {
          throw new AuthorizeRedirectError(
            'access_denied',
            'the user denied the request',
            req.redirectUri,
            req.responseType === 'token',
            req.state,
          );
        }
        const canApprove = hasPermission(session.principal.permissions, 'oauth:client:authorize');
        const caller = { principal: session.principal, remoteIp: request.ip };
        const authz = await oauth.authorizations.consent(caller, req.client, req.scopes, canApprove);
        const granted = JSON.parse(authz.scopes) as string[];
        if (authz.state !== 'Authorized' || !req.scopes.every((s) => granted.includes(s)))
          return html(reply, 200, pendingPage(req.client.name));
        return complete(reply, req, session.principal, authz.id, granted);
      }),
    );
  });
}
