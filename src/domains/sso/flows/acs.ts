/**
 * The Assertion Consumer Service (docs/sso.md "Login flows"): POST /saml/{orgId}/acs.
 *
 * 1. The provider: an enabled provider of this org whose issuerURI is the response's Issuer.
 * 2. InResponseTo: a stored, unexpired AuthnRequest of this org (SP-initiated) or none at all
 *    (IdP-initiated); saml/response.ts checks the rest (signature, Destination, Audience, time
 *    with 10 s skew, …).
 * 3. OrganizationName: the response is addressed to this org (Audience, Destination,
 *    Recipient), so it signs into this org or none; naming another org is refused
 *    (organization.mismatch), never followed (issue 16).
 * 4. One-time use: the request is consumed and the assertion recorded (replays lose on the key).
 * 5. The user must exist and be active in the org (email, case-insensitive); nothing is created.
 * 6. A console session (sso_sessions keeps NameID, SessionIndex and AuthorizedClientIDs) and the
 *    continue page to returnTo (SP-initiated) or to ServiceName (IdP-initiated; allow-list or the
 *    keywords directory / directory-admin), else /admin.
 */
import type { SsoRequestRow } from '../../../storage/schema.ts';
import { authorizedClientIdsOf, type IdentityProvider } from '../model.ts';
import { spEndpoints } from '../providers-store.ts';
import { isSamlError, type SamlError } from '../saml/errors.ts';
import { type SamlLogin, validateSamlResponse } from '../saml/response.ts';
import { type FlowAnswer, type FlowContext, FlowError, SKEW_SECONDS } from './context.ts';
import { peekResponse } from './messages.ts';
import { continuePage } from './pages.ts';
import { DEFAULT_RETURN_TO } from './start.ts';

const NOT_THIS_PROVIDER = new Set(['signature.invalid', 'certificate.none-valid', 'certificate.invalid']);
const KEYWORDS: Record<string, string> = { directory: '/admin/people/users', 'directory-admin': '/admin' };

export interface AcsResult {
  answer: FlowAnswer;
  log: Record<string, unknown>;
}

const refused = (status: number, message: string, log: Record<string, unknown>) =>
  new FlowError(status, 'Single sign-on failed', message, log);

export async function consumeAssertion(ctx: FlowContext, orgId: string, samlResponse: unknown): Promise<AcsResult> {
  if (typeof samlResponse !== 'string' || samlResponse === '')
    throw refused(400, 'The identity provider sent no SAML response.', { reason: 'missing' });
  const now = ctx.clock.now();
  const hints = peek(samlResponse);
  const candidates = await providersOf(ctx, orgId, hints.issuer);
  const request = hints.inResponseTo
    ? await ctx.flows.findRequest(orgId, 'authn', hints.inResponseTo, now.toISOString())
    : undefined;
  const { login, provider, used } = await validateWithProviders(ctx, orgId, samlResponse, candidates, request, now);
  // SP-initiated: the response answers the request this organization stored.
  const answered = request && login.inResponseTo === request.id ? request : null;
  await checkOrganizationName(ctx, orgId, login, answered !== null);

  const log = { orgId, providerId: provider.id, sp: request ? 'sp-initiated' : 'idp-initiated' };
  await consumeOnce(ctx, orgId, login, used, answered, now, log);
  const user = await activeUser(ctx, orgId, login, log);
  const authorized = authorizedClientIdsOf(login.attributes);
  const target = answered ? answered.return_to : await serviceTarget(ctx, orgId, login.attributes.ServiceName?.[0]);
  checkClientAllowed(target, authorized, log);
  const answer = await openSession(ctx, { orgId, userId: user.id, provider, login, authorized, target, now });
  return { answer, log: { ...log, userId: user.id } };
}

function peek(samlResponse: string): ReturnType<typeof peekResponse> {
  try {
    return peekResponse(samlResponse);
  } catch (e) {
    if (isSamlError(e)) throw refused(400, e.message, { reason: e.code });
    throw e;
  }
}

/** Step 1: the enabled providers of this organization with the response's Issuer. */
async function providersOf(ctx: FlowContext, orgId: string, issuer: string | null): Promise<IdentityProvider[]> {
  const candidates = issuer ? (await ctx.providers.findByIssuer(issuer)).filter((p) => p.orgId === orgId) : [];
  if (candidates.length === 0) {
    throw refused(
      400,
      'No enabled identity provider of this organization sent this response. Ask your administrator.',
      { reason: 'provider.unknown' },
    );
  }
  return candidates;
}

interface Validated {
  login: SamlLogin;
  provider: IdentityProvider;
  /** The assertion to record as used, once the rest of the checks pass. */
  used: { id: string; until: Date };
}

/**
 * Step 2: the first provider whose certificates verify the response, addressed to this
 * organization's SP. The refusal reported is about the response rather than "not this provider's key".
 */
