/**
 * The dialects every storage-touching test runs on: SQLite always, PostgreSQL when
 * GATEHOUSE_TEST_DATABASE_URL is set (test/services.ts sets it when a server answers on 127.0.0.1:5432).
 * Each call gives a fresh, empty database: a temporary SQLite file or a new PostgreSQL schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

export const PG_URL = process.env.GATEHOUSE_TEST_DATABASE_URL;

export const DIALECTS: TestDialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function freshDatabase(dialect: TestDialect): Promise<FreshDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
    return {
      url: `sqlite:${join(dir, 'gatehouse.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!PG_URL) throw new Error('GATEHOUSE_TEST_DATABASE_URL is not set');
  const schema = `gh_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
