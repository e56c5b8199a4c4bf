/**
 * What other domains get from SSO, injected by the composition root (oauth must not import sso):
 * the login page's provider buttons, the SSO-only password policy and the SAML2-bearer verifier.
 */
import type { Clock } from '../../platform/clock.ts';
import { createLoginPolicy } from './login-options.ts';
import { createIdentityProviderStore } from './providers-store.ts';
import { createSamlBearerVerifier } from './saml-bearer.ts';

export function createSsoLogin(deps: { db: unknown; clock: Clock; publicUrl: string }) {
  const store = createIdentityProviderStore({ db: deps.db, clock: deps.clock });
  const policy = createLoginPolicy({ store });
  return {
    /** For the /oauth/authorize login page: the client's organization's buttons and SSO-only flag. */
    loginOptions: async (orgId: string) => {
      const { ssoOnly, providers } = await policy.forOrg({ id: orgId, name: '' });
      return { ssoOnly, providers };
    },
    checkPasswordLogin: policy.checkPasswordLogin,
    /** The SAML2-bearer grant's assertion check (for the oauth service). */
    samlBearer: createSamlBearerVerifier({ db: deps.db, clock: deps.clock, store, publicUrl: deps.publicUrl }),
  };
}

export type SsoLogin = ReturnType<typeof createSsoLogin>;
