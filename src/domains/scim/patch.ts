/**
 * SCIM PATCH: RFC 7644 §3.5.2 (add §3.5.2.1, remove §3.5.2.2, replace §3.5.2.3) applied to a SCIM
 * resource held as plain JSON, with the attribute characteristics of RFC 7643 §2 and §7
 * (case-insensitive names, multi-valued attributes, `primary`, mutability).
 *
 * `applyPatch` validates a PatchOp request and returns a new resource; it never mutates its
 * input and is atomic by construction: the operations run one after another on a private copy,
 * and the first failing operation throws a `ScimPatchError` (400 with a scimType) so that
 * nothing is returned. Paths are `attr`, `attr.sub`, URN-qualified paths (core or extension
 * schema; an extension's attributes live in the object stored under its URN), the extension URN
 * itself, and value-filtered paths `emails[type eq "work"]` / `emails[type eq "work"].value`,
 * parsed by filter.ts. Attribute names match case-insensitively and are written with the
 * schema's canonical spelling.
 *
 * Besides the RFC, the dialects of the two big clients are accepted:
 * - Microsoft Entra ID: capitalised `op` values ("Add", "Replace", "Remove"); booleans sent as the
 *   strings "True"/"False"; `replace`/`add` without path whose value keys are paths
 *   (`"name.givenName"`, `"urn:…:enterprise:2.0:User:department"`, `emails[type eq "work"].value`);
 *   a filtered path ending in a sub-attribute that matches nothing creates the element from the
 *   filter's `eq` terms (how Entra adds a work phone number with
 *   `replace phoneNumbers[type eq "work"].value`); a complex attribute with a `value`
 *   sub-attribute given a bare string (`manager: "id"` → `{ value: "id" }`); `remove` of a
 *   multi-valued attribute with a value list removes those values only.
 * - Okta: `replace` without path carrying `{ id, active, … }`; read-only attributes in such a value
 *   object are ignored when they equal the current value (otherwise `mutability`).
 *
 * Group membership is usually applied row by row in SQL rather than on a JSON document, so
 * `planGroupMembersPatch` turns a Group PATCH request into member ids to add and remove, plus
 * the other operations for `applyOperations`.
 */
import { ScimError } from './errors.ts';
import {
  type FilterAttrInfo,
  type FilterNode,
  filterMatches,
  getAttr,
  normalizeDateTime,
  type PatchPath,
  parsePath,
  ScimFilterError,
} from './filter/index.ts';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GENESYS_USER_URN = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';

export type ScimPatchErrorType = 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'mutability';

/** A PATCH request that cannot be applied (RFC 7644 §3.12 error types). */
export class ScimPatchError extends ScimError {
  override name = 'ScimPatchError';
  declare readonly scimType: ScimPatchErrorType;
  constructor(scimType: ScimPatchErrorType, detail: string) {
    super(400, detail, scimType);
  }
}

export type ScimSchemaAttrType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';
export type ScimMutability = 'readWrite' | 'readOnly' | 'immutable' | 'writeOnly';

/** One attribute of a schema (RFC 7643 §7), as much as PATCH needs. */
export interface ScimPatchAttribute {
  /** Canonical spelling. */
  name: string;
  type: ScimSchemaAttrType;
  multiValued?: boolean;
  /** Default 'readWrite'. */
  mutability?: ScimMutability;
  /** Required attributes cannot be removed. */
  required?: boolean;
  /** Strings compare case-insensitively unless true. */
  caseExact?: boolean;
  /** For `complex` attributes. */
  subAttributes?: ScimPatchAttribute[];
}

export interface ScimPatchSchema {
  /** URN of the resource's core schema; its attributes sit at the top level of the resource. */
  core: string;
  /** Attributes per schema URN: the core schema and each extension (whose values sit under the URN key). */
  attributes: Record<string, ScimPatchAttribute[]>;
}

export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

