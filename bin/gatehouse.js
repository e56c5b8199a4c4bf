#!/usr/bin/env node
// Runs the compiled server (dist/, built by `npm install` / `npm start`) when it is current,
// else the TypeScript sources through tsx, so a checkout always runs what it contains.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'main.js');
const newest = (p) => {
  const s = statSync(p);
  return s.isDirectory() ? Math.max(0, ...readdirSync(p).map((f) => newest(join(p, f)))) : s.mtimeMs;
};

let entry = compiled;
if (!existsSync(compiled) || newest(join(root, 'src')) > statSync(compiled).mtimeMs) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = join(root, 'src', 'main.ts');
}
const { main, describeStartupError } = await import(pathToFileURL(entry).href);
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (err) {
  process.stderr.write(`${describeStartupError(err)}\n`);
  process.exit(2);
}
