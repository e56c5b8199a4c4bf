/** Kysely queries over the conversations table. Every query is scoped to one organization. */
import type { Executor } from '../../storage/db.ts';
import type { ConversationRow } from '../../storage/schema.ts';

/** Which conversations a listing wants: by state, and/or those a user takes part in. */
export interface ConversationFilter {
  orgId: string;
  state?: 'connected' | 'disconnected';
  /** Only conversations whose participants JSON names this user (refined in the service). */
  participantUserId?: string;
}

function filtered(db: Executor, f: ConversationFilter) {
  let q = db.selectFrom('conversations').where('org_id', '=', f.orgId);
  if (f.state) q = q.where('state', '=', f.state);
  // A coarse pre-filter on the JSON text; the service checks the parsed participants.
  if (f.participantUserId) q = q.where('participants', 'like', `%"userId":"${f.participantUserId.replace(/[%_"\\]/g, '')}"%`);
  return q;
}

export function createConversationStore() {
  return {
    find: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('conversations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    insert: (db: Executor, row: ConversationRow) => db.insertInto('conversations').values(row).execute(),
    /** Writes the new state when the stored version is still `expectedVersion`; answers whether it did. */
    update: async (db: Executor, row: ConversationRow, expectedVersion: number) => {
      const { id, org_id, created_at, ...rest } = row;
      const res = await db.updateTable('conversations').set(rest).where('org_id', '=', org_id).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    list: (db: Executor, f: ConversationFilter, offset: number, limit: number) =>
      filtered(db, f).selectAll().orderBy('start_time', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
    count: async (db: Executor, f: ConversationFilter) =>
      Number((await filtered(db, f).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  };
}

export type ConversationStore = ReturnType<typeof createConversationStore>;
