/**
 * Groups: created by an administrator (never through SCIM, as upstream); SCIM reads them and
 * changes their members. Membership changes are row-level INSERT … ON CONFLICT DO NOTHING and
 * DELETE … WHERE user_id IN (…), never a rewrite of the member list, so concurrent PATCHes to
 * one group cannot lose each other's members. A request removing more than 1,000 members is
 * refused whole (upstream's guard against Okta's "Push Now").
 */
import { notFound } from '../../platform/errors/index.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import {
  type AuditEvent,
  auditOrigin,
  type PropertyChange,
  recordAudit,
  recordAuditBatch,
  registerAuditEntity,
} from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, isUniqueViolation, type Trx, withTransaction } from '../../storage/db.ts';
import type { GroupRow } from '../../storage/schema.ts';
import { GROUP_FILTER_MAP } from './attributes.ts';
import { invalidValue, ScimError, scimNotFound, staleVersion, uniqueness } from './errors.ts';
import { compileFilter, getAttr, parseFilter } from './filter/index.ts';
import { ifMatchVersions, type ListQuery, listResponse } from './listing.ts';
import { applyOperations, GROUP_PATCH_SCHEMA, GROUP_SCHEMA_URN, planGroupMembersPatch } from './patch/index.ts';
import { checkText } from './resource.ts';
import type { ScimStore } from './store.ts';
import { SCIM_CONTEXT } from './users.ts';

registerAuditEntity('Directory', 'Group', ['Create', 'Update']);

/** Upstream: "blocks any single action that tries to remove more than 1000 members from a group". */
export const MAX_MEMBER_REMOVALS = 1000;

type Json = Record<string, unknown>;

/** Thrown inside a membership transaction that changed nothing, to roll its version bump back. */
const UNCHANGED = Symbol('unchanged membership');

interface MemberChange {
  add: string[];
  /** Ids to remove, or 'replace': every current member not in `add`. */
  remove: string[] | 'replace';
  externalId?: string | null;
}

