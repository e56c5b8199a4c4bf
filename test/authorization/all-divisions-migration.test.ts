/**
 * Migration 0029 on every dialect (@see issue 15): grants of a role holding `*:*:*` made before it
 * (which then reached every division by rule) become grants in `*`, which reach every division by
 * themselves; other grants stay in their division; and `*` grants can be stored afterwards.
 */
import { Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDirectoryService } from '../../src/domains/directory/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { createStorage } from '../../src/storage/db.ts';
import { migrationTableSchema } from '../../src/storage/dialect.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';

describe.each(DIALECTS)('migration 0029 on %s', (dialect) => {
  it('turns Master Admin grants into grants in every division and keeps the others', async () => {
    const fresh = await freshDatabase(dialect);
    const storage = createStorage(fresh.url);
    try {
      const migrator = new Migrator({
        db: storage.db,
        provider: { getMigrations: async () => MIGRATIONS() },
        migrationTableSchema: await migrationTableSchema(storage.dialect, storage.db),
      });
      const before = await migrator.migrateTo('0028_conversation_attachments');
      expect(before.error).toBeUndefined();
      const directory = createDirectoryService({ db: storage.db, clock: systemClock });
      const { org, homeDivisionId, adminRoleId, employeeRoleId } = await directory.createOrganization(
        'Old',
        'old.local',
      );
      const user = await directory.users.create(org.id, null, { name: 'Old Admin', email: 'old.admin@old.local' });
      const subject = { type: 'user' as const, id: user.id, name: user.name };
      await directory.roles.replaceGrants(org.id, null, subject, [
        { roleId: adminRoleId, divisionId: homeDivisionId },
        { roleId: employeeRoleId, divisionId: homeDivisionId },
      ]);

      expect(await migrateToLatest(storage)).toContain('0029_all_divisions_grants');
      const rows = await storage.db
        .selectFrom('role_grants')
        .select(['role_id', 'division_id'])
        .where('subject_id', '=', user.id)
        .orderBy('role_id')
        .execute();
      expect(rows).toEqual(
        [
          { role_id: adminRoleId, division_id: '*' },
          { role_id: employeeRoleId, division_id: homeDivisionId },
        ].sort((a, b) => a.role_id.localeCompare(b.role_id)),
      );
      const perDivision = await directory.roles.divisionPermissionsOf(org.id, user.id);
      expect(perDivision.get('*')).toEqual(['*:*:*']);
    } finally {
      await storage.close();
      await fresh.drop();
    }
  });
});
