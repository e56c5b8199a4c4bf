/**
 * One password policy (@see issue 16) for the users API and the CLI's create-admin: 8 to 256
 * characters and not guessable by zxcvbn-ts's common-password and pattern lists, nor built from
 * the user's own name or email.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/platform/password-policy.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

describe('password policy', () => {
  it('refuses short, common and personal passwords; takes passphrases', () => {
    for (const weak of ['x', 'password', '12345678', 'password123', 'qwertyuiop', 'Summer2024!'])
      expect(passwordProblem(weak), weak).not.toBeNull();
    expect(passwordProblem('jane.doe@example.com', ['jane.doe@example.com', 'Jane Doe'])).not.toBeNull();
    expect(passwordProblem('y'.repeat(257))).toMatch(/at most 256/);
    for (const good of ['correct horse battery staple', 'a passphrase long enough', '1mz050nq-Long-Enough'])
      expect(passwordProblem(good), good).toBeNull();
  });

  describe('through the users API', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp('sqlite');
    });
    afterAll(() => t?.close());

    it('answers 400 naming the password field', async () => {
      const token = await t.token();
      for (const password of ['password', '12345678', 'x']) {
        const res = await t.api('/api/v2/users', {
          method: 'POST',
          token,
          body: { name: 'Weak', email: `weak-${password.length}@example.com`, password },
        });
        expect(res.status, password).toBe(400);
        expect(res.body.details?.[0]?.fieldName ?? 'password', password).toBe('password');
      }
      const ok = await t.api('/api/v2/users', {
        method: 'POST',
        token,
        body: { name: 'Strong', email: 'strong@example.com', password: 'a passphrase long enough' },
      });
      expect(ok.status).toBe(200);
    });
  });

  it('refuses a weak password in create-admin', { timeout: 120_000 }, () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
    const dir = mkdtempSync(join(tmpdir(), 'gh-pw-'));
    const run = (password: string) =>
      spawnSync(
        process.execPath,
        [
          bin,
          'create-admin',
          '--data-dir',
          dir,
          '--org',
          'Gatehouse Demo',
          '--email',
          'a@example.com',
          '--name',
          'A',
          '--password',
          password,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
    for (const password of ['x', 'password', '12345678']) {
      const weak = run(password);
      expect(weak.status, password).toBe(2);
      expect(weak.stderr, password).toMatch(/gatehouse: The password (must be at least 8|is too easy to guess)/);
    }
  });
});
