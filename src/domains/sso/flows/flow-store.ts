/**
 * Kysely store of the SAML flows (migration 0010): requests awaiting their answer, the assertion
 * replay cache and the SSO sessions. No rules here; expired rows are purged opportunistically.
 */
import { sha256Hex } from '../../../platform/crypto.ts';
import { type Db, isUniqueViolation } from '../../../storage/db.ts';
import type { SsoRequestRow, SsoSessionRow } from '../../../storage/schema.ts';

export type RequestKind = 'authn' | 'logout';

export function createFlowStore(db: Db) {
  return {
    async saveRequest(row: SsoRequestRow): Promise<void> {
      await db.deleteFrom('sso_requests').where('expires_at', '<', row.created_at).execute();
      await db.insertInto('sso_requests').values(row).execute();
    },

    /** An unexpired request of this org and kind, by its ID (not consumed). */
    findRequest: (orgId: string, kind: RequestKind, id: string, now: string) =>
      db
        .selectFrom('sso_requests')
        .selectAll()
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .where('expires_at', '>=', now)
        .executeTakeFirst(),

    /** An unexpired request of this org by its RelayState handle (not consumed). */
    findByRelayState: (orgId: string, relayState: string, now: string) =>
      db
        .selectFrom('sso_requests')
        .selectAll()
        .where('relay_state', '=', relayState)
        .where('org_id', '=', orgId)
        .where('expires_at', '>=', now)
        .executeTakeFirst(),

    /** Deletes the request; true only for the one caller that deleted it (answers are consumed once). */
    async consumeRequest(id: string): Promise<boolean> {
      const r = await db.deleteFrom('sso_requests').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /** Records an assertion as used; false when it was already (a concurrent replay loses on the key). */
    async markAssertionUsed(
      orgId: string,
      issuer: string,
      assertionId: string,
      until: string,
      now: string,
    ): Promise<boolean> {
      await db.deleteFrom('sso_assertions').where('expires_at', '<', now).execute();
      try {
        await db
          .insertInto('sso_assertions')
          .values({ key: sha256Hex(`${issuer}\u0000${assertionId}`), org_id: orgId, expires_at: until })
          .execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },

    async saveSession(row: SsoSessionRow): Promise<void> {
      await db.deleteFrom('sso_sessions').where('expires_at', '<', row.created_at).execute();
      await db.insertInto('sso_sessions').values(row).execute();
    },

    session: (orgId: string, tokenId: string) =>
      db
        .selectFrom('sso_sessions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('token_id', '=', tokenId)
        .executeTakeFirst(),

    /** Sessions of one IdP subject (IdP-initiated logout), optionally narrowed to session indexes. */
    async sessionsOf(
      orgId: string,
      providerId: string,
      nameId: string,
      sessionIndexes: string[],
    ): Promise<SsoSessionRow[]> {
      let q = db
        .selectFrom('sso_sessions')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('provider_id', '=', providerId)
        .where('name_id', '=', nameId);
      if (sessionIndexes.length > 0) q = q.where('session_index', 'in', sessionIndexes);
      return q.execute();
    },

    async deleteSession(orgId: string, tokenId: string): Promise<void> {
      await db.deleteFrom('sso_sessions').where('org_id', '=', orgId).where('token_id', '=', tokenId).execute();
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
