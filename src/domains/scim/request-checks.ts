/**
 * Checks every SCIM resource body passes before it is read: `schemas` as RFC 7644 §3.3 asks, and
 * no lone UTF-16 surrogate anywhere (SQLite and PostgreSQL would store one differently).
 */
import { ScimError } from './errors.ts';
import { LONE_SURROGATE } from './resource.ts';

/**
 * RFC 7644 §3.3: `schemas` is required, an array of URNs holding the resource's core schema, each
 * one a schema of that resource. Leniency identity providers need: URNs compare case-insensitively,
 * and an extension's attributes are read even when its URN is missing from `schemas`.
 */
export function checkResourceSchemas(body: Record<string, unknown>, core: string, allowed: string[]) {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (!Array.isArray(schemas) || !schemas.every((x) => typeof x === 'string'))
    throw new ScimError(400, `"schemas" must be an array of schema URNs holding "${core}".`, 'invalidSyntax');
  const known = allowed.map((u) => u.toLowerCase());
  const unknown = schemas.find((u) => !known.includes(u.toLowerCase()));
  if (unknown !== undefined)
    throw new ScimError(400, `"schemas" names "${unknown}", which is not a schema of this resource.`, 'invalidValue');
  if (!schemas.some((u) => u.toLowerCase() === core.toLowerCase()))
    throw new ScimError(400, `"schemas" must hold the core schema "${core}".`, 'invalidValue');
}

/** The first string (key or value) holding a lone surrogate, as a path; null when there is none. */
function loneSurrogateAt(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'string') return LONE_SURROGATE.test(v) ? path : null;
  if (typeof v !== 'object' || v === null || depth > 64) return null;
  for (const [k, item] of Object.entries(v)) {
    if (LONE_SURROGATE.test(k)) return `${path}.${k}`;
    const found = loneSurrogateAt(item, Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return null;
}

export function refuseLoneSurrogates(body: unknown) {
  const at = loneSurrogateAt(body, '');
  if (at !== null)
    throw new ScimError(400, `"${at || 'body'}" holds a lone UTF-16 surrogate, which is not text.`, 'invalidValue');
}
