/**
 * The analytics details query over conversations and conversation_participants (decision 0013).
 * The interval bounds conversation_start (index conversations_org_start); conversation filters
 * are columns of the conversation row; segment filters are EXISTS over the participant rows,
 * which carry each participant's queue, user, media, direction, wrap-up code and disconnect type.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Executor } from '../../storage/db.ts';
import type { Database } from '../../storage/schema.ts';

export interface DimensionPredicate {
  dimension: string;
  operator: 'matches' | 'exists' | 'notExists';
  value?: string;
}

/** One upstream filter: predicates and clauses joined by `type`; clauses join their own predicates. */
export interface DetailFilter {
  type: 'and' | 'or';
  predicates: DimensionPredicate[];
  clauses: { type: 'and' | 'or'; predicates: DimensionPredicate[] }[];
}

/** Conversation-level dimensions and their columns. */
export const CONVERSATION_COLUMNS = {
  conversationId: 'id',
  divisionId: 'division_id',
  originatingDirection: 'originating_direction',
  conversationEnd: 'end_time',
} as const;

/** Segment-level dimensions answered from the participant rows, and their columns. */
export const SEGMENT_COLUMNS = {
  queueId: 'queue_id',
  userId: 'user_id',
  mediaType: 'media_type',
  direction: 'direction',
  wrapUpCode: 'wrapup_code',
  purpose: 'purpose',
  disconnectType: 'disconnect_type',
  externalContactId: 'external_contact_id',
} as const;

export interface DetailsQuery {
  orgId: string;
  /** conversation_start in [start, end) (ISO strings compare in time order). */
  start: string;
  end: string;
  conversationFilters: DetailFilter[];
  segmentFilters: DetailFilter[];
  orderBy: 'conversationStart' | 'conversationEnd';
  order: 'asc' | 'desc';
  /** Keyset (cursor) paging for jobs: rows after this (sort value, id) in the query's order. */
  after?: { value: string; id: string };
}

type ConvEb = ExpressionBuilder<Database, 'conversations'>;
type PartEb = ExpressionBuilder<Database, 'conversation_participants'>;

function predicate(column: string, p: DimensionPredicate): Expression<SqlBool> {
  const ref = sql.ref(column);
  if (p.operator === 'exists') return sql<SqlBool>`${ref} is not null`;
  if (p.operator === 'notExists') return sql<SqlBool>`${ref} is null`;
  return sql<SqlBool>`${ref} = ${p.value ?? ''}`;
}

function combine(eb: ConvEb | PartEb, type: 'and' | 'or', parts: Expression<SqlBool>[]) {
  if (parts.length === 1) return parts[0]!;
  return type === 'and' ? (eb as ConvEb).and(parts) : (eb as ConvEb).or(parts);
}

function filterExpression(
  eb: ConvEb | PartEb,
  f: DetailFilter,
  columns: Record<string, string>,
  prefix: string,
): Expression<SqlBool> {
  const one = (p: DimensionPredicate) => predicate(`${prefix}${columns[p.dimension]!}`, p);
  const parts = [...f.predicates.map(one), ...f.clauses.map((c) => combine(eb, c.type, c.predicates.map(one)))];
  return combine(eb, f.type, parts);
}

/** Dimensions the participant rows are indexed by, with the conversation start (0022, 0035). */
const INDEXED = new Set(['queueId', 'userId', 'externalContactId', 'direction']);
/** Indexed dimensions whose value holds a large share of an interval (tested in the day's order). */
const BROAD = new Set(['queueId', 'direction']);

/** The conversation-level media type of an analytics one (a conversation has one media type). */
const CONVERSATION_MEDIA: Record<string, string> = {
  voice: 'call',
  callback: 'callback',
  chat: 'chat',
  email: 'email',
  message: 'message',
};

/** A filter of `matches` mediaType predicates only: answered from the conversation's own column. */
function mediaOnly(f: DetailFilter) {
  const all = [...f.predicates, ...f.clauses.flatMap((c) => c.predicates)];
  if (!all.every((p) => p.dimension === 'mediaType' && p.operator === 'matches')) return null;
  if (all.length !== 1 && !(f.type === 'or' && f.clauses.length === 0)) return null;
  return all.map((p) => CONVERSATION_MEDIA[p.value ?? ''] ?? '');
}

/**
 * An `and` filter naming an indexed dimension's value: its rows are found by that index. A page
 * (`counting` false) leaves a direction-only filter to the EXISTS per conversation: a common
 * direction fills a page within its first few hundred conversations, cheaper than building the set.
 */
const byIndex = (f: DetailFilter, counting: boolean) =>
  (f.type === 'and' || f.predicates.length + f.clauses.length === 1) &&
  f.predicates.some(
    (p) => INDEXED.has(p.dimension) && p.operator === 'matches' && (counting || p.dimension !== 'direction'),
  );

/** Names an agent or a contact: few conversations, looked up by id; else the broad set is tested in order. */
const namesFew = (f: DetailFilter) =>
  f.predicates.some((p) => INDEXED.has(p.dimension) && !BROAD.has(p.dimension) && p.operator === 'matches');

