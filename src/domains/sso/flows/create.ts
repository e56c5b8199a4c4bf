/** The SAML flows, created by the composition root (the authorize guard is injected into oauth). */
import type { Clock } from '../../../platform/clock.ts';
import type { OAuthService } from '../../oauth/index.ts';
import { createIdentityProviderStore } from '../providers-store.ts';
import type { FlowContext } from './context.ts';
import { createFlowStore } from './flow-store.ts';
import { createAuthorizeGuard } from './guard.ts';

export function createSsoFlows(deps: { db: unknown; clock: Clock; oauth: OAuthService; publicUrl: string }) {
  const ctx: FlowContext = {
    providers: createIdentityProviderStore({ db: deps.db, clock: deps.clock }),
    flows: createFlowStore(deps.db),
    oauth: deps.oauth,
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  };
  return { ctx, authorizeGuard: createAuthorizeGuard(ctx) };
}

export type SsoFlows = ReturnType<typeof createSsoFlows>;