type Json = Record<string, unknown>;
type OpName = ScimPatchOperation['op'];

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const s = (name: string, more: Partial<ScimPatchAttribute> = {}): ScimPatchAttribute => ({
  name,
  type: 'string',
  ...more,
});
const complex = (
  name: string,
  subAttributes: ScimPatchAttribute[],
  more: Partial<ScimPatchAttribute> = {},
): ScimPatchAttribute => ({
  name,
  type: 'complex',
  subAttributes,
  ...more,
});
const multi = (name: string, subAttributes: ScimPatchAttribute[], more: Partial<ScimPatchAttribute> = {}) =>
  complex(name, subAttributes, { multiValued: true, ...more });
const bool = (name: string): ScimPatchAttribute => ({ name, type: 'boolean' });
const ref = (name: string): ScimPatchAttribute => s(name, { type: 'reference', caseExact: true });
const typedValue = (extra: ScimPatchAttribute[] = []) => [
  s('value'),
  s('display'),
  s('type'),
  bool('primary'),
  ...extra,
];

const COMMON: ScimPatchAttribute[] = [
  s('id', { mutability: 'readOnly', caseExact: true }),
  s('externalId', { caseExact: true }),
  complex(
    'meta',
    [
      s('resourceType'),
      s('created', { type: 'dateTime' }),
      s('lastModified', { type: 'dateTime' }),
      ref('location'),
      s('version'),
    ],
    { mutability: 'readOnly' },
  ),
];

/** Core User (RFC 7643 §4.1) with the enterprise (§4.3) and Genesys Cloud extensions. */
export const USER_PATCH_SCHEMA: ScimPatchSchema = {
  core: USER_SCHEMA_URN,
  attributes: {
    [USER_SCHEMA_URN]: [
      ...COMMON,
      s('userName', { required: true }),
      complex('name', [
        s('formatted'),
        s('familyName'),
        s('givenName'),
        s('middleName'),
        s('honorificPrefix'),
        s('honorificSuffix'),
      ]),
      s('displayName'),
      s('nickName'),
      s('profileUrl', { type: 'reference' }),
      s('title'),
      s('userType'),
      s('preferredLanguage'),
      s('locale'),
      s('timezone'),
      bool('active'),
      s('password', { mutability: 'writeOnly', caseExact: true }),
      multi('emails', typedValue()),
      multi('phoneNumbers', typedValue()),
      multi('ims', typedValue()),
      multi('photos', typedValue([s('$ref', { type: 'reference' })])),
      multi('addresses', [
        s('formatted'),
        s('streetAddress'),
        s('locality'),
        s('region'),
        s('postalCode'),
        s('country'),
        s('type'),
        bool('primary'),
      ]),
      multi('groups', [s('value', { caseExact: true }), ref('$ref'), s('display'), s('type')], {
        mutability: 'readOnly',
      }),
      multi('entitlements', typedValue()),
      multi('roles', typedValue()),
      multi('x509Certificates', [{ name: 'value', type: 'binary' }, s('display'), s('type'), bool('primary')]),
    ],
    [ENTERPRISE_USER_URN]: [
      s('employeeNumber'),
      s('costCenter'),
      s('organization'),
      s('division'),
      s('department'),
      // Upstream's extra enterprise attribute (YYYY-MM-DD), advertised in /Schemas.
      s('dateHire'),
      complex('manager', [s('value', { caseExact: true }), ref('$ref'), s('displayName', { mutability: 'readOnly' })]),
    ],
    [GENESYS_USER_URN]: [
      multi('externalIds', [s('authority'), s('value', { caseExact: true })]),
      multi('routingSkills', [s('name'), s('proficiency', { type: 'decimal' })]),
      multi('routingLanguages', [s('name'), s('proficiency', { type: 'decimal' })]),
    ],
  },
};

/** Core Group (RFC 7643 §4.2). */
export const GROUP_PATCH_SCHEMA: ScimPatchSchema = {
  core: GROUP_SCHEMA_URN,
  attributes: {
    [GROUP_SCHEMA_URN]: [
      ...COMMON,
      s('displayName', { required: true }),
      multi('members', [
        s('value', { caseExact: true }),
        s('display'),
        s('$ref', { type: 'reference', caseExact: true }),
        s('type'),
      ]),
    ],
  },
};

