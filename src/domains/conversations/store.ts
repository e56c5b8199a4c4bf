/** Kysely queries over the conversations table. Every query is scoped to one organization. */
import { compiledRead } from '../../storage/compiled.ts';
import type { Executor } from '../../storage/db.ts';
import { countInDivision, type DivisionReach, divisionsOfRows, whereInReach } from '../../storage/division-filter.ts';
import type { ConversationParticipantRow, ConversationRow } from '../../storage/schema.ts';
import { containsFolded, jsonText } from '../../storage/text-match.ts';

/** Which conversations a listing wants: by state, and/or those a user takes part in. */
export interface ConversationFilter {
  orgId: string;
  state?: 'connected' | 'disconnected';
  /** Only conversations whose participants JSON names this user (refined in the service). */
  participantUserId?: string;
  /** The divisions the caller may see conversations of (all when absent). */
  reach?: DivisionReach;
}

/** One conversation of an organization, compiled once (the hot reads of one conversation). */
const findRow = compiledRead((db, p: { orgId: string; id: string }) =>
  db.selectFrom('conversations').selectAll().where('org_id', '=', p.orgId).where('id', '=', p.id),
);

/** The columns of a conversation that say whether a view of it is current and who may see it. */
export const HEAD_COLUMNS = [
  'id',
  'version',
  'division_id',
  'start_time',
  'end_time',
  'originating_direction',
] as const;
export type ConversationHead = Pick<ConversationRow, (typeof HEAD_COLUMNS)[number]>;

/** A conversation's head: no participants text to read and copy when a cached view is current. */
const findHead = compiledRead((db, p: { orgId: string; id: string }) =>
  db.selectFrom('conversations').select(HEAD_COLUMNS).where('org_id', '=', p.orgId).where('id', '=', p.id),
);

function filtered(db: Executor, f: ConversationFilter) {
  let q = db.selectFrom('conversations').where('org_id', '=', f.orgId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.reach) q = whereInReach(q, 'division_id', f.reach);
  // A coarse pre-filter on the JSON text; the service checks the parsed participants.
  if (f.participantUserId)
    q = q.where('participants', 'like', `%"userId":"${f.participantUserId.replace(/[%_"\\]/g, '')}"%`);
  return q;
}

/**
 * Which conversations may hold a person's data (data-subject requests). A coarse pre-filter on
 * the stored text, any condition sufficing; callers check the parsed rows.
 */
export interface MentionFilter {
  orgId: string;
  /** The participants JSON names one of these users. */
  userIds?: string[];
  /** The participants JSON holds a participant with one of these names (case-insensitive). */
  participantNames?: string[];
  /** The notes contain one of these texts (case-insensitive). */
  notesContaining?: string[];
  /** The participants JSON names one of these external contacts. */
  externalContactIds?: string[];
}

/**
 * The most user ids, names and texts one MentionFilter may hold in all: each is a LIKE in one OR,
 * and SQLite refuses an expression deeper than 1,000 ("Expression tree is too large"). Callers
 * scan in chunks.
 */
export const MAX_MENTION_TERMS = 100;

/** Rows per multi-row INSERT: under SQLite's 32,766 bound parameters for the widest table. */
const CHUNK = 200;

