/**
 * A ConversationQuery (or AsyncConversationQuery) checked and turned into the conversations
 * domain's DetailsQuery. Every refusal is a 400 in upstream's ErrorBody naming the field.
 */
import { badRequest, invalidValue } from '../../platform/errors/index.ts';
import { DAY_MS, parseInterval } from '../../platform/interval.ts';
import {
  CONVERSATION_COLUMNS,
  type DetailFilter,
  type DetailsQuery,
  type DimensionPredicate,
  SEGMENT_COLUMNS,
} from '../conversations/index.ts';
import { UPSTREAM_CONVERSATION_DIMENSIONS, UPSTREAM_SEGMENT_DIMENSIONS } from './dimensions.ts';
import type { AsyncConversationQuery, Filter, Predicate } from './schemas.ts';

/** The longest interval the synchronous query answers (longer: the async jobs). */
export const SYNC_MAX_DAYS = 31;
/** The longest interval an async job takes (the retention of interaction details). */
export const ASYNC_MAX_DAYS = 366;
export const MAX_PAGE_SIZE = 100;
/** Synchronous paging stops here; deeper result sets are read with the async jobs. */
export const MAX_SYNC_RESULTS = 10_000;

const OPERATORS = ['matches', 'exists', 'notExists'];

function predicateOf(
  p: Predicate,
  field: string,
  known: string[],
  supported: Record<string, string>,
): DimensionPredicate {
  const type = p.type ?? 'dimension';
  if (type !== 'dimension')
    throw badRequest(`${field}.type "${type}" is not supported: Gatehouse filters on dimensions only.`, [
      { errorCode: 'invalid.value', fieldName: `${field}.type` },
    ]);
  const dimension = p.dimension;
  if (!dimension) throw invalidValue(`${field}.dimension`, `${field}.dimension is required.`);
  if (!known.includes(dimension))
    throw invalidValue(
      `${field}.dimension`,
      `"${dimension}" is not a dimension here. Known: ${Object.keys(supported).join(', ')}.`,
    );
  if (!(dimension in supported))
    throw invalidValue(
      `${field}.dimension`,
      `Filtering on "${dimension}" is not supported by Gatehouse. Supported: ${Object.keys(supported).join(', ')}.`,
    );
  const operator = p.operator ?? 'matches';
  if (!OPERATORS.includes(operator))
    throw invalidValue(`${field}.operator`, `${field}.operator must be one of ${OPERATORS.join(', ')}.`);
  if (operator === 'matches' && (p.value === undefined || p.value === ''))
    throw invalidValue(`${field}.value`, `${field}.value is required with the matches operator.`);
  return {
    dimension,
    operator: operator as DimensionPredicate['operator'],
    ...(p.value !== undefined ? { value: p.value } : {}),
  };
}

function filterOf(f: Filter, field: string, known: string[], supported: Record<string, string>): DetailFilter {
  const joinType = (t: string, at: string): 'and' | 'or' => {
    if (t !== 'and' && t !== 'or') throw invalidValue(at, `${at} must be "and" or "or".`);
    return t;
  };
  const predicates = (f.predicates ?? []).map((p, i) => predicateOf(p, `${field}.predicates[${i}]`, known, supported));
  const clauses = (f.clauses ?? []).map((c, i) => ({
    type: joinType(c.type, `${field}.clauses[${i}].type`),
    predicates: c.predicates.map((p, j) => predicateOf(p, `${field}.clauses[${i}].predicates[${j}]`, known, supported)),
  }));
  if (predicates.length + clauses.length === 0)
    throw invalidValue(field, `${field} needs at least one predicate or clause.`);
  if (clauses.some((c) => c.predicates.length === 0))
    throw invalidValue(field, `every clause of ${field} needs at least one predicate.`);
  return { type: joinType(f.type, `${field}.type`), predicates, clauses };
}

/** The DetailsQuery of a request, for an organization; `maxDays` bounds the interval. */
export function detailsQueryOf(orgId: string, body: AsyncConversationQuery, maxDays: number): DetailsQuery {
  const { start, end } = parseInterval(body.interval);
  if (end.getTime() - start.getTime() > maxDays * DAY_MS)
    throw invalidValue(
      'interval',
      maxDays === SYNC_MAX_DAYS
        ? `The interval is longer than ${SYNC_MAX_DAYS} days; query shorter intervals or submit a details job (POST /api/v2/analytics/conversations/details/jobs).`
        : `The interval is longer than ${maxDays} days.`,
    );
  for (const unsupported of ['evaluationFilters', 'surveyFilters', 'resolutionFilters'] as const)
    if (body[unsupported]?.length) throw invalidValue(unsupported, `${unsupported} are not supported by Gatehouse.`);
  const order = body.order ?? 'asc';
  if (!['asc', 'desc', 'unordered'].includes(order))
    throw invalidValue('order', 'order must be asc, desc or unordered.');
  const orderBy = body.orderBy ?? 'conversationStart';
  if (orderBy !== 'conversationStart' && orderBy !== 'conversationEnd')
    throw invalidValue(
      'orderBy',
      'orderBy must be conversationStart or conversationEnd (segment ordering is not supported).',
    );
  return {
    orgId,
    start: start.toISOString(),
    end: end.toISOString(),
    conversationFilters: (body.conversationFilters ?? []).map((f, i) =>
      filterOf(f, `conversationFilters[${i}]`, UPSTREAM_CONVERSATION_DIMENSIONS, CONVERSATION_COLUMNS),
    ),
    segmentFilters: (body.segmentFilters ?? []).map((f, i) =>
      filterOf(f, `segmentFilters[${i}]`, UPSTREAM_SEGMENT_DIMENSIONS, SEGMENT_COLUMNS),
    ),
    orderBy,
    order: order === 'desc' ? 'desc' : 'asc',
  };
}

/** Synchronous paging: pageSize 1–100 (default 25), pageNumber ≥ 1, at most 10,000 results deep. */
export function pagingOf(paging: { pageSize?: number; pageNumber?: number } | undefined) {
  const pageSize = paging?.pageSize ?? 25;
  const pageNumber = paging?.pageNumber ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw invalidValue('paging.pageSize', `paging.pageSize must be between 1 and ${MAX_PAGE_SIZE}.`);
  if (!Number.isInteger(pageNumber) || pageNumber < 1)
    throw invalidValue('paging.pageNumber', 'paging.pageNumber must be 1 or more.');
  if (pageNumber * pageSize > MAX_SYNC_RESULTS)
    throw invalidValue(
      'paging.pageNumber',
      `The synchronous query pages through at most ${MAX_SYNC_RESULTS} results; use a details job for more.`,
    );
  return { offset: (pageNumber - 1) * pageSize, limit: pageSize };
}
