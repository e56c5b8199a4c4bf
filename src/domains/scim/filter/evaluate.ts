/** A parsed filter evaluated over a SCIM JSON resource, with the semantics the SQL has. */
import { checkValue, complexScope, normalizeDateTime, pathText, refuseNull, resolve } from './semantics.ts';
import {
  type AttrPath,
  type CompareOp,
  CORE_URI,
  type FilterAttrInfo,
  type FilterAttrResolver,
  type FilterNode,
  type Scalar,
  type ScimAttributeMap,
  type ScimAttrType,
  lowerKeys,
} from './types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A property by case-insensitive name (RFC 7643 §2.1). */
export function getAttr(obj: Json, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function flat(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.filter((e) => e !== undefined && e !== null) : [v];
}

/** The values of the attribute itself: under its schema URN key for extensions, searching extensions when no URN is given. */
function attrValues(resource: Json, p: AttrPath): unknown[] {
  if (p.uri && !CORE_URI.test(p.uri)) {
    const ext = getAttr(resource, p.uri);
    return isObject(ext) ? flat(getAttr(ext, p.attr)) : [];
  }
  const own = getAttr(resource, p.attr);
  if (own !== undefined || p.uri) return flat(own);
  for (const [k, v] of Object.entries(resource)) {
    if (/^urn:/i.test(k) && isObject(v)) {
      const found = getAttr(v, p.attr);
      if (found !== undefined) return flat(found);
    }
  }
  return [];
}

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObject(v)) return Object.values(v).some(isPresent);
  return true;
}

type Scope = { map: ScimAttributeMap } | { resolve?: FilterAttrResolver; prefix: string };

/**
 * Whether a SCIM resource (plain JSON) satisfies a parsed filter, with the semantics of
 * `compileFilter`. With a `ScimAttributeMap`, attributes are typed and checked exactly as in SQL
 * (unknown attributes throw); with a resolver, or nothing, unknown attributes take the type of
 * the filter value and simply do not match values of another type.
 */
export function filterMatches(
  node: FilterNode,
  resource: Record<string, unknown>,
  schemaAware?: ScimAttributeMap | FilterAttrResolver,
): boolean {
  const scope: Scope =
    typeof schemaAware === 'function' || schemaAware === undefined
      ? { resolve: schemaAware, prefix: '' }
      : { map: schemaAware };
  return evaluate(node, resource, scope, '');
}

function evaluate(node: FilterNode, obj: Json, scope: Scope, prefix: string): boolean {
  switch (node.type) {
    case 'and':
      // Evaluate both sides so that type errors do not depend on the data.
      return [evaluate(node.left, obj, scope, prefix), evaluate(node.right, obj, scope, prefix)].every(Boolean);
    case 'or':
      return [evaluate(node.left, obj, scope, prefix), evaluate(node.right, obj, scope, prefix)].some(Boolean);
    case 'not':
      return !evaluate(node.filter, obj, scope, prefix);
    case 'valuePath': {
      const name = prefix + pathText(node.path);
      let inner: Scope;
      if ('map' in scope) {
        const entry = scope.map[node.path.attr.toLowerCase()];
        inner = { map: entry?.kind === 'multi' ? lowerKeys(entry.sub) : complexScope(scope.map, node.path, prefix) };
      } else {
        const base = scope.prefix + node.path.attr.toLowerCase() + '.';
        inner = { resolve: scope.resolve, prefix: base };
      }
      const elements = attrValues(obj, node.path);
      // Validate the inner filter even when there is nothing to test it on.
      evaluate(node.filter, {}, inner, name + '.');
      return elements.some((e) => evaluate(node.filter, isObject(e) ? e : { value: e }, inner, name + '.'));
    }
    case 'present': {
      const { values } = gather(obj, node.path, scope, prefix, true);
      return values.some(isPresent);
    }
    case 'compare': {
      const name = prefix + pathText(node.path);
      const { values, info } = gather(obj, node.path, scope, prefix, false);
      if (node.value === null) {
        if (node.op === 'eq') return !values.some(isPresent);
        if (node.op === 'ne') return values.some(isPresent);
        refuseNull(node.op, name);
      }
      const op = node.op === 'ne' ? 'eq' : node.op;
      const type = info?.type ?? inferType(node.value);
      const expected = checkValue(op, node.value, type, name, info === undefined);
      const caseExact = info?.caseExact === true;
      const any = values.some((v) => matchOne(op, v, expected, type, caseExact, info !== undefined));
      return node.op === 'ne' ? !any : any;
    }
  }
}

function inferType(v: string | number | boolean): ScimAttrType {
  if (typeof v === 'boolean') return 'boolean';
  return typeof v === 'number' ? 'integer' : 'string';
}

/** The values at a path and, when known, their type. Multi-valued complex attributes compare on `value`. */
function gather(
  obj: Json,
  p: AttrPath,
  scope: Scope,
  prefix: string,
  forPresence: boolean,
): { values: unknown[]; info?: FilterAttrInfo } {
  let info: FilterAttrInfo | undefined;
  let defaultSub = 'value';
  if ('map' in scope) {
    const target = resolve(scope.map, p, prefix);
    if (target.kind === 'column') info = target.col;
    else {
      defaultSub = target.multi.defaultSub;
      info = target.sub ?? target.multi.sub[target.multi.defaultSub.toLowerCase()];
    }
  } else if (scope.resolve) {
    const key = scope.prefix + p.attr.toLowerCase() + (p.sub ? '.' + p.sub.toLowerCase() : '');
    info = scope.resolve(key) ?? (p.sub ? undefined : scope.resolve(key + '.' + defaultSub));
  }
  let values = attrValues(obj, p);
  if (p.sub) {
    const sub = p.sub;
    values = values.flatMap((v) => (isObject(v) ? flat(getAttr(v, sub)) : []));
  } else if (!forPresence) {
    values = values.flatMap((v) => (isObject(v) ? flat(getAttr(v, defaultSub)) : [v]));
  }
  return { values, info };
}

function matchOne(
  op: CompareOp,
  actual: unknown,
  expected: Scalar,
  type: ScimAttrType,
  caseExact: boolean,
  typed: boolean,
): boolean {
  if (type === 'boolean') return actual === expected;
  if (type === 'integer') {
    if (typeof actual !== 'number') return false;
    return order(op, actual, expected as number);
  }
  if (typeof actual !== 'string') return false;
  const ordering = op !== 'co' && op !== 'sw' && op !== 'ew';
  const looksLikeDates =
    ordering && normalizeDateTime(actual) !== undefined && normalizeDateTime(expected as string) !== undefined;
  if (type === 'dateTime' || (!typed && looksLikeDates)) {
    const a = normalizeDateTime(actual);
    const b = normalizeDateTime(expected as string);
    if (a === undefined || b === undefined) return false;
    return order(op, a, b);
  }
  const a = caseExact ? actual : actual.toLowerCase();
  const b = caseExact ? (expected as string) : (expected as string).toLowerCase();
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  if (op === 'ew') return a.endsWith(b);
  return order(op, a, b);
}

function order<T extends string | number>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    default:
      return false;
  }
}
