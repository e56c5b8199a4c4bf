/**
 * SP-initiated sign-in (docs/sso.md "Login flows"): GET /saml/{orgId}/login/{providerId}. The
 * AuthnRequest ID and the returnTo path are stored (sso_requests) under an opaque random
 * RelayState handle; the browser goes to the IdP over the provider's binding, signed when the
 * provider asks for signed requests.
 */
import { randomBytes } from 'node:crypto';
import { buildAuthnRequest, postBindingForm, redirectBindingUrl } from '../saml/authn-request.ts';
import { type FlowAnswer, type FlowContext, FlowError, REQUEST_TTL_SECONDS, safeReturnTo } from './context.ts';

export const DEFAULT_RETURN_TO = '/admin';

export async function startLogin(
  ctx: FlowContext,
  orgId: string,
  providerId: string,
  returnTo: unknown,
): Promise<FlowAnswer> {
  const target = returnTo === undefined || returnTo === '' ? DEFAULT_RETURN_TO : safeReturnTo(returnTo);
  if (!target)
    throw new FlowError(
      400,
      'Cannot start single sign-on',
      'The address to return to after sign-in must be a path on this site.',
    );
  const provider = await ctx.providers.get(orgId, providerId);
  if (!provider || provider.disabled) {
    throw new FlowError(
      404,
      'Identity provider not found',
      'This single sign-on provider does not exist or is turned off. Ask your administrator.',
    );
  }
  const sp = await ctx.providers.spCredentials(orgId, ctx.publicUrl);
  const now = ctx.clock.now();
  const { id, xml } = buildAuthnRequest({
    issuer: sp.entityId,
    destination: provider.ssoTargetUri,
    acsUrl: sp.acsUrl,
    nameIdFormat: provider.nameIdentifierFormat ?? undefined,
    now,
  });
  const relayState = randomBytes(24).toString('base64url');
  await ctx.flows.saveRequest({
    id,
    kind: 'authn',
    relay_state: relayState,
    org_id: orgId,
    provider_id: provider.id,
    return_to: target,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + REQUEST_TTL_SECONDS * 1000).toISOString(),
  });
  const signingKeyPem = provider.signAuthnRequests ? sp.signing.privateKeyPem : undefined;
  if (provider.ssoBinding === 'HTTP-POST') {
    const nonce = randomBytes(16).toString('base64url');
    const body = postBindingForm({
      ssoUrl: provider.ssoTargetUri,
      xml,
      relayState,
      signingKeyPem,
      signingCertPem: sp.signing.certificatePem,
      nonce,
    });
    return { kind: 'html', status: 200, body, nonce };
  }
  return {
    kind: 'redirect',
    url: redirectBindingUrl({ ssoUrl: provider.ssoTargetUri, xml, relayState, signingKeyPem }),
  };
}

/** The URL that starts a new SP-initiated sign-in with this provider and comes back to `returnTo`. */
export const loginUrl = (orgId: string, providerId: string, returnTo: string) =>
  `/saml/${encodeURIComponent(orgId)}/login/${encodeURIComponent(providerId)}?returnTo=${encodeURIComponent(returnTo)}`;