async function insertParticipants(db: Executor, rows: ConversationParticipantRow[]) {
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto('conversation_participants')
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

export function createConversationStore() {
  return {
    insertParticipants,
    /** The participant rows follow the conversation's participants (same transaction as its update). */
    replaceParticipants: async (db: Executor, orgId: string, id: string, rows: ConversationParticipantRow[]) => {
      await db
        .deleteFrom('conversation_participants')
        .where('org_id', '=', orgId)
        .where('conversation_id', '=', id)
        .execute();
      await insertParticipants(db, rows);
    },
    /** Many conversations with their participant rows (the simulator), in chunks. */
    insertMany: async (db: Executor, rows: ConversationRow[], participants: ConversationParticipantRow[]) => {
      for (let i = 0; i < rows.length; i += CHUNK)
        await db
          .insertInto('conversations')
          .values(rows.slice(i, i + CHUNK))
          .execute();
      await insertParticipants(db, participants);
    },
    /** Every live (connected) conversation of the organization: the real-time views. */
    active: (db: Executor, orgId: string) =>
      db
        .selectFrom('conversations')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('state', '=', 'connected')
        .orderBy('start_time')
        .limit(10_000)
        .execute(),
    /** Id and version of every live conversation (the real-time views re-read only what changed). */
    activeHeads: (db: Executor, orgId: string) =>
      db
        .selectFrom('conversations')
        .select(['id', 'version'])
        .where('org_id', '=', orgId)
        .where('state', '=', 'connected')
        .orderBy('start_time')
        .limit(10_000)
        .execute(),
    byIds: (db: Executor, orgId: string, ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([] as ConversationRow[])
        : db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute(),
    /** Conversations of one division (a division holding any cannot be deleted). */
    countInDivision: (db: Executor, orgId: string, divisionId: string) =>
      countInDivision(db, 'conversations', orgId, divisionId),
    divisionsOf: (db: Executor, orgId: string, ids: string[]) => divisionsOfRows(db, 'conversations', orgId, ids),
    /** Into another division; the version moves, so a writer holding the old state retries and caches re-read. */
    moveToDivision: (db: Executor, orgId: string, ids: string[], divisionId: string, now: string) =>
      db
        .updateTable('conversations')
        .set((eb) => ({ division_id: divisionId, modified_at: now, version: eb('version', '+', 1) }))
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute(),
    find: (db: Executor, orgId: string, id: string): Promise<ConversationRow | undefined> =>
      findRow.first(db, { orgId, id }),
    head: (db: Executor, orgId: string, id: string): Promise<ConversationHead | undefined> =>
      findHead.first(db, { orgId, id }),
    insert: (db: Executor, row: ConversationRow) => db.insertInto('conversations').values(row).execute(),
    /**
     * Writes the new state when the stored version is still `expectedVersion`; answers whether it
     * did. Every change moves the version: readers reuse what they built from a row while its
     * version stands (the service's view caches, the live views).
     */
    update: async (db: Executor, row: ConversationRow, expectedVersion: number) => {
      if (!(row.version > expectedVersion))
        throw new Error(`conversation ${row.id}: a change must move the version past ${expectedVersion}`);
      const { id, org_id, created_at, ...rest } = row;
      const res = await db
        .updateTable('conversations')
        .set(rest)
        .where('org_id', '=', org_id)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    list: (db: Executor, f: ConversationFilter, offset: number, limit: number) =>
      filtered(db, f).selectAll().orderBy('start_time', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
    count: async (db: Executor, f: ConversationFilter) =>
      Number(
        (
          await filtered(db, f)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** One page, by id, of the conversations a MentionFilter matches (none when it names nothing). */
    mentioning: async (db: Executor, f: MentionFilter, afterId: string | null, limit: number) => {
      const terms =
        (f.userIds?.length ?? 0) +
        (f.participantNames?.length ?? 0) +
        (f.notesContaining?.length ?? 0) +
        (f.externalContactIds?.length ?? 0);
      if (terms > MAX_MENTION_TERMS)
        throw new Error(`mentioning: ${terms} terms, at most ${MAX_MENTION_TERMS} per query`);
      const conditions = [
        ...(f.userIds ?? []).map((id) => containsFolded('participants', `"userId":"${jsonText(id)}"`)),
        ...(f.participantNames ?? []).map((name) => containsFolded('participants', `"name":"${jsonText(name)}"`)),
        ...(f.notesContaining ?? []).map((text) => containsFolded('notes', text)),
        ...(f.externalContactIds ?? []).map((id) =>
          containsFolded('participants', `"externalContactId":"${jsonText(id)}"`),
        ),
      ];
      if (conditions.length === 0) return [];
      let q = db
        .selectFrom('conversations')
        .selectAll()
        .where('org_id', '=', f.orgId)
        .where((eb) => eb.or(conditions));
      if (afterId) q = q.where('id', '>', afterId);
      return q.orderBy('id').limit(limit).execute();
    },
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
