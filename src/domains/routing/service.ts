/**
 * Routing queues and their membership. Every change is audited in its transaction. Every read a
 * caller makes goes through `scopeOf(caller)` and the store's `visibleQueues`: the one seam where
 * division access applies (decision 0013).
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { divisionReach, reaches } from '../../platform/division-access.ts';
import { invalidValue, missingPermissions, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, isUniqueViolation, withTransaction } from '../../storage/db.ts';
import type { RoutingQueueRow } from '../../storage/schema.ts';
import type { DirectoryService } from '../directory/index.ts';
import { ApiError } from '../../platform/errors/index.ts';
import { ACW_PROMPTS, type QueueRequest } from './schemas.ts';
import { createRoutingStore, type QueueFilter, type QueueScope } from './store.ts';

export const AUDIT_SERVICE = 'Routing';
registerAuditEntity(AUDIT_SERVICE, 'Queue', ['Create', 'Update', 'Delete', 'AddMembers', 'RemoveMembers']);

const nameTaken = (name: string) =>
  new ApiError(400, 'general.bad.request', `A queue named "${name}" already exists.`, {
    details: [{ errorCode: 'duplicate.name', fieldName: 'name' }],
  });

const snapshot = (q: RoutingQueueRow) => ({
  name: q.name,
  description: q.description,
  divisionId: q.division_id,
  'acwSettings.wrapupPrompt': q.acw_wrapup_prompt,
  'acwSettings.timeoutMs': q.acw_timeout_ms,
});

export function createRoutingService({ db, clock, directory }: { db: Db; clock: Clock; directory: DirectoryService }) {
  const store = createRoutingStore();

  /**
   * What queues a caller may read or change: those of its organization in the divisions where it
   * holds `permission` (platform/division-access.ts); others answer 404 as unknown ones.
   */
  const scopeOf = (caller: Caller, permission = 'routing:queue:view'): QueueScope => ({
    orgId: caller.principal.orgId,
    reach: divisionReach(caller.principal, permission),
  });
  const systemScope = (orgId: string): QueueScope => ({
    orgId,
    reach: { everywhere: true, divisionIds: [], home: true },
  });

  /** A queue may be put only into a division where the caller holds the permission (no escalation by moving). */
  function assertMayPlace(caller: Caller | null, permissions: string[], divisionId: string) {
    if (caller && !permissions.some((p) => reaches(caller.principal, p, divisionId))) {
      throw missingPermissions(permissions.map((p) => `${p} (division ${divisionId})`));
    }
  }

  async function divisionsById(orgId: string) {
    const all = await directory.organizations.divisions(orgId, { pageSize: 500, pageNumber: 1, offset: 0 }, {});
    return new Map(all.entities.map((d) => [d.id, d.name]));
  }

  async function views(orgId: string, rows: RoutingQueueRow[]) {
    const [counts, divisions] = await Promise.all([
      store.memberCounts(
        db,
        orgId,
        rows.map((r) => r.id),
      ),
      divisionsById(orgId),
    ]);
    return rows.map((r) => {
      const c = counts.get(r.id) ?? { members: 0, joined: 0 };
      return {
        id: r.id,
        name: r.name,
        division: {
          id: r.division_id,
          name: divisions.get(r.division_id) ?? '',
          selfUri: `/api/v2/authorization/divisions/${r.division_id}`,
        },
        ...(r.description ? { description: r.description } : {}),
        dateCreated: r.created_at,
        dateModified: r.modified_at,
        ...(r.created_by ? { createdBy: r.created_by } : {}),
        ...(r.modified_by ? { modifiedBy: r.modified_by } : {}),
        memberCount: c.members,
        userMemberCount: c.members,
        joinedMemberCount: c.joined,
        mediaSettings: JSON.parse(r.media_settings),
        acwSettings: {
          wrapupPrompt: r.acw_wrapup_prompt,
          ...(r.acw_timeout_ms !== null ? { timeoutMs: r.acw_timeout_ms } : {}),
        },
        selfUri: `/api/v2/routing/queues/${r.id}`,
      };
    });
  }

  async function load(ex: Executor, scope: QueueScope, id: string) {
    const row = isUuid(id) ? await store.find(ex, scope, id) : undefined;
    if (!row) throw notFound('queue', id);
    return row;
  }

  async function checked(orgId: string, body: QueueRequest, before?: RoutingQueueRow) {
    const name = body.name.trim();
    if (!name) throw invalidValue('name', 'name must not be empty.');
    const prompt = body.acwSettings?.wrapupPrompt ?? before?.acw_wrapup_prompt ?? 'MANDATORY_TIMEOUT';
    if (!ACW_PROMPTS.includes(prompt))
      throw invalidValue(
        'acwSettings.wrapupPrompt',
        `acwSettings.wrapupPrompt must be one of ${ACW_PROMPTS.join(', ')}.`,
      );
    const timeout = body.acwSettings?.timeoutMs ?? before?.acw_timeout_ms ?? 300_000;
    if (timeout < 0 || timeout > 86_400_000)
      throw invalidValue('acwSettings.timeoutMs', 'acwSettings.timeoutMs must be between 0 and 86,400,000.');
    let divisionId = body.division?.id ?? before?.division_id;
    if (!divisionId) divisionId = (await directory.organizations.homeDivision(orgId)).id;
    else if (!(await divisionsById(orgId)).has(divisionId))
      throw invalidValue('division.id', `No division "${divisionId}" exists in this organization.`);
    return { name, prompt, timeout, divisionId };
  }

  async function audit(
    trx: Executor,
    caller: Caller | null,
    action: string,
    row: RoutingQueueRow,
    changes: ReturnType<typeof diffProperties>,
    context?: Record<string, string>,
  ) {
    await recordAudit(trx, clock, {
      orgId: row.org_id,
      serviceName: AUDIT_SERVICE,
      entityType: 'Queue',
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes,
      ...(context ? { context } : {}),
    });
  }

  async function userNames(orgId: string, ids: string[]) {
    const names = new Map<string, string>();
    for (const id of ids) {
      const u = await directory.users.getRow(orgId, id).catch(() => null);
      if (u) names.set(id, u.name);
    }
    return names;
  }

  const service = {
    scopeOf,

    async list(caller: Caller, page: PageRequest, filter: QueueFilter, query: Record<string, unknown>) {
      const scope = scopeOf(caller);
      const [rows, total] = await Promise.all([
        store.list(db, scope, filter, page.offset, page.pageSize),
        store.count(db, scope, filter),
      ]);
      return listing(await views(scope.orgId, rows), total, page, '/api/v2/routing/queues', query);
    },

    async get(caller: Caller, id: string) {
      const scope = scopeOf(caller);
      return (await views(scope.orgId, [await load(db, scope, id)]))[0]!;
    },

    /** Creates a queue; null caller = the system (the demo seed). */
    async create(caller: Caller | null, orgId: string, body: QueueRequest) {
      const { name, prompt, timeout, divisionId } = await checked(orgId, body);
      assertMayPlace(caller, ['routing:queue:add', 'routing:queue:edit'], divisionId);
      const now = clock.now().toISOString();
      const by = caller?.principal.userId ?? null;
      const row: RoutingQueueRow = {
        id: newId(),
        org_id: orgId,
        division_id: divisionId,
        name,
        name_key: name.toLowerCase(),
        description: body.description?.trim() || null,
        acw_wrapup_prompt: prompt,
        acw_timeout_ms: timeout,
        media_settings: JSON.stringify(body.mediaSettings ?? {}),
        created_by: by,
        modified_by: by,
        created_at: now,
        modified_at: now,
      };
      try {
        await withTransaction(db, async (trx) => {
          await store.insert(trx, row);
          await audit(trx, caller, 'Create', row, diffProperties(null, snapshot(row)));
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(name);
        throw err;
      }
      return (await views(orgId, [row]))[0]!;
    },

    async update(caller: Caller, id: string, body: QueueRequest) {
      const scope = scopeOf(caller, 'routing:queue:edit');
      const before = await load(db, scope, id);
      const { name, prompt, timeout, divisionId } = await checked(scope.orgId, body, before);
      assertMayPlace(caller, ['routing:queue:edit'], divisionId);
      const next: RoutingQueueRow = {
        ...before,
        name,
        name_key: name.toLowerCase(),
        description: body.description !== undefined ? body.description.trim() || null : before.description,
        division_id: divisionId,
        acw_wrapup_prompt: prompt,
        acw_timeout_ms: timeout,
        media_settings: body.mediaSettings ? JSON.stringify(body.mediaSettings) : before.media_settings,
        modified_by: caller.principal.userId,
        modified_at: clock.now().toISOString(),
      };
      try {
        await withTransaction(db, async (trx) => {
          await load(trx, scope, id);
          await store.update(trx, next);
          await audit(trx, caller, 'Update', next, diffProperties(snapshot(before), snapshot(next)));
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(name);
        throw err;
      }
      return (await views(scope.orgId, [next]))[0]!;
    },

    async remove(caller: Caller, id: string) {
      const scope = scopeOf(caller, 'routing:queue:delete');
      await withTransaction(db, async (trx) => {
        const before = await load(trx, scope, id);
        await audit(trx, caller, 'Delete', before, diffProperties(snapshot(before), null));
        await store.remove(trx, scope.orgId, id);
      });
    },

    async members(
      caller: Caller,
      id: string,
      page: PageRequest,
      joined: boolean | undefined,
      query: Record<string, unknown>,
    ) {
      const scope = scopeOf(caller);
      await load(db, scope, id);
      const [rows, total] = await Promise.all([
        store.members(db, scope.orgId, id, page.offset, page.pageSize, joined),
        store.countMembers(db, scope.orgId, id, joined),
      ]);
      const names = await userNames(
        scope.orgId,
        rows.map((r) => r.user_id),
      );
      const entities = rows.map((m) => ({
        id: m.user_id,
        name: names.get(m.user_id) ?? '',
        user: { id: m.user_id, name: names.get(m.user_id) ?? '', selfUri: `/api/v2/users/${m.user_id}` },
        ringNumber: 1,
        joined: m.joined === 1,
        memberBy: 'user',
        selfUri: `/api/v2/routing/queues/${id}/members/${m.user_id}`,
      }));
      return listing(entities, total, page, `/api/v2/routing/queues/${id}/members`, query);
    },

    /** Adds (or with `remove`, removes) users; null caller = the system (the demo seed). */
    async changeMembers(caller: Caller | null, orgId: string, id: string, userIds: string[], remove = false) {
      const scope = caller ? scopeOf(caller, 'routing:queue:edit') : systemScope(orgId);
      for (const [i, userId] of userIds.entries()) {
        if (
          !isUuid(userId) ||
          !(await directory.users.getRow(orgId, userId).then(
            () => true,
            () => false,
          ))
        )
          throw invalidValue(`[${i}].id`, `${userId} is not a user of this organization.`);
      }
      await withTransaction(db, async (trx) => {
        const queue = await load(trx, scope, id);
        const changed: string[] = [];
        for (const userId of new Set(userIds)) {
          const existing = await store.findMember(trx, orgId, id, userId);
          if (remove && existing) await store.removeMember(trx, orgId, id, userId);
          else if (!remove && !existing)
            await store.insertMember(trx, {
              org_id: orgId,
              queue_id: id,
              user_id: userId,
              joined: 1,
              created_at: clock.now().toISOString(),
            });
          else continue;
          changed.push(userId);
        }
        if (changed.length === 0) return;
        const change = { property: 'members', oldValues: remove ? changed : [], newValues: remove ? [] : changed };
        await audit(trx, caller, remove ? 'RemoveMembers' : 'AddMembers', queue, [change]);
      });
    },

    /** Joins or unjoins a member (upstream PATCH /members/{memberId}). */
    async setJoined(caller: Caller, id: string, userId: string, joined: boolean) {
      const scope = scopeOf(caller, 'routing:queue:edit');
      await withTransaction(db, async (trx) => {
        const queue = await load(trx, scope, id);
        const member = await store.findMember(trx, scope.orgId, id, userId);
        if (!member) throw notFound('queue member', userId);
        if ((member.joined === 1) === joined) return;
        await store.setJoined(trx, scope.orgId, id, userId, joined);
        await audit(trx, caller, 'Update', queue, [
          { property: `members.${userId}.joined`, oldValues: [String(!joined)], newValues: [String(joined)] },
        ]);
      });
    },

    /** The organization's queues by id (other domains: simulator, analytics, observations). */
    async queuesOf(orgId: string, ids?: string[]) {
      return store.list(db, systemScope(orgId), ids ? { ids } : {}, 0, 10_000);
    },
    /** The queues a caller may see, by id (the observations query). */
    async visibleQueues(caller: Caller, ids?: string[]) {
      return store.list(db, scopeOf(caller), ids ? { ids } : {}, 0, 10_000);
    },
    membershipsOf: (orgId: string, queueIds: string[]) => store.membershipsOf(db, orgId, queueIds),
  };
  return service;
}

export type RoutingService = ReturnType<typeof createRoutingService>;
