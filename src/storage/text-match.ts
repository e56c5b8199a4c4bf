/** Dialect-neutral text matching for `where` clauses (SQLite and PostgreSQL alike). */
import { type SqlBool, sql } from 'kysely';

/** Escapes LIKE wildcards and the escape character itself (used with ESCAPE '\'). */
export function escapeLike(v: string): string {
  return v.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `lower(column) LIKE lower('%text%')`: the column holds `text`, ignoring case. lower() runs on
 * both sides in SQL, so the pattern folds as the column does (SQLite folds ASCII only,
 * PostgreSQL all of Unicode).
 */
export const containsFolded = (column: string, text: string) =>
  sql<SqlBool>`lower(${sql.ref(column)}) like lower(${`%${escapeLike(text)}%`}) escape ${sql.raw("'\\'")}`;

/** A string's text as JSON.stringify writes it inside a JSON column, without its quotes. */
export const jsonText = (v: string) => JSON.stringify(v).slice(1, -1);
