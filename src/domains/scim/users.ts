/**
 * SCIM Users over the directory's users. Every write is one transaction: the users row, the
 * SCIM rows and the audit event (source SCIM) commit together or not at all.
 */
import {
  auditOrigin,
  diffProperties,
  recordAudit,
  recordAuditBatch,
  registerAuditEntity,
} from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { sql, type SqlBool } from 'kysely';
import { hashPassword } from '../../platform/crypto.ts';
import { newId } from '../../platform/ids.ts';
import type { Caller, Principal } from '../../platform/principal.ts';
import { ApiError } from '../../platform/errors/index.ts';
import { type Db, isUniqueViolation, type Trx, withGroupedTransaction, withTransaction } from '../../storage/db.ts';
import type { DirectoryService } from '../directory/index.ts';
import { mentions, USER_FILTER_MAP } from './attributes.ts';
import { ScimError, scimNotFound, staleVersion, uniqueness } from './errors.ts';
import { checkCreate, checkUpdate } from './field-permissions.ts';
import { compileFilter, type FilterNode, parseFilter } from './filter/index.ts';
import { type ListQuery, listResponse, matchesVersion } from './listing.ts';
import { applyPatch, USER_PATCH_SCHEMA } from './patch/index.ts';
import { auditSnapshot, fromUserResource, type StoredUser, toUserResource } from './resource.ts';
import type { ScimStore } from './store.ts';
import { createUserRows } from './user-rows.ts';
import {
  assertPlaceable,
  assertUserInReach,
  createReach,
  deleteReach,
  editReach,
  readReach,
  withinReach,
} from './user-reach.ts';
import { activeUserByEmailKey, countUsers, pageOfUsers, storedUser, usersEb } from './user-reads.ts';

registerAuditEntity('Directory', 'User', ['Create', 'Update', 'Delete']);

export const SCIM_CONTEXT = { source: 'SCIM' } as const;
const ONLY_ACTIVE = sql<SqlBool>`users.state = 'active'`;
const OPTIMISTIC_TRIES = 5;

/** The lower-cased value of a filter that is exactly `userName eq "<string>"` (no schema prefix), else undefined. */
function userNameEquals(node: FilterNode | undefined): string | undefined {
  if (node?.type !== 'compare' || node.op !== 'eq' || typeof node.value !== 'string') return undefined;
  const { path } = node;
  return path.uri === undefined && path.sub === undefined && path.attr.toLowerCase() === 'username'
    ? node.value.toLowerCase()
    : undefined;
}

export interface ScimUsersDeps {
  db: Db;
  store: ScimStore;
  clock: Clock;
  phoneRegion: string;
  /** Owns the users rows: SCIM writes them through it, in its own transaction. */
  directory: DirectoryService;
}

type Json = Record<string, unknown>;

