/** Reading a PatchOp message (RFC 7644 §3.5.2). */
import { getAttr } from '../filter/index.ts';
import { type Json, PATCH_OP_URN, ScimPatchError, type ScimPatchErrorType, type ScimPatchOperation } from './types.ts';

export function fail(type: ScimPatchErrorType, detail: string): never {
  throw new ScimPatchError(type, detail);
}

export function q(v: unknown): string {
  return JSON.stringify(v);
}

export function isObject(v: unknown): v is Json {
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
