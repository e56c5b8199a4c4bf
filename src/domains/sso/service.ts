/**
 * The SSO domain, composed once by the composition root (docs/decisions/0010): one identity-
 * provider store (one sealing-key cache) shared by the provider administration, the login pages'
 * policy, the SAML2-bearer verifier and the SAML flows. What other domains get from SSO is
 * injected by app.ts as functions (oauth must not import sso; docs/decisions/0004).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../storage/db.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { OAuthService } from '../oauth/index.ts';
import type { FlowContext } from './flows/context.ts';
import { createFlowStore } from './flows/flow-store.ts';
import { createAuthorizeGuard } from './flows/guard.ts';
import { createLoginPolicy } from './login-options.ts';
import { createSsoPersonalData } from './personal-data.ts';
import { createProviderService } from './providers-service.ts';
import { createIdentityProviderStore } from './providers-store.ts';
import { createSamlBearerVerifier } from './saml-bearer.ts';

export interface SsoServiceDeps {
  db: Db;
  clock: Clock;
  directory: DirectoryService;
  publicUrl: string;
}

export function createSsoService(deps: SsoServiceDeps) {
  const { db, clock, directory, publicUrl } = deps;
  const store = createIdentityProviderStore({ db, clock });
  const policy = createLoginPolicy({ store });
  return {
    store,
    /** /api/v2/identityproviders: providers, settings and the org's SP metadata. */
    providers: createProviderService({ db, clock, store, directory, publicUrl }),
    /** The login pages' provider buttons and the SSO-only password rule. */
    policy,
    /** For the /oauth/authorize login page: the client's organization's buttons and SSO-only flag. */
    loginOptions: async (orgId: string) => {
      const { ssoOnly, providers } = await policy.forOrg({ id: orgId, name: '' });
      return { ssoOnly, providers };
    },
    checkPasswordLogin: policy.checkPasswordLogin,
    /** The SAML2-bearer grant's assertion check (for the oauth service). */
    samlBearer: createSamlBearerVerifier({ db, clock, store, publicUrl }),
    personalData: createSsoPersonalData(),
    /**
     * The SAML flows end in an OAuth console session, so they are attached once oauth exists
     * (oauth itself is built with `samlBearer`). Returns the flow context and the authorize guard.
     */
    flows(oauth: OAuthService) {
      const ctx: FlowContext = { providers: store, flows: createFlowStore(db), oauth, clock, publicUrl };
      return { ctx, authorizeGuard: createAuthorizeGuard(ctx) };
    },
  };
}

export type SsoService = ReturnType<typeof createSsoService>;
export type SsoFlows = ReturnType<SsoService['flows']>;
