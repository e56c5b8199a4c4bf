/**
 * Upstream's ExternalContactsPatchRequest: a list of changes, each naming a field as a JSONPath
 * (`$.firstName`, `$.address.city`; dot notation only) and an action. The changes apply, in
 * order, to the contact as a client would PUT it; the result is checked as a PUT body is.
 */
import { Value } from '@sinclair/typebox/value';
import { ApiError, invalidValue } from '../../platform/errors/index.ts';
import { ExternalContactBody, type ExternalContactInput } from './schemas.ts';

export const PATCH_ACTIONS = [
  'UpdateIfEmpty',
  'UpdateIfExists',
  'Update',
  'AppendToCollection',
  'Remove',
  'RemoveFromCollection',
] as const;
export type PatchAction = (typeof PATCH_ACTIONS)[number];
export interface PatchChange {
  field: string;
  value?: unknown;
  action: PatchAction;
}

type Doc = Record<string, unknown>;
const FIELD = /^\$\.([A-Za-z][A-Za-z0-9]*)(?:\.([A-Za-z][A-Za-z0-9]*))?$/;
/** The fields a patch may change: every writable field but the id. */
const PATCHABLE = new Set(Object.keys(ExternalContactBody.properties).filter((k) => k !== 'id'));

/** The nested fields of an object field (none for strings and collections). */
function nestedFields(field: string): Set<string> {
  const schema = (ExternalContactBody.properties as Record<string, { properties?: Record<string, unknown> }>)[field];
  return new Set(Object.keys(schema?.properties ?? {}));
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && Object.keys(v as object).length === 0);

/** The field as a path of one or two names, or a 400 naming the change. */
function pathOf(change: PatchChange, i: number): string[] {
  const m = FIELD.exec(change.field.trim());
  if (!m || !PATCHABLE.has(m[1]!) || (m[2] !== undefined && !nestedFields(m[1]!).has(m[2])))
    throw invalidValue(
      `changes[${i}].field`,
      `changes[${i}].field "${change.field}" is not a contact field: use "$.<field>" or "$.<field>.<nested field>" (dot notation only), e.g. "$.firstName" or "$.address.city".`,
    );
  return m[2] ? [m[1]!, m[2]] : [m[1]!];
}

/** A field and one of its nested fields may not both be patched (upstream: 409). */
function assertNoOverlap(paths: string[][]) {
  const whole = new Set(paths.filter((p) => p.length === 1).map((p) => p[0]));
  const nested = paths.find((p) => p.length === 2 && whole.has(p[0]));
  if (nested)
    throw new ApiError(
      409,
      'conflict',
      `The patch changes both $.${nested[0]} and $.${nested.join('.')}: patch a field or its nested fields, not both.`,
    );
}

function collection(current: unknown, i: number, field: string): unknown[] {
  if (current === undefined || current === null) return [];
  if (!Array.isArray(current)) throw invalidValue(`changes[${i}].field`, `${field} is not a collection.`);
  return current;
}

/** The new value of one field under one action (undefined: the field is removed). */
function applied(change: PatchChange, current: unknown, i: number): unknown {
  const values = Array.isArray(change.value) ? change.value : [change.value];
  switch (change.action) {
    case 'Update':
      return change.value;
    case 'UpdateIfEmpty':
      return isEmpty(current) ? change.value : current;
    case 'UpdateIfExists':
      return isEmpty(current) ? current : change.value;
    case 'Remove':
      return undefined;
    case 'AppendToCollection':
      return [...collection(current, i, change.field), ...values];
    case 'RemoveFromCollection': {
      const drop = values.map((v) => JSON.stringify(v));
      return collection(current, i, change.field).filter((v) => !drop.includes(JSON.stringify(v)));
    }
  }
}

function set(doc: Doc, path: string[], value: unknown) {
  const [top, nested] = path as [string, string | undefined];
  if (nested === undefined) {
    if (value === undefined) delete doc[top];
    else doc[top] = value;
    return;
  }
  const parent = { ...((doc[top] as Doc | undefined) ?? {}) };
  if (value === undefined) delete parent[nested];
  else parent[nested] = value;
  doc[top] = parent;
}

const get = (doc: Doc, path: string[]) =>
  path.length === 1 ? doc[path[0]!] : (doc[path[0]!] as Doc | undefined)?.[path[1]!];

/** The contact after the changes, checked as a PUT body (a 400 naming the first bad field). */
export function patched(current: ExternalContactInput, changes: PatchChange[]): ExternalContactInput {
  const paths = changes.map(pathOf);
  assertNoOverlap(paths);
  const doc = structuredClone(current) as Doc;
  changes.forEach((change, i) => {
    if (change.action !== 'Remove' && change.value === undefined)
      throw invalidValue(`changes[${i}].value`, `changes[${i}].value is required for ${change.action}.`);
    set(doc, paths[i]!, applied(change, get(doc, paths[i]!), i));
  });
  const error = Value.Errors(ExternalContactBody, doc).First();
  if (error) {
    const field = error.path.replace(/^\//, '').replaceAll('/', '.');
    throw invalidValue(
      field,
      `The patched contact is not valid: ${field || 'the contact'} ${error.message.toLowerCase()}.`,
    );
  }
  return doc as ExternalContactInput;
}
