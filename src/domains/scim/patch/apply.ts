import { fail, isObject, q, readPatchRequest } from './request.ts';
import { type FilterNode, getAttr } from '../filter/index.ts';
import {
  describeOp,
  elementAttrs,
  elementMatches,
  findAttr,
  nameOf,
  readOnlyPart,
  resolve,
  type Resolved,
} from './resolve.ts';
import {
  type Json,
  type OpName,
  type ScimPatchAttribute,
  ScimPatchError,
  type ScimPatchOperation,
  type ScimPatchSchema,
} from './types.ts';
import { coerceAttr, coerceElement, coerceScalar } from './values.ts';

/**
 * Applies a PatchOp request to a resource and returns the patched copy; `resource` is left as
 * it was. Throws ScimPatchError, in which case no operation has taken effect.
 */
export function applyPatch(
  resource: Record<string, unknown>,
  request: unknown,
  opts: { schema: ScimPatchSchema },
): Record<string, unknown> {
  return applyOperations(resource, readPatchRequest(request), opts);
}

/** Applies already-read operations (from `readPatchRequest` or `planGroupMembersPatch`), as `applyPatch` does. */
export function applyOperations(
  resource: Record<string, unknown>,
  operations: ScimPatchOperation[],
  opts: { schema: ScimPatchSchema },
): Record<string, unknown> {
  const res = structuredClone(resource);
  operations.forEach((operation, i) => {
    try {
      applyOne(res, opts.schema, operation);
    } catch (e) {
      if (e instanceof ScimPatchError) throw new ScimPatchError(e.scimType, `${describeOp(operation, i)}: ${e.detail}`);
      throw e;
    }
  });
  tidyExtensions(res, opts.schema);
  return res;
}

function applyOne(res: Json, schema: ScimPatchSchema, operation: ScimPatchOperation): void {
  const { op, path, value } = operation;
  if (path === undefined) {
    if (op === 'remove') fail('noTarget', '"remove" needs a "path"');
    if (!isObject(value)) fail('invalidSyntax', `without a "path", the "value" must be an object`);
    applyObject(res, schema, op, value, undefined);
    return;
  }
  if (path.toLowerCase() === 'schemas') fail('mutability', '"schemas" is maintained by the server');
  const r = resolve(schema, path);
  const ro = readOnlyPart(r);
  if (ro) fail('mutability', `Attribute ${q(ro.name)} is readOnly`);
  applyResolved(res, schema, r, op, value);
}

/**
 * `add`/`replace` without path, or on an extension URN: each key names an attribute (or, the
 * Entra way, a whole path). Read-only attributes equal to their current value are skipped.
 */
function applyObject(res: Json, schema: ScimPatchSchema, op: OpName, value: Json, extension: string | undefined): void {
  for (const [key, v] of Object.entries(value)) {
    if (extension === undefined && key.toLowerCase() === 'schemas') continue;
    const r = resolve(schema, extension ? `${extension}:${key}` : key);
    const ro = readOnlyPart(r);
    if (ro) {
      if (sameJson(currentValue(res, schema, r), v)) continue;
      fail('mutability', `Attribute ${q(ro.name)} is readOnly`);
    }
    applyResolved(res, schema, r, op, v);
  }
}

function currentValue(res: Json, schema: ScimPatchSchema, r: Resolved): unknown {
  const container = containerOf(res, schema, r.urn, false);
  if (!container || !r.attr) return undefined;
  const v = getAttr(container, r.attr.name);
  return r.sub && isObject(v) ? getAttr(v, r.sub.name) : v;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], getAttr(b, k)));
  }
  return false;
}

/** Sets `name` with its canonical spelling, dropping any differently-cased duplicate. */
function setKey(obj: Json, name: string, value: unknown): void {
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k !== name && k.toLowerCase() === lower) delete obj[k];
  obj[name] = value;
}

function deleteKey(obj: Json, name: string): void {
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) delete obj[k];
}

/** The object holding a schema's attributes: the resource for the core schema, else the object under the URN. */
function containerOf(res: Json, schema: ScimPatchSchema, urn: string, create: boolean): Json | undefined {
  if (urn === schema.core) return res;
  const existing = getAttr(res, urn);
  if (isObject(existing)) {
    setKey(res, urn, existing);
    return existing;
  }
  if (!create) return undefined;
  const made: Json = {};
  setKey(res, urn, made);
  return made;
}

/** After all operations: drop empty extension objects and keep `schemas` listing the extensions present. */
function tidyExtensions(res: Json, schema: ScimPatchSchema): void {
  const schemas = getAttr(res, 'schemas');
  for (const urn of Object.keys(schema.attributes)) {
    if (urn === schema.core) continue;
    const ext = getAttr(res, urn);
    const present = isObject(ext) && Object.keys(ext).length > 0;
    if (!present && ext !== undefined) deleteKey(res, urn);
    if (!Array.isArray(schemas)) continue;
    const at = schemas.findIndex((x) => typeof x === 'string' && x.toLowerCase() === urn.toLowerCase());
    if (present && at < 0) schemas.push(urn);
    if (!present && at >= 0) schemas.splice(at, 1);
  }
}

