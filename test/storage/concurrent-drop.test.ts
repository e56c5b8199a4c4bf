/**
 * Migrating, checking a store's migrations (`start --no-migrate`) and backing it up on PostgreSQL
 * while another session drops schemas, tables and columns in the same database (as parallel test
 * workers, or several tenants' stores, do). Kysely's own introspection reads every schema's catalog
 * and failed a clean-clone CI run with "schema … does not exist" (SQLSTATE 3F000), and full runs
 * with "column … of relation … does not exist" (42703) and "relation … does not exist" (42P01).
 * The migrator now reads only its store's schema (migratorFor); without that, some of these
 * fifteen stores failed in most runs (the churn is far faster than test workers drop schemas).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createStorage } from '../../src/storage/db.ts';
import { backupStore } from '../../src/storage/backup.ts';
import { assertMigrated, migrateToLatest } from '../../src/storage/migrations/index.ts';
import { freshDatabase, PG_URL } from '../helpers/dialects.ts';

it.runIf(Boolean(PG_URL))(
  'migrates while another session creates and drops schemas',
  async () => {
    let stop = false;
    const churn = (async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      for (let i = 0; !stop; i++) {
        const schema = `gh_churn_${process.pid}_${i}`;
        await c.query(`CREATE SCHEMA ${schema}`);
        await c.query(`CREATE TABLE ${schema}.t (id int, name text, v varchar(10))`);
        // A column and a table dropped on their own (42703, 42P01 in the catalog read), then the schema (3F000).
        await c.query(`ALTER TABLE ${schema}.t DROP COLUMN name`);
        await c.query(`CREATE TABLE ${schema}.u (id int, a text)`);
        await c.query(`DROP TABLE ${schema}.u`);
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await c.end();
    })();
    const failures: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-churn-'));
    try {
      for (let n = 0; n < 15; n++) {
        const db = await freshDatabase('postgres');
        const storage = createStorage(db.url);
        try {
          await migrateToLatest(storage);
          await assertMigrated(storage);
          await backupStore(storage, join(dir, `${n}.jsonl`));
        } catch (err) {
          failures.push((err as Error).message);
        } finally {
          await storage.close();
          await db.drop();
        }
      }
    } finally {
      stop = true;
      rmSync(dir, { recursive: true, force: true });
      await churn;
    }
    expect(failures).toEqual([]);
  },
  120_000,
);
