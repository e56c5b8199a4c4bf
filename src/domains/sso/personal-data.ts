/**
 * Single sign-on's personal data, for data-subject requests (GDPR): the console sessions a SAML
 * login opened, which keep the IdP's NameID (often the email). Identity providers hold no one's data.
 */
import type { PersonalDataSource } from '../../platform/personal-data.ts';

export function createSsoPersonalData(): PersonalDataSource {
  return {
    name: 'sso',
    async findSubjects() {
      return [];
    },
    async export(db, orgId, subject) {
      if (!subject.userIds.length) return null;
      const rows = await db
        .selectFrom('sso_sessions')
        .select(['provider_id', 'name_id', 'name_id_format', 'created_at', 'expires_at'])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', subject.userIds)
        .orderBy('created_at')
        .execute();
      if (!rows.length) return null;
      return {
        sessions: rows.map((r) => ({
          identityProviderId: r.provider_id,
          nameId: r.name_id,
          nameIdFormat: r.name_id_format,
          created: r.created_at,
          expires: r.expires_at,
        })),
      };
    },
    /** Nothing to rectify: a session's NameID is what the IdP sent at login, and ends with the session. */
    async rectify() {
      return {};
    },
    /** Ends the subject's SSO sessions (their tokens are revoked with the user). */
    async erase(trx, orgId, subject) {
      if (!subject.userIds.length) return { sessions: 0 };
      const res = await trx
        .deleteFrom('sso_sessions')
        .where('org_id', '=', orgId)
        .where('user_id', 'in', subject.userIds)
        .executeTakeFirst();
      return { sessions: Number(res.numDeletedRows) };
    },
  };
}