function applyResolved(res: Json, schema: ScimPatchSchema, r: Resolved, op: OpName, value: unknown): void {
  if (!r.attr) {
    if (op === 'remove' || value === null) {
      deleteKey(res, r.urn);
      return;
    }
    if (!isObject(value)) fail('invalidValue', `The value for ${q(r.urn)} must be an object`);
    applyObject(res, schema, op, value, r.urn);
    return;
  }
  const attr = r.attr;
  const removing = op === 'remove' || (value === null && !(attr.multiValued && (r.filter || r.sub)));
  const container = containerOf(res, schema, r.urn, !removing);
  if (!container) {
    if (r.filter) fail('noTarget', `${q(attr.name)} has no values, so none matches the filter`);
    return;
  }
  checkImmutable(container, r, op, value);
  if (attr.multiValued) applyMulti(container, r, op, value);
  else applySingle(container, r, removing, value);
}

function checkImmutable(container: Json, r: Resolved, op: OpName, value: unknown): void {
  const part = r.attr?.mutability === 'immutable' ? r.attr : r.sub?.mutability === 'immutable' ? r.sub : undefined;
  if (!part) return;
  const current = getAttr(container, r.attr!.name);
  if (current === undefined || current === null) return;
  if (op !== 'remove' && !r.sub && !r.filter && sameJson(current, coerceAttr(r.attr!, value, r.attr!.name))) return;
  fail('mutability', `Attribute ${q(part.name)} is immutable and already has a value`);
}

function requireRemovable(attr: ScimPatchAttribute): void {
  if (attr.required) fail('invalidValue', `Attribute ${q(attr.name)} is required and cannot be removed`);
}

function applySingle(container: Json, r: Resolved, removing: boolean, value: unknown): void {
  const attr = r.attr!;
  if (!r.sub) {
    if (removing) {
      requireRemovable(attr);
      deleteKey(container, attr.name);
      return;
    }
    const v = coerceAttr(attr, value, attr.name);
    if (attr.type === 'complex') {
      // RFC 7644 §3.5.2.1/§3.5.2.3: sub-attributes not given are left unchanged.
      const current = getAttr(container, attr.name);
      const merged = isObject(current) ? { ...current } : {};
      for (const [k, sv] of Object.entries(v as Json)) setKey(merged, k, sv);
      setKey(container, attr.name, merged);
    } else {
      setKey(container, attr.name, v);
    }
    return;
  }
  const sub = r.sub;
  const parent = getAttr(container, attr.name);
  if (removing) {
    requireRemovable(sub);
    if (!isObject(parent)) return;
    deleteKey(parent, sub.name);
    if (Object.keys(parent).length === 0) deleteKey(container, attr.name);
    return;
  }
  const next = isObject(parent) ? { ...parent } : {};
  setKey(next, sub.name, coerceAttr(sub, value, `${attr.name}.${sub.name}`));
  setKey(container, attr.name, next);
}

function applyMulti(container: Json, r: Resolved, op: OpName, value: unknown): void {
  const attr = r.attr!;
  const current = getAttr(container, attr.name);
  const copy: unknown[] = Array.isArray(current)
    ? current.map((e) => (isObject(e) ? { ...e } : e))
    : current == null
      ? []
      : [current];
  const touched: unknown[] = [];
  let list =
    !r.filter && !r.sub ? applyToAll(attr, copy, op, value, touched) : applyToSome(r, copy, op, value, touched);
  list = list.filter((e) => !(isObject(e) && Object.keys(e).length === 0));
  keepOnePrimary(list, touched);
  if (list.length === 0) deleteKey(container, attr.name);
  else setKey(container, attr.name, list);
}

/** An operation on the multi-valued attribute itself (no filter, no sub-attribute): the new list. */
function applyToAll(attr: ScimPatchAttribute, list: unknown[], op: OpName, value: unknown, touched: unknown[]) {
  if (op === 'remove' && value !== undefined && value !== null) {
    // Entra: remove the listed values only.
    const gone = coerceAttr(attr, value, attr.name) as unknown[];
    return list.filter((e) => !gone.some((g) => sameElement(attr, e, g)));
  }
  if (op === 'remove' || value === null) {
    requireRemovable(attr);
    return [];
  }
  if (op === 'replace') {
    const replaced = coerceAttr(attr, value, attr.name) as unknown[];
    touched.push(...replaced);
    return replaced;
  }
  for (const item of coerceAttr(attr, value, attr.name) as unknown[]) {
    const at = list.findIndex((e) => sameElement(attr, e, item));
    if (at < 0) list.push(item);
    else if (isObject(item) && isObject(list[at])) Object.assign(list[at] as Json, item);
    touched.push(at < 0 ? item : list[at]);
  }
  return list;
}

