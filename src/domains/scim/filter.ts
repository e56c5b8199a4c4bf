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
import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { escapeLike } from '../../storage/text-match.ts';

/** The longest filter accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;
/** The deepest nesting of parentheses, `not (…)` and `[…]` accepted. */
export const MAX_FILTER_DEPTH = 32;

/** A filter that does not parse, names an unknown attribute or compares with the wrong type. */
export class ScimFilterError extends Error {
  readonly status = 400;
  readonly scimType = 'invalidFilter';
  readonly detail: string;
  constructor(detail: string) {
    super(detail);
    this.name = 'ScimFilterError';
    this.detail = detail;
  }
}

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;
type Scalar = string | number | boolean;

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

const OPS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const CORE_URI = /^urn:ietf:params:scim:schemas:core:/i;
const ATTRNAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | '.' | 'eof';

interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** The decoded value of a string or number token. */
  value?: string | number;
  /** 1-based character position. */
  pos: number;
}

const WORD_START = /[A-Za-z$_]/;
const WORD_CHAR = /[A-Za-z0-9$_:.-]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') {
      tokens.push({ kind: c, text: c, pos });
      i++;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ScimFilterError(`Unterminated string starting at position ${pos}`);
        const d = text[j];
        if (d === '"') break;
        if (d === '\\') {
          const e = text[j + 1];
          if (e === 'u') {
            const hex = text.slice(j + 2, j + 6);
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new ScimFilterError(`Invalid \\u escape at position ${j + 1}`);
            value += String.fromCharCode(Number.parseInt(hex, 16));
            j += 6;
          } else if (e !== undefined && e in ESCAPES) {
            value += ESCAPES[e];
            j += 2;
          } else {
            throw new ScimFilterError(`Invalid escape ${quote('\\' + (e ?? ''))} at position ${j + 1}`);
          }
          continue;
        }
        if (d.charCodeAt(0) < 0x20)
          throw new ScimFilterError(`Unescaped control character in string at position ${j + 1}`);
        value += d;
        j++;
      }
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), value, pos });
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      const end = m ? i + m[0].length : i;
      if (!m || (end < text.length && WORD_CHAR.test(text[end]))) {
        let k = i + 1;
        while (k < text.length && WORD_CHAR.test(text[k])) k++;
        throw new ScimFilterError(`Invalid number ${quote(text.slice(i, k))} at position ${pos}`);
      }
      tokens.push({ kind: 'number', text: m[0], value: Number(m[0]), pos });
      i = end;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < text.length && WORD_CHAR.test(text[j])) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), pos });
      i = j;
    } else {
      throw new ScimFilterError(`Unexpected character ${quote(c)} at position ${pos}`);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length + 1 });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of filter' : `token ${quote(t.text)} at position ${t.pos}`;
}

