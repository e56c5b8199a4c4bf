/** The SCIM filter tokenizer and recursive-descent parser (RFC 7644 §3.4.2.2), PATCH paths, printing. */
import { pathText } from './semantics.ts';
import {
  ATTRNAME,
  type AttrPath,
  type CompareOp,
  type FilterNode,
  type FilterValue,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  OPS,
  type PatchPath,
  ScimFilterError,
  quote,
} from './types.ts';

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

/** The escape at `j` (a backslash) in a string: the text it stands for and where the string goes on. */
function readEscape(text: string, j: number): { text: string; next: number } {
  const e = text[j + 1];
  if (e === 'u') {
    const hex = text.slice(j + 2, j + 6);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new ScimFilterError(`Invalid \\u escape at position ${j + 1}`);
    return { text: String.fromCharCode(Number.parseInt(hex, 16)), next: j + 6 };
  }
  if (e !== undefined && e in ESCAPES) return { text: ESCAPES[e], next: j + 2 };
  throw new ScimFilterError(`Invalid escape ${quote('\\' + (e ?? ''))} at position ${j + 1}`);
}

/** The JSON string starting at `i` (its opening quote). */
function readString(text: string, i: number): Token {
  const pos = i + 1;
  let value = '';
  let j = i + 1;
  for (;;) {
    if (j >= text.length) throw new ScimFilterError(`Unterminated string starting at position ${pos}`);
    const d = text[j];
    if (d === '"') break;
    if (d === '\\') {
      const escaped = readEscape(text, j);
      value += escaped.text;
      j = escaped.next;
      continue;
    }
    if (d.charCodeAt(0) < 0x20) throw new ScimFilterError(`Unescaped control character in string at position ${j + 1}`);
    value += d;
    j++;
  }
  return { kind: 'string', text: text.slice(i, j + 1), value, pos };
}

/** The JSON number starting at `i`; a number running into a word is refused whole. */
function readNumber(text: string, i: number): Token {
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  const end = m ? i + m[0].length : i;
  if (!m || (end < text.length && WORD_CHAR.test(text[end]))) {
    let k = i + 1;
    while (k < text.length && WORD_CHAR.test(text[k])) k++;
    throw new ScimFilterError(`Invalid number ${quote(text.slice(i, k))} at position ${i + 1}`);
  }
  return { kind: 'number', text: m[0], value: Number(m[0]), pos: i + 1 };
}

/** The word (attribute path, operator or keyword) starting at `i`. */
function readWord(text: string, i: number): Token {
  let j = i + 1;
  while (j < text.length && WORD_CHAR.test(text[j])) j++;
  return { kind: 'word', text: text.slice(i, j), pos: i + 1 };
}

/** The token starting at `i` (not a blank). */
function readToken(text: string, i: number): Token {
  const c = text[i];
  if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') return { kind: c, text: c, pos: i + 1 };
  if (c === '"') return readString(text, i);
  if (c === '-' || (c >= '0' && c <= '9')) return readNumber(text, i);
  if (WORD_START.test(c)) return readWord(text, i);
  throw new ScimFilterError(`Unexpected character ${quote(c)} at position ${i + 1}`);
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
    const token = readToken(text, i);
    tokens.push(token);
    // Every token's text is its source text.
    i += token.text.length;
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
