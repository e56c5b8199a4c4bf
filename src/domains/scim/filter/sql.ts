/** A parsed filter compiled to a Kysely boolean expression; every value a bound parameter, the same SQL on both dialects. */
import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { escapeLike } from '../../../storage/text-match.ts';
import { checkValue, complexScope, pathText, refuseNull, resolve } from './semantics.ts';
import {
  type CompareOp,
  type FilterNode,
  type FilterValue,
  type ScimAttributeMap,
  type ScimColumn,
  ScimFilterError,
  type ScimMulti,
  quote,
  lowerKeys,
} from './types.ts';

type Bool = RawBuilder<SqlBool>;

const TRUE: Bool = sql<SqlBool>`(1 = 1)`;
const FALSE: Bool = sql<SqlBool>`(1 = 0)`;

/**
 * A column reference, made once per column name: references are immutable, and parsing one
 * (`users.email_key`) was a tenth of a `userName eq` lookup's own work. The names come from the
 * attribute maps, never from a filter's text.
 */
const refs = new Map<string, Expression<unknown>>();
function refTo(eb: ExpressionBuilder<any, any>, column: string): Expression<unknown> {
  let ref = refs.get(column);
  if (!ref) {
    ref = eb.ref(column) as Expression<unknown>;
    refs.set(column, ref);
  }
  return ref;
}

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

export function present(eb: ExpressionBuilder<any, any>, col: ScimColumn): Bool {
  const c = col.expr ?? refTo(eb, col.column);
  return col.type === 'string' ? sql<SqlBool>`(${c} is not null and ${c} <> '')` : sql<SqlBool>`(${c} is not null)`;
}

const SQL_OPS: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', RawBuilder<unknown>> = {
  eq: sql.raw('='),
  gt: sql.raw('>'),
  ge: sql.raw('>='),
  lt: sql.raw('<'),
  le: sql.raw('<='),
};

export function compare(
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
  const c = col.expr ?? refTo(eb, col.column);
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