class Parser {
  private i = 0;
  private depth = 0;
  private inValuePath = false;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw new ScimFilterError(`Expected ${what} but found ${describe(t)}`);
    return t;
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw new ScimFilterError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels at position ${t.pos}`);
    }
  }

  end(): void {
    const t = this.peek();
    if (t.kind !== 'eof') throw new ScimFilterError(`Unexpected ${describe(t)}`);
  }

  filter(): FilterNode {
    let left = this.conjunction();
    while (this.isWord(this.peek(), 'or')) {
      this.next();
      left = { type: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): FilterNode {
    let left = this.unary();
    while (this.isWord(this.peek(), 'and')) {
      this.next();
      left = { type: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    const t = this.peek();
    if (this.isWord(t, 'not') && this.peek(1).kind !== '[') {
      const after = this.peek(1);
      if (after.kind !== '(')
        throw new ScimFilterError(`Expected "(" after "not" at position ${t.pos} but found ${describe(after)}`);
      this.next();
      return { type: 'not', filter: this.group() };
    }
    if (t.kind === '(') return this.group();
    if (t.kind === 'word') return this.attrExp();
    throw new ScimFilterError(`Expected an attribute path, "(" or "not" but found ${describe(t)}`);
  }

  private group(): FilterNode {
    const open = this.expect('(', '"("');
    this.enter(open);
    const inner = this.filter();
    this.expect(')', `")" to close "(" at position ${open.pos}`);
    this.depth--;
    return inner;
  }

  attrPath(): AttrPath {
    const t = this.next();
    if (t.kind !== 'word') throw new ScimFilterError(`Expected an attribute path but found ${describe(t)}`);
    return toAttrPath(t);
  }

  private attrExp(): FilterNode {
    const pathToken = this.peek();
    const path = this.attrPath();
    if (this.peek().kind === '[') {
      const open = this.next();
      if (this.inValuePath) throw new ScimFilterError(`Value filters cannot be nested (position ${open.pos})`);
      if (path.sub) {
        const where = `${quote(pathToken.text)} (position ${open.pos})`;
        throw new ScimFilterError(`A value filter applies to an attribute, not to the sub-attribute ${where}`);
      }
      this.enter(open);
      this.inValuePath = true;
      const filter = this.filter();
      this.inValuePath = false;
      this.expect(']', `"]" to close "[" at position ${open.pos}`);
      this.depth--;
      return { type: 'valuePath', path, filter };
    }
    const opToken = this.next();
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { type: 'present', path };
    if (!OPS.has(op)) {
      const expected = 'an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)';
      throw new ScimFilterError(`Expected ${expected} after ${quote(pathToken.text)} but found ${describe(opToken)}`);
    }
    const valueToken = this.peek();
    const value = this.value(op);
    // No database text can hold NUL (PostgreSQL refuses it), and no stored value contains one.
    if (typeof value === 'string' && value.includes('\u0000')) {
      throw new ScimFilterError(
        `The value compared with ${quote(pathToken.text)} at position ${valueToken.pos} contains a NUL character (\\u0000)`,
      );
    }
    return { type: 'compare', path, op: op as CompareOp, value };
  }

  private value(op: string): FilterValue {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value!;
    if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    throw new ScimFilterError(
      `Expected a value (a "string", a number, true, false or null) after "${op}" but found ${describe(t)}`,
    );
  }
}

function toAttrPath(t: Token): AttrPath {
  const colon = t.text.lastIndexOf(':');
  const uri = colon >= 0 ? t.text.slice(0, colon) : undefined;
  const rest = colon >= 0 ? t.text.slice(colon + 1) : t.text;
  const bad = (why: string) =>
    new ScimFilterError(`Invalid attribute path ${quote(t.text)} at position ${t.pos}: ${why}`);
  if (uri !== undefined && !/^urn:[A-Za-z0-9][A-Za-z0-9-]*:\S+$/i.test(uri)) throw bad('a schema prefix must be a URN');
  const parts = rest.split('.');
  if (parts.length > 2) throw bad('at most one sub-attribute may follow the attribute name');
  for (const p of parts)
    if (!ATTRNAME.test(p))
      throw bad(p === '' ? 'an attribute name is missing' : `${quote(p)} is not an attribute name`);
  const path: AttrPath = { attr: parts[0] };
  if (uri !== undefined) path.uri = uri;
  if (parts.length === 2) path.sub = parts[1];
  return path;
}

function checkLength(text: unknown, what: string): string {
  if (typeof text !== 'string') throw new ScimFilterError(`The ${what} must be a string`);
  if (text.length > MAX_FILTER_LENGTH)
    throw new ScimFilterError(`The ${what} is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.trim() === '') throw new ScimFilterError(`The ${what} is empty`);
  return text;
}

/** Parses a SCIM filter (RFC 7644 §3.4.2.2); throws ScimFilterError on any error. */
export function parseFilter(text: string): FilterNode {
  const parser = new Parser(tokenize(checkLength(text, 'filter')));
  const node = parser.filter();
  parser.end();
  return node;
}

/** Parses a PATCH path (RFC 7644 §3.5.2): `attrPath` or `attrPath[valFilter]` with an optional `.subAttr`. */
export function parsePath(text: string): PatchPath {
  const tokens = tokenize(checkLength(text, 'path'));
  const first = tokens[0];
  if (first.kind !== 'word') throw new ScimFilterError(`Expected an attribute path but found ${describe(first)}`);
  if (tokens[1].kind !== '[') {
    if (tokens[1].kind !== 'eof') throw new ScimFilterError(`Unexpected ${describe(tokens[1])}`);
    return { path: toAttrPath(first) };
  }
  // Reuse the filter grammar for `attr[valFilter]`, then read the optional `.subAttr`.
  const close = findClosingBracket(tokens);
  const parser = new Parser([...tokens.slice(0, close + 1), { kind: 'eof', text: '', pos: tokens[close + 1].pos }]);
  const node = parser.filter();
  parser.end();
  if (node.type !== 'valuePath') throw new ScimFilterError(`Invalid path ${quote(text)}`);
  const result: PatchPath = { path: node.path, filter: node.filter };
  const rest = tokens.slice(close + 1);
  if (rest[0].kind === '.') {
    const sub = rest[1];
    if (sub.kind !== 'word' || !ATTRNAME.test(sub.text)) {
      throw new ScimFilterError(`Expected a sub-attribute name after "." but found ${describe(sub)}`);
    }
    result.sub = sub.text;
    if (rest[2].kind !== 'eof') throw new ScimFilterError(`Unexpected ${describe(rest[2])}`);
  } else if (rest[0].kind !== 'eof') {
    throw new ScimFilterError(`Unexpected ${describe(rest[0])}`);
  }
  return result;
}