/** An operation on the values a filter selects, or on a sub-attribute of (those) values: the new list. */
function applyToSome(r: Resolved, list: unknown[], op: OpName, value: unknown, touched: unknown[]) {
  const attr = r.attr!;
  const matches = r.filter ? list.filter((e) => elementMatches(attr, r.filter!, e, r.text)) : list;
  if (op === 'remove' || value === null) return removeFrom(r, list, matches);
  if (matches.length > 0) return writeInto(r, list, matches, value, touched);
  // Nothing matches: a filter of `eq` terms describes the element to create (Entra relies on
  // this for `emails[type eq "work"].value`); RFC 7644 §3.5.2.1 has `add` create as well.
  const sub = r.sub;
  const base = r.filter ? constraintsOf(attr, r.filter, r.text) : {};
  const creates = base !== undefined && (sub !== undefined || op === 'add');
  if (!creates)
    fail('noTarget', r.filter ? `No value of ${q(attr.name)} matches the filter` : `${q(attr.name)} has no values`);
  const v = sub ? coerceAttr(sub, value, nameOf(r)) : coerceElement(attr, value, nameOf(r));
  const element = attr.type === 'complex' ? { ...base, ...(sub ? { [sub.name]: v } : (v as Json)) } : v;
  list.push(element);
  touched.push(element);
  return list;
}

/** Removes the selected values, or their sub-attribute. */
function removeFrom(r: Resolved, list: unknown[], matches: unknown[]) {
  if (r.filter && matches.length === 0) fail('noTarget', `No value of ${q(r.attr!.name)} matches the filter`);
  if (!r.sub) return list.filter((e) => !matches.includes(e));
  for (const e of matches) if (isObject(e)) deleteKey(e, r.sub.name);
  return list;
}

/** Writes `value` into the selected values (or their sub-attribute). */
function writeInto(r: Resolved, list: unknown[], matches: unknown[], value: unknown, touched: unknown[]) {
  const sub = r.sub;
  const v = sub ? coerceAttr(sub, value, nameOf(r)) : coerceElement(r.attr!, value, nameOf(r));
  for (const e of matches) {
    if (!isObject(e)) {
      // A simple multi-valued attribute: the filter selected the values themselves.
      list[list.indexOf(e)] = v;
      touched.push(v);
      continue;
    }
    if (sub) setKey(e, sub.name, v);
    else if (isObject(v)) for (const [k, sv] of Object.entries(v)) setKey(e, k, sv);
    touched.push(e);
  }
  return list;
}

/** RFC 7643 §2.4: at most one value is primary; the one just written wins. */
function keepOnePrimary(list: unknown[], touched: unknown[]): void {
  const winner = [...touched].reverse().find((e) => isObject(e) && e.primary === true);
  if (!winner) return;
  for (const e of list) if (e !== winner && isObject(e) && e.primary === true) e.primary = false;
}

/** The element a filter of `eq` terms joined by `and` describes, or undefined. */
function constraintsOf(attr: ScimPatchAttribute, node: FilterNode, text: string): Json | undefined {
  if (node.type === 'and') {
    const left = constraintsOf(attr, node.left, text);
    const right = constraintsOf(attr, node.right, text);
    if (!left || !right) return undefined;
    for (const k of Object.keys(right)) if (k in left && !sameJson(left[k], right[k])) return undefined;
    return { ...left, ...right };
  }
  if (node.type !== 'compare' || node.op !== 'eq' || node.value === null) return undefined;
  const sub = findAttr(elementAttrs(attr), node.path.attr)!;
  try {
    return { [sub.name]: coerceScalar(sub, node.value, `${attr.name}.${sub.name}`) };
  } catch (e) {
    if (e instanceof ScimPatchError) fail('invalidPath', `Invalid filter in path ${q(text)}: ${e.detail}`);
    throw e;
  }
}

function sameScalar(attr: ScimPatchAttribute | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && attr?.type === 'string' && !attr.caseExact) {
    return a.toLowerCase() === b.toLowerCase();
  }
  return sameJson(a, b);
}

/** Whether two values of a multi-valued attribute are the same value (by `value` and `type` when it has them). */
function sameElement(attr: ScimPatchAttribute, a: unknown, b: unknown): boolean {
  if (attr.type !== 'complex') return sameScalar(attr, a, b);
  if (!isObject(a) || !isObject(b)) return false;
  const valueAttr = findAttr(attr.subAttributes, 'value');
  const av = getAttr(a, 'value');
  const bv = getAttr(b, 'value');
  if (valueAttr && av !== undefined && bv !== undefined) {
    if (!sameScalar(valueAttr, av, bv)) return false;
    const typeAttr = findAttr(attr.subAttributes, 'type');
    const at = getAttr(a, 'type');
    const bt = getAttr(b, 'type');
    return !typeAttr || at === undefined || bt === undefined || sameScalar(typeAttr, at, bt);
  }
  return sameJson(a, b);
}
