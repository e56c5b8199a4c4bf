import {
  type DatabaseIntrospector,
  type Kysely,
  type Migration,
  type MigrationResultSet,
  Migrator,
  sql,
  type TableMetadata,
} from 'kysely';
import type { Storage } from '../db.ts';
import { migrationTableSchema } from '../dialect.ts';
import * as m0001 from './0001_directory.ts';
import * as m0002 from './0002_oauth.ts';
import * as m0003 from './0003_audit.ts';
import * as m0004 from './0004_oauth_flows.ts';
import * as m0005 from './0005_audit_queries.ts';
import * as m0006 from './0006_audit_streams.ts';
import * as m0007 from './0007_usage.ts';
import * as m0008 from './0008_sso.ts';
import * as m0009 from './0009_scim.ts';
import * as m0010 from './0010_sso_flows.ts';
import * as m0011 from './0011_usage_daily.ts';
import * as m0012 from './0012_conversations.ts';
import * as m0013 from './0013_audit_indexes.ts';
import * as m0014 from './0014_saml_bearer.ts';
import * as m0015 from './0015_refresh_tokens_user.ts';
import * as m0016 from './0016_refresh_tokens_confidential.ts';
import * as m0017 from './0017_scim_manager_index.ts';
import * as m0018 from './0018_gdpr.ts';
import * as m0019 from './0019_authorization_divisions.ts';
import { type KeySealer, sealServerKeys } from './0020_seal_server_keys.ts';
import * as m0021 from './0021_routing.ts';
import * as m0022 from './0022_interactions.ts';
import * as m0023 from './0023_client_scim_rate_limit.ts';
import * as m0027 from './0027_external_contacts.ts';
import * as m0028 from './0028_conversation_attachments.ts';
import * as m0029 from './0029_all_divisions_grants.ts';
import * as m0030 from './0030_conversations_division_index.ts';
import * as m0031 from './0031_conversation_filter_indexes.ts';
import * as m0035 from './0035_participant_direction_index.ts';
import * as m0036 from './0036_role_grants_subject_index.ts';

/** Numbered, dialect-neutral migrations, applied in name order. */
export const MIGRATIONS = (sealer?: KeySealer): Record<string, Migration> => ({
  '0001_directory': m0001,
  '0002_oauth': m0002,
  '0003_audit': m0003,
  '0004_oauth_flows': m0004,
  '0005_audit_queries': m0005,
  '0006_audit_streams': m0006,
  '0007_usage': m0007,
  '0008_sso': m0008,
  '0009_scim': m0009,
  '0010_sso_flows': m0010,
  '0011_usage_daily': m0011,
  '0012_conversations': m0012,
  '0013_audit_indexes': m0013,
  '0014_saml_bearer': m0014,
  '0015_refresh_tokens_user': m0015,
  '0016_refresh_tokens_confidential': m0016,
  '0017_scim_manager_index': m0017,
  '0018_gdpr': m0018,
  '0019_authorization_divisions': m0019,
  '0020_seal_server_keys': sealServerKeys(sealer),
  '0021_routing': m0021,
  '0022_interactions': m0022,
  '0023_client_scim_rate_limit': m0023,
  '0027_external_contacts': m0027,
  '0028_conversation_attachments': m0028,
  '0029_all_divisions_grants': m0029,
  '0030_conversations_division_index': m0030,
  '0031_conversation_filter_indexes': m0031,
  '0035_participant_direction_index': m0035,
  '0036_role_grants_subject_index': m0036,
});

/**
 * Kysely's migrator looks for its own tables through `db.introspection`, which on PostgreSQL reads
 * the catalog of every schema in the database, and calls functions on each column it finds. When
 * another session drops a schema, table or column during that read, the read fails though nothing
 * is wrong with this store ("schema … does not exist", "column … of relation … does not exist"):
 * seen when parallel test workers, or several tenants' stores, share a database. The migrator is
 * therefore given an introspector that reads only this store's own schema, from the catalog and
 * without such functions (the migrator needs only the table names). SQLite's file holds one store.
 */
function scopedIntrospector(db: Kysely<any>, schema: string): DatabaseIntrospector {
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p')`.execute(db);
    return rows.map((r) => ({ name: r.name, schema, isView: false, columns: [] }));
  };
  return {
    getSchemas: async () => [{ name: schema }],
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
}

/** A migrator for this store (`db`: the store's, or a snapshot of it), with the scoped introspector on PostgreSQL. */
export async function migratorFor(
  storage: Storage,
  options: { db?: Kysely<any>; sealServerKey?: KeySealer; allowUnorderedMigrations?: boolean } = {},
): Promise<Migrator> {
  const db = options.db ?? storage.db;
  const schema = await migrationTableSchema(storage.dialect, db);
  const introspection = schema === undefined ? undefined : scopedIntrospector(db, schema);
  const scoped = introspection
    ? new Proxy(db, {
        get(target, prop) {
          if (prop === 'introspection') return introspection;
          const value = Reflect.get(target, prop, target);
          // Kysely's methods use private fields: they must run on the real instance.
          return typeof value === 'function' ? value.bind(target) : value;
        },
      })
    : db;
  return new Migrator({
    db: scoped,
    provider: { getMigrations: async () => MIGRATIONS(options.sealServerKey) },
    migrationTableSchema: schema,
    allowUnorderedMigrations: options.allowUnorderedMigrations,
  });
}

export interface MigrateOptions {
  /** Seals server keys kept in clear by older versions (0020); given by the composition root. */
  sealServerKey?: KeySealer;
}

export async function migrateToLatest(storage: Storage, options: MigrateOptions = {}): Promise<string[]> {
  const migrator = await migratorFor(storage, { sealServerKey: options.sealServerKey });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * For `start --no-migrate` (rolling upgrades: `gatehouse migrate` first, then each process):
 * refuses to start on a store that lacks a migration this code needs, naming them. Migrations
 * newer than this code are fine (an older process keeps running during the upgrade).
 */
export async function assertMigrated(storage: Storage): Promise<void> {
  const migrator = await migratorFor(storage, { allowUnorderedMigrations: true });
  const migrations = await migrator.getMigrations();
  const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
  if (pending.length)
    throw Object.assign(
      new Error(`the store lacks migrations ${pending.join(', ')}; run \`gatehouse migrate\` first (--no-migrate)`),
      { code: 'GATEHOUSE_NOT_MIGRATED' },
    );
}
