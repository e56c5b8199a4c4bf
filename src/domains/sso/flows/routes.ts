/**
 * The SAML flow endpoints (public; docs/sso.md "Login flows"): SP-initiated start, ACS, single
 * logout, and GET /saml/session (the console's SSO logout URL). Refusals are HTML pages; the log
 * gets the reason code, never the response, an assertion or a token.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, setSessionCookie } from '../../../platform/session-cookie.ts';
import { type FlowAnswer, type FlowContext, FlowError } from './context.ts';
import { consumeAssertion } from './acs.ts';
import { receiveLogout, ssoLogoutUrl, startLogout } from './logout.ts';
import { errorPage, sendHtml } from './pages.ts';
import { startLogin } from './start.ts';

const OrgParams = Type.Object({ orgId: Type.String({ maxLength: 64 }) });
const LoginParams = Type.Object({ orgId: Type.String({ maxLength: 64 }), providerId: Type.String({ maxLength: 64 }) });

export function registerFlowRoutes(app: FastifyInstance, deps: { ctx: FlowContext; secureCookies: boolean }) {
  const { ctx } = deps;

  const send = (reply: FastifyReply, answer: FlowAnswer) => {
    if (answer.kind === 'redirect') {
      if (answer.clearCookie) setSessionCookie(reply, '', 0, deps.secureCookies);
      return reply.header('Cache-Control', 'no-store').redirect(answer.url, 302);
    }
    if (answer.session) setSessionCookie(reply, answer.session.token, answer.session.maxAge, deps.secureCookies);
    return sendHtml(reply, answer.status, answer.body, answer.nonce);
  };

  async function handle(
    request: FastifyRequest,
    reply: FastifyReply,
    step: string,
    run: () => Promise<{ answer: FlowAnswer; log?: Record<string, unknown> }>,
  ) {
    try {
      const { answer, log } = await run();
      if (log) request.log.info({ saml: step, ...log }, `SAML ${step} succeeded`);
      return send(reply, answer);
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      request.log.warn({ saml: step, status: e.status, ...e.log }, `SAML ${step} refused`);
      return sendHtml(reply, e.status, errorPage(e.title, e.message));
    }
  }

  async function principalOf(request: FastifyRequest) {
    const token = request.cookies[SESSION_COOKIE];
    const principal = token ? await ctx.oauth.tokens.resolve(token) : null;
    return principal?.internal && principal.userId ? principal : null;
  }

  app.get<{ Params: { orgId: string; providerId: string }; Querystring: { returnTo?: string } }>(
    '/saml/:orgId/login/:providerId',
    {
      config: { public: true },
      schema: { params: LoginParams, querystring: Type.Object({ returnTo: Type.Optional(Type.String()) }) },
    },
    (request, reply) =>
      handle(request, reply, 'login', async () => ({
        answer: await startLogin(ctx, request.params.orgId, request.params.providerId, request.query.returnTo),
      })),
  );

  app.register(async (scope) => {
    // The IdP posts application/x-www-form-urlencoded (HTTP-POST binding).
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 512 * 1024 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      },
    );
    scope.post<{ Params: { orgId: string }; Body: Record<string, string> }>(
      '/saml/:orgId/acs',
      {
        config: { public: true },
        schema: { params: OrgParams },
      },
      (request, reply) =>
        handle(request, reply, 'acs', () => consumeAssertion(ctx, request.params.orgId, request.body?.SAMLResponse)),
    );
  });

  app.get<{ Params: { orgId: string } }>(
    '/saml/:orgId/logout',
    { config: { public: true }, schema: { params: OrgParams } },
    (request, reply) =>
      handle(request, reply, 'logout', async () => ({
        answer: await startLogout(
          ctx,
          request.params.orgId,
          await principalOf(request),
          !!request.cookies[SESSION_COOKIE],
        ),
      })),
  );

  app.get<{ Params: { orgId: string } }>(
    '/saml/:orgId/slo',
    { config: { public: true }, schema: { params: OrgParams } },
    (request, reply) => {
      const url = request.raw.url ?? '';
      const raw = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
      return handle(request, reply, 'slo', () => receiveLogout(ctx, request.params.orgId, raw, null));
    },
  );

  app.get(
    '/saml/session',
    {
      config: { public: true },
      schema: { response: { 200: Type.Object({ ssoLogoutUrl: Type.Union([Type.String(), Type.Null()]) }) } },
    },
    async (request, reply) => {
      const principal = await principalOf(request);
      return reply
        .header('Cache-Control', 'no-store')
        .send({ ssoLogoutUrl: principal ? await ssoLogoutUrl(ctx, principal) : null });
    },
  );
}
