/**
 * The SSO half of the SAML2-bearer grant (RFC 7522, docs/sso.md "SAML2 bearer grant"): finds the
 * organization named by `orgName`, validates the assertion against its enabled providers (their
 * certificates; Audience = the provider's relying-party identifier or the org's SP entity id;
 * Recipient = the token endpoint), records it as used, and answers the active user it names with
 * the assertion's AuthorizedClientIDs (the grant enforces them). The oauth domain calls this
 * through an injected function: it never imports sso.
 */
import type { Clock } from '../../platform/clock.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { InvalidGrant } from '../../platform/errors/index.ts';
import { type Db, isUniqueViolation } from '../../storage/db.ts';
import { authorizedClientIdsOf } from './model.ts';
import type { SsoStore } from './providers-store.ts';
import { spEndpoints } from './providers-store.ts';
import { isSamlError, type SamlError } from './saml/errors.ts';
import { validateSamlAssertion } from './saml/response.ts';

/** The user the assertion names, and its AuthorizedClientIDs (null: the IdP sent none, any client may use it). */
export type SamlBearerVerifier = (
  orgName: string,
  assertion: string,
) => Promise<{ orgId: string; userId: string; authorizedClientIds: string[] | null }>;

/** Errors that only say "not this provider's key"; any other error is about the assertion itself. */
const NOT_THIS_PROVIDER = new Set(['signature.invalid', 'certificate.none-valid', 'certificate.invalid']);

type Provider = Awaited<ReturnType<SsoStore['enabledFor']>>[number];

export function createSamlBearerVerifier(deps: {
  db: Db;
  clock: Clock;
  store: SsoStore;
  publicUrl: string;
}): SamlBearerVerifier {
  const { db } = deps;
  const tokenEndpoint = `${deps.publicUrl.replace(/\/$/, '')}/oauth/token`;

  async function markUsed(orgId: string, issuer: string, assertionId: string, until: Date): Promise<boolean> {
    const now = deps.clock.now().toISOString();
    await db.deleteFrom('sso_bearer_assertions').where('expires_at', '<', now).execute();
    try {
      await db
        .insertInto('sso_bearer_assertions')
        .values({ key: sha256Hex(`${issuer}\u0000${assertionId}`), org_id: orgId, expires_at: until.toISOString() })
        .execute();
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /** The login of the first enabled provider that accepts the assertion; else why none did. */
  async function firstAccepting(orgId: string, providers: Provider[], assertion: string) {
    const sp = spEndpoints(orgId, deps.publicUrl);
    let reason: SamlError | null = null;
    for (const p of providers) {
      try {
        return await validateSamlAssertion(assertion, {
          idp: { entityId: p.issuerUri, certificates: p.certificates },
          sp: { entityId: p.relyingPartyIdentifier ?? sp.entityId, acsUrl: tokenEndpoint },
          now: deps.clock.now(),
          markAssertionUsed: (id, until) => markUsed(orgId, p.issuerUri, id, until),
        });
      } catch (e) {
        if (!isSamlError(e)) throw e;
        // Report what is wrong with the assertion rather than which providers did not sign it.
        if (!reason || (NOT_THIS_PROVIDER.has(reason.code) && !NOT_THIS_PROVIDER.has(e.code))) reason = e;
      }
    }
    throw new InvalidGrant(
      reason && !NOT_THIS_PROVIDER.has(reason.code)
        ? `the assertion is not valid: ${reason.detail ?? reason.message}`
        : 'the assertion is not signed by a certificate of an enabled identity provider of this organization',
    );
  }

  return async (orgName, assertion) => {
    const org = await deps.store.loginOrganization(orgName);
    if (!org) throw new InvalidGrant('the organization named by orgName is unknown');
    const providers = await deps.store.enabledFor(org.id);
    if (providers.length === 0) throw new InvalidGrant('the organization has no enabled identity provider');
    const login = await firstAccepting(org.id, providers, assertion);
    const email = login.email;
    const user = email ? await deps.store.activeUserByEmail(org.id, email) : null;
    if (!user) throw new InvalidGrant('the assertion names no active user of this organization');
    return { orgId: org.id, userId: user.id, authorizedClientIds: authorizedClientIdsOf(login.attributes) };
  };
}
