/** Semantics both evaluators share: attribute resolution and value checks (RFC 7644 §3.4.2.2, RFC 7643 §2.5). */
import {
  type AttrPath,
  type CompareOp,
  type Scalar,
  type ScimAttributeMap,
  type ScimAttrType,
  type ScimColumn,
  ScimFilterError,
  type ScimMulti,
  quote,
} from './types.ts';

/** The path as the client wrote it, for messages. */
export function pathText(p: AttrPath): string {
  return (p.uri ? p.uri + ':' : '') + p.attr + (p.sub ? '.' + p.sub : '');
}

type Target =
  | { kind: 'column'; col: ScimColumn }
  | { kind: 'multi'; multi: ScimMulti; sub?: ScimColumn; subKey?: string };

function unknownAttribute(p: AttrPath, prefix: string): ScimFilterError {
  return new ScimFilterError(`Unknown attribute ${quote(prefix + pathText(p))} in filter`);
}

/** Resolves a path against a map (URN prefixes are dropped: the map's keys carry no schema). */
export function resolve(map: ScimAttributeMap, p: AttrPath, prefix: string): Target {
  const attr = p.attr.toLowerCase();
  const entry = Object.hasOwn(map, attr) ? map[attr] : undefined;
  if (entry?.kind === 'multi') {
    if (!p.sub) return { kind: 'multi', multi: entry };
    const sub = p.sub.toLowerCase();
    if (!Object.hasOwn(entry.sub, sub)) throw unknownAttribute(p, prefix);
    return { kind: 'multi', multi: entry, sub: entry.sub[sub], subKey: sub };
  }
  const key = p.sub ? `${attr}.${p.sub.toLowerCase()}` : attr;
  const col = Object.hasOwn(map, key) ? map[key] : undefined;
  if (col?.kind !== 'column') throw unknownAttribute(p, prefix);
  return { kind: 'column', col };
}

/** The entries of a map under `attr.` with that prefix removed: the sub-attributes of a complex attribute. */
export function complexScope(map: ScimAttributeMap, p: AttrPath, prefix: string): ScimAttributeMap {
  const head = p.attr.toLowerCase() + '.';
  const scope: ScimAttributeMap = {};
  for (const [k, v] of Object.entries(map)) if (k.startsWith(head)) scope[k.slice(head.length)] = v;
  if (Object.keys(scope).length === 0) {
    if (Object.hasOwn(map, p.attr.toLowerCase())) {
      throw new ScimFilterError(
        `Attribute ${quote(prefix + pathText(p))} is neither multi-valued nor complex and takes no [filter]`,
      );
    }
    throw unknownAttribute(p, prefix);
  }
  return scope;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 text → `toISOString()` form (no offset means UTC); undefined when not a valid date. */
export function normalizeDateTime(v: string): string | undefined {
  if (!ISO_DATE_TIME.test(v)) return undefined;
  const hasTime = v.length > 10;
  const hasOffset = /(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(v.slice(10));
  let text = hasTime ? v.replace(' ', 'T') : v + 'T00:00:00';
  if (!hasOffset) text += 'Z';
  text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2024-02-30 over to March; refuse dates that do not exist.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  return new Date(ms).toISOString();
}

/** Checks the filter value against the attribute's type and returns it in comparable form. */
export function checkValue(op: CompareOp, value: Scalar, type: ScimAttrType, name: string, inferred = false): Scalar {
  const mismatch = () =>
    new ScimFilterError(`Value ${JSON.stringify(value)} does not match the type of ${quote(name)} (${type})`);
  if (type === 'boolean') {
    if (op !== 'eq' && op !== 'ne')
      throw new ScimFilterError(`Operator "${op}" cannot be used on boolean attribute ${quote(name)}`);
    if (typeof value !== 'boolean') throw mismatch();
    return value;
  }
  if (type !== 'string' && (op === 'co' || op === 'sw' || op === 'ew')) {
    throw new ScimFilterError(`Operator "${op}" needs a string attribute; ${quote(name)} is ${type}`);
  }
  if (type === 'integer') {
    if (typeof value !== 'number' || !(inferred ? Number.isFinite(value) : Number.isSafeInteger(value)))
      throw mismatch();
    return value;
  }
  // Upstream's own examples compare string attributes with bare numbers (`employeeNumber eq
  // 9876543210`, `externalId eq 167844`): a whole number is read as its decimal digits.
  if (
    type === 'string' &&
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    op !== 'gt' &&
    op !== 'ge' &&
    op !== 'lt' &&
    op !== 'le'
  ) {
    return String(value);
  }
  if (typeof value !== 'string') throw mismatch();
  if (type === 'dateTime') {
    const iso = normalizeDateTime(value);
    if (iso === undefined)
      throw new ScimFilterError(`Value ${JSON.stringify(value)} is not a valid dateTime for ${quote(name)}`);
    return iso;
  }
  return value;
}

export function refuseNull(op: CompareOp, name: string): never {
  throw new ScimFilterError(`Operator "${op}" cannot compare ${quote(name)} with null`);
}
