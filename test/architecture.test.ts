/**
 * The rules that keep the architecture visible, run with the suite so CI enforces them:
 * the import rules of STYLE.md (dependency-cruiser), strict types, and the linter.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

describe('architecture', { timeout: 180_000 }, () => {
  it('keeps the import rules (npm run lint:deps)', () => {
    const r = run(bin('depcruise'), ['src', 'web/src', '--config', '.dependency-cruiser.cjs']);
    expect(r.stdout + r.stderr).toMatch(/no dependency violations/);
  });

  it('type-checks in strict mode (npm run typecheck)', () => {
    for (const project of ['tsconfig.json', 'web/tsconfig.json']) {
      const r = run(bin('tsc'), ['--noEmit', '-p', project]);
      expect(r.stdout + r.stderr, project).toBe('');
      expect(r.status).toBe(0);
    }
  });

  it('passes the linter and the formatter (npm run lint)', () => {
    const r = run(bin('biome'), ['check']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
