/**
 * The Assertion Consumer Service (docs/sso.md "Login flows"): POST /saml/{orgId}/acs.
 *
 * 1. The provider: an enabled provider of this org whose issuerURI is the response's Issuer.
 * 2. InResponseTo: a stored, unexpired AuthnRequest of this org (SP-initiated) or none at all
 *    (IdP-initiated); saml/response.ts checks the rest (signature, Destination, Audience, time
 *    with 10 s skew, …).
 * 3. OrganizationName: when it names another organization with an enabled provider of the same
 *    issuer, the response is validated again with THAT provider's certificates, so one org's
 *    administrator cannot sign people into another org with a look-alike provider. Only for
 *    IdP-initiated responses: an SP-initiated login stays in the org it started in, and an
 *    OrganizationName naming another org refuses it (organization.mismatch).
 * 4. One-time use: the request is consumed and the assertion recorded (replays lose on the key).
 * 5. The user must exist and be active in the org (email, case-insensitive); nothing is created.
 * 6. A console session (sso_sessions keeps NameID, SessionIndex and AuthorizedClientIDs) and the
 *    continue page to returnTo (SP-initiated) or to ServiceName (IdP-initiated; allow-list or the
 *    keywords directory / directory-admin), else /admin.
 */
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
  const nowIso = now.toISOString();

  let hints: ReturnType<typeof peekResponse>;
  try {
    hints = peekResponse(samlResponse);
  } catch (e) {
    if (isSamlError(e)) throw refused(400, e.message, { reason: e.code });
    throw e;
  }
  const candidates = hints.issuer
    ? (await ctx.providers.findByIssuer(hints.issuer)).filter((p) => p.orgId === orgId)
    : [];
  if (candidates.length === 0) {
    throw refused(
      400,
      'No enabled identity provider of this organization sent this response. Ask your administrator.',
      { reason: 'provider.unknown' },
    );
  }

  const request = hints.inResponseTo
    ? await ctx.flows.findRequest(orgId, 'authn', hints.inResponseTo, nowIso)
    : undefined;
  const sp = await ctx.providers.spCredentials(orgId, ctx.publicUrl);
  const endpoints = spEndpoints(orgId, ctx.publicUrl);
  let used: { id: string; until: Date } | null = null;

  const validateWith = async (p: IdentityProvider): Promise<SamlLogin> =>
    validateSamlResponse(samlResponse, {
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
      // Recorded below, once the organization is settled: a second validation must not see it as a replay.
      markAssertionUsed: async (id, until) => {
        used = { id, until };
        return true;
      },
    });

  let login: SamlLogin | null = null;
  let provider: IdentityProvider | null = null;
  let reason: SamlError | null = null;
  for (const p of candidates) {
    try {
      login = await validateWith(p);
      provider = p;
      break;
    } catch (e) {
      if (!isSamlError(e)) throw e;
      if (!reason || (NOT_THIS_PROVIDER.has(reason.code) && !NOT_THIS_PROVIDER.has(e.code))) reason = e;
    }
  }
  if (!login || !provider) throw refused(400, reason!.message, { reason: reason!.code, detail: reason!.detail });

  // OrganizationName: one IdP configured in several organizations. The response was validated
  // as addressed to this organization (Audience, Destination, Recipient), so it signs into this
  // organization or none: an attribute naming another one is refused, never followed.
  const targetOrg = orgId;
  const orgName = login.attributes.OrganizationName?.[0];
  if (orgName !== undefined && orgName.trim() !== '') {
    const named = await ctx.providers.loginOrganization(orgName);
    if (!named) {
      throw refused(
        403,
        'The organization named by your identity provider does not exist here, or several organizations have that name.',
        { reason: 'organization.unknown' },
      );
    }
    if (named.id !== orgId && request && login.inResponseTo === request.id) {
      throw refused(
        403,
        'You started signing in to one organization, but your identity provider names another (OrganizationName). Start again from the sign-in page of your organization, or ask your administrator.',
        { reason: 'organization.mismatch' },
      );
    }
    if (named.id !== orgId) {
      throw refused(
        403,
        'This sign-in response is addressed to one organization, but your identity provider names another (OrganizationName). Ask your administrator to send it to that organization.',
        { reason: 'organization.mismatch' },
      );
    }
  }

  const log = { orgId: targetOrg, providerId: provider.id, sp: request ? 'sp-initiated' : 'idp-initiated' };
  if (request && login.inResponseTo === request.id && !(await ctx.flows.consumeRequest(request.id))) {
    throw refused(400, 'This sign-in was already completed. Start again.', { ...log, reason: 'request.consumed' });
  }
  const mark = used as { id: string; until: Date } | null;
  if (
    !mark ||
    !(await ctx.flows.markAssertionUsed(targetOrg, login.issuer, mark.id, mark.until.toISOString(), nowIso))
  ) {
    throw refused(400, 'This sign-in response was already used. Start again from your identity provider.', {
      ...log,
      reason: 'assertion.replayed',
    });
  }

  const user = login.email ? await ctx.providers.activeUserByEmail(targetOrg, login.email) : null;
  if (!user) {
    throw refused(
      403,
      'There is no active user with your email address in this organization. Ask your administrator to add you.',
      { ...log, reason: 'user.unknown' },
    );
  }

  const authorized = authorizedClientIdsOf(login.attributes);
  const target =
    request && login.inResponseTo === request.id
      ? request.return_to
      : await serviceTarget(ctx, targetOrg, login.attributes.ServiceName?.[0]);
  // Sent back to the IdP for a client it does not allow: refuse rather than loop.
  const authorizeClient = target.startsWith('/oauth/authorize?')
    ? new URLSearchParams(target.slice(target.indexOf('?') + 1)).get('client_id')
    : null;
  if (authorized && authorizeClient && !authorized.includes(authorizeClient)) {
    throw refused(403, 'Your identity provider does not allow you to sign in to this application.', {
      ...log,
      reason: 'client.not-authorized',
    });
  }

  const session = await ctx.oauth.issueConsoleSession(targetOrg, user.id);
  await ctx.flows.saveSession({
    token_id: session.id,
    org_id: targetOrg,
    user_id: user.id,
    provider_id: provider.id,
    name_id: login.nameId,
    name_id_format: login.nameIdFormat,
    session_index: login.sessionIndex,
    authorized_client_ids: authorized ? JSON.stringify(authorized) : null,
    created_at: nowIso,
    expires_at: session.expiresAt.toISOString(),
  });
  return {
    answer: {
      kind: 'html',
      status: 200,
      body: continuePage(target),
      session: { token: session.accessToken, maxAge: session.expiresIn },
    },
    log: { ...log, userId: user.id },
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
