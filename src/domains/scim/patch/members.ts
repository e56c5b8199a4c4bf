import { fail, isObject, q, readPatchRequest } from './request.ts';
import { type FilterNode, getAttr, type PatchPath, parsePath, ScimFilterError } from '../filter/index.ts';
import { describeOp, readOnlyPart, resolve } from './resolve.ts';
import { GROUP_PATCH_SCHEMA } from './schemas.ts';
import { GROUP_SCHEMA_URN, type Json, ScimPatchError, type ScimPatchOperation, type ScimPatchSchema } from './types.ts';

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
  const plan = new Membership();
  const other: ScimPatchOperation[] = [];
  operations.forEach((operation, i) => {
    try {
      if (operation.path === undefined) planPathless(plan, operation, schema, other);
      else planWithPath(plan, operation, operation.path, schema, other);
    } catch (e) {
      if (e instanceof ScimPatchError) throw new ScimPatchError(e.scimType, `${describeOp(operation, i)}: ${e.detail}`);
      throw e;
    }
  });
  return { add: [...plan.add], remove: [...plan.remove], removeAll: plan.removeAll, other };
}

/** The membership changes read so far: later operations override earlier ones. */
class Membership {
  readonly add = new Set<string>();
  readonly remove = new Set<string>();
  removeAll = false;

  adds(ids: string[]) {
    for (const id of ids) {
      this.remove.delete(id);
      this.add.add(id);
    }
  }

  removes(ids: string[]) {
    for (const id of ids) {
      this.add.delete(id);
      if (!this.removeAll) this.remove.add(id);
    }
  }

  removesAll() {
    this.removeAll = true;
    this.add.clear();
    this.remove.clear();
  }
}

/** A path-less operation: its `members` change membership, the rest go to `other`. */
function planPathless(
  plan: Membership,
  operation: ScimPatchOperation,
  schema: ScimPatchSchema,
  other: ScimPatchOperation[],
) {
  const { op, value } = operation;
  const rest: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    if (k.toLowerCase() !== 'members') {
      rest[k] = v;
      continue;
    }
    if (op === 'replace') plan.removesAll();
    plan.adds(memberIds(v));
  }
  if (Object.keys(rest).length > 0) other.push(checked(schema, { op, value: rest }));
}

/** An operation with a path: on `members` (with a filter or not), or on another attribute (to `other`). */
function planWithPath(
  plan: Membership,
  operation: ScimPatchOperation,
  path: string,
  schema: ScimPatchSchema,
  other: ScimPatchOperation[],
) {
  const { op, value } = operation;
  const members = membersPath(path);
  if (!members) {
    other.push(checked(schema, operation));
    return;
  }
  if (members.sub) fail('invalidPath', 'membership is changed through "members", not its sub-attributes');
  if (members.filter) {
    if (op !== 'remove')
      fail('invalidPath', `"${op}" with a members filter is not supported; use "add" with path "members"`);
    plan.removes(filterIds(members.filter));
    return;
  }
  if (op === 'add') plan.adds(memberIds(value));
  else if (op === 'replace') {
    plan.removesAll();
    if (value !== null) plan.adds(memberIds(value));
  } else if (value === undefined || value === null) plan.removesAll();
  else plan.removes(memberIds(value));
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
