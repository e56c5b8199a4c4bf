/** Reading and coercing PATCH values to their attribute's type (Entra's string booleans too). */
import { normalizeDateTime } from '../filter/index.ts';
import { fail, isObject, q } from './request.ts';
import { findAttr } from './resolve.ts';
import type { Json, ScimPatchAttribute } from './types.ts';

/** A whole attribute's value: an array for a multi-valued attribute (a single value is wrapped). */
export function coerceAttr(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
  if (attr.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    return items.filter((e) => e !== null && e !== undefined).map((e) => coerceElement(attr, e, name));
  }
  // Entra sometimes wraps a single complex value in an array.
  if (attr.type === 'complex' && Array.isArray(value) && value.length === 1) return coerceElement(attr, value[0], name);
  return coerceElement(attr, value, name);
}

/** One value of an attribute (for a multi-valued attribute: one element). */
export function coerceElement(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
  if (attr.type !== 'complex') return coerceScalar(attr, value, name);
  let v = value;
  // Entra: `manager: "id"` for `manager: { value: "id" }`.
  if ((typeof v === 'string' || typeof v === 'number') && findAttr(attr.subAttributes, 'value')) v = { value: v };
  if (!isObject(v)) fail('invalidValue', `The value of ${q(name)} must be an object, not ${q(v)}`);
  const out: Json = {};
  for (const [k, sv] of Object.entries(v)) {
    const sub = findAttr(attr.subAttributes, k);
    if (!sub) fail('invalidValue', `${q(name)} has no sub-attribute ${q(k)}`);
    if (sv === null || sv === undefined) continue;
    out[sub.name] = coerceScalar(sub, sv, `${name}.${sub.name}`);
  }
  return out;
}

export function coerceScalar(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
  const bad = (): never => fail('invalidValue', `${q(value)} is not a valid ${attr.type} for ${q(name)}`);
  switch (attr.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof value === 'string' ? value : bad();
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra sends "True" / "False".
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return bad();
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : bad();
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? value : bad();
    case 'dateTime':
      return typeof value === 'string' && normalizeDateTime(value) !== undefined ? value : bad();
    default:
      return coerceElement(attr, value, name);
  }
}
