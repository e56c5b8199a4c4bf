/**
 * What the login pages need from SSO: the organization's enabled providers shown on the login
 * page (as buttons linking to SP-initiated login), whether the organization is SSO-only, and the
 * password-login policy (refused in SSO-only mode except for the break-glass user).
 * GET /saml/providers is public: it names only what the login page of that organization shows.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ApiError, notFound } from '../../platform/errors/index.ts';
import type { IdentityProviderStore } from './model.ts';
import type { SsoStore } from './providers-store.ts';
import { LoginOptions as LoginOptionsSchema } from './schemas.ts';

export interface LoginProviderOption {
  id: string;
  name: string;
  providerType: string;
  /** The sanitized SVG logo as a data: URI, or null. */
  logo: string | null;
  /** SP-initiated login; append ?returnTo=<same-origin path>. */
  loginUrl: string;
}

export interface LoginOptions {
  organization: { id: string; name: string };
  ssoOnly: boolean;
  providers: LoginProviderOption[];
}

export const SSO_ONLY_MESSAGE =
  'This organization signs in with single sign-on. Use your identity provider to sign in.';

/** The error password logins get in SSO-only mode (HTTP 403). */
export const ssoOnlyError = () => new ApiError(403, 'sso.required', SSO_ONLY_MESSAGE);

export function createLoginPolicy(deps: {
  store: Pick<IdentityProviderStore, 'enabledFor' | 'settings'> & Pick<SsoStore, 'loginOrganization'>;
}) {
  const { store } = deps;

  async function forOrg(org: { id: string; name: string }): Promise<LoginOptions> {
    const [settings, providers] = await Promise.all([store.settings(org.id), store.enabledFor(org.id)]);
    return {
      organization: org,
      ssoOnly: settings.ssoOnly,
      providers: providers
        .filter((p) => p.displayOnLogin)
        .map((p) => ({
          id: p.id,
          name: p.name,
          providerType: p.providerType,
          logo: p.logoSvg ? `data:image/svg+xml;base64,${Buffer.from(p.logoSvg, 'utf8').toString('base64')}` : null,
          loginUrl: `/saml/${encodeURIComponent(org.id)}/login/${encodeURIComponent(p.id)}`,
        })),
    };
  }

  return {
    /** Login options of an organization named on the login page (or the only one); null when unknown. */
    async byName(name: string | undefined): Promise<LoginOptions | null> {
      const org = await store.loginOrganization(name === undefined || name.trim() === '' ? undefined : name);
      return org ? forOrg(org) : null;
    },
    /** Login options of a known organization (the /oauth/authorize page: the client's organization). */
    forOrg,
    /** True when this user may sign in with a password: the org is not SSO-only, or the user is its break-glass user. */
    async passwordAllowed(orgId: string, userId: string): Promise<boolean> {
      const s = await store.settings(orgId);
      return !s.ssoOnly || s.breakGlassUserId === userId;
    },
    /** Throws the SSO-only error when the user may not sign in with a password. */
    async checkPasswordLogin(orgId: string, userId: string): Promise<void> {
      const s = await store.settings(orgId);
      if (s.ssoOnly && s.breakGlassUserId !== userId) throw ssoOnlyError();
    },
  };
}

export type LoginPolicy = ReturnType<typeof createLoginPolicy>;

export function registerLoginOptionsRoute(app: FastifyInstance, deps: { policy: LoginPolicy }) {
  app.get<{ Querystring: { organization?: string } }>(
    '/saml/providers',
    {
      config: { public: true },
      schema: {
        querystring: Type.Object({ organization: Type.Optional(Type.String({ maxLength: 255 })) }),
        response: { 200: LoginOptionsSchema },
      },
    },
    async (request, reply) => {
      const options = await deps.policy.byName(request.query.organization);
      // Unknown (or, with several organizations, unnamed) organization: nothing else is revealed.
      if (!options) throw notFound('organization');
      return reply.header('Cache-Control', 'no-store').send(options);
    },
  );
}
