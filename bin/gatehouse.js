#!/usr/bin/env node
// Runs the compiled server (dist/, built by `npm install` / `npm start`) when it is current,
// else the TypeScript sources through tsx, so a checkout always runs what it contains. The
// compiled server runs from its one-file bundle (dist/gatehouse.mjs, scripts/bundle-server.js)
// when that was made from the current build: it starts in about half the time.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'main.js');
const newest = (p) => {
  const s = statSync(p);
  return s.isDirectory() ? Math.max(0, ...readdirSync(p).map((f) => newest(join(p, f)))) : s.mtimeMs;
};

const bundled = join(root, 'dist', 'gatehouse.mjs');
let entry = compiled;
if (!existsSync(compiled) || newest(join(root, 'src')) > statSync(compiled).mtimeMs) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(root, 'src', 'main.ts');
} else if (
  process.env.GATEHOUSE_UNBUNDLED !== '1' &&
  existsSync(bundled) &&
  statSync(bundled).mtimeMs >= statSync(compiled).mtimeMs
) {
  entry = bundled;
}
const { main, describeStartupError } = await import(pathToFileURL(entry).href);
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (err) {
  process.stderr.write(`${describeStartupError(err)}\n`);
  process.exit(2);
}
