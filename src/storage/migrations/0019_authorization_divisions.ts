// Frozen: a migration never changes once released and imports nothing but kysely.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A deleted division keeps its row (upstream lists deleted divisions and restores them).
  await db.schema.alterTable('divisions').addColumn('deleted_at', 'varchar(32)').execute();
  // OAuth clients live in a division like users and conversations; existing ones in their org's home.
  await db.schema.alterTable('oauth_clients').addColumn('division_id', 'varchar(36)').execute();
  await sql`UPDATE oauth_clients SET division_id = (SELECT d.id FROM divisions d WHERE d.org_id = oauth_clients.org_id AND d.home = 1)`.execute(
    db,
  );
  await db.schema
    .createIndex('oauth_clients_org_division')
    .on('oauth_clients')
    .columns(['org_id', 'division_id'])
    .execute();
  await db.schema.createIndex('users_org_division').on('users').columns(['org_id', 'division_id']).execute();
  await db.schema
    .createIndex('role_grants_org_division')
    .on('role_grants')
    .columns(['org_id', 'division_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('role_grants_org_division').execute();
  await db.schema.dropIndex('users_org_division').execute();
  await db.schema.dropIndex('oauth_clients_org_division').execute();
  await db.schema.alterTable('oauth_clients').dropColumn('division_id').execute();
  await db.schema.alterTable('divisions').dropColumn('deleted_at').execute();
}
