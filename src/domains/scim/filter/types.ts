/** SCIM filter limits, the parsed filter and path types, attribute maps and the filter error. */
import type { RawBuilder, SqlBool } from 'kysely';
import { ScimError } from '../errors.ts';

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;
/** The deepest nesting of parentheses, `not (…)` and `[…]` accepted. */
export const MAX_FILTER_DEPTH = 32;

/** A filter that does not parse, names an unknown attribute or compares with the wrong type. */
export class ScimFilterError extends ScimError {
  override name = 'ScimFilterError';
  constructor(detail: string) {
    super(400, detail, 'invalidFilter');
  }
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;
export type Scalar = string | number | boolean;

/** An attribute path as written (names keep their spelling; compare them case-insensitively). */
export interface AttrPath {
  /** The schema URN prefix, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  uri?: string;
  attr: string;
  sub?: string;
}

export type FilterNode =
  | { type: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { type: 'present'; path: AttrPath }
  | { type: 'and'; left: FilterNode; right: FilterNode }
  | { type: 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; filter: FilterNode }
  /** `attr[filter]`: some value of `attr` satisfies `filter` (whose paths name sub-attributes). */
  | { type: 'valuePath'; path: AttrPath; filter: FilterNode };

/** A PATCH path: `attrPath`, or `valuePath` optionally followed by `.subAttr`. */
export interface PatchPath {
  path: AttrPath;
  filter?: FilterNode;
  /** The sub-attribute after `]`, as in `emails[type eq "work"].value`. */
  sub?: string;
}

export type ScimAttrType = 'string' | 'boolean' | 'dateTime' | 'integer';

export interface ScimColumn {
  kind: 'column';
  /** The column, e.g. `users.email`. */
  column: string;
  type: ScimAttrType;
  caseExact?: boolean;
  /** Maps a SCIM value to the stored value, e.g. active true → state 'active'. */
  toSql?: (v: unknown) => unknown;
  /** A fixed SQL expression used instead of `column` (written by the map's author, never from input). */
  expr?: RawBuilder<unknown>;
}

export interface ScimMulti {
  kind: 'multi';
  table: string;
  /** The child table's foreign-key column (`user_id` or `user_emails.user_id`). */
  ownerColumn: string;
  /** The parent column it references, e.g. `users.id`. */
  ownerKey: string;
  /** Sub-attribute name (lower-case) → child column (unqualified names are taken in `table`). */
  sub: Record<string, ScimColumn>;
  /** The sub-attribute used when the filter names the attribute itself (`emails co "x"` → value). */
  defaultSub: string;
  /**
   * One more value held by the owning row itself (sub-attribute → its column there), e.g. the
   * userName email, which is users.email rather than a row of the child table. A comparison
   * matches when the child rows or this value match.
   */
  parent?: Record<string, ScimColumn>;
  /** A fixed condition every child row must meet (written by the map's author, never from input). */
  rows?: RawBuilder<SqlBool>;
}

/** Lower-case path without schema (`username`, `name.familyname`, `emails`) → its SQL mapping. */
export type ScimAttributeMap = Record<string, ScimColumn | ScimMulti>;

/** What the in-memory evaluator needs to know about an attribute. */
export interface FilterAttrInfo {
  type: ScimAttrType;
  caseExact?: boolean;
}

/**
 * Types for `filterMatches` without an SQL map: given the lower-case path without schema
 * (`emails.type`, `active`), the attribute's type, or undefined to infer it from the values.
 */
export type FilterAttrResolver = (path: string) => FilterAttrInfo | undefined;

export const OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
export const CORE_URI = /^urn:ietf:params:scim:schemas:core:/i;
export const ATTRNAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

/** A client's text in a message: quoted, and cut at 40 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
}

export function lowerKeys(sub: Record<string, ScimColumn>): ScimAttributeMap {
  return Object.fromEntries(Object.entries(sub).map(([k, v]) => [k.toLowerCase(), v]));
}
