/**
 * `gatehouse backup` / `gatehouse restore` (@see issue 21): a store with data in every domain is
 * backed up, restored into a fresh store (same dialect, and SQLite into PostgreSQL), and every
 * table is compared row for row; the restored store serves the same credentials.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createGatehouse } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { backupStore, restoreStore } from '../../src/storage/backup.ts';
import { createStorage, type Storage } from '../../src/storage/db.ts';
import { listTables } from '../../src/storage/dialect.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS, type FreshDatabase, freshDatabase, type TestDialect } from '../helpers/dialects.ts';
import { BIN } from '../helpers/gatehouse-process.ts';

const drops: FreshDatabase[] = [];
const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of drops) await d.drop();
});

async function tableContents(storage: Storage): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of await listTables(storage.dialect, storage.db)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(storage.db);
    // Sorted in JS: the two dialects collate text differently.
    out[table] = rows
      .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))))
      .sort();
  }
  return out;
}

/** A store with rows in most tables: users, clients, tokens' audit trail, usage, a stream. */
async function populated(dialect: TestDialect): Promise<TestApp> {
  const t = await startApp(dialect);
  apps.push(t);
  const token = await t.token();
  await t.api('/api/v2/users', { method: 'POST', token, body: { name: 'Backed Up', email: 'backed.up@example.com' } });
  await t.clientWithRole('backup client');
  for (let i = 0; i < 3; i++) await t.api('/api/v2/users/me', { token });
  await t.gh.meter.flush();
  await t.gh.jobs.idle();
  return t;
}

const pairs: [TestDialect, TestDialect][] = DIALECTS.flatMap((d) => [[d, d] as [TestDialect, TestDialect]]);
if (DIALECTS.includes('postgres')) pairs.push(['sqlite', 'postgres']);

describe('backup and restore', { timeout: 120_000 }, () => {
  for (const [from, to] of pairs) {
    it(`restores a ${from} backup into a fresh ${to} store with every table equal`, async () => {
      const source = await populated(from);
      const file = join(mkdtempSync(join(tmpdir(), 'gh-backup-')), 'store.jsonl.gz');
      const written = await backupStore(source.gh.storage, file);
      expect(written.users).toBeGreaterThan(1);
      expect(written.audit_events).toBeGreaterThan(0);
      const target = await freshDatabase(to);
      drops.push(target);
      const storage = createStorage(target.url);
      try {
        const loaded = await restoreStore(storage, file);
        expect(loaded).toEqual(written);
        const [before, after] = [await tableContents(source.gh.storage), await tableContents(storage)];
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
        for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
        // A second restore into the now populated store is refused.
        await expect(restoreStore(storage, file)).rejects.toThrow(/not empty/);
      } finally {
        await storage.close();
      }
      // The restored store serves: the demo client's secret still gets a token.
      const gh = await createGatehouse(loadConfig({ 'database-url': target.url, 'log-level': 'silent' }, {}), {
        logger: false,
      });
      try {
        const client = await gh.oauth.clients.findForAuthentication(source.demo.clientId);
        expect(client?.id).toBe(source.demo.clientId);
      } finally {
        await gh.close();
      }
    });
  }

  it('runs as `gatehouse backup` and `gatehouse restore`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-backup-cli-'));
    const source = await populated('sqlite');
    const file = join(dir, 'store.jsonl');
    const sourceUrl = (source.gh.config.databaseUrl as string) ?? '';
    const backup = spawnSync(process.execPath, [BIN, 'backup', '--database-url', sourceUrl, '--file', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/Backup written to .*: \d+ tables, \d+ rows/);
    const restore = spawnSync(
      process.execPath,
      [BIN, 'restore', '--database-url', `sqlite:${join(dir, 'restored.db')}`, '--file', file],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(restore.status, restore.stderr).toBe(0);
    const storage = createStorage(`sqlite:${join(dir, 'restored.db')}`);
    try {
      expect(await tableContents(storage)).toEqual(await tableContents(source.gh.storage));
    } finally {
      await storage.close();
    }
  });
});
