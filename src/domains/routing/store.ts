/**
 * Kysely queries over routing_queues and routing_queue_members. Every query is scoped to one
 * organization. Reads that serve a caller go through `visibleQueues`, the one place a division
 * restriction applies (decision 0013: the division-access seam).
 */
import type { Executor } from '../../storage/db.ts';
import type { RoutingQueueMemberRow, RoutingQueueRow } from '../../storage/schema.ts';
import { type SqlBool, sql } from 'kysely';
import { countInDivision, type DivisionReach, divisionsOfRows, whereInReach } from '../../storage/division-filter.ts';
import { escapeLike } from '../../storage/text-match.ts';

/** Which queues a read may see: the organization's, within the caller's division reach. */
export interface QueueScope {
  orgId: string;
  reach: DivisionReach;
}

export interface QueueFilter {
  /** Case-insensitive; `*` is a wildcard (upstream), otherwise a prefix match. */
  name?: string;
  ids?: string[];
}

function visibleQueues(db: Executor, scope: QueueScope, f: QueueFilter = {}) {
  let q = whereInReach(db.selectFrom('routing_queues').where('org_id', '=', scope.orgId), 'division_id', scope.reach);
  if (f.ids) q = f.ids.length ? q.where('id', 'in', f.ids) : q.where('id', '=', '');
  if (f.name) {
    // Upstream: an exact name, or leading/trailing `*` wildcards.
    const pattern = f.name.toLowerCase().split('*').map(escapeLike).join('%');
    q = q.where(sql<SqlBool>`${sql.ref('name_key')} like ${pattern} escape ${sql.raw("'\\'")}`);
  }
  return q;
}

export function createRoutingStore() {
  return {
    visibleQueues,
    /** Queues of one division (a division holding any cannot be deleted). */
    countInDivision: (db: Executor, orgId: string, divisionId: string) =>
      countInDivision(db, 'routing_queues', orgId, divisionId),
    divisionsOf: (db: Executor, orgId: string, ids: string[]) => divisionsOfRows(db, 'routing_queues', orgId, ids),
    moveToDivision: (db: Executor, orgId: string, ids: string[], divisionId: string, now: string) =>
      db
        .updateTable('routing_queues')
        .set({ division_id: divisionId, modified_at: now })
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .execute(),
    list: (db: Executor, scope: QueueScope, f: QueueFilter, offset: number, limit: number) =>
      visibleQueues(db, scope, f).selectAll().orderBy('name_key').orderBy('id').offset(offset).limit(limit).execute(),
    count: async (db: Executor, scope: QueueScope, f: QueueFilter) =>
      Number(
        (
          await visibleQueues(db, scope, f)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    find: (db: Executor, scope: QueueScope, id: string) =>
      visibleQueues(db, scope, { ids: [id] })
        .selectAll()
        .executeTakeFirst(),
    insert: (db: Executor, row: RoutingQueueRow) => db.insertInto('routing_queues').values(row).execute(),
    update: (db: Executor, row: RoutingQueueRow) => {
      const { id, org_id, created_at, created_by, ...rest } = row;
      return db.updateTable('routing_queues').set(rest).where('org_id', '=', org_id).where('id', '=', id).execute();
    },
    remove: async (db: Executor, orgId: string, id: string) => {
      await db.deleteFrom('routing_queue_members').where('org_id', '=', orgId).where('queue_id', '=', id).execute();
      await db.deleteFrom('routing_queues').where('org_id', '=', orgId).where('id', '=', id).execute();
    },
    memberCounts: async (db: Executor, orgId: string, queueIds: string[]) => {
      if (queueIds.length === 0) return new Map<string, { members: number; joined: number }>();
      const rows = await db
        .selectFrom('routing_queue_members')
        .select((eb) => ['queue_id', eb.fn.countAll().as('n'), eb.fn.sum<number>('joined').as('j')])
        .where('org_id', '=', orgId)
        .where('queue_id', 'in', queueIds)
        .groupBy('queue_id')
        .execute();
      return new Map(rows.map((r) => [r.queue_id, { members: Number(r.n), joined: Number(r.j ?? 0) }]));
    },
    members: (db: Executor, orgId: string, queueId: string, offset: number, limit: number, joined?: boolean) => {
      let q = db
        .selectFrom('routing_queue_members')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('queue_id', '=', queueId);
      if (joined !== undefined) q = q.where('joined', '=', joined ? 1 : 0);
      return q.orderBy('user_id').offset(offset).limit(limit).execute();
    },
    countMembers: async (db: Executor, orgId: string, queueId: string, joined?: boolean) => {
      let q = db.selectFrom('routing_queue_members').where('org_id', '=', orgId).where('queue_id', '=', queueId);
      if (joined !== undefined) q = q.where('joined', '=', joined ? 1 : 0);
      return Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    },
    findMember: (db: Executor, orgId: string, queueId: string, userId: string) =>
      db
        .selectFrom('routing_queue_members')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('queue_id', '=', queueId)
        .where('user_id', '=', userId)
        .executeTakeFirst(),
    insertMember: (db: Executor, row: RoutingQueueMemberRow) =>
      db.insertInto('routing_queue_members').values(row).execute(),
    setJoined: (db: Executor, orgId: string, queueId: string, userId: string, joined: boolean) =>
      db
        .updateTable('routing_queue_members')
        .set({ joined: joined ? 1 : 0 })
        .where('org_id', '=', orgId)
        .where('queue_id', '=', queueId)
        .where('user_id', '=', userId)
        .execute(),
    removeMember: (db: Executor, orgId: string, queueId: string, userId: string) =>
      db
        .deleteFrom('routing_queue_members')
        .where('org_id', '=', orgId)
        .where('queue_id', '=', queueId)
        .where('user_id', '=', userId)
        .execute(),
    /** Every membership in these queues (the observations query: member and on-queue users). */
    membershipsOf: (db: Executor, orgId: string, queueIds: string[]) =>
      queueIds.length === 0
        ? Promise.resolve([] as RoutingQueueMemberRow[])
        : db
            .selectFrom('routing_queue_members')
            .selectAll()
            .where('org_id', '=', orgId)
            .where('queue_id', 'in', queueIds)
            .execute(),
  };
}

export type RoutingStore = ReturnType<typeof createRoutingStore>;
