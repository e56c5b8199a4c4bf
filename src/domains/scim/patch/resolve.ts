/** Resolving a PATCH path against a schema, and matching value filters. */
import {
  type FilterAttrInfo,
  type FilterNode,
  filterMatches,
  type PatchPath,
  parsePath,
  ScimFilterError,
} from '../filter/index.ts';
import { fail, isObject, q } from './request.ts';
import type { ScimPatchAttribute, ScimPatchOperation, ScimPatchSchema } from './types.ts';

export function describeOp(operation: ScimPatchOperation, i: number): string {
  return `Operations[${i}] (${operation.op}${operation.path ? ' ' + q(operation.path) : ''})`;
}

export interface Resolved {
  /** Canonical URN of the schema holding the attribute. */
  urn: string;
  /** Undefined when the path names an extension schema itself. */
  attr?: ScimPatchAttribute;
  filter?: FilterNode;
  sub?: ScimPatchAttribute;
  text: string;
}

export function findAttr(list: ScimPatchAttribute[] | undefined, name: string): ScimPatchAttribute | undefined {
  const lower = name.toLowerCase();
  return list?.find((a) => a.name.toLowerCase() === lower);
}

function findUrn(schema: ScimPatchSchema, urn: string): string | undefined {
  const lower = urn.toLowerCase();
  return Object.keys(schema.attributes).find((u) => u.toLowerCase() === lower);
}

export function resolve(schema: ScimPatchSchema, text: string): Resolved {
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
export function elementAttrs(attr: ScimPatchAttribute): ScimPatchAttribute[] {
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

export function elementMatches(attr: ScimPatchAttribute, filter: FilterNode, element: unknown, text: string): boolean {
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

export function nameOf(r: Resolved): string {
  return r.attr ? r.attr.name + (r.sub ? '.' + r.sub.name : '') : r.urn;
}

export function readOnlyPart(r: Resolved): ScimPatchAttribute | undefined {
  if (r.attr?.mutability === 'readOnly') return r.attr;
  if (r.sub?.mutability === 'readOnly') return r.sub;
  return undefined;
}