async function validateWithProviders(
  ctx: FlowContext,
  orgId: string,
  samlResponse: string,
  candidates: IdentityProvider[],
  request: SsoRequestRow | undefined,
  now: Date,
): Promise<Validated> {
  const sp = await ctx.providers.spCredentials(orgId, ctx.publicUrl);
  const endpoints = spEndpoints(orgId, ctx.publicUrl);
  let reason: SamlError | null = null;
  for (const p of candidates) {
    let used: Validated['used'] | null = null;
    try {
      const login = await validateSamlResponse(samlResponse, {
        idp: { entityId: p.issuerUri, certificates: p.certificates },
        sp: {
          entityId: p.relyingPartyIdentifier ?? endpoints.entityId,
          acsUrl: endpoints.acsUrl,
          decryptionKeyPem: sp.encryption.privateKeyPem,
        },
        now,
        skewSeconds: SKEW_SECONDS,
        expectedInResponseTo: request && request.provider_id === p.id ? request.id : null,
        allowIdpInitiated: true,
        // Recorded by consumeOnce, after the organization and the request are settled.
        markAssertionUsed: async (id, until) => {
          used = { id, until };
          return true;
        },
      });
      return { login, provider: p, used: used as unknown as Validated['used'] };
    } catch (e) {
      if (!isSamlError(e)) throw e;
      if (!reason || (NOT_THIS_PROVIDER.has(reason.code) && !NOT_THIS_PROVIDER.has(e.code))) reason = e;
    }
  }
  const why = reason as SamlError;
  throw refused(400, why.message, { reason: why.code, detail: why.detail });
}

/**
 * Step 3: OrganizationName, when one IdP is configured in several organizations. The response
 * was validated as addressed to this organization (Audience, Destination, Recipient), so it
 * signs into this organization or none: an attribute naming another one is refused, never followed.
 */
async function checkOrganizationName(ctx: FlowContext, orgId: string, login: SamlLogin, solicited: boolean) {
  const orgName = login.attributes.OrganizationName?.[0];
  if (orgName === undefined || orgName.trim() === '') return;
  const named = await ctx.providers.loginOrganization(orgName);
  if (!named) {
    throw refused(
      403,
      'The organization named by your identity provider does not exist here, or several organizations have that name.',
      { reason: 'organization.unknown' },
    );
  }
  if (named.id === orgId) return;
  throw refused(
    403,
    solicited
      ? 'You started signing in to one organization, but your identity provider names another (OrganizationName). Start again from the sign-in page of your organization, or ask your administrator.'
      : 'This sign-in response is addressed to one organization, but your identity provider names another (OrganizationName). Ask your administrator to send it to that organization.',
    { reason: 'organization.mismatch' },
  );
}

/** Step 4: one-time use: the answered request is consumed and the assertion recorded (replays lose on the key). */
async function consumeOnce(
  ctx: FlowContext,
  orgId: string,
  login: SamlLogin,
  used: Validated['used'],
  answered: SsoRequestRow | null,
  now: Date,
  log: Record<string, unknown>,
) {
  if (answered && !(await ctx.flows.consumeRequest(answered.id))) {
    throw refused(400, 'This sign-in was already completed. Start again.', { ...log, reason: 'request.consumed' });
  }
  const fresh =
    used &&
    (await ctx.flows.markAssertionUsed(orgId, login.issuer, used.id, used.until.toISOString(), now.toISOString()));
  if (!fresh) {
    throw refused(400, 'This sign-in response was already used. Start again from your identity provider.', {
      ...log,
      reason: 'assertion.replayed',
    });
  }
}

/** Step 5: the user must exist and be active in the organization; nothing is created. */
async function activeUser(ctx: FlowContext, orgId: string, login: SamlLogin, log: Record<string, unknown>) {
  const user = login.email ? await ctx.providers.activeUserByEmail(orgId, login.email) : null;
  if (!user) {
    throw refused(
      403,
      'There is no active user with your email address in this organization. Ask your administrator to add you.',
      { ...log, reason: 'user.unknown' },
    );
  }
  return user;
}

/** Sent back to the IdP for a client it does not allow: refuse rather than loop. */
function checkClientAllowed(target: string, authorized: string[] | null, log: Record<string, unknown>) {
  const authorizeClient = target.startsWith('/oauth/authorize?')
    ? new URLSearchParams(target.slice(target.indexOf('?') + 1)).get('client_id')
    : null;
  if (authorized && authorizeClient && !authorized.includes(authorizeClient)) {
    throw refused(403, 'Your identity provider does not allow you to sign in to this application.', {
      ...log,
      reason: 'client.not-authorized',
    });
  }
}

/** Step 6: the console session (kept with NameID, SessionIndex and AuthorizedClientIDs) and the continue page. */
async function openSession(
  ctx: FlowContext,
  s: {
    orgId: string;
    userId: string;
    provider: IdentityProvider;
    login: SamlLogin;
    authorized: string[] | null;
    target: string;
    now: Date;
  },
): Promise<FlowAnswer> {
  const { orgId, userId, provider, login, authorized, now } = s;
  const session = await ctx.oauth.issueConsoleSession(orgId, userId);
  await ctx.flows.saveSession({
    token_id: session.id,
    org_id: orgId,
    user_id: userId,
    provider_id: provider.id,
    name_id: login.nameId,
    name_id_format: login.nameIdFormat,
    session_index: login.sessionIndex,
    authorized_client_ids: authorized ? JSON.stringify(authorized) : null,
    created_at: now.toISOString(),
    expires_at: session.expiresAt.toISOString(),
  });
  return {
    kind: 'html',
    status: 200,
    body: continuePage(s.target),
    session: { token: session.accessToken, maxAge: session.expiresIn },
  };
}

/** ServiceName: a keyword or an exact URL on the org's allow-list; anything else is ignored. */
async function serviceTarget(ctx: FlowContext, orgId: string, serviceName: string | undefined): Promise<string> {
  if (!serviceName) return DEFAULT_RETURN_TO;
  const keyword = KEYWORDS[serviceName.trim().toLowerCase()];
  if (keyword) return keyword;
  const { redirectAllowList } = await ctx.providers.settings(orgId);
  return redirectAllowList.includes(serviceName) ? serviceName : DEFAULT_RETURN_TO;
}
