/**
 * First start in production (@see issue 21): any number of processes may start together on an
 * empty store (one demo organization, nobody crashes); a taken port stores nothing, so the
 * credentials of a later start are still printed; a lost admin password or client secret is
 * recovered with a documented command; --help lists every option.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FLAGS } from '../../src/config.ts';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';
import { BIN, clientToken, type GatehouseProcess, startGatehouse } from '../helpers/gatehouse-process.ts';

const running: GatehouseProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.child.kill('SIGKILL');
});

const cli = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: process.env });

describe('first start', { timeout: 180_000 }, () => {
  it('--help lists every option and command', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const flag of CONFIG_FLAGS) expect(r.stdout).toContain(`--${flag} `);
    for (const cmd of ['reset-admin-password', 'reset-client-secret', 'backup', 'restore', '--no-migrate'])
      expect(r.stdout).toContain(cmd);
  });

  it.skipIf(!DIALECTS.includes('postgres'))('four processes starting together on an empty store', async () => {
    const db = await freshDatabase('postgres');
    try {
      const starts = await Promise.allSettled(
        [1, 2, 3, 4].map(() => startGatehouse(['--port', '0', '--database-url', db.url, '--log-level', 'error'])),
      );
      for (const s of starts) if (s.status === 'fulfilled') running.push(s.value);
      expect(
        starts.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)),
      ).toEqual([]);
      const up = starts.map((s) => (s as PromiseFulfilledResult<GatehouseProcess>).value);
      const seeded = up.filter((p) => p.demo);
      expect(seeded).toHaveLength(1);
      const { clientId, clientSecret } = seeded[0]!.demo!;
      for (const p of up) expect(await clientToken(p.url, clientId, clientSecret)).toBeTruthy();
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const { rows } = await c.query('select count(*)::int as n from organizations');
      await c.end();
      expect(rows[0].n).toBe(1);
    } finally {
      for (const p of running.splice(0)) p.child.kill('SIGKILL');
      await db.drop();
    }
  });

  it('a taken port stores nothing, so the next start still prints the credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-first-'));
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as { port: number }).port);
    const taken = cli(['start', '--port', port, '--data-dir', dir, '--log-level', 'error']);
    blocker.close();
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain('port is already in use');
    expect(taken.stdout).not.toContain('client secret');
    const next = await startGatehouse(['--port', '0', '--data-dir', dir, '--log-level', 'error']);
    running.push(next);
    expect(next.demo).not.toBeNull();
  });

  it('recovers a lost admin password and client secret with a command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-reset-'));
    const first = await startGatehouse(['--port', '0', '--data-dir', dir, '--log-level', 'error']);
    running.push(first);
    const { clientId, clientSecret } = first.demo!;
    const reset = cli(['reset-client-secret', '--data-dir', dir, '--org', 'Gatehouse Demo', '--client-id', clientId]);
    expect(reset.status, reset.stderr).toBe(0);
    const secret = /client secret: (\S+)/.exec(reset.stdout)![1]!;
    expect(await clientToken(first.url, clientId, secret)).toBeTruthy();
    await expect(clientToken(first.url, clientId, clientSecret)).rejects.toThrow(/401/);
    const pw = cli([
      'reset-admin-password',
      '--data-dir',
      dir,
      '--org',
      'Gatehouse Demo',
      '--email',
      'admin@demo.gatehouse.local',
    ]);
    expect(pw.status, pw.stderr).toBe(0);
    const password = /password: (\S+)/.exec(pw.stdout)![1]!;
    const login = await fetch(`${first.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.gatehouse.local', password }),
    });
    expect(login.status).toBeLessThan(300);
  });
});