/**
 * Prints a parsed filter back as filter text that parses to the same tree: every logical
 * expression is parenthesized and values are written as JSON.
 */
export function printFilter(node: FilterNode): string {
  switch (node.type) {
    case 'compare':
      return `${pathText(node.path)} ${node.op} ${JSON.stringify(node.value)}`;
    case 'present':
      return `${pathText(node.path)} pr`;
    case 'and':
    case 'or':
      return `(${printFilter(node.left)} ${node.type} ${printFilter(node.right)})`;
    case 'not':
      return `not (${printFilter(node.filter)})`;
    case 'valuePath':
      return `${pathText(node.path)}[${printFilter(node.filter)}]`;
  }
}

/** Prints a parsed PATCH path (the inverse of `parsePath`). */
export function printPath(p: PatchPath): string {
  return pathText(p.path) + (p.filter ? `[${printFilter(p.filter)}]` : '') + (p.sub ? `.${p.sub}` : '');
}

function findClosingBracket(tokens: Token[]): number {
  let depth = 0;
  for (let k = 1; k < tokens.length; k++) {
    if (tokens[k].kind === '[') depth++;
    else if (tokens[k].kind === ']' && --depth === 0) return k;
  }
  throw new ScimFilterError(`Expected "]" to close "[" at position ${tokens[1].pos} but found end of path`);
}

// ---------------------------------------------------------------------------------------------
// Shared semantics: attribute resolution and value checks
// ---------------------------------------------------------------------------------------------

/** The path as the client wrote it, for messages. */
export function pathText(p: AttrPath): string {
  return (p.uri ? p.uri + ':' : '') + p.attr + (p.sub ? '.' + p.sub : '');
}

type Target =
  | { kind: 'column'; col: ScimColumn }
  | { kind: 'multi'; multi: ScimMulti; sub?: ScimColumn; subKey?: string };

function unknownAttribute(p: AttrPath, prefix: string): ScimFilterError {
  return new ScimFilterError(`Unknown attribute ${quote(prefix + pathText(p))} in filter`);
}

/** Resolves a path against a map (URN prefixes are dropped: the map's keys carry no schema). */
function resolve(map: ScimAttributeMap, p: AttrPath, prefix: string): Target {
  const attr = p.attr.toLowerCase();
  const entry = Object.hasOwn(map, attr) ? map[attr] : undefined;
  if (entry?.kind === 'multi') {
    if (!p.sub) return { kind: 'multi', multi: entry };
    const sub = p.sub.toLowerCase();
    if (!Object.hasOwn(entry.sub, sub)) throw unknownAttribute(p, prefix);
    return { kind: 'multi', multi: entry, sub: entry.sub[sub], subKey: sub };
  }
  const key = p.sub ? `${attr}.${p.sub.toLowerCase()}` : attr;
  const col = Object.hasOwn(map, key) ? map[key] : undefined;
  if (col?.kind !== 'column') throw unknownAttribute(p, prefix);
  return { kind: 'column', col };
}

