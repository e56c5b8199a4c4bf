// Bundles the compiled server (dist/src/main.js and everything it imports at start, npm packages
// included) into one module, dist/gatehouse.mjs, which bin/gatehouse.js runs when it is current.
// Node 20 resolves, reads and links each of the ~1,200 modules of the unbundled start on its own;
// one module loads in about half the time and memory (docs/benchmarks.md, issue 22).
//
// Left outside the bundle, loaded from node_modules as before: native addons, the modules the
// server loads on first use (jsdom, ioredis, pg, NATS, x509, libphonenumber, xmldom, xml-crypto,
// DOMPurify, zxcvbn: `createRequire` calls and dynamic imports), and Fastify's serializer
// compiler, which platform/validation.ts loads from Fastify's own dependencies, with the Ajv and
// fast-json-stringify it uses (so that there is one copy of each).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const entry = join(root, 'dist', 'src', 'main.js');
const outfile = join(root, 'dist', 'gatehouse.mjs');

export const EXTERNAL = [
  'better-sqlite3',
  '@node-rs/argon2',
  'pg',
  'ioredis',
  'jsdom',
  '@nats-io/*',
  '@peculiar/x509',
  'reflect-metadata',
  '@fastify/fast-json-stringify-compiler',
  // …which loads Ajv and fast-json-stringify from node_modules: one copy of each, shared.
  'fast-json-stringify',
  'ajv',
  'ajv/*',
  'tsx',
];

if (!existsSync(entry)) {
  console.error('dist/src/main.js is missing: build the server first (tsc -p tsconfig.build.json).');
  process.exit(1);
}
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // Without esbuild (a production install without it) bin/gatehouse.js runs dist/src/main.js.
  console.error('esbuild is not installed: the server runs unbundled from dist/src.');
  process.exit(0);
}
await esbuild.build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // Bundled CommonJS modules call `require` for the external packages and Node's built-ins.
  banner: {
    js: "import { createRequire as gatehouseCreateRequire } from 'node:module'; const require = gatehouseCreateRequire(import.meta.url);",
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
if (statSync(outfile).mtimeMs < statSync(entry).mtimeMs) throw new Error('the bundle is older than dist/src/main.js');
