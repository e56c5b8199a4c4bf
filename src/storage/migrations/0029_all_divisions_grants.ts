// Frozen: a migration never changes once released and imports nothing but kysely.
import { type Kysely, sql } from 'kysely';

/**
 * Grants in "all divisions" (upstream's division id `*`): role_grants.division_id no longer
 * references divisions, so `*` can be stored; the table is rebuilt (SQLite cannot drop a
 * foreign key). Grants of a role holding `*:*:*` become `*` grants: until now such a grant in
 * any division reached every division (decision 0006), and a `*` grant keeps exactly that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('role_grants_next')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(36)', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    // A division of the organization, or `*`: every division, including those created later.
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull())
    .addPrimaryKeyConstraint('role_grants_key', ['subject_id', 'role_id', 'division_id'])
    .execute();
  await sql`INSERT INTO role_grants_next (org_id, subject_type, subject_id, role_id, division_id)
    SELECT DISTINCT g.org_id, g.subject_type, g.subject_id, g.role_id,
      CASE WHEN r.permissions LIKE '%"*:*:*"%' THEN '*' ELSE g.division_id END
    FROM role_grants g JOIN roles r ON r.id = g.role_id`.execute(db);
  await db.schema.dropTable('role_grants').execute();
  await db.schema.alterTable('role_grants_next').renameTo('role_grants').execute();
  await db.schema.createIndex('role_grants_role').on('role_grants').columns(['role_id', 'subject_type']).execute();
  await db.schema
    .createIndex('role_grants_org_division')
    .on('role_grants')
    .columns(['org_id', 'division_id'])
    .execute();
}

/** Back to grants in one division each: a `*` grant becomes a grant in the home division. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('role_grants_prev')
    .addColumn('org_id', 'varchar(36)', (c) => c.notNull().references('organizations.id'))
    .addColumn('subject_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('subject_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('role_id', 'varchar(36)', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addColumn('division_id', 'varchar(36)', (c) => c.notNull().references('divisions.id'))
    .addPrimaryKeyConstraint('role_grants_prev_key', ['subject_id', 'role_id', 'division_id'])
    .execute();
  await sql`INSERT INTO role_grants_prev (org_id, subject_type, subject_id, role_id, division_id)
    SELECT DISTINCT g.org_id, g.subject_type, g.subject_id, g.role_id,
      CASE WHEN g.division_id = '*'
        THEN (SELECT d.id FROM divisions d WHERE d.org_id = g.org_id AND d.home = 1)
        ELSE g.division_id END
    FROM role_grants g`.execute(db);
  await db.schema.dropTable('role_grants').execute();
  await db.schema.alterTable('role_grants_prev').renameTo('role_grants').execute();
  await db.schema.createIndex('role_grants_role').on('role_grants').columns(['role_id', 'subject_type']).execute();
  await db.schema
    .createIndex('role_grants_org_division')
    .on('role_grants')
    .columns(['org_id', 'division_id'])
    .execute();
}
