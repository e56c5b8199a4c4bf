/** docs/compatibility.md is generated; it must match the code and tests as they are (@see issue 2). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReport, REPORT } from '../../scripts/compat-report.ts';

describe('compatibility report', () => {
  it('is up to date (run `npm run compat:report`)', async () => {
    const fresh = await buildReport();
    expect(readFileSync(REPORT, 'utf8')).toBe(fresh);
  });

  it('declares the upstream permission on every implemented operation and tests each one', async () => {
    const report = await buildReport();
    expect(report).toMatch(/\(0 implemented operations differ\)/);
    expect(report).not.toContain('**none**');
  });
});
