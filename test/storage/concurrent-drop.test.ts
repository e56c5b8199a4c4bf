/**
 * Migrating on PostgreSQL while another session drops its schemas in the same database (as
 * parallel test workers, or several tenants' schemas, do): Kysely's migrator reads every schema's
 * catalog and once failed a clean-clone CI run with "schema … does not exist" (SQLSTATE 3F000), and a full
 * run with "column … of relation … does not exist" (42703) when a column or table went instead.
 * Without the retry in migrateToLatest about half of these fifteen migrations failed (a schema
 * dropped every 10 ms or so, far more often than test workers drop theirs).
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { createStorage } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
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
    try {
      for (let n = 0; n < 15; n++) {
        const db = await freshDatabase('postgres');
        const storage = createStorage(db.url);
        try {
          await migrateToLatest(storage);
        } catch (err) {
          failures.push((err as Error).message);
        } finally {
          await storage.close();
          await db.drop();
        }
      }
    } finally {
      stop = true;
      await churn;
    }
    expect(failures).toEqual([]);
  },
  120_000,
);