function matching(db: Executor, q: DetailsQuery, counting: boolean) {
  let query = db
    .selectFrom('conversations')
    .where('conversations.org_id', '=', q.orgId)
    .where('conversations.start_time', '>=', q.start)
    .where('conversations.start_time', '<', q.end);
  for (const f of q.conversationFilters)
    query = query.where((eb) => filterExpression(eb, f, CONVERSATION_COLUMNS, 'conversations.'));
  for (const f of q.segmentFilters) {
    const media = mediaOnly(f);
    if (media) {
      query = query.where('conversations.media_type', 'in', media);
    } else if (byIndex(f, counting)) {
      // The matching participants of the interval, found through (org_id, queue|user|contact|direction,
      // start). A queue or a direction holds a large share of an interval: its conversations are read
      // in the interval's index order, each id tested against the set (a covering count, no sort;
      // `|| ''` keeps SQLite off the id index). An agent or a contact holds few: looked up by id.
      const ids = db
        .selectFrom('conversation_participants as p')
        .select('p.conversation_id')
        .where('p.org_id', '=', q.orgId)
        .where('p.conversation_start', '>=', q.start)
        .where('p.conversation_start', '<', q.end)
        .where((pb) => filterExpression(pb as unknown as PartEb, f, SEGMENT_COLUMNS, 'p.'));
      const id = sql.ref('conversations.id');
      query = query.where(sql<SqlBool>`${namesFew(f) ? id : sql`${id} || ''`} in (${ids})`);
    } else {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('conversation_participants as p')
            .select(sql.lit(1).as('one'))
            .whereRef('p.conversation_id', '=', 'conversations.id')
            .where((pb) => filterExpression(pb as unknown as PartEb, f, SEGMENT_COLUMNS, 'p.')),
        ),
      );
    }
  }
  return query;
}

/**
 * The one conversation a query can match, when one row answers it: a conversation filter pins the
 * id (a `matches` conversationId predicate that the filter requires), and nothing needs the
 * participant rows (no segment filters) or a keyset position. Else null: the query runs in SQL.
 */
export function pinnedConversation(q: DetailsQuery): string | null {
  if (q.segmentFilters.length > 0 || q.after) return null;
  for (const f of q.conversationFilters) {
    // An `and` filter requires each of its predicates; an `or` filter of one predicate requires it.
    if (f.type === 'or' && f.predicates.length + f.clauses.length !== 1) continue;
    const p = f.predicates.find((x) => x.dimension === 'conversationId' && x.operator === 'matches');
    if (p) return p.value ?? '';
  }
  return null;
}

/** The columns a pinned query tests (the head of a conversation, HEAD_COLUMNS of the store). */
export type DetailsHead = Pick<
  Database['conversations'],
  'id' | 'division_id' | 'start_time' | 'end_time' | 'originating_direction'
>;

/**
 * Whether the row matches the query's interval and conversation filters: what `matching` asks
 * SQL, tested in memory for a pinned query (`col = v`, `col is not null`, `col is null`; SQL's
 * `null = v` is not true). The columns hold ISO timestamps and ids, whose text order is the same
 * in SQLite, PostgreSQL and JavaScript.
 */
export function headMatches(q: DetailsQuery, head: DetailsHead): boolean {
  if (!(head.start_time >= q.start && head.start_time < q.end)) return false;
  const test = (p: DimensionPredicate) => {
    const value = head[CONVERSATION_COLUMNS[p.dimension as keyof typeof CONVERSATION_COLUMNS]] as string | null;
    if (p.operator === 'exists') return value !== null && value !== undefined;
    if (p.operator === 'notExists') return value === null || value === undefined;
    return value !== null && value !== undefined && value === (p.value ?? '');
  };
  const join = (type: 'and' | 'or', parts: boolean[]) => (type === 'and' ? parts.every(Boolean) : parts.some(Boolean));
  return q.conversationFilters.every((f) =>
    join(f.type, [...f.predicates.map(test), ...f.clauses.map((c) => join(c.type, c.predicates.map(test)))]),
  );
}

const SORT_COLUMN = {
  conversationStart: 'conversations.start_time',
  conversationEnd: 'conversations.end_time',
} as const;

export function createDetailsStore() {
  return {
    count: async (db: Executor, q: DetailsQuery) =>
      Number(
        (
          await matching(db, q, true)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** One page of conversation rows in the query's order (ties broken by id). */
    page: (db: Executor, q: DetailsQuery, offset: number, limit: number) => {
      const column = SORT_COLUMN[q.orderBy];
      // conversationStart is never null: ordering by the bare column lets the index give the order.
      const key = q.orderBy === 'conversationStart' ? sql.ref(column) : sql`coalesce(${sql.ref(column)}, '')`;
      let query = matching(db, q, false).selectAll('conversations');
      if (q.after) {
        const { value, id } = q.after;
        const cmp = q.order === 'asc' ? sql.raw('>') : sql.raw('<');
        query = query.where(
          sql<SqlBool>`(${key} ${cmp} ${value} or (${key} = ${value} and ${sql.ref('conversations.id')} ${cmp} ${id}))`,
        );
      }
      // LIMIT written into the SQL (a page size is one statement): a bound LIMIT makes SQLite plan
      // the statement again on every call (decision 0019). `limit` is an integer checked by the caller.
      return query
        .orderBy(key, q.order)
        .orderBy('conversations.id', q.order)
        .limit(sql.lit(Math.trunc(limit)))
        .offset(offset)
        .execute();
    },
  };
}

export type DetailsStore = ReturnType<typeof createDetailsStore>;
