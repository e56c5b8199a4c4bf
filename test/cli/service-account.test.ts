/**
 * `gatehouse create-client --service-account`: the client's tokens act as its own user, so
 * /users/me answers it (tutorial seeds/001 step 1; @see issue 18).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const running: ChildProcess[] = [];

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

function start(dir: string): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--log-level', 'warn', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Console: (http:\/\/\S+?)\/\n/.exec(out);
      if (m && out.endsWith('\n\n')) resolve({ base: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGTERM');
});

describe('gatehouse create-client --service-account', { timeout: 120_000 }, () => {
  it('creates a service account whose token answers /users/me', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-cli-sa-'));
    const first = await start(dir);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const r = run([
      'create-client',
      '--data-dir',
      dir,
      '--org',
      'Gatehouse Demo',
      '--name',
      'Nightly',
      '--service-account',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Service-account client created/);
    const id = /client id: +(\S+)/.exec(r.stdout)![1];
    const secret = /client secret: (\S+)/.exec(r.stdout)![1];
    const { base } = await start(dir);
    const token = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    }).then((res) => res.json() as Promise<{ access_token: string }>);
    const me = await fetch(`${base}/api/v2/users/me`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { name: string; email: string };
    expect(body.name).toBe('Nightly');
    expect(body.email).toMatch(/service-account/);
  });
});
