/**
 * The `gatehouse` command as a person runs it: first start prints the demo credentials once,
 * a second start prints no secret, and bad flags, env values or store files stop it with a
 * clear message (@see issue 2).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const running: ChildProcess[] = [];

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
}

/** Starts the server and resolves with its stdout once it says it is running. */
function start(args: string[]): Promise<{ out: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start in time: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (/running/.test(out) && (out.includes('client secret:') || /running[^\n]*\n\n/.test(out))) {
        clearTimeout(timer);
        setTimeout(() => resolve({ out, child }), 200);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGTERM');
});

// Each case starts the CLI several times (a cold Node process each): on a loaded CI machine one
// case has taken over 30 s, so they get two minutes.
describe('gatehouse CLI', { timeout: 120_000 }, () => {
  it('prints help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const cmd of ['start', 'migrate', 'create-admin', 'create-client']) expect(r.stdout).toContain(cmd);
  });

  it('prints the demo credentials on the first start only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
    const first = await start(['--data-dir', dir]);
    expect(first.out).toContain('Admin login:    admin@demo.gatehouse.local');
    const secret = /client secret: (\S+)/.exec(first.out)![1];
    const password = /Admin password: (\S+)/.exec(first.out)![1];
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const second = await start(['--data-dir', dir]);
    expect(second.out).toContain('Gatehouse is running');
    expect(second.out).not.toContain(secret);
    expect(second.out).not.toContain(password);
    expect(second.out).not.toContain('client secret');
  });

  it('creates a client and prints its secret once; the secret works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
    expect(run(['migrate', '--data-dir', dir]).status).toBe(0);
    const { child } = await start(['--data-dir', dir]);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const r = run(['create-client', '--data-dir', dir, '--org', 'Gatehouse Demo', '--name', 'ci script']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/client secret: \S{43}/);
    const id = /client id: +(\S+)/.exec(r.stdout)![1];
    const secret = /client secret: (\S+)/.exec(r.stdout)![1];
    const again = await start(['--data-dir', dir]);
    const base = /Console: (http:\/\/\S+?)\/\n/.exec(again.out)![1];
    const token = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const admin = run([
      'create-admin',
      '--data-dir',
      dir,
      '--org',
      'Gatehouse Demo',
      '--email',
      'second@example.com',
      '--name',
      'Second',
      '--password',
      'long enough pw',
    ]);
    expect(admin.status).toBe(0);
    const dup = run([
      'create-admin',
      '--data-dir',
      dir,
      '--org',
      'Gatehouse Demo',
      '--email',
      'second@example.com',
      '--name',
      'Second',
      '--password',
      'long enough pw',
    ]);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);
  });

  it('stops with a clear message on a bad flag, env value or store file', () => {
    const badPort = run(['start', '--port', 'eighty']);
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be a whole number/);
    const badEnv = run(['start'], { GATEHOUSE_LOG_LEVEL: 'loud' });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toMatch(/GATEHOUSE_LOG_LEVEL must be one of/);
    const unknownFlag = run(['start', '--colour', 'blue']);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toMatch(/colour/);
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-'));
    writeFileSync(join(dir, 'gatehouse.db'), 'this is a text file, not SQLite '.repeat(200));
    const notDb = run(['migrate', '--data-dir', dir]);
    expect(notDb.status).toBe(2);
    expect(notDb.stderr).toMatch(/is not a Gatehouse database/);
    const badUrl = run(['migrate', '--database-url', 'mysql://x']);
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toMatch(/must start with sqlite: or postgres:\/\//);
  });
});
