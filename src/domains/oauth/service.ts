/** The OAuth service: clients, tokens and the grants of the token endpoint. */
import { auditOrigin, recordAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { InvalidationBus } from '../../platform/invalidation.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, withTransaction } from '../../storage/db.ts';
import type { DirectoryService } from '../directory/index.ts';
import { createAuthorizations } from './authorizations.ts';
import { createClients } from './clients.ts';
import { createGrantIssuer } from './grant-issuer.ts';
import { createGrants, type SamlBearerVerifier } from './grants/index.ts';
import { createOAuthPersonalData } from './personal-data.ts';
import { createSecrets, loadSecretKey } from './secrets.ts';
import { createOAuthStore } from './store.ts';
import { createTokenCodec, loadTokenKeys, type TokenCodec } from './token-codec.ts';
import { createTokens } from './tokens.ts';

export interface OAuthConfig {
  tokenCacheMs: number;
  implicitCutoff: Date;
  implicitSunset: Date;
}

export async function createOAuthService(deps: {
  db: Db;
  clock: Clock;
  directory: DirectoryService;
  config: OAuthConfig;
  /** The SAML2-bearer grant's assertion check, from the sso domain (wired by the composition root). */
  samlBearer?: SamlBearerVerifier;
  /** Carries token invalidations to every process (see platform/invalidation.ts). */
  invalidation?: InvalidationBus;
}) {
  const { db, clock, directory } = deps;
  const store = createOAuthStore();
  const secrets = createSecrets(await loadSecretKey(db, clock.now()));
  let current = createTokenCodec(await loadTokenKeys(db, clock.now()));
  // The tokens service holds this facade; refreshKeys swaps the codec behind it after a rotation.
  const codec: TokenCodec = {
    get kids() {
      return current.kids;
    },
    encode: (claims) => current.encode(claims),
    decode: (token) => current.decode(token),
  };
  const tokens = createTokens({
    db,
    store,
    clock,
    directory,
    codec,
    cacheMs: deps.config.tokenCacheMs,
    bus: deps.invalidation,
  });
  // A user made inactive or deleted (users API or SCIM) loses its tokens in that transaction, for good.
  directory.hooks.onUserDeactivated((orgId, userId, trx) => tokens.revokeUser(orgId, userId, trx));
  // Changed roles or grants reach every process's cached permissions through the bus.
  directory.hooks.onGrantsChanged((orgId) => tokens.forgetOrganization(orgId));
  // So do changed users (the principal carries the user's view that /users/me answers).
  directory.hooks.onUsersChanged((orgId, userIds) => {
    if (userIds === null) tokens.forgetOrganization(orgId);
    else for (const id of userIds) tokens.forgetUser(id);
  });
  const clients = createClients({
    db,
    store,
    clock,
    secrets,
    directory,
    tokens,
    implicitCutoff: deps.config.implicitCutoff,
    // Bound late: authorizations are built from clients.
    onRemove: (trx, caller, client, deletionEventId) =>
      authorizations.removedWithClient(trx, caller, client, deletionEventId),
  });
  const issuer = createGrantIssuer({ db, store, clock, tokens });
  const authorizations = createAuthorizations({ db, store, clock, clients, tokens });
  const grants = createGrants({ db, store, clock, tokens, issuer, authorizations, samlBearer: deps.samlBearer });

  return {
    clients,
    tokens,
    secrets,
    grants,
    issuer,
    authorizations,
    /** The `oauth` source of data-subject requests: the users' grants and the applications they authorized. */
    personalData: createOAuthPersonalData({ store, clock }),
    config: deps.config,
    clock,

    /** Reloads the token keys when `rotate-keys` changed them (polled by the composition root). */
    async refreshKeys() {
      const keys = await loadTokenKeys(db, clock.now());
      if ([...keys.keys()].join(',') !== current.kids) current = createTokenCodec(keys);
    },

    async tokenInfo(caller: Caller) {
      const p = caller.principal;
      // The client may belong to another organization (an authorized application).
      const client = (await clients.findForAuthentication(p.clientId))!;
      const org = { id: p.orgId, name: p.orgName };
      const view = await clients.view(client, p.orgName);
      return {
        organization: org,
        homeOrganization: org,
        authorizedScope: [...p.scopes],
        dateTokenIdles: p.expiresAt.toISOString(),
        OAuthClient: {
          id: view.id,
          name: view.name,
          dateCreated: view.dateCreated,
          dateModified: view.dateModified,
          authorizedGrantType: view.authorizedGrantType,
          scope: view.scope,
          roleDivisions: view.roleDivisions,
          state: view.state,
          organization: org,
        },
      };
    },

    homeDivisionId: async (orgId: string) => (await directory.organizations.homeDivision(orgId)).id,

    /** DELETE /api/v2/tokens/me: the caller's own token stops, audited in the same transaction (never the token itself). */
    async revokeToken(caller: Caller) {
      const p = caller.principal;
      await withTransaction(db, async (trx) => {
        await tokens.revoke(p, trx);
        await recordAudit(trx, clock, {
          orgId: p.orgId,
          serviceName: 'OAuth',
          entityType: 'Token',
          entityId: p.tokenId,
          entityName: p.clientName,
          action: 'Revoke',
          ...auditOrigin(caller),
          context: { clientId: p.clientId },
          changes: [{ property: 'state', oldValues: ['active'], newValues: ['revoked'] }],
        });
      });
    },

    /** A console session: a token of the org's internal client for a signed-in user. */
    async issueConsoleSession(orgId: string, userId: string) {
      const client = await clients.internalClient(orgId);
      return tokens.issue({ orgId, clientId: client.id, userId, scopes: ['console'], ttlSeconds: client.token_ttl });
    },
  };
}

export type OAuthService = Awaited<ReturnType<typeof createOAuthService>>;
