/**
 * hasPermission (@see issue 22: `*:*:*` answered without splitting): the same answers as the
 * rule it implements, for exact grants, wildcards in every position, Master Admin and malformed
 * strings with fewer or more than three fields.
 */
import { expect, it } from 'vitest';
import { hasPermission } from '../../src/platform/permissions.ts';

/** The rule, written plainly: each of the first three fields equal, or `*` in the grant. */
function reference(granted: readonly string[], required: string): boolean {
  const [d, e, a] = required.split(':');
  return granted.some((g) => {
    const [gd, ge, ga] = g.split(':');
    return g === required || ((gd === '*' || gd === d) && (ge === '*' || ge === e) && (ga === '*' || ga === a));
  });
}

it('answers as the rule does for every grant and requirement', () => {
  const grants = [
    '*:*:*',
    'directory:user:view',
    'directory:user:*',
    'directory:*:view',
    '*:user:view',
    'oauth:client:view',
    'admin',
    'directory:user',
    'directory:user:view:extra',
    '',
  ];
  const required = [
    'directory:user:view',
    'directory:user:edit',
    'oauth:client:view',
    'oauth:client:add',
    'admin',
    'directory:user',
    'directory:user:view:extra',
    'routing:queue:view',
  ];
  for (const r of required) {
    expect(hasPermission(['*:*:*'], r)).toBe(true);
    expect(hasPermission([], r)).toBe(false);
    for (const a of grants)
      for (const b of grants) expect(hasPermission([a, b], r), `${a}, ${b} → ${r}`).toBe(reference([a, b], r));
  }
});
