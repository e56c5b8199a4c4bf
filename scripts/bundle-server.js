// Bundles the compiled server (dist/src/main.js and everything it imports at start, npm packages
// included) into one module, dist/gatehouse.mjs, which bin/gatehouse.js runs when it is current.
// Node 20 resolves, reads, compiles and links each of the ~1,200 modules of the unbundled start
// on its own; one module starts in about half the CPU time (docs/benchmarks.md, issue 22).
//
// Left outside the bundle, loaded from node_modules as before: native addons, the modules the
// server loads on first use (jsdom, ioredis, pg, NATS, x509, libphonenumber, xmldom, xml-crypto,
// DOMPurify, zxcvbn: `createRequire` calls and dynamic imports), and Fastify's serializer
// compiler, which platform/validation.ts loads from Fastify's own dependencies, with the Ajv and
// fast-json-stringify it uses (so that there is one copy of each).
//
// `node scripts/bundle-server.js` bundles dist/src/main.js; test/cli/bundle.test.ts calls
// `bundleServer` on src/main.ts (esbuild reads TypeScript too).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(import.meta.dirname, '..');

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
  'fast-json-stringify',
  'ajv',
  'ajv/*',
  'tsx',
];

/** Writes the bundle of `entry` to `outfile`; false when esbuild is not installed. */
export async function bundleServer(entry, outfile) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const result = await esbuild.build({
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
    write: false,
  });
  // esbuild escapes every non-ASCII character of strings, regular expressions and identifiers;
  // the comments it keeps may still hold some (→, §, ×). One of them would make V8 hold the
  // whole 3 MB source as UTF-16, twice its size; as an escape it changes nothing it could mean.
  const text = result.outputFiles[0].text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  writeFileSync(outfile, text);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = join(root, 'dist', 'src', 'main.js');
  if (!existsSync(entry)) {
    console.error('dist/src/main.js is missing: build the server first (tsc -p tsconfig.build.json).');
    process.exit(1);
  }
  // Without esbuild (a production install without it) bin/gatehouse.js runs dist/src/main.js.
  if (!(await bundleServer(entry, join(root, 'dist', 'gatehouse.mjs'))))
    console.error('esbuild is not installed: the server runs unbundled from dist/src.');
}
