/**
 * The one-file server bundle that bin/gatehouse.js runs when it is current (dist/gatehouse.mjs,
 * scripts/bundle-server.js; issue 22): bundled from the sources here, it leaves the modules loaded
 * on first use outside, and a `gatehouse start` through it serves the demo client as usual.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script without declarations
import { bundleServer } from '../../scripts/bundle-server.js';
import { clientToken } from '../helpers/gatehouse-process.ts';

const ROOT = join(import.meta.dirname, '..', '..');
// Inside the checkout, so that the bundle finds node_modules as dist/gatehouse.mjs does.
const dir = mkdtempSync(join(ROOT, 'test', '.bundle-'));
const bundle = join(dir, 'gatehouse.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bundle-'));
const running: ChildProcess[] = [];

/** The npm packages the bundle holds, from esbuild's `// …node_modules/<package>/…` markers. */
function bundledPackages(): Set<string> {
  const names = new Set<string>();
  for (const m of readFileSync(bundle, 'utf8').matchAll(/^\/\/ \S*node_modules\/((?:@[^/\s]+\/)?[^/\s]+)\//gm))
    names.add(m[1]!);
  return names;
}

beforeAll(async () => {
  expect(await bundleServer(join(ROOT, 'src', 'main.ts'), bundle)).toBe(true);
  // What bin/gatehouse.js does with the bundle.
  writeFileSync(
    join(dir, 'run.mjs'),
    "const { main } = await import('./gatehouse.mjs');\nconst code = await main(process.argv.slice(2));\nif (code >= 0) process.exit(code);\n",
  );
}, 120_000);

afterAll(() => {
  for (const c of running) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server bundle', () => {
  it('holds the start-up modules and leaves out the native ones and those loaded on first use', () => {
    const packages = bundledPackages();
    for (const p of ['fastify', 'kysely', '@sinclair/typebox', 'prom-client']) expect(packages).toContain(p);
    for (const p of [
      'better-sqlite3',
      '@node-rs/argon2',
      'pg',
      'ioredis',
      'jsdom',
      'dompurify',
      'libphonenumber-js',
      '@xmldom/xmldom',
      'xml-crypto',
      'xpath',
      '@zxcvbn-ts/core',
      '@peculiar/x509',
      '@nats-io/transport-node',
      'ajv',
    ])
      expect(packages).not.toContain(p);
    // ASCII only: one other character would make V8 hold the whole source as UTF-16.
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/[\u0080-\uffff]/);
  });

  it('starts gatehouse, and the demo client gets a token that answers /users/me', async () => {
    const child = spawn(process.execPath, [join(dir, 'run.mjs'), 'start', '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GATEHOUSE_DATA_DIR: dataDir },
    });
    running.push(child);
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start in time: ${out}`)), 90_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (/client secret:\s+\S+\n/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const url = /Console: (\S+)\/\n/.exec(out)![1]!;
    const id = /client id:\s+(\S+)/.exec(out)![1]!;
    const secret = /client secret:\s+(\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const access_token = await clientToken(url, id, secret);
    const me = await fetch(`${url}/api/v2/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    // A validated body: a refused grant type answers in the OAuth shape.
    const bad = await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=nonsense',
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    child.kill('SIGTERM');
  }, 120_000);
});
