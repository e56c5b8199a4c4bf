// Builds what is missing or older than its sources, so that `npm install` then `npm start` is
// enough on a fresh clone: the server (TypeScript → dist/, run by bin/gatehouse.js) and the
// console (web/ → web/dist/). Silent when both are current. `--web` or `--server` builds one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

const stale = (output, sources) => {
  const present = sources.map((p) => join(root, p)).filter(existsSync);
  return !existsSync(join(root, output)) || Math.max(...present.map(newest)) > statSync(join(root, output)).mtimeMs;
};

function run(what, tool, args) {
  const bin = join(root, 'node_modules', ...tool);
  if (!existsSync(bin)) {
    console.error(`Cannot build ${what}: run \`npm install\` (with dev dependencies) first.`);
    return 1;
  }
  console.log(`Building ${what}…`);
  return spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', cwd: root }).status ?? 1;
}

const only = process.argv[2];
let status = 0;
if (only !== '--web' && stale('dist/src/main.js', ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json'])) {
  // Without the compiler (a production install) bin/gatehouse.js runs the sources through tsx.
  if (existsSync(join(root, 'node_modules', 'typescript')))
    status ||= run('the server (dist)', ['typescript', 'bin', 'tsc'], ['-p', 'tsconfig.build.json']);
}
// The one-file server bundle bin/gatehouse.js prefers (scripts/bundle-server.js), after a server build.
if (
  only !== '--web' &&
  status === 0 &&
  existsSync(join(root, 'dist/src/main.js')) &&
  stale('dist/gatehouse.mjs', ['dist/src'])
) {
  console.log('Bundling the server (dist/gatehouse.mjs)…');
  status ||=
    spawnSync(process.execPath, [join(root, 'scripts', 'bundle-server.js')], { stdio: 'inherit', cwd: root }).status ??
    1;
}
// One console build at a time: parallel test runs would otherwise empty each other's web/dist.
const webStale = () => stale('web/dist/index.html', ['web/src', 'web/index.html', 'web/vite.config.ts']);
if (only !== '--server' && webStale()) {
  const lock = join(root, 'web', '.build-lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (
      webStale() &&
      (existsSync(join(root, 'node_modules', 'vite')) || !existsSync(join(root, 'web/dist/index.html')))
    ) {
      status ||= run(
        'the console (web/dist)',
        ['vite', 'bin', 'vite.js'],
        ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
process.exit(status);
