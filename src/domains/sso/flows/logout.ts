/**
 * Single logout (docs/sso.md "Login flows"):
 * - SP-initiated, GET /saml/{orgId}/logout: the local session ends (token revoked) and, when the
 *   session came from a provider with a logout URL, the browser carries a signed LogoutRequest
 *   (NameID, SessionIndex; HTTP-Redirect) to it;
 * - GET /saml/{orgId}/slo: the IdP's LogoutResponse (signed, Issuer and InResponseTo checked, the
 *   request consumed once) or its own LogoutRequest (signed; ends every session of that NameID /
 *   SessionIndex, answered with a signed LogoutResponse).
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../../../platform/principal.ts';
import { redirectBindingUrl } from '../saml/authn-request.ts';
import { isSamlError } from '../saml/errors.ts';
import { type FlowAnswer, type FlowContext, FlowError, REQUEST_TTL_SECONDS } from './context.ts';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  newMessageId,
  readRedirectLogout,
  redirectResponseUrl,
} from './messages.ts';
import { signedOutPage } from './pages.ts';

const SIGNED_OUT = '/';

/** The SP-initiated logout URL of a signed-in console session that came from SSO, or null. */
export async function ssoLogoutUrl(ctx: FlowContext, principal: Principal): Promise<string | null> {
  const s = await ctx.flows.session(principal.orgId, principal.tokenId);
  if (!s) return null;
  const p = await ctx.providers.get(s.org_id, s.provider_id);
  return p?.sloUri ? `/saml/${encodeURIComponent(s.org_id)}/logout` : null;
}

/**
 * `sentCookie`: whether the request carried a session cookie at all. A cross-site link or
 * navigation carries none (SameSite=Strict), so it gets no Set-Cookie either: a foreign page
 * cannot sign a console user out through this GET. A stale cookie sent same-site is cleared.
 */
export async function startLogout(
  ctx: FlowContext,
  orgId: string,
  principal: Principal | null,
  sentCookie: boolean,
): Promise<FlowAnswer> {
  if (!principal) return { kind: 'redirect', url: SIGNED_OUT, clearCookie: sentCookie };
  if (principal.orgId !== orgId) return { kind: 'redirect', url: SIGNED_OUT, clearCookie: true };
  const s = await ctx.flows.session(orgId, principal.tokenId);
  await ctx.oauth.tokens.revoke(principal);
  if (!s) return { kind: 'redirect', url: SIGNED_OUT, clearCookie: true };
  await ctx.flows.deleteSession(orgId, s.token_id);
  const provider = await ctx.providers.get(orgId, s.provider_id);
  if (!provider?.sloUri || provider.disabled) return { kind: 'redirect', url: SIGNED_OUT, clearCookie: true };
  const sp = await ctx.providers.spCredentials(orgId, ctx.publicUrl);
  const now = ctx.clock.now();
  const id = newMessageId();
  const relayState = randomBytes(24).toString('base64url');
  await ctx.flows.saveRequest({
    id,
    kind: 'logout',
    relay_state: relayState,
    org_id: orgId,
    provider_id: provider.id,
    return_to: SIGNED_OUT,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + REQUEST_TTL_SECONDS * 1000).toISOString(),
  });
  const xml = buildLogoutRequest({
    id,
    issuer: sp.entityId,
    destination: provider.sloUri,
    nameId: s.name_id,
    nameIdFormat: s.name_id_format,
    sessionIndex: s.session_index,
    now,
  });
  // The LogoutRequest's own binding is always Redirect here (signed query), whatever sloBinding says.
  return {
    kind: 'redirect',
    url: redirectBindingUrl({ ssoUrl: provider.sloUri, xml, relayState, signingKeyPem: sp.signing.privateKeyPem }),
    clearCookie: true,
  };
}

export async function receiveLogout(
  ctx: FlowContext,
  orgId: string,
  rawQuery: string,
  issuerHint: string | null,
): Promise<{ answer: FlowAnswer; log: Record<string, unknown> }> {
  const providers = (await ctx.providers.enabledFor(orgId)).filter(
    (p) => p.sloUri && (issuerHint === null || p.issuerUri === issuerHint),
  );
  const now = ctx.clock.now();
  let lastError: unknown = null;
  for (const provider of providers) {
    let msg: ReturnType<typeof readRedirectLogout>;
    try {
      msg = readRedirectLogout(rawQuery, provider.certificates, now);
    } catch (e) {
      if (!isSamlError(e)) throw e;
      lastError = e;
      continue;
    }
    if (msg.issuer !== provider.issuerUri)
      throw new FlowError(400, 'Sign-out failed', 'The sign-out message came from another identity provider.', {
        reason: 'issuer.mismatch',
      });
    const sp = await ctx.providers.spCredentials(orgId, ctx.publicUrl);
    if (msg.destination !== null && msg.destination !== sp.sloUrl) {
      throw new FlowError(400, 'Sign-out failed', 'The sign-out message was meant for another service.', {
        reason: 'destination.mismatch',
      });
    }
    if (msg.kind === 'LogoutResponse') {
      const request = msg.inResponseTo
        ? await ctx.flows.findRequest(orgId, 'logout', msg.inResponseTo, now.toISOString())
        : undefined;
      if (!request || request.provider_id !== provider.id || !(await ctx.flows.consumeRequest(request.id))) {
        throw new FlowError(400, 'Sign-out failed', 'This sign-out answer does not match a sign-out started here.', {
          reason: 'in-response-to.mismatch',
        });
      }
      return {
        answer: { kind: 'html', status: 200, body: signedOutPage() },
        log: { orgId, providerId: provider.id, slo: 'response', success: msg.success },
      };
    }
    // IdP-initiated: end every session of this subject (narrowed to the SessionIndexes named).
    const sessions = msg.nameId ? await ctx.flows.sessionsOf(orgId, provider.id, msg.nameId, msg.sessionIndexes) : [];
    for (const s of sessions) {
      await ctx.oauth.tokens.revoke(sessionPrincipal(s.token_id, orgId, s.expires_at));
      await ctx.flows.deleteSession(orgId, s.token_id);
    }
    const xml = buildLogoutResponse({
      issuer: sp.entityId,
      destination: provider.sloUri!,
      inResponseTo: msg.id,
      success: true,
      now,
    });
    // RelayState is echoed as received (at most 80 bytes, else dropped).
    const relayState = msg.relayState !== null && Buffer.byteLength(msg.relayState) <= 80 ? msg.relayState : null;
    const url = redirectResponseUrl({
      url: provider.sloUri!,
      xml,
      relayState,
      signingKeyPem: sp.signing.privateKeyPem,
    });
    return {
      answer: { kind: 'redirect', url },
      log: { orgId, providerId: provider.id, slo: 'request', sessions: sessions.length },
    };
  }
  const message = isSamlError(lastError)
    ? lastError.message
    : 'No identity provider of this organization with a logout URL sent this message.';
  throw new FlowError(400, 'Sign-out failed', message, {
    reason: isSamlError(lastError) ? lastError.code : 'provider.unknown',
  });
}

/** tokens.revoke needs only the token id, org and expiry of the session it ends. */
function sessionPrincipal(tokenId: string, orgId: string, expiresAt: string): Principal {
  return {
    tokenId,
    orgId,
    orgName: '',
    clientId: '',
    clientName: '',
    userId: null,
    clientCredentials: false,
    scopes: [],
    permissions: [],
    internal: true,
    expiresAt: new Date(expiresAt),
    issuedAt: new Date(0),
  };
}
