/**
 * AuthorizedClientIDs (docs/sso.md "Login flows"): a console session made by a SAML login whose
 * IdP sent the attribute may authorize only those OAuth clients at /oauth/authorize. Any other
 * sends the person back to the same IdP (a new AuthnRequest) with the authorize URL as returnTo.
 * The oauth domain calls this through an injected hook: it never imports sso.
 */
import type { FlowContext } from './context.ts';
import { loginUrl } from './start.ts';

export type SsoAuthorizeGuard = (
  session: { tokenId: string; orgId: string },
  clientId: string,
  authorizeUrl: string,
) => Promise<string | null>;

export function createAuthorizeGuard(ctx: FlowContext): SsoAuthorizeGuard {
  return async (session, clientId, authorizeUrl) => {
    const s = await ctx.flows.session(session.orgId, session.tokenId);
    if (!s || s.authorized_client_ids === null) return null;
    const allowed = JSON.parse(s.authorized_client_ids) as string[];
    return allowed.includes(clientId) ? null : loginUrl(s.org_id, s.provider_id, authorizeUrl);
  };
}
