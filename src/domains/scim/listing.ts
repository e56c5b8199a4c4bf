/** SCIM list paging (RFC 7644 §3.4.2.4), attribute projection (§3.4.2.5) and version matching. */
import { invalidValue, ScimError } from './errors.ts';

export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** Largest page answered; a larger `count` is lowered to it (RFC 7644 §3.4.2.4 allows this). */
export const MAX_COUNT = 100;
export const DEFAULT_COUNT = 25;

export interface ListQuery {
  filter?: string;
  startIndex: number;
  count: number;
  attributes: string[];
  excludedAttributes: string[];
}

type Json = Record<string, unknown>;

/** The largest startIndex or count accepted (a 32-bit integer, what OFFSET takes everywhere). */
export const MAX_LIST_NUMBER = 2_147_483_647;

function int(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const text = Array.isArray(v) ? v[0] : v;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text))
    throw invalidValue(`${name} must be a whole number, not ${JSON.stringify(text)}.`);
  const n = Number(text);
  if (Math.abs(n) > MAX_LIST_NUMBER)
    throw invalidValue(
      `${name} must be between -${MAX_LIST_NUMBER} and ${MAX_LIST_NUMBER}, not ${text.length > 30 ? `${text.slice(0, 30)}…` : text}.`,
    );
  return n;
}

/** Attribute lists arrive comma-joined or repeated. */
function names(v: unknown): string[] {
  const parts = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return parts
    .flatMap((p) => String(p).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * An attribute name `attributes` / `excludedAttributes` may hold (RFC 7644 §3.4.2.5): a path of
 * names, optionally schema-qualified. A value filter (`emails[type eq "work"]`) is not one.
 */
const ATTRIBUTE_PATH = /^(urn:[A-Za-z0-9:._-]+:)?[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$|^urn:[A-Za-z0-9:._-]+$/;

function attributePaths(v: unknown, parameter: string): string[] {
  const out = names(v);
  const bad = out.find((a) => !ATTRIBUTE_PATH.test(a));
  if (bad !== undefined)
    throw new ScimError(
      400,
      `${parameter} lists "${bad.length > 100 ? `${bad.slice(0, 100)}…` : bad}", which is not an attribute name ` +
        '(value filters such as emails[type eq "work"] are not allowed there).',
      'invalidPath',
    );
  return out;
}

export function readListQuery(q: Record<string, unknown>): ListQuery {
  const filter = Array.isArray(q.filter) ? q.filter[0] : q.filter;
  if (filter !== undefined && typeof filter !== 'string')
    throw new ScimError(400, 'filter must be a string.', 'invalidFilter');
  // RFC 7644 §3.4.2.4: startIndex below 1 is read as 1, a negative count as 0.
  const startIndex = Math.max(1, int(q.startIndex, 'startIndex') ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, int(q.count, 'count') ?? DEFAULT_COUNT));
  return {
    filter: filter?.trim() ? filter : undefined,
    startIndex,
    count,
    attributes: attributePaths(q.attributes, 'attributes'),
    excludedAttributes: attributePaths(q.excludedAttributes, 'excludedAttributes'),
  };
}

export function listResponse(resources: Json[], total: number, startIndex: number) {
  return { schemas: [LIST_URN], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** `W/"3"`, `"3"` or `*` against version 3. */
export function matchesVersion(header: string, version: number): boolean {
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '').replace(/^"|"$/g, '') === String(version);
  });
}

/**
 * The versions an If-Match header accepts (`W/"3"`, `"3", "4"`), or '*' for any. Tags that are not
 * versions of ours are left out, so they match nothing.
 */
export function ifMatchVersions(header: string): number[] | '*' {
  const out: number[] = [];
  for (const t of header.split(',')) {
    const v = t.trim();
    if (v === '*') return '*';
    const text = v.replace(/^W\//, '').replace(/^"|"$/g, '');
    if (/^\d{1,15}$/.test(text)) out.push(Number(text));
  }
  return out;
}

type Split = { container?: string; path: string[] };
const keyOf = (obj: Json, name: string) => Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());

/** An attribute name as the container it lives in (an extension's URN, or the core) and its path. */
function splitName(raw: string, extensions: string[], coreUrn: string): Split {
  const lower = raw.toLowerCase();
  const ext = extensions.find((e) => lower === e.toLowerCase() || lower.startsWith(`${e.toLowerCase()}:`));
  if (ext)
    return {
      container: ext,
      path: raw
        .slice(ext.length + 1)
        .split('.')
        .filter(Boolean),
    };
  const core = coreUrn.toLowerCase();
  const rest = lower.startsWith(`${core}:`) ? raw.slice(core.length + 1) : raw;
  return { path: rest.split('.') };
}

/** Copies one asked-for attribute (or sub-attribute) of `resource` into `out`. */
function copyAttribute(resource: Json, out: Json, { container, path }: Split) {
  const src = container ? (resource[container] as Json | undefined) : resource;
  if (!src || typeof src !== 'object') return;
  if (container && !out[container]) out[container] = {};
  const dst: Json = container ? (out[container] as Json) : out;
  if (path.length === 0) {
    if (container) out[container] = src;
    return;
  }
  const key = keyOf(src, path[0]!);
  if (!key) return;
  if (path.length === 1 || typeof src[key] !== 'object' || Array.isArray(src[key])) dst[key] = src[key];
  else {
    const sub = keyOf(src[key] as Json, path[1]!);
    if (sub) dst[key] = { ...((dst[key] as Json) ?? {}), [sub]: (src[key] as Json)[sub] };
  }
}

/** Removes one excluded attribute (or sub-attribute) from `out`; `always` ones stay. */
function removeAttribute(out: Json, { container, path }: Split, alwaysLower: string[]) {
  const src = container ? (out[container] as Json | undefined) : out;
  if (!src) return;
  if (path.length === 0) {
    if (container) delete out[container];
    return;
  }
  const key = keyOf(src, path[0]!);
  if (!key || (!container && alwaysLower.includes(key.toLowerCase()))) return;
  if (path.length === 1) delete src[key];
  else if (src[key] && typeof src[key] === 'object' && !Array.isArray(src[key])) {
    const sub = keyOf(src[key] as Json, path[1]!);
    if (sub) delete (src[key] as Json)[sub];
  }
}

/**
 * `attributes` / `excludedAttributes`: top-level names, `name.givenName`-style sub-attributes
 * and schema-qualified names (`urn:…:enterprise:2.0:User:department`). `always` are returned
 * whatever is asked (RFC 7643 §7 "returned": "always").
 */
export function project(
  resource: Json,
  q: Pick<ListQuery, 'attributes' | 'excludedAttributes'>,
  coreUrn: string,
  always: string[],
): Json {
  if (!q.attributes.length && !q.excludedAttributes.length) return resource;
  const extensions = Object.keys(resource).filter((k) => k.startsWith('urn:'));
  const alwaysLower = always.map((a) => a.toLowerCase());
  if (q.attributes.length) {
    const out: Json = {};
    for (const k of Object.keys(resource)) if (alwaysLower.includes(k.toLowerCase())) out[k] = resource[k];
    for (const raw of q.attributes) copyAttribute(resource, out, splitName(raw, extensions, coreUrn));
    return out;
  }
  const out: Json = structuredClone(resource);
  for (const raw of q.excludedAttributes) removeAttribute(out, splitName(raw, extensions, coreUrn), alwaysLower);
  return out;
}
