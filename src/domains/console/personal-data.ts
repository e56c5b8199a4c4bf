/**
 * The console's personal data, for data-subject requests (GDPR): each user's saved settings
 * (user_preferences). They are the user's own choices, so they are exported and erased with them.
 */
import type { PersonalDataSource } from '../../platform/personal-data.ts';
import type { Executor } from '../../storage/db.ts';

/** The subject's users of this organization: preferences carry no organization of their own. */
const ownUsers = (db: Executor, orgId: string, userIds: string[]) =>
  db.selectFrom('users').select('id').where('org_id', '=', orgId).where('id', 'in', userIds);

export function createConsolePersonalData(): PersonalDataSource {
  return {
    name: 'console',
    async findSubjects() {
      return [];
    },
    async export(db, orgId, subject) {
      if (!subject.userIds.length) return null;
      const rows = await db
        .selectFrom('user_preferences')
        .select(['user_id', 'key', 'value', 'modified_at'])
        .where('user_id', 'in', ownUsers(db, orgId, subject.userIds))
        .orderBy('user_id')
        .orderBy('key')
        .execute();
      if (!rows.length) return null;
      return {
        preferences: rows.map((r) => ({
          userId: r.user_id,
          key: r.key,
          value: JSON.parse(r.value) as unknown,
          modified: r.modified_at,
        })),
      };
    },
    async rectify() {
      return {};
    },
    async erase(trx, orgId, subject) {
      if (!subject.userIds.length) return { preferences: 0 };
      const res = await trx
        .deleteFrom('user_preferences')
        .where('user_id', 'in', ownUsers(trx, orgId, subject.userIds))
        .executeTakeFirst();
      return { preferences: Number(res.numDeletedRows) };
    },
  };
}