export function createScimUsers({ db, store, clock, phoneRegion, directory }: ScimUsersDeps) {
  const rows = createUserRows(store);
  /** A gone manager's reports lose it (else every later write of a report would be refused), audited. */
  async function releaseReports(
    trx: Trx,
    orgId: string,
    managerId: string,
    caller: Caller,
    causeEventId: string,
    context: Record<string, string>,
    now: string,
  ) {
    const reports = await directory.users.touchInTransaction(
      trx,
      orgId,
      await store.reportsOf(trx, orgId, managerId),
      now,
    );
    await store.clearManager(trx, orgId, managerId, now);
    await recordAuditBatch(
      trx,
      clock,
      reports.map((r) => ({
        orgId,
        serviceName: 'Directory',
        entityType: 'User',
        entityId: r.id,
        entityName: r.name,
        action: 'Update',
        ...auditOrigin(caller),
        context: { ...context },
        causeEventId,
        changes: [{ property: 'manager', oldValues: [managerId], newValues: [] }],
      })),
    );
  }

  async function load(ex: Db | Trx, orgId: string, id: string): Promise<StoredUser> {
    const stored = await storedUser(ex, orgId, id);
    if (!stored) throw scimNotFound('User', id);
    return stored;
  }

  /** Runs a write, answering 409 uniqueness for a unique index a concurrent writer beat us to. */
  async function guarded<T>(fn: () => Promise<T>, email: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // The directory answers a held email 409; a unique index a concurrent writer beat us to likewise.
      if (isUniqueViolation(err) || (err instanceof ApiError && err.status === 409))
        throw uniqueness(`userName "${email}" or one of the externalIds is already taken by another user.`);
      throw err;
    }
  }

  /** PUT and PATCH: the new whole resource from the current one, then written with its version checked. */
  async function update(
    caller: Caller,
    id: string,
    ifMatch: string | undefined,
    base: string,
    next: (current: Json) => Json,
  ) {
    const orgId = caller.principal.orgId;
    for (let attempt = 0; ; attempt++) {
      const current = await load(db, orgId, id);
      const reach = editReach(caller.principal);
      assertUserInReach(reach, current.user.division_id, id);
      if (ifMatch && !matchesVersion(ifMatch, current.user.version)) throw staleVersion(`W/"${current.user.version}"`);
      const before = toUserResource(current, base);
      const w = fromUserResource(next(before), phoneRegion);
      const old = fromUserResource(before, phoneRegion);
      // Identity providers resend what they sent before: an update that changes nothing writes nothing.
      if (!w.password && JSON.stringify(old) === JSON.stringify(w))
        return { resource: toUserResource(current, base), version: current.user.version };
      checkUpdate(caller, old, w);
      const passwordHash = w.password ? await hashPassword(w.password) : undefined;
      const result = await guarded(
        () =>
          withTransaction(db, async (trx) => {
            await rows.checkUnique(trx, orgId, id, w);
            const now = clock.now().toISOString();
            const u = current.user;
            const division = await rows.divisionFor(trx, orgId, w, u);
            if (division.id !== u.division_id) assertPlaceable(reach, division);
            const updated = await directory.users.updateInTransaction(
              trx,
              u,
              {
                email: w.email,
                name: w.name,
                title: w.title,
                department: w.department,
                state: w.active ? 'active' : 'inactive',
                divisionId: division.id,
                ...(passwordHash ? { passwordHash } : {}),
              },
              now,
            );
            if (!updated) return null;
            await rows.write(trx, orgId, id, w, current.scim?.created_at ?? now, now, { managerId: old.managerId });
            await recordAudit(trx, clock, {
              orgId,
              serviceName: 'Directory',
              entityType: 'User',
              entityId: id,
              entityName: w.name,
              action: 'Update',
              ...auditOrigin(caller),
              context: { ...SCIM_CONTEXT },
              changes: diffProperties(
                auditSnapshot(old, current.divisionName),
                auditSnapshot(w, w.divisionName ?? current.divisionName, !!passwordHash),
              ),
            });
            return { deactivated: u.state === 'active' && !w.active };
          }),
        w.email,
      );
      if (result) {
        return get(orgId, id, base);
      }
      // The version moved between our read and our write: with If-Match that is a stale version.
      if (ifMatch) throw staleVersion('(changed meanwhile)');
      if (attempt + 1 >= OPTIMISTIC_TRIES) {
        throw new ScimError(
          409,
          `User ${id} was changed by another request at the same time; read it again and retry.`,
        );
      }
    }
  }

  /** One user; `principal` (the caller's) keeps it to the divisions within its reach. */
  async function get(orgId: string, id: string, base: string, principal?: Principal) {
    const s = await load(db, orgId, id);
    if (principal) assertUserInReach(readReach(principal), s.user.division_id, id);
    return { resource: toUserResource(s, base), version: s.user.version };
  }

  return {
    get,

    /** A page of users; `principal` (the caller's) keeps it to the divisions within its reach. */
    async list(orgId: string, q: ListQuery, base: string, principal?: Principal) {
      const parsed = q.filter ? parseFilter(q.filter) : undefined;
      // `userName eq "…"`, an identity provider's lookup before each push: one compiled statement.
      const emailKey = userNameEquals(parsed);
      if (
        emailKey !== undefined &&
        q.startIndex === 1 &&
        q.count > 0 &&
        (!principal || readReach(principal).everywhere)
      ) {
        const page = await activeUserByEmailKey(db, orgId, emailKey);
        return listResponse(
          page.map((s) => toUserResource(s, base)),
          page.length,
          1,
        );
      }
      const filter = parsed ? compileFilter(usersEb, parsed, USER_FILTER_MAP) : ONLY_ACTIVE;
      // Inactive users are listed only when the filter asks about `active`.
      const filtered = parsed && !mentions(parsed, 'active') ? sql<SqlBool>`(${filter} and ${ONLY_ACTIVE})` : filter;
      const where = principal ? withinReach(filtered, readReach(principal)) : filtered;
      const page = q.count === 0 ? [] : await pageOfUsers(db, orgId, where, q.startIndex - 1, q.count);
      // A first page that is not full holds every match (a `userName eq` lookup): no COUNT needed.
      const total =
        q.startIndex === 1 && q.count > 0 && page.length < q.count ? page.length : await countUsers(db, orgId, where);
      return listResponse(
        page.map((s) => toUserResource(s, base)),
        total,
        q.startIndex,
      );
    },

    /**
     * POST /Users: the users row, the SCIM rows and the audit event in one transaction of a few
     * INSERTs (on SQLite shared with the creates arriving with it, each in its savepoint); a held
     * userName or external id is the unique index's 409, not a lookup beforehand. The answer is
     * built from what was written (a new user belongs to no group).
     */
    async create(caller: Caller, body: Json, base: string) {
      const orgId = caller.principal.orgId;
      checkCreate(caller);
      const w = fromUserResource(body, phoneRegion);
      const id = newId();
      const passwordHash = w.password ? await hashPassword(w.password) : null;
      const stored = await guarded(
        () =>
          // Concurrent creates share a commit on SQLite, each in its own savepoint (decision 0027).
          withGroupedTransaction(db, async (trx): Promise<StoredUser> => {
            const now = clock.now().toISOString();
            const division = await rows.divisionFor(trx, orgId, w, null);
            assertPlaceable(createReach(caller.principal), division);
            const user = await directory.users
              .insertInTransaction(
                trx,
                {
                  id,
                  orgId,
                  email: w.email,
                  name: w.name,
                  title: w.title,
                  department: w.department,
                  divisionId: division.id,
                  state: w.active ? 'active' : 'inactive',
                  passwordHash,
                },
                now,
              )
              .catch((err) => {
                throw err instanceof ApiError && err.status === 409
                  ? uniqueness(`userName "${w.email}" is already taken by another user.`)
                  : err;
              });
            const scim = await rows.write(trx, orgId, id, w, now, now, null);
            await recordAudit(trx, clock, {
              orgId,
              serviceName: 'Directory',
              entityType: 'User',
              entityId: id,
              entityName: w.name,
              action: 'Create',
              ...auditOrigin(caller),
              context: { ...SCIM_CONTEXT },
              changes: diffProperties(null, auditSnapshot(w, division.name ?? null, !!passwordHash)),
            });
            return { user, scim, divisionName: division.name ?? '', groups: [] };
          }),
        w.email,
      );
      return { resource: toUserResource(stored, base), version: stored.user.version };
    },

    replace: (caller: Caller, id: string, body: Json, ifMatch: string | undefined, base: string) =>
      update(caller, id, ifMatch, base, (current) => {
        // Read-only attributes of the body are ignored; the rest replaces the resource.
        const { id: _id, meta: _meta, groups: _groups, ...rest } = body;
        return { ...rest, id: current.id };
      }),

    patch: (caller: Caller, id: string, body: unknown, ifMatch: string | undefined, base: string) =>
      update(caller, id, ifMatch, base, (current) => applyPatch(current, body, { schema: USER_PATCH_SCHEMA })),

    /**
     * What a user deleted through the admin API (users PATCH state deleted) held in SCIM: index
     * rows and group memberships are removed and its reports lose it as manager, each audited as
     * caused by the deletion, in the deletion's transaction.
     */
    async releaseDeletedUser(trx: Trx, orgId: string, id: string, caller: Caller, causeEventId: string) {
      const now = clock.now().toISOString();
      const groups = await store.clearUser(trx, orgId, id);
      await recordAuditBatch(
        trx,
        clock,
        groups.map((g) => ({
          orgId,
          serviceName: 'Directory',
          entityType: 'Group',
          entityId: g.group_id,
          entityName: null,
          action: 'Update',
          ...auditOrigin(caller),
          causeEventId,
          changes: [{ property: 'members', oldValues: [id], newValues: [] }],
        })),
      );
      await releaseReports(trx, orgId, id, caller, causeEventId, {}, now);
    },

    /** Upstream deletes the user: it answers 404 afterwards and its email can be used again. */
    async remove(caller: Caller, id: string, ifMatch: string | undefined) {
      const orgId = caller.principal.orgId;
      await withTransaction(db, async (trx) => {
        const user = await store.findUser(trx, orgId, id);
        if (!user) throw scimNotFound('User', id);
        assertUserInReach(deleteReach(caller.principal), user.division_id, id);
        if (ifMatch && !matchesVersion(ifMatch, user.version)) throw staleVersion(`W/"${user.version}"`);
        const now = clock.now().toISOString();
        // The directory frees the email key (a deleted user keeps its address for the record) and
        // stops the user's tokens.
        const ok = await directory.users.updateInTransaction(trx, user, { state: 'deleted' }, now);
        if (!ok) throw new ScimError(409, `User ${id} was changed by another request at the same time; retry.`);
        const groups = await store.clearUser(trx, orgId, id);
        const deleted = await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Directory',
          entityType: 'User',
          entityId: id,
          entityName: user.name,
          action: 'Delete',
          ...auditOrigin(caller),
          context: { ...SCIM_CONTEXT },
          changes: [
            { property: 'state', oldValues: [user.state], newValues: ['deleted'] },
            ...(groups.length
              ? [{ property: 'groups', oldValues: groups.map((g) => g.group_id).sort(), newValues: [] }]
              : []),
          ],
        });
        await releaseReports(trx, orgId, id, caller, deleted, SCIM_CONTEXT, now);
      });
    },
  };
}

export type ScimUsers = ReturnType<typeof createScimUsers>;
