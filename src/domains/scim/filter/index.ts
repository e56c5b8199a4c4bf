/**
 * SCIM filters: RFC 7644 §3.4.2.2 (the `filter` query parameter) and the value-path filters of
 * PATCH paths (RFC 7644 §3.5.2, `PATH = attrPath / valuePath [subAttr]`).
 *
 * - `parseFilter` is a hand-written recursive-descent parser for the whole filter grammar
 *   (Figure 1 of RFC 7644 and its ABNF): attribute paths with an optional schema URN prefix and a
 *   sub-attribute, the operators eq ne co sw ew gt ge lt le pr, `and` (binding tighter than `or`),
 *   `not (…)`, parentheses, complex value filters `emails[type eq "work"]`, and JSON values.
 *   Keywords and attribute names are case-insensitive (RFC 7644 §3.4.2.2, RFC 7643 §2.1).
 *   Every syntax error is a `ScimFilterError` (400, scimType `invalidFilter`) whose detail says
 *   what was found where; positions count characters from 1.
 * - `parsePath` parses a PATCH `path` with the same tokenizer.
 * - `compileFilter` turns a parsed filter into a Kysely boolean expression through a
 *   `ScimAttributeMap`; every value is a bound parameter. The SQL is the same on SQLite and
 *   PostgreSQL (no dialect branches): `lower(…)` for case-insensitive strings, `LIKE … ESCAPE '\'`
 *   with the user's wildcards escaped, `EXISTS (…)` for multi-valued attributes.
 * - `filterMatches` evaluates a parsed filter over a SCIM JSON resource with the same semantics.
 *
 * Semantics shared by both evaluators (RFC 7644 §3.4.2.2, RFC 7643 §2.5):
 * - an attribute with no value never satisfies eq co sw ew gt ge lt le;
 * - `ne` is the negation of `eq` (a resource without the attribute matches `ne`);
 * - `eq null` is "not present" and `ne null` is "present"; other operators refuse null;
 * - on a multi-valued attribute a comparison matches when any value matches (`ne`: when none
 *   equals); a comparison on the attribute itself applies to its `value` sub-attribute;
 * - strings compare case-insensitively unless the attribute is caseExact; gt/ge/lt/le order
 *   strings, dateTimes and integers and are refused on booleans; co/sw/ew are for strings only;
 * - dateTime values must be ISO 8601 (a missing offset means UTC) and are compared as the
 *   `toISOString()` text, which is how dateTimes are expected to be stored.
 * Known limits: PostgreSQL's `lower()` folds all of Unicode while SQLite's folds ASCII only, and
 * gt/lt on strings follow the database collation in SQL but code-unit order in memory.
 */
export {
  type AttrPath,
  type CompareOp,
  type FilterAttrInfo,
  type FilterAttrResolver,
  type FilterNode,
  type FilterValue,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  type PatchPath,
  type ScimAttributeMap,
  type ScimAttrType,
  type ScimColumn,
  ScimFilterError,
  type ScimMulti,
} from './types.ts';
export { parseFilter, parsePath, printFilter, printPath } from './parse.ts';
export { normalizeDateTime, pathText } from './semantics.ts';
export { compileFilter } from './sql.ts';
export { filterMatches, getAttr } from './evaluate.ts';
