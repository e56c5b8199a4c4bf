/**
 * Migrations are dialect-neutral: an empty SQLite and an empty PostgreSQL migrate to the same
 * tables and columns (STYLE.md 8), and running them twice changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createStorage, type Storage } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, freshDatabase, type TestDialect } from '../helpers/dialects.ts';

type Table = { name: string; columns: { name: string; isNullable: boolean }[] };

/**
 * This store's tables and columns. On PostgreSQL only this schema's catalog is read: Kysely's
 * introspection reads every schema's, and failed a full run when another test file dropped a
 * column meanwhile ("column … of relation … does not exist").
 */
async function tablesOf(storage: Storage): Promise<Table[]> {
  if (storage.dialect === 'sqlite') return storage.db.introspection.getTables();
  const { rows } = await sql<{ table: string; column: string; nullable: boolean }>`
    select c.relname as table, a.attname as column, not a.attnotnull as nullable
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join pg_catalog.pg_attribute a on a.attrelid = c.oid
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped`.execute(
    storage.db,
  );
  const tables = new Map<string, Table>();
  for (const r of rows) {
    const table = tables.get(r.table) ?? { name: r.table, columns: [] };
    table.columns.push({ name: r.column, isNullable: r.nullable });
    tables.set(r.table, table);
  }
  return [...tables.values()];
}

async function shapeOf(dialect: TestDialect) {
  const fresh = await freshDatabase(dialect);
  const storage = createStorage(fresh.url);
  try {
    const applied = await migrateToLatest(storage);
    const again = await migrateToLatest(storage);
    const shape = Object.fromEntries(
      (await tablesOf(storage))
        .filter((t) => !t.name.startsWith('kysely_'))
        .map((t) => [t.name, t.columns.map((c) => `${c.name}${c.isNullable ? '?' : ''}`).sort()]),
    );
    return { applied, again, shape };
  } finally {
    await storage.close();
    await fresh.drop();
  }
}

describe('migrations', () => {
  it('apply once, in order, on every dialect', async () => {
    for (const d of DIALECTS) {
      const { applied, again } = await shapeOf(d);
      expect(applied).toEqual([
        '0001_directory',
        '0002_oauth',
        '0003_audit',
        '0004_oauth_flows',
        '0005_audit_queries',
        '0006_audit_streams',
        '0007_usage',
        '0008_sso',
        '0009_scim',
        '0010_sso_flows',
        '0011_usage_daily',
        '0012_conversations',
        '0013_audit_indexes',
        '0014_saml_bearer',
        '0015_refresh_tokens_user',
        '0016_refresh_tokens_confidential',
        '0017_scim_manager_index',
        '0018_gdpr',
        '0019_authorization_divisions',
        '0020_seal_server_keys',
        '0021_routing',
        '0022_interactions',
        '0023_client_scim_rate_limit',
        '0027_external_contacts',
        '0028_conversation_attachments',
        '0029_all_divisions_grants',
        '0030_conversations_division_index',
        '0031_conversation_filter_indexes',
        '0035_participant_direction_index',
        '0036_role_grants_subject_index',
      ]);
      expect(again).toEqual([]);
    }
  });

  it.runIf(DIALECTS.includes('postgres'))('give SQLite and PostgreSQL the same tables and columns', async () => {
    const sqlite = await shapeOf('sqlite');
    const postgres = await shapeOf('postgres');
    expect(postgres.shape).toEqual(sqlite.shape);
    expect(Object.keys(sqlite.shape).sort()).toEqual([
      'analytics_jobs',
      'api_usage_daily',
      'api_usage_daily_clients',
      'api_usage_daily_templates',
      'api_usage_hourly',
      'audit_deliveries',
      'audit_events',
      'audit_queries',
      'audit_streams',
      'conversation_attachments',
      'conversation_participants',
      'conversations',
      'divisions',
      'external_contact_identifiers',
      'external_contacts',
      'external_organizations',
      'gdpr_requests',
      'group_members',
      'groups',
      'oauth_authorizations',
      'oauth_clients',
      'oauth_codes',
      'organizations',
      'refresh_tokens',
      'role_grants',
      'roles',
      'routing_queue_members',
      'routing_queues',
      'scim_user_emails',
      'scim_user_external_ids',
      'scim_user_phones',
      'scim_users',
      'server_keys',
      'sso_assertions',
      'sso_bearer_assertions',
      'sso_providers',
      'sso_requests',
      'sso_sessions',
      'sso_settings',
      'sso_sp_credentials',
      'token_revocations',
      'usage_queries',
      'user_preferences',
      'users',
    ]);
  });
});