/** The entries of a map under `attr.` with that prefix removed: the sub-attributes of a complex attribute. */
function complexScope(map: ScimAttributeMap, p: AttrPath, prefix: string): ScimAttributeMap {
  const head = p.attr.toLowerCase() + '.';
  const scope: ScimAttributeMap = {};
  for (const [k, v] of Object.entries(map)) if (k.startsWith(head)) scope[k.slice(head.length)] = v;
  if (Object.keys(scope).length === 0) {
    if (Object.hasOwn(map, p.attr.toLowerCase())) {
      throw new ScimFilterError(
        `Attribute ${quote(prefix + pathText(p))} is neither multi-valued nor complex and takes no [filter]`,
      );
    }
    throw unknownAttribute(p, prefix);
  }
  return scope;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 text → `toISOString()` form (no offset means UTC); undefined when not a valid date. */
export function normalizeDateTime(v: string): string | undefined {
  if (!ISO_DATE_TIME.test(v)) return undefined;
  const hasTime = v.length > 10;
  const hasOffset = /(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(v.slice(10));
  let text = hasTime ? v.replace(' ', 'T') : v + 'T00:00:00';
  if (!hasOffset) text += 'Z';
  text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2024-02-30 over to March; refuse dates that do not exist.
  const [y, m, d] = v.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  return new Date(ms).toISOString();
}

/** Checks the filter value against the attribute's type and returns it in comparable form. */
function checkValue(op: CompareOp, value: Scalar, type: ScimAttrType, name: string, inferred = false): Scalar {
  const mismatch = () =>
    new ScimFilterError(`Value ${JSON.stringify(value)} does not match the type of ${quote(name)} (${type})`);
  if (type === 'boolean') {
    if (op !== 'eq' && op !== 'ne')
      throw new ScimFilterError(`Operator "${op}" cannot be used on boolean attribute ${quote(name)}`);
    if (typeof value !== 'boolean') throw mismatch();
    return value;
  }
  if (type !== 'string' && (op === 'co' || op === 'sw' || op === 'ew')) {
    throw new ScimFilterError(`Operator "${op}" needs a string attribute; ${quote(name)} is ${type}`);
  }
  if (type === 'integer') {
    if (typeof value !== 'number' || !(inferred ? Number.isFinite(value) : Number.isSafeInteger(value)))
      throw mismatch();
    return value;
  }
  // Upstream's own examples compare string attributes with bare numbers (`employeeNumber eq
  // 9876543210`, `externalId eq 167844`): a whole number is read as its decimal digits.
  if (
    type === 'string' &&
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    op !== 'gt' &&
    op !== 'ge' &&
    op !== 'lt' &&
    op !== 'le'
  ) {
    return String(value);
  }
  if (typeof value !== 'string') throw mismatch();
  if (type === 'dateTime') {
    const iso = normalizeDateTime(value);
    if (iso === undefined)
      throw new ScimFilterError(`Value ${JSON.stringify(value)} is not a valid dateTime for ${quote(name)}`);
    return iso;
  }
  return value;
}

function refuseNull(op: CompareOp, name: string): never {
  throw new ScimFilterError(`Operator "${op}" cannot compare ${quote(name)} with null`);
}

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

type Bool = RawBuilder<SqlBool>;

const TRUE: Bool = sql<SqlBool>`(1 = 1)`;
const FALSE: Bool = sql<SqlBool>`(1 = 0)`;

function qualify(column: string, table: string): string {
  return column.includes('.') ? column : `${table}.${column}`;
}

/**
 * Compiles a parsed filter into a boolean expression for a `where` clause.
 * Throws ScimFilterError for unknown attributes and values of the wrong type.
 */
export function compileFilter(
  eb: ExpressionBuilder<any, any>,
  node: FilterNode,
  map: ScimAttributeMap,
): Expression<SqlBool> {
  return compileNode(eb, node, map, '');
}

function compileNode(eb: ExpressionBuilder<any, any>, node: FilterNode, map: ScimAttributeMap, prefix: string): Bool {
  switch (node.type) {
    case 'and':
      return sql<SqlBool>`(${compileNode(eb, node.left, map, prefix)} and ${compileNode(eb, node.right, map, prefix)})`;
    case 'or':
      return sql<SqlBool>`(${compileNode(eb, node.left, map, prefix)} or ${compileNode(eb, node.right, map, prefix)})`;
    case 'not':
      return sql<SqlBool>`(not ${compileNode(eb, node.filter, map, prefix)})`;
    case 'valuePath': {
      const entry = map[node.path.attr.toLowerCase()];
      const inner = prefix + pathText(node.path);
      if (entry?.kind === 'multi') return anyValue(eb, entry, (m) => compileNode(eb, node.filter, m, inner + '.'));
      return compileNode(eb, node.filter, complexScope(map, node.path, prefix), inner + '.');
    }
    case 'present': {
      const target = resolve(map, node.path, prefix);
      if (target.kind === 'column') return present(eb, target.col);
      if (!target.subKey) return anyValue(eb, target.multi, () => TRUE);
      const key = target.subKey;
      return anyValue(eb, target.multi, (m) => (m[key] ? present(eb, m[key] as ScimColumn) : FALSE));
    }
    case 'compare': {
      const target = resolve(map, node.path, prefix);
      const name = prefix + pathText(node.path);
      if (target.kind === 'column') return compare(eb, target.col, node.op, node.value, name);
      const { multi } = target;
      const key = target.subKey ?? multi.defaultSub.toLowerCase();
      if (!multi.sub[key])
        throw new ScimFilterError(`Attribute ${quote(name)} has no default sub-attribute to compare`);
      const on = (m: ScimAttributeMap, test: (col: ScimColumn) => Bool) =>
        m[key] ? test(m[key] as ScimColumn) : FALSE;
      // ne / eq null are negations: "no value equals", "no value is present".
      if (node.op === 'ne')
        return sql<SqlBool>`(not ${anyValue(eb, multi, (m) => on(m, (col) => compare(eb, col, 'eq', node.value, name)))})`;
      if (node.op === 'eq' && node.value === null)
        return sql<SqlBool>`(not ${anyValue(eb, multi, (m) => on(m, (col) => present(eb, col)))})`;
      return anyValue(eb, multi, (m) => on(m, (col) => compare(eb, col, node.op, node.value, name)));
    }
  }
}

function qualified(multi: ScimMulti, col: ScimColumn): ScimColumn {
  return { ...col, column: qualify(col.column, multi.table) };
}

function subMap(multi: ScimMulti): ScimAttributeMap {
  const out: ScimAttributeMap = {};
  for (const [k, v] of Object.entries(multi.sub)) out[k.toLowerCase()] = qualified(multi, v);
  return out;
}

/** Some value of a multi-valued attribute satisfies `condition` (built over a sub-attribute map). */
function anyValue(eb: ExpressionBuilder<any, any>, multi: ScimMulti, condition: (sub: ScimAttributeMap) => Bool): Bool {
  const rows = exists(eb, multi, condition(subMap(multi)));
  return multi.parent ? sql<SqlBool>`(${rows} or ${condition(lowerKeys(multi.parent))})` : rows;
}

function exists(eb: ExpressionBuilder<any, any>, multi: ScimMulti, condition: Bool): Bool {
  const owner = eb.ref(qualify(multi.ownerColumn, multi.table));
  const rows = multi.rows ? sql<SqlBool>` and ${multi.rows}` : sql``;
  return sql<SqlBool>`exists (select 1 from ${sql.table(multi.table)} where ${owner} = ${eb.ref(multi.ownerKey)}${rows} and ${condition})`;
}

function present(eb: ExpressionBuilder<any, any>, col: ScimColumn): Bool {
  const c = col.expr ?? eb.ref(col.column);
  return col.type === 'string' ? sql<SqlBool>`(${c} is not null and ${c} <> '')` : sql<SqlBool>`(${c} is not null)`;
}

const SQL_OPS: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', RawBuilder<unknown>> = {
  eq: sql.raw('='),
  gt: sql.raw('>'),
  ge: sql.raw('>='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
};

function compare(
  eb: ExpressionBuilder<any, any>,
  col: ScimColumn,
  op: CompareOp,
  raw: FilterValue,
  name: string,
): Bool {
  if (raw === null) {
    if (op === 'eq') return sql<SqlBool>`(not ${present(eb, col)})`;
    if (op === 'ne') return present(eb, col);
    refuseNull(op, name);
  }
  if (op === 'ne') return sql<SqlBool>`(not ${compare(eb, col, 'eq', raw, name)})`;
  const value = checkValue(op, raw, col.type, name);
  const c = col.expr ?? eb.ref(col.column);
  const bound = col.toSql ? col.toSql(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (col.type !== 'string') return sql<SqlBool>`(${c} is not null and ${c} ${SQL_OPS[op as 'eq']} ${bound})`;
  const exact = col.caseExact === true;
  const lhs = exact ? sql`${c}` : sql`lower(${c})`;
  const fold = (v: unknown) => (exact ? sql`${v}` : sql`lower(${v})`);
  if (op === 'co' || op === 'sw' || op === 'ew') {
    const text = String(bound);
    if (text === '') return sql<SqlBool>`(${c} is not null)`;
    const pattern = (op === 'sw' ? '' : '%') + escapeLike(text) + (op === 'ew' ? '' : '%');
    const like = sql<SqlBool>`(${c} is not null and ${lhs} like ${fold(pattern)} escape ${sql.raw("'\\'")})`;
    if (!exact) return like;
    // SQLite's LIKE ignores ASCII case; check the exact text with functions both dialects share.
    const n = [...text].length;
    if (op === 'sw') return sql<SqlBool>`(${like} and substr(${c}, 1, ${n}) = ${text})`;
    if (op === 'ew')
      return sql<SqlBool>`(${like} and length(${c}) >= ${n} and substr(${c}, length(${c}) - ${n} + 1) = ${text})`;
    return sql<SqlBool>`(${like} and replace(${c}, ${text}, '') <> ${c})`;
  }
  return sql<SqlBool>`(${c} is not null and ${lhs} ${SQL_OPS[op]} ${fold(bound)})`;
}

// ---------------------------------------------------------------------------------------------
// In memory
// ---------------------------------------------------------------------------------------------

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

function lowerKeys(sub: Record<string, ScimColumn>): ScimAttributeMap {
  return Object.fromEntries(Object.entries(sub).map(([k, v]) => [k.toLowerCase(), v]));
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