// ---------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------

function fail(type: ScimPatchErrorType, detail: string): never {
  throw new ScimPatchError(type, detail);
}

function q(v: unknown): string {
  return JSON.stringify(v);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a PatchOp message (RFC 7644 §3.5.2) and returns its operations with lower-case `op`. */
export function readPatchRequest(request: unknown): ScimPatchOperation[] {
  if (!isObject(request)) fail('invalidSyntax', 'The PATCH body must be a JSON object');
  const schemas = getAttr(request, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((x) => typeof x === 'string' && x.toLowerCase() === PATCH_OP_URN.toLowerCase())
  ) {
    fail('invalidSyntax', `"schemas" must be an array containing ${q(PATCH_OP_URN)}`);
  }
  const ops = getAttr(request, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0) fail('invalidSyntax', '"Operations" must be a non-empty array');
  return ops.map((raw, i) => {
    const where = `Operations[${i}]`;
    if (!isObject(raw)) fail('invalidSyntax', `${where} must be an object`);
    const opValue = getAttr(raw, 'op');
    const op = typeof opValue === 'string' ? opValue.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      fail('invalidSyntax', `${where}: "op" must be "add", "replace" or "remove", not ${q(opValue ?? null)}`);
    }
    const path = getAttr(raw, 'path');
    if (path !== undefined && path !== null && (typeof path !== 'string' || path.trim() === '')) {
      fail('invalidPath', `${where}: "path" must be a non-empty string`);
    }
    const out: ScimPatchOperation = { op };
    if (typeof path === 'string') out.path = path.trim();
    const value = getAttr(raw, 'value');
    if (value !== undefined) out.value = value;
    if (op === 'remove' && out.path === undefined) fail('noTarget', `${where}: "remove" needs a "path"`);
    if (op !== 'remove') {
      if (value === undefined) fail('invalidSyntax', `${where}: "${op}" needs a "value"`);
      if (out.path === undefined && !isObject(value)) {
        fail('invalidSyntax', `${where}: without a "path", the "value" of "${op}" must be an object`);
      }
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Applying
// ---------------------------------------------------------------------------------------------

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

function describeOp(operation: ScimPatchOperation, i: number): string {
  return `Operations[${i}] (${operation.op}${operation.path ? ' ' + q(operation.path) : ''})`;
}

interface Resolved {
  /** Canonical URN of the schema holding the attribute. */
  urn: string;
  /** Undefined when the path names an extension schema itself. */
  attr?: ScimPatchAttribute;
  filter?: FilterNode;
  sub?: ScimPatchAttribute;
  text: string;
}

function findAttr(list: ScimPatchAttribute[] | undefined, name: string): ScimPatchAttribute | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

function findUrn(schema: ScimPatchSchema, urn: string): string | undefined {
  const lower = urn.toLowerCase();
  return Object.keys(schema.attributes).find((u) => u.toLowerCase() === lower);
}

function resolve(schema: ScimPatchSchema, text: string): Resolved {
  let parsed: PatchPath;
  try {
    parsed = parsePath(text);
  } catch (e) {
    if (e instanceof ScimFilterError) fail('invalidPath', `Invalid path ${q(text)}: ${e.detail}`);
    throw e;
  }
  const { path } = parsed;
  let urn: string | undefined;
  let attr: ScimPatchAttribute | undefined;
  if (path.uri) {
    const whole = findUrn(schema, `${path.uri}:${path.attr}`);
    if (whole && !path.sub && !parsed.filter) {
      if (whole === schema.core) fail('invalidPath', `Path ${q(text)} names the core schema, not an attribute`);
      return { urn: whole, text };
    }
    urn = findUrn(schema, path.uri);
    if (!urn) fail('invalidPath', `Unknown schema ${q(path.uri)} in path ${q(text)}`);
    attr = findAttr(schema.attributes[urn], path.attr);
  } else {
    // Unqualified names are looked up in the core schema first, then in the extensions.
    for (const u of [schema.core, ...Object.keys(schema.attributes).filter((x) => x !== schema.core)]) {
      attr = findAttr(schema.attributes[u], path.attr);
      if (attr) {
        urn = u;
        break;
      }
    }
  }
  if (!attr || !urn) fail('invalidPath', `Unknown attribute ${q(path.attr)} in path ${q(text)}`);
  const resolved: Resolved = { urn, attr, text };
  const subName = path.sub ?? parsed.sub;
  if (subName !== undefined) {
    const sub = findAttr(attr.subAttributes, subName);
    if (!sub) fail('invalidPath', `${q(attr.name)} has no sub-attribute ${q(subName)} (path ${q(text)})`);
    resolved.sub = sub;
  }
  if (parsed.filter) {
    if (!attr.multiValued) {
      fail(
        'invalidPath',
        `A value filter needs a multi-valued attribute; ${q(attr.name)} is single-valued (path ${q(text)})`,
      );
    }
    checkFilterNames(attr, parsed.filter, text);
    resolved.filter = parsed.filter;
  }
  return resolved;
}

/** Sub-attributes of a multi-valued attribute (a simple one has just `value`: its values themselves). */
function elementAttrs(attr: ScimPatchAttribute): ScimPatchAttribute[] {
  return attr.type === 'complex' ? (attr.subAttributes ?? []) : [{ ...attr, name: 'value', multiValued: false }];
}

function checkFilterNames(attr: ScimPatchAttribute, node: FilterNode, text: string): void {
  switch (node.type) {
    case 'and':
    case 'or':
      checkFilterNames(attr, node.left, text);
      checkFilterNames(attr, node.right, text);
      return;
    case 'not':
      checkFilterNames(attr, node.filter, text);
      return;
    default:
      if (node.path.sub || node.type === 'valuePath' || !findAttr(elementAttrs(attr), node.path.attr)) {
        const name = node.path.attr + (node.path.sub ? '.' + node.path.sub : '');
        fail('invalidPath', `Unknown sub-attribute ${q(name)} of ${q(attr.name)} in path ${q(text)}`);
      }
  }
}

function filterInfo(a: ScimPatchAttribute): FilterAttrInfo | undefined {
  switch (a.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return { type: 'string', caseExact: a.caseExact === true || a.type !== 'string' };
    case 'boolean':
    case 'dateTime':
    case 'integer':
      return { type: a.type };
    default:
      return undefined;
  }
}

function elementMatches(attr: ScimPatchAttribute, filter: FilterNode, element: unknown, text: string): boolean {
  const subs = elementAttrs(attr);
  try {
    return filterMatches(filter, isObject(element) ? element : { value: element }, (p) => {
      const sub = findAttr(subs, p);
      return sub ? filterInfo(sub) : undefined;
    });
  } catch (e) {
    if (e instanceof ScimFilterError) fail('invalidPath', `Invalid filter in path ${q(text)}: ${e.detail}`);
    throw e;
  }
}

function nameOf(r: Resolved): string {
  return r.attr ? r.attr.name + (r.sub ? '.' + r.sub.name : '') : r.urn;
}

function readOnlyPart(r: Resolved): ScimPatchAttribute | undefined {
  if (r.attr?.mutability === 'readOnly') return r.attr;
  if (r.sub?.mutability === 'readOnly') return r.sub;
  return undefined;
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
  let list: unknown[] = Array.isArray(current)
    ? current.map((e) => (isObject(e) ? { ...e } : e))
    : current == null
      ? []
      : [current];
  const touched: unknown[] = [];
  const name = nameOf(r);

  if (!r.filter && !r.sub) {
    if (op === 'remove' && value !== undefined && value !== null) {
      // Entra: remove the listed values only.
      const gone = coerceAttr(attr, value, attr.name) as unknown[];
      list = list.filter((e) => !gone.some((g) => sameElement(attr, e, g)));
    } else if (op === 'remove' || value === null) {
      requireRemovable(attr);
      list = [];
    } else if (op === 'replace') {
      list = coerceAttr(attr, value, attr.name) as unknown[];
      touched.push(...list);
    } else {
      for (const item of coerceAttr(attr, value, attr.name) as unknown[]) {
        const at = list.findIndex((e) => sameElement(attr, e, item));
        if (at < 0) list.push(item);
        else if (isObject(item) && isObject(list[at])) Object.assign(list[at] as Json, item);
        touched.push(at < 0 ? item : list[at]);
      }
    }
  } else {
    const matches = r.filter ? list.filter((e) => elementMatches(attr, r.filter!, e, r.text)) : list;
    const sub = r.sub;
    if (op === 'remove' || value === null) {
      if (r.filter && matches.length === 0) fail('noTarget', `No value of ${q(attr.name)} matches the filter`);
      if (!sub) list = list.filter((e) => !matches.includes(e));
      else for (const e of matches) if (isObject(e)) deleteKey(e, sub.name);
    } else if (matches.length > 0) {
      const v = sub ? coerceAttr(sub, value, name) : coerceElement(attr, value, name);
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
    } else {
      // Nothing matches: a filter of `eq` terms describes the element to create (Entra relies on
      // this for `emails[type eq "work"].value`); RFC 7644 §3.5.2.1 has `add` create as well.
      const base = r.filter ? constraintsOf(attr, r.filter, r.text) : {};
      const creates = base !== undefined && (sub !== undefined || op === 'add');
      if (!creates)
        fail('noTarget', r.filter ? `No value of ${q(attr.name)} matches the filter` : `${q(attr.name)} has no values`);
      const v = sub ? coerceAttr(sub, value, name) : coerceElement(attr, value, name);
      const element = attr.type === 'complex' ? { ...base, ...(sub ? { [sub.name]: v } : (v as Json)) } : v;
      list.push(element);
      touched.push(element);
    }
  }
  list = list.filter((e) => !(isObject(e) && Object.keys(e).length === 0));
  keepOnePrimary(list, touched);
  if (list.length === 0) deleteKey(container, attr.name);
  else setKey(container, attr.name, list);
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

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A whole attribute's value: an array for a multi-valued attribute (a single value is wrapped). */
function coerceAttr(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
  if (attr.multiValued) {
    const items = Array.isArray(value) ? value : [value];
    return items.filter((e) => e !== null && e !== undefined).map((e) => coerceElement(attr, e, name));
  }
  // Entra sometimes wraps a single complex value in an array.
  if (attr.type === 'complex' && Array.isArray(value) && value.length === 1) return coerceElement(attr, value[0], name);
  return coerceElement(attr, value, name);
}

/** One value of an attribute (for a multi-valued attribute: one element). */
function coerceElement(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
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

function coerceScalar(attr: ScimPatchAttribute, value: unknown, name: string): unknown {
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

// ---------------------------------------------------------------------------------------------
// Group membership
// ---------------------------------------------------------------------------------------------

export interface GroupMembersPlan {
  /** Member ids to insert (after the removals). */
  add: string[];
  /** Member ids to delete. */
  remove: string[];
  /** Delete every member first (replace members, remove members without value). */
  removeAll: boolean;
  /** The operations on other attributes, for `applyOperations` with GROUP_PATCH_SCHEMA. */
  other: ScimPatchOperation[];
}

/**
 * Reads a Group PATCH request into membership changes: Okta's `add members [{value}]` and
 * `remove members[value eq "id"]`, Entra's `add`/`remove` with path `members` and a value list,
 * `replace members` (remove all, then add), `remove members` (remove all), and `members` inside a
 * path-less value object. Applying the plan means: if `removeAll`, delete every member; delete
 * `remove`; insert `add`. `add` and `remove` never share an id. Other operations are checked
 * against `schema` and returned in order.
 */
export function planGroupMembersPatch(
  request: unknown,
  schema: ScimPatchSchema = GROUP_PATCH_SCHEMA,
): GroupMembersPlan {
  const operations = readPatchRequest(request);
  const add = new Set<string>();
  const remove = new Set<string>();
  let removeAll = false;
  const other: ScimPatchOperation[] = [];

  const doAdd = (ids: string[]) => {
    for (const id of ids) {
      remove.delete(id);
      add.add(id);
    }
  };
  const doRemove = (ids: string[]) => {
    for (const id of ids) {
      add.delete(id);
      if (!removeAll) remove.add(id);
    }
  };
  const doRemoveAll = () => {
    removeAll = true;
    add.clear();
    remove.clear();
  };

  operations.forEach((operation, i) => {
    const where = describeOp(operation, i);
    try {
      const { op, path, value } = operation;
      if (path === undefined) {
        const rest: Json = {};
        for (const [k, v] of Object.entries(value as Json)) {
          if (k.toLowerCase() !== 'members') rest[k] = v;
          else if (op === 'replace') {
            doRemoveAll();
            doAdd(memberIds(v));
          } else doAdd(memberIds(v));
        }
        if (Object.keys(rest).length > 0) other.push(checked(schema, { op, value: rest }));
        return;
      }
      const members = membersPath(path);
      if (!members) {
        other.push(checked(schema, operation));
        return;
      }
      if (members.sub) fail('invalidPath', 'membership is changed through "members", not its sub-attributes');
      if (members.filter) {
        if (op !== 'remove')
          fail('invalidPath', `"${op}" with a members filter is not supported; use "add" with path "members"`);
        doRemove(filterIds(members.filter));
        return;
      }
      if (op === 'add') doAdd(memberIds(value));
      else if (op === 'replace') {
        doRemoveAll();
        if (value !== null) doAdd(memberIds(value));
      } else if (value === undefined || value === null) doRemoveAll();
      else doRemove(memberIds(value));
    } catch (e) {
      if (e instanceof ScimPatchError) throw new ScimPatchError(e.scimType, `${where}: ${e.detail}`);
      throw e;
    }
  });
  return { add: [...add], remove: [...remove], removeAll, other };
}

function checked(schema: ScimPatchSchema, operation: ScimPatchOperation): ScimPatchOperation {
  if (operation.path !== undefined) {
    if (operation.path.toLowerCase() === 'schemas') fail('mutability', '"schemas" is maintained by the server');
    const r = resolve(schema, operation.path);
    const ro = readOnlyPart(r);
    if (ro) fail('mutability', `Attribute ${q(ro.name)} is readOnly`);
  } else {
    for (const key of Object.keys(operation.value as Json)) if (key.toLowerCase() !== 'schemas') resolve(schema, key);
  }
  return operation;
}

/** The parsed path when it addresses `members` (optionally qualified with the core Group URN). */
function membersPath(path: string): PatchPath | undefined {
  let parsed: PatchPath;
  try {
    parsed = parsePath(path);
  } catch (e) {
    if (e instanceof ScimFilterError) fail('invalidPath', `Invalid path ${q(path)}: ${e.detail}`);
    throw e;
  }
  if (parsed.path.attr.toLowerCase() !== 'members') return undefined;
  if (parsed.path.uri && parsed.path.uri.toLowerCase() !== GROUP_SCHEMA_URN.toLowerCase()) return undefined;
  if (parsed.path.sub) return { ...parsed, sub: parsed.path.sub };
  return parsed;
}

function memberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    const id = isObject(item) ? getAttr(item, 'value') : undefined;
    if (typeof id !== 'string' || id.trim() === '') {
      fail('invalidValue', `members[${i}] needs a "value" with the member's id, got ${q(item ?? null)}`);
    }
    return id;
  });
}

/** Ids from `value eq "id"` terms joined by `or`. */
function filterIds(node: FilterNode): string[] {
  if (node.type === 'or') return [...filterIds(node.left), ...filterIds(node.right)];
  if (node.type === 'compare' && node.op === 'eq' && typeof node.value === 'string') {
    if (!node.path.sub && node.path.attr.toLowerCase() === 'value') return [node.value];
  }
  return fail('invalidPath', 'a members filter must be `value eq "id"` (terms may be joined by "or")');
}
