/**
 * Upstream permission strings are `domain:entity:action`; a granted permission may use `*` for
 * the entity or the action (and `*:*:*` for everything).
 */
export function hasPermission(granted: readonly string[], required: string): boolean {
  const [d, e, a] = required.split(':');
  for (const g of granted) {
    if (g === required) return true;
    const [gd, ge, ga] = g.split(':');
    if ((gd === '*' || gd === d) && (ge === '*' || ge === e) && (ga === '*' || ga === a)) return true;
  }
  return false;
}

export interface PermissionRequirement {
  /** ANY: one of the list suffices; ALL: every one is needed (upstream x-inin-requires-permissions). */
  type: 'ANY' | 'ALL';
  list: string[];
}

/** A requirement met by any one of `list` (a route's `config.permission`). */
export const anyOf = (...list: string[]): PermissionRequirement => ({ type: 'ANY', list });

/** The permissions of `req` the caller lacks (empty when the requirement is met). */
export function missingPermissions(granted: readonly string[], req: PermissionRequirement): string[] {
  const missing = req.list.filter((p) => !hasPermission(granted, p));
  if (req.type === 'ANY') return missing.length < req.list.length ? [] : missing;
  return missing;
}
