import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The browser tests must see the current console: rebuild it when its sources are newer. The
 * server needs no build here: tests import the sources, and bin/gatehouse.js runs them by tsx.
 */
export default function setup() {
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'ensure-build.js'), '--web'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('the console build failed');
}