export function createScimGroups({ db, store, clock }: { db: Db; store: ScimStore; clock: Clock }) {
  function toResource(g: GroupRow, members: { id: string; name: string }[] | null, base: string): Json {
    return {
      schemas: [GROUP_SCHEMA_URN],
      id: g.id,
      displayName: g.name,
      ...(g.external_id ? { externalId: g.external_id } : {}),
      ...(members
        ? { members: members.map((m) => ({ value: m.id, $ref: `${base}/api/v2/scim/v2/Users/${m.id}`, type: 'User' })) }
        : {}),
      meta: {
        resourceType: 'Group',
        lastModified: g.modified_at,
        location: `${base}/api/v2/scim/v2/Groups/${g.id}`,
        version: `W/"${g.version}"`,
      },
    };
  }

  async function get(orgId: string, id: string, base: string, withMembers = true) {
    const g = await store.findGroup(db, orgId, id);
    if (!g) throw scimNotFound('Group', id);
    return {
      resource: toResource(g, withMembers ? await store.members(db, orgId, id) : null, base),
      version: g.version,
    };
  }

  /** The users to add, each a user of the organization (else 400): their names, for their audit events. */
  async function namesOfAdded(orgId: string, add: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (!add.length) return names;
    for (const u of await store.existingUsers(db, orgId, add)) names.set(u.id, u.name);
    const unknown = add.filter((u) => !names.has(u));
    if (unknown.length)
      throw invalidValue(
        `No user ${unknown
          .slice(0, 5)
          .map((u) => `"${u}"`)
          .join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''} exists in this organization.`,
      );
    return names;
  }

  /**
   * The first statement of a change: the group row's lock, the version bump and the If-Match
   * check in one UPDATE. Concurrent PATCHes of this group wait here, before touching any member
   * row, and of several carrying the same If-Match version only the first finds it.
   */
  async function lock(trx: Trx, orgId: string, id: string, now: string, ifMatch: string | undefined) {
    const g = await store.lockGroup(trx, orgId, id, now, ifMatch ? ifMatchVersions(ifMatch) : '*');
    if (g) return g;
    const current = await store.findGroup(trx, orgId, id);
    throw current ? staleVersion(`W/"${current.version}"`) : scimNotFound('Group', id);
  }

  /** The members a change removes, refused whole beyond MAX_MEMBER_REMOVALS. */
  async function removals(trx: Trx, orgId: string, g: GroupRow, c: MemberChange, add: string[]) {
    let remove: string[];
    if (c.remove === 'replace') {
      const keep = new Set(add);
      remove = (await store.members(trx, orgId, g.id)).map((m) => m.id).filter((m) => !keep.has(m));
    } else remove = [...new Set(c.remove)];
    if (remove.length > MAX_MEMBER_REMOVALS) {
      throw new ScimError(
        400,
        `This request would remove ${remove.length} members from group "${g.name}"; one request may remove at most ${MAX_MEMBER_REMOVALS}. Nothing was changed.`,
        'invalidValue',
      );
    }
    return remove;
  }

  /** The group's audit event, and one on the trail of each member added or removed (caused by it). */
  async function audit(
    trx: Trx,
    caller: Caller,
    g: GroupRow,
    changes: PropertyChange[],
    added: string[],
    removed: string[],
    names: Map<string, string>,
  ) {
    const orgId = g.org_id;
    const origin = { orgId, serviceName: 'Directory', ...auditOrigin(caller), context: { ...SCIM_CONTEXT } };
    const groupEvent = await recordAudit(trx, clock, {
      ...origin,
      entityType: 'Group',
      entityId: g.id,
      entityName: g.name,
      action: 'Update',
      changes,
    });
    for (const u of await store.findUsers(trx, orgId, removed)) names.set(u.id, u.name);
    // Up to 10,000 events alike but for the user: their parts are shared (audit rows only read them).
    const joinedChanges = [{ property: 'groups', oldValues: [], newValues: [g.id] }];
    const leftChanges = [{ property: 'groups', oldValues: [g.id], newValues: [] }];
    const userEvent = (userId: string, joined: boolean): AuditEvent => ({
      orgId,
      serviceName: 'Directory',
      actor: origin.actor,
      remoteIp: origin.remoteIp,
      context: origin.context,
      entityType: 'User',
      entityId: userId,
      entityName: names.get(userId) ?? null,
      action: 'Update',
      causeEventId: groupEvent,
      changes: joined ? joinedChanges : leftChanges,
    });
    await recordAuditBatch(trx, clock, [
      ...removed.map((u) => userEvent(u, false)),
      ...added.map((u) => userEvent(u, true)),
    ]);
  }

  async function change(
    caller: Caller,
    id: string,
    ifMatch: string | undefined,
    c: MemberChange,
    base: string,
    withMembers: boolean,
  ) {
    const orgId = caller.principal.orgId;
    const add = [...new Set(c.add)].sort();
    const names = await namesOfAdded(orgId, add);
    try {
      await withTransaction(db, async (trx) => {
        const now = clock.now().toISOString();
        const g = await lock(trx, orgId, id, now, ifMatch);
        const remove = await removals(trx, orgId, g, c, add);
        const removed = remove.length ? (await store.removeMembers(trx, orgId, id, remove)).sort() : [];
        const added = add.length ? (await store.addMembers(trx, orgId, id, add, now)).sort() : [];
        const externalChanged = c.externalId !== undefined && c.externalId !== g.external_id;
        // Nothing changed: roll the version bump back.
        if (!removed.length && !added.length && !externalChanged) throw UNCHANGED;
        if (externalChanged) await store.setGroupExternalId(trx, orgId, id, c.externalId ?? null);
        const changes: PropertyChange[] = [];
        if (added.length || removed.length) changes.push({ property: 'members', oldValues: removed, newValues: added });
        if (externalChanged)
          changes.push({
            property: 'externalId',
            oldValues: g.external_id ? [g.external_id] : [],
            newValues: c.externalId ? [c.externalId] : [],
          });
        await audit(trx, caller, g, changes, added, removed, names);
      });
    } catch (err) {
      if (err !== UNCHANGED) throw err;
    }
    return get(orgId, id, base, withMembers);
  }

  /** Checks the non-member operations: displayName is read-only upstream, externalId may change. */
  function otherAttributes(current: GroupRow, next: Json): string | null | undefined {
    const name = getAttr(next, 'displayName');
    if (typeof name === 'string' && name.toLowerCase() !== current.name.toLowerCase()) {
      throw new ScimError(
        400,
        `displayName is read-only: groups are renamed by an administrator, not through SCIM.`,
        'mutability',
      );
    }
    const ext = getAttr(next, 'externalId');
    if (ext !== undefined && ext !== null && typeof ext !== 'string')
      throw invalidValue('externalId must be a string.');
    if (typeof ext === 'string') checkText(ext, 'externalId');
    return ext === undefined ? undefined : ((ext as string | null) ?? null);
  }

  /** Upstream's Group (the administrator's view). */
  async function adminView(orgId: string, g: GroupRow) {
    return {
      id: g.id,
      name: g.name,
      ...(g.description ? { description: g.description } : {}),
      dateModified: g.modified_at,
      memberCount: await store.countMembers(db, orgId, g.id),
      state: 'active',
      version: g.version,
      type: 'official',
      visibility: 'public',
      rulesVisible: false,
      selfUri: `/api/v2/groups/${g.id}`,
    };
  }

  return {
    get,

    async adminList(orgId: string, page: PageRequest, query: Record<string, unknown>) {
      const all = (eb: Parameters<typeof compileFilter>[0]) => eb.lit(true);
      const [rows, total] = await Promise.all([
        store.listGroups(db, orgId, all, page.offset, page.pageSize),
        store.countGroups(db, orgId, all),
      ]);
      const entities = [];
      for (const g of rows) entities.push(await adminView(orgId, g));
      return listing(entities, total, page, '/api/v2/groups', query);
    },

    async adminGet(orgId: string, id: string) {
      const g = await store.findGroup(db, orgId, id);
      if (!g) throw notFound('group', id);
      return adminView(orgId, g);
    },

    async list(orgId: string, q: ListQuery, base: string, withMembers: boolean) {
      const parsed = q.filter ? parseFilter(q.filter) : undefined;
      const where = (eb: Parameters<typeof compileFilter>[0]) =>
        parsed ? compileFilter(eb, parsed, GROUP_FILTER_MAP) : eb.lit(true);
      const total = await store.countGroups(db, orgId, where);
      const rows = q.count === 0 ? [] : await store.listGroups(db, orgId, where, q.startIndex - 1, q.count);
      const resources = [];
      for (const g of rows)
        resources.push(toResource(g, withMembers ? await store.members(db, orgId, g.id) : null, base));
      return listResponse(resources, total, q.startIndex);
    },

    async patch(
      caller: Caller,
      id: string,
      body: unknown,
      ifMatch: string | undefined,
      base: string,
      withMembers: boolean,
    ) {
      const plan = planGroupMembersPatch(body);
      const current = await store.findGroup(db, caller.principal.orgId, id);
      if (!current) throw scimNotFound('Group', id);
      let externalId: string | null | undefined;
      if (plan.other.length) {
        const before = toResource(current, null, base);
        externalId = otherAttributes(current, applyOperations(before, plan.other, { schema: GROUP_PATCH_SCHEMA }));
      }
      return change(
        caller,
        id,
        ifMatch,
        { add: plan.add, remove: plan.removeAll ? 'replace' : plan.remove, externalId },
        base,
        withMembers,
      );
    },

    /** PUT: the members listed become the members (removals counted against the guard). */
    async replace(caller: Caller, id: string, body: Json, ifMatch: string | undefined, base: string) {
      const current = await store.findGroup(db, caller.principal.orgId, id);
      if (!current) throw scimNotFound('Group', id);
      const externalId = otherAttributes(current, body);
      const members = getAttr(body, 'members') ?? [];
      if (!Array.isArray(members)) throw invalidValue('members must be an array.');
      const add = members.map((m) => {
        const v = typeof m === 'object' && m !== null ? getAttr(m as Json, 'value') : undefined;
        if (typeof v !== 'string' || !v) throw invalidValue('Every member needs a "value" (the user id).');
        return v;
      });
      return change(caller, id, ifMatch, { add, remove: 'replace', externalId: externalId ?? null }, base, true);
    },

    /** The administrator's path (upstream POST /api/v2/groups); SCIM never creates groups. */
    async create(orgId: string, caller: Caller | null, input: { name: string; description?: string }) {
      const name = input.name?.trim();
      if (!name) throw invalidValue('name must not be empty.');
      const now = clock.now().toISOString();
      const row: GroupRow = {
        id: newId(),
        org_id: orgId,
        name,
        name_key: name.toLowerCase(),
        description: input.description ?? null,
        external_id: null,
        version: 1,
        created_at: now,
        modified_at: now,
      };
      try {
        await withTransaction(db, async (trx) => {
          await store.insertGroup(trx, row);
          await recordAudit(trx, clock, {
            orgId,
            serviceName: 'Directory',
            entityType: 'Group',
            entityId: row.id,
            entityName: name,
            action: 'Create',
            ...auditOrigin(caller),
            changes: [{ property: 'name', oldValues: [], newValues: [name] }],
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw uniqueness(`A group named "${name}" already exists.`);
        throw err;
      }
      return row;
    },
  };
}

export type ScimGroups = ReturnType<typeof createScimGroups>;
