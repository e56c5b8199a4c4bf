/**
 * Keys at rest (@see issue 16): every key in server_keys is sealed with a master key that is not
 * in the store, so a copy of the database alone cannot mint a token that is accepted; the store
 * and its folder are owner-only; plain keys of older stores are sealed by migration 0020.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/demo.ts';
import { isSealed, masterKeyFrom } from '../../src/platform/master-key.ts';
import { serverKeysNamed } from '../../src/platform/server-keys.ts';
import { sealServerKeys } from '../../src/storage/migrations/0020_seal_server_keys.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';

/** A token with a new id and a one-year expiry, MACed with `key` (what an attacker would forge). */
function forge(genuine: string, key: string): string {
  const [prefix, kid, body] = genuine.split('.');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  const forged = { ...claims, i: 'forged-token-id', e: Math.floor(Date.now() / 1000) + 365 * 86400 };
  const head = `${prefix}.${kid}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}`;
  return `${head}.${createHmac('sha256', Buffer.from(key)).update(head).digest('base64url')}`;
}

describe.each(DIALECTS)('keys at rest on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  it('keeps every server key sealed: the stored value cannot mint a token', async () => {
    const genuine = await t.token();
    const rows = await t.gh.storage.db.selectFrom('server_keys').selectAll().execute();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(isSealed(r.value), r.name).toBe(true);
    const kid = genuine.split('.')[1];
    const stored = rows.find((r) => r.name === `token-mac:${kid}`)!.value;
    // With only the database copy: refused.
    expect((await t.api('/api/v2/users/me', { token: forge(genuine, stored) })).status).toBe(401);
    expect((await t.api('/api/v2/organizations/me', { token: forge(genuine, stored) })).status).toBe(401);
    // The same forgery with the unsealed key is accepted: the test forges correctly.
    const [real] = (await serverKeysNamed(t.gh.storage.db, `token-mac:${kid}`)).map((k) => k.value);
    expect((await t.api('/api/v2/organizations/me', { token: forge(genuine, real) })).status).toBe(200);
  });
});

describe('store files', () => {
  it('are owner-only: data folder 0700, database and master key 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gh-keys-')), 'data');
    const config = loadConfig({ 'data-dir': dir, 'log-level': 'silent', port: '0' }, {});
    const gh = await createGatehouse(config, { logger: false });
    await gh.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'gatehouse.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses to start with another master key than the one that sealed the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-keys-'));
    const first = await createGatehouse(loadConfig({ 'data-dir': dir, 'log-level': 'silent' }, {}), { logger: false });
    await first.close();
    const env = { GATEHOUSE_MASTER_KEY: 'x'.repeat(40) };
    await expect(
      createGatehouse(loadConfig({ 'data-dir': dir, 'log-level': 'silent' }, env), { logger: false }),
    ).rejects.toThrow(/another master key/);
  });
});

describe.each(DIALECTS)('migration 0020 on %s', (dialect) => {
  it('seals the plain keys of an older store; secrets hashed under them keep working', async () => {
    const db = await freshDatabase(dialect);
    const env = { GATEHOUSE_MASTER_KEY: 'm'.repeat(43) };
    try {
      const config = loadConfig({ 'database-url': db.url, 'log-level': 'silent' }, env);
      const gh = await createGatehouse(config, { logger: false });
      const demo = (await seedDemo(gh.directory, gh.oauth, 'correct horse battery staple'))!;
      // Back to how an older version kept them: in clear. Then migration 0020's step, as run on
      // such a store (re-running the migrator would refuse: later migrations are applied already).
      for (const k of await serverKeysNamed(gh.storage.db, '')) {
        await gh.storage.db.updateTable('server_keys').set({ value: k.value }).where('name', '=', k.name).execute();
      }
      const plain = await gh.storage.db.selectFrom('server_keys').selectAll().execute();
      for (const r of plain) expect(isSealed(r.value), r.name).toBe(false);
      await expect(sealServerKeys(undefined).up(gh.storage.db as never)).rejects.toThrow(/no master key/);
      const master = masterKeyFrom(env.GATEHOUSE_MASTER_KEY);
      await sealServerKeys((value, name) => master.seal(value, name)).up(gh.storage.db as never);
      await gh.close();

      const again = await createGatehouse(config, { logger: false });
      try {
        const rows = await again.storage.db.selectFrom('server_keys').selectAll().execute();
        for (const r of rows) expect(isSealed(r.value), r.name).toBe(true);
        await again.app.ready();
        const res = await again.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: {
            authorization: `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          payload: 'grant_type=client_credentials',
        });
        expect(res.statusCode).toBe(200);
      } finally {
        await again.close();
      }
    } finally {
      await db.drop();
    }
  });
});
