/**
 * `gatehouse rotate-keys` against two running processes sharing one store (@see issue 16): a new
 * token key signs in both within seconds, without a restart, while tokens signed by the old key
 * keep working; `--master` seals the store with a new master key and both keep going.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const running: ChildProcess[] = [];

function run(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

function start(dir: string): Promise<{ out: string; base: string }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--log-level', 'warn', '--data-dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start in time: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const base = /Console: (http:\/\/\S+?)\/\n/.exec(out);
      if (base && /running[\s\S]*\n\n/.test(out)) {
        clearTimeout(timer);
        resolve({ out, base: base[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function token(base: string, id: string, secret: string): Promise<string> {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const accepted = async (base: string, t: string) =>
  (await fetch(`${base}/api/v2/organizations/me`, { headers: { authorization: `Bearer ${t}` } })).status === 200;

/** Polls until the process signs with key `kid` (a state, not a time) and answers such a token. */
async function signedWith(base: string, id: string, secret: string, kid: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await token(base, id, secret);
    if (t.split('.')[1] === kid) return t;
    if (Date.now() > end) throw new Error(`${base} does not sign with key ${kid} in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  for (const c of running.splice(0)) c.kill('SIGTERM');
});

describe('rotate-keys across two processes', { timeout: 180_000 }, () => {
  it('rotates the token key and the master key under running processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-rotate-'));
    const a = await start(dir);
    const id = /client id: +(\S+)/.exec(a.out)![1];
    const secret = /client secret: (\S+)/.exec(a.out)![1];
    const b = await start(dir);
    const old = await token(a.base, id, secret);
    expect(old.split('.')[1]).toBe('1');
    expect(await accepted(b.base, old)).toBe(true);

    const rotated = run(['rotate-keys', '--data-dir', dir]);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/Token key 2 signs from now on/);
    const since = Date.now();
    // Both processes sign with key 2 and accept each other's new tokens, without a restart.
    let fromA = await signedWith(a.base, id, secret, '2');
    let fromB = await signedWith(b.base, id, secret, '2');
    expect(Date.now() - since).toBeLessThan(10_000);
    expect(await accepted(b.base, fromA)).toBe(true);
    expect(await accepted(a.base, fromB)).toBe(true);
    // The old key still verifies the tokens it signed.
    expect(await accepted(a.base, old)).toBe(true);
    expect(await accepted(b.base, old)).toBe(true);

    const before = readFileSync(join(dir, 'master.key'), 'utf8');
    const master = run(['rotate-keys', '--master', '--data-dir', dir]);
    expect(master.status, master.stderr).toBe(0);
    expect(master.stdout).toMatch(/sealed with a new master key/);
    expect(readFileSync(join(dir, 'master.key'), 'utf8')).not.toBe(before);
    // A token key made under the new master key reaches both processes (they read the key file again).
    expect(run(['rotate-keys', '--data-dir', dir]).stdout).toMatch(/Token key 3/);
    fromA = await signedWith(a.base, id, secret, '3');
    fromB = await signedWith(b.base, id, secret, '3');
    expect(await accepted(b.base, fromA)).toBe(true);
    expect(await accepted(a.base, fromB)).toBe(true);
    expect(await accepted(b.base, old)).toBe(true);
  });
});
