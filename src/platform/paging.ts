/**
 * Page-number paging as upstream does it: pageSize (default 25, at most 500) and pageNumber
 * (default 1), answered with an entity listing envelope whose URIs keep the other query
 * parameters.
 */
import { invalidValue } from './errors/catalogue.ts';

export interface PageRequest {
  pageSize: number;
  pageNumber: number;
  offset: number;
}

export const MAX_PAGE_SIZE = 500;
/** Beyond this a page number is refused: an offset past 2^53 (or PostgreSQL's bigint) is a 500 otherwise. */
export const MAX_PAGE_NUMBER = 1_000_000;

/**
 * The total a page answers by itself: a page read at `offset` with room for `limit` rows that is not
 * full (and not past the end) is the list's last, so no COUNT is needed. Undefined: count.
 */
export function totalOfPage(rows: number, offset: number, limit: number): number | undefined {
  return rows < limit && (rows > 0 || offset === 0) ? offset + rows : undefined;
}

export function parsePage(
  query: { pageSize?: number | string; pageNumber?: number | string },
  defaultSize = 25,
): PageRequest {
  const pageSize = toInt(query.pageSize, defaultSize, 'pageSize');
  const pageNumber = toInt(query.pageNumber, 1, 'pageNumber');
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw invalidValue('pageSize', `pageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
  if (pageNumber < 1 || pageNumber > MAX_PAGE_NUMBER)
    throw invalidValue('pageNumber', `pageNumber must be between 1 and ${MAX_PAGE_NUMBER}.`);
  return { pageSize, pageNumber, offset: (pageNumber - 1) * pageSize };
}

function toInt(v: number | string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw invalidValue(name, `${name} must be a whole number.`);
  return n;
}

export interface EntityListing<T> {
  entities: T[];
  pageSize: number;
  pageNumber: number;
  total: number;
  firstUri: string;
  selfUri: string;
  lastUri: string;
  nextUri?: string;
  previousUri?: string;
  pageCount: number;
}

/**
 * Builds the listing envelope. `path` is the route path; `query` the other query parameters to
 * carry into every link.
 */
export function listing<T>(
  entities: T[],
  total: number,
  page: PageRequest,
  path: string,
  query: Record<string, unknown> = {},
): EntityListing<T> {
  const pageCount = Math.max(1, Math.ceil(total / page.pageSize));
  const uri = (n: number) => {
    const q = new URLSearchParams();
    q.set('pageSize', String(page.pageSize));
    q.set('pageNumber', String(n));
    for (const [k, v] of Object.entries(query)) {
      if (k === 'pageSize' || k === 'pageNumber' || v === undefined) continue;
      q.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    return `${path}?${q.toString()}`;
  };
  return {
    entities,
    pageSize: page.pageSize,
    pageNumber: page.pageNumber,
    total,
    firstUri: uri(1),
    selfUri: uri(page.pageNumber),
    lastUri: uri(pageCount),
    ...(page.pageNumber < pageCount ? { nextUri: uri(page.pageNumber + 1) } : {}),
    ...(page.pageNumber > 1 ? { previousUri: uri(Math.min(page.pageNumber - 1, pageCount)) } : {}),
    pageCount,
  };
}

/** Query-string lists arrive comma-joined (JS/Python SDKs) or repeated (.NET SDK): accept both. */
export function splitList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const parts = Array.isArray(v) ? v : [v];
  return parts
    .flatMap((p) => p.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
