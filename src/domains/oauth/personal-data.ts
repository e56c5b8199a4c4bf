/**
 * What OAuth holds about users, for data-subject requests (the `oauth` source): the grants a
 * user holds (refresh tokens and authorization codes: which app, which scopes, when; never a
 * hash) and the authorized applications the user requested, approved or changed.
 *
 * An authorized application is the organization's record, not the user's: erasing a user
 * deletes the user's grants, while the authorizations stay for everyone else and keep the
 * user only as an id, which then names the anonymized directory user. The user's access tokens
 * stop through the directory's erasure (its deactivation hook), in the same transaction.
 */
import { auditOrigin, recordAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PersonalDataSource, ResolvedSubject, SourceOutcome } from '../../platform/personal-data.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Executor, Trx } from '../../storage/db.ts';
import type { OAuthStore } from './store.ts';

const scopesOf = (json: string) => JSON.parse(json) as string[];

export function createOAuthPersonalData({ store, clock }: { store: OAuthStore; clock: Clock }): PersonalDataSource {
  async function clientNames(db: Executor, clientIds: string[]) {
    const names = new Map<string, string>();
    for (const id of new Set(clientIds)) names.set(id, (await store.findClientForAuthentication(db, id))?.name ?? id);
    return names;
  }

  return {
    name: 'oauth',

    // OAuth stores no name, email, phone or address of its own.
    findSubjects: async () => [],

    async export(db: Executor, orgId: string, subject: ResolvedSubject) {
      const userIds = [...new Set(subject.userIds)];
      if (userIds.length === 0) return null;
      const [refresh, codes] = await Promise.all([
        store.refreshTokensOfUsers(db, orgId, userIds),
        store.codesOfUsers(db, orgId, userIds),
      ]);
      const grantAuthorizations = [...new Set([...refresh, ...codes].map((g) => g.authorization_id))];
      const authorizations = await store.authorizationsForUsers(db, orgId, userIds, grantAuthorizations);
      if (refresh.length === 0 && codes.length === 0 && authorizations.length === 0) return null;
      const names = await clientNames(
        db,
        [...authorizations, ...refresh, ...codes].map((r) => r.client_id),
      );
      const holders = (authorizationId: string) => [
        ...new Set([...refresh, ...codes].filter((g) => g.authorization_id === authorizationId).map((g) => g.user_id)),
      ];
      return {
        authorizedApplications: authorizations.map((a) => ({
          clientId: a.client_id,
          clientName: names.get(a.client_id),
          scopes: scopesOf(a.scopes),
          state: a.state,
          dateCreated: a.created_at,
          dateModified: a.modified_at,
          ...(a.created_by && userIds.includes(a.created_by) ? { requestedBy: a.created_by } : {}),
          ...(a.modified_by && userIds.includes(a.modified_by) ? { modifiedBy: a.modified_by } : {}),
          ...(holders(a.id).length ? { grantsHeldBy: holders(a.id) } : {}),
        })),
        grants: [
          ...refresh.map((r) => ({
            userId: r.user_id,
            clientId: r.client_id,
            clientName: names.get(r.client_id),
            kind: 'refresh_token',
            scopes: scopesOf(r.scopes),
            dateIssued: r.issued_at,
            dateExpires: r.expires_at,
            ...(r.used_at ? { dateUsed: r.used_at } : {}),
            ...(r.revoked_at ? { dateRevoked: r.revoked_at } : {}),
          })),
          ...codes.map((c) => ({
            userId: c.user_id,
            clientId: c.client_id,
            clientName: names.get(c.client_id),
            kind: 'authorization_code',
            scopes: scopesOf(c.scopes),
            redirectUri: c.redirect_uri,
            dateExpires: c.expires_at,
            ...(c.used_at ? { dateUsed: c.used_at } : {}),
          })),
        ],
      };
    },

    // Nothing OAuth stores is a name, email, phone or address.
    rectify: async () => ({}),

    async erase(trx: Trx, orgId: string, subject: ResolvedSubject, caller: Caller, causeEventId: string) {
      const counts: SourceOutcome = {};
      const bump = (k: string, n: number) => {
        if (n) counts[k] = (counts[k] ?? 0) + n;
      };
      for (const userId of [...new Set(subject.userIds)].sort()) {
        const [refresh, codes] = await Promise.all([
          store.refreshTokensOfUsers(trx, orgId, [userId]),
          store.codesOfUsers(trx, orgId, [userId]),
        ]);
        if (refresh.length === 0 && codes.length === 0) continue;
        const names = await clientNames(
          trx,
          [...refresh, ...codes].map((g) => g.client_id),
        );
        bump('refreshTokens', await store.deleteRefreshTokensOfUser(trx, orgId, userId));
        bump('authorizationCodes', await store.deleteCodesOfUser(trx, orgId, userId));
        // One event per grant family, as revoking one is recorded: which app, never a token.
        const families = new Map<string, { clientId: string; authorizationId: string; live: boolean }>();
        const now = clock.now().toISOString();
        for (const g of [...refresh, ...codes]) {
          const live = !g.used_at && !('revoked_at' in g && g.revoked_at) && g.expires_at > now;
          const known = families.get(g.grant_id);
          families.set(g.grant_id, {
            clientId: g.client_id,
            authorizationId: g.authorization_id,
            live: (known?.live ?? false) || live,
          });
        }
        for (const [grantId, f] of families) {
          await recordAudit(trx, clock, {
            orgId,
            serviceName: 'OAuth',
            entityType: 'Token',
            entityId: grantId,
            entityName: names.get(f.clientId),
            action: 'Revoke',
            ...auditOrigin(caller),
            causeEventId,
            context: { clientId: f.clientId, authorizationId: f.authorizationId, userId },
            changes: [{ property: 'state', oldValues: [f.live ? 'active' : 'inactive'], newValues: ['deleted'] }],
          });
        }
        bump('grants', families.size);
      }
      return counts;
    },
  };
}
