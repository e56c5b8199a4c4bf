/**
 * Divisions: create, list, query, get, update, delete (never the home one, never one holding
 * objects; `force` also removes its grants), deleted and restore, grants per division, and
 * moving objects between divisions. Object types (USER here; OAUTHCLIENT, QUEUE… from other
 * domains) register themselves with `registerObjectType`, so this file knows no other table.
 */
import {
  auditOrigin,
  diffProperties,
  type PropertyChange,
  recordAudit,
  registerAuditEntity,
} from '../../platform/audit.ts';
import { reaches } from '../../platform/division-access.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller, Principal } from '../../platform/principal.ts';
import { afterCommit, type Executor, isUniqueViolation, withTransaction } from '../../storage/db.ts';
import type { DivisionRow } from '../../storage/schema.ts';
import type { DirectoryDeps } from './deps.ts';
import { createDivisionsStore } from './divisions-store.ts';
import { noticingDivisionChanges } from './user-changes.ts';
import { divisionUri, divisionView } from './views.ts';

registerAuditEntity('Authorization', 'Division', ['Create', 'Update', 'Delete', 'Restore', 'MoveObjects']);

/** Upstream's default limit of divisions per organization (GET /api/v2/authorization/divisions/limit). */
export const DIVISION_LIMIT = 50;

/** Objects of one type that live in divisions. */
export interface DivisionObjectType {
  /** The upstream objectType of POST /divisions/{id}/objects/{objectType} (USER, QUEUE…). */
  type: string;
  /** The permission needed in the object's current division and in the target to move it. */
  permission: string;
  count(ex: Executor, orgId: string, divisionId: string): Promise<number>;
  /** The division of each of these objects that exists (absent ids are unknown). */
  divisionsOf?(ex: Executor, orgId: string, ids: string[]): Promise<Map<string, string | null>>;
  move?(ex: Executor, orgId: string, ids: string[], divisionId: string, now: string): Promise<void>;
}

const nameTaken = (name: string) =>
  new ApiError(409, 'general.conflict', `A division named "${name}" already exists in this organization.`, {
    details: [{ errorCode: 'general.conflict', fieldName: 'name' }],
  });

const snapshot = (d: DivisionRow) => ({ name: d.name, description: d.description });

/** Cursor of the division query: the (name, id) of the last division seen, base64url JSON. */
const encodeCursor = (d: DivisionRow) => Buffer.from(JSON.stringify([d.name, d.id])).toString('base64url');
function decodeCursor(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v as [string, string];
  } catch {}
  throw invalidValue('after', 'after must be a cursor from a nextUri.');
}

export function createDivisions({ db, store, clock, hooks }: DirectoryDeps) {
  const dstore = noticingDivisionChanges(createDivisionsStore(), hooks.usersChanged);
  const objectTypes = new Map<string, DivisionObjectType>();

  async function requireDivision(orgId: string, id: string, ex: Executor = db) {
    const d = isUuid(id) ? await store.findDivision(ex, orgId, id) : undefined;
    if (!d) throw notFound('division', id);
    return d;
  }

  function audit(trx: Executor, caller: Caller | null, action: string, d: DivisionRow, changes: PropertyChange[] = []) {
    return recordAudit(trx, clock, {
      orgId: d.org_id,
      serviceName: 'Authorization',
      entityType: 'Division',
      entityId: d.id,
      entityName: d.name,
      action,
      ...auditOrigin(caller),
      changes,
    });
  }

  async function objectCounts(orgId: string, id: string) {
    const out: Record<string, number> = {};
    for (const [type, t] of objectTypes) out[type] = await t.count(db, orgId, id);
    return out;
  }

  const withCounts = async (d: DivisionRow, counts: boolean) =>
    counts ? { ...divisionView(d), objectCounts: await objectCounts(d.org_id, d.id) } : divisionView(d);

  const self = {
    registerObjectType(t: DivisionObjectType) {
      objectTypes.set(t.type.toUpperCase(), t);
    },
    objectTypes: () => [...objectTypes.keys()],

    async list(
      orgId: string,
      page: PageRequest,
      f: { ids?: string[]; name?: string; objectCount?: boolean; deleted?: boolean },
      query: Record<string, unknown>,
    ) {
      const filter = { ids: f.ids?.filter(isUuid), name: f.name, deleted: f.deleted };
      if (f.ids?.length && !filter.ids?.length) return listing([], 0, page, '/api/v2/authorization/divisions', query);
      const [rows, total] = await Promise.all([
        dstore.queryDivisions(db, orgId, filter, page.offset, page.pageSize),
        dstore.countDivisionsWhere(db, orgId, filter),
      ]);
      const entities = await Promise.all(rows.map((d) => withCounts(d, !!f.objectCount)));
      const path = f.deleted ? '/api/v2/authorization/divisions/deleted' : '/api/v2/authorization/divisions';
      return listing(entities, total, page, path, query);
    },

    /** The cursor listing of GET /divisions/query (after = the nextUri's cursor). */
    async query(orgId: string, f: { ids?: string[]; name?: string; after?: string; pageSize: number }) {
      const after = f.after ? decodeCursor(f.after) : undefined;
      const filter = { ids: f.ids?.filter(isUuid), name: f.name };
      if (f.ids?.length && !filter.ids?.length)
        return { entities: [], selfUri: '/api/v2/authorization/divisions/query' };
      const rows = await dstore.queryDivisions(db, orgId, filter, 0, f.pageSize + 1, after);
      const page = rows.slice(0, f.pageSize);
      const params = new URLSearchParams({ pageSize: String(f.pageSize) });
      if (f.name) params.set('name', f.name);
      for (const id of filter.ids ?? []) params.append('id', id);
      const base = `/api/v2/authorization/divisions/query?${params}`;
      return {
        entities: page.map(divisionView),
        selfUri: f.after ? `${base}&after=${f.after}` : base,
        ...(rows.length > f.pageSize ? { nextUri: `${base}&after=${encodeCursor(page.at(-1)!)}` } : {}),
      };
    },

    get: async (orgId: string, id: string, counts = false) => withCounts(await requireDivision(orgId, id), counts),
    home: async (orgId: string) => divisionView(await store.homeDivision(db, orgId)),
    limit: () => DIVISION_LIMIT,

    async create(caller: Caller, input: { name: string; description?: string }) {
      const orgId = caller.principal.orgId;
      const name = input.name.trim();
      if (!name) throw invalidValue('name', 'name must not be empty.');
      const row: DivisionRow = {
        id: newId(),
        org_id: orgId,
        name,
        description: input.description ?? '',
        home: 0,
        created_at: clock.now().toISOString(),
        deleted_at: null,
      };
      await withTransaction(db, async (trx) => {
        if ((await store.countDivisions(trx, orgId)) >= DIVISION_LIMIT)
          throw new ApiError(400, 'bad.request', `An organization may have at most ${DIVISION_LIMIT} divisions.`);
        try {
          await store.insertDivision(trx, row);
        } catch (err) {
          if (isUniqueViolation(err)) throw nameTaken(name);
          throw err;
        }
        await audit(trx, caller, 'Create', row, diffProperties(null, snapshot(row)));
      });
      return divisionView(row);
    },

    async update(caller: Caller, id: string, input: { name: string; description?: string }) {
      const orgId = caller.principal.orgId;
      const name = input.name.trim();
      if (!name) throw invalidValue('name', 'name must not be empty.');
      const next = await withTransaction(db, async (trx) => {
        const before = await requireDivision(orgId, id, trx);
        const next = { ...before, name, description: input.description ?? before.description };
        try {
          await dstore.updateDivision(trx, orgId, id, { name: next.name, description: next.description });
        } catch (err) {
          if (isUniqueViolation(err)) throw nameTaken(name);
          throw err;
        }
        await audit(trx, caller, 'Update', next, diffProperties(snapshot(before), snapshot(next)));
        return next;
      });
      return divisionView(next);
    },

    /** Upstream rules: never the home division; never one that still holds objects; grants only with `force`. */
    async remove(caller: Caller, id: string, force: boolean) {
      const orgId = caller.principal.orgId;
      await withTransaction(db, async (trx) => {
        const d = await requireDivision(orgId, id, trx);
        if (d.home === 1) throw new ApiError(409, 'general.conflict', 'The home division cannot be deleted.');
        for (const [type, t] of objectTypes) {
          const n = await t.count(trx, orgId, id);
          if (n > 0)
            throw new ApiError(
              409,
              'general.conflict',
              `The division holds ${n} object(s) of type ${type}; move them to another division first.`,
            );
        }
        const grants = await dstore.countGrantsInDivision(trx, orgId, id);
        if (grants > 0 && !force)
          throw new ApiError(
            409,
            'general.conflict',
            `The division has ${grants} grant(s); remove them first, or delete with force=true.`,
          );
        await dstore.deleteGrantsInDivision(trx, orgId, id);
        afterCommit(trx, () => hooks.grantsChanged(orgId));
        await dstore.updateDivision(trx, orgId, id, { deleted_at: clock.now().toISOString() });
        await audit(trx, caller, 'Delete', d, diffProperties(snapshot(d), null));
      });
    },

    async restore(caller: Caller, id: string, input: { name?: string; description?: string }) {
      const orgId = caller.principal.orgId;
      const row = await withTransaction(db, async (trx) => {
        const d = isUuid(id) ? await dstore.findAnyDivision(trx, orgId, id) : undefined;
        if (!d?.deleted_at) throw notFound('deleted division', id);
        if ((await store.countDivisions(trx, orgId)) >= DIVISION_LIMIT)
          throw new ApiError(400, 'bad.request', `An organization may have at most ${DIVISION_LIMIT} divisions.`);
        const next = {
          ...d,
          name: input.name?.trim() || d.name,
          description: input.description ?? d.description,
          deleted_at: null,
        };
        try {
          await dstore.updateDivision(trx, orgId, id, {
            name: next.name,
            description: next.description,
            deleted_at: null,
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw nameTaken(next.name);
          throw err;
        }
        await audit(trx, caller, 'Restore', next, diffProperties(null, snapshot(next)));
        return next;
      });
      return divisionView(row);
    },

    /**
     * AuthzDivisionGrantEntityListing: the grants made in one division (not those in `*`). They
     * are the division's own: a caller without authorization:grant:view there gets 404.
     */
    async grants(principal: Principal, id: string, page: PageRequest) {
      const orgId = principal.orgId;
      const d = await requireDivision(orgId, id);
      if (!reaches(principal, 'authorization:grant:view', d.id)) throw notFound('division', id);
      const [rows, total] = await Promise.all([
        dstore.grantsInDivision(db, orgId, id, page.offset, page.pageSize),
        dstore.countGrantsInDivision(db, orgId, id),
      ]);
      return {
        entities: rows.map((g) => ({
          subjectId: g.subject_id,
          division: divisionView(d),
          role: {
            id: g.role_id,
            name: g.role_name,
            description: g.role_description,
            default: g.is_default === 1,
            selfUri: `/api/v2/authorization/roles/${g.role_id}`,
          },
        })),
        pageSize: page.pageSize,
        pageNumber: page.pageNumber,
        total,
        pageCount: Math.ceil(total / page.pageSize),
      };
    },

    /**
     * Moves objects into a division. The caller needs the type's permission both where each
     * object is and in the target; an object it cannot see answers 404 like an unknown one.
     */
    async moveObjects(caller: Caller, divisionId: string, objectType: string, ids: string[]) {
      const orgId = caller.principal.orgId;
      const t = objectTypes.get(objectType.toUpperCase());
      if (!t?.move || !t.divisionsOf)
        throw invalidValue(
          'objectType',
          `objectType must be one of ${[...objectTypes.values()]
            .filter((x) => x.move)
            .map((x) => x.type)
            .join(', ')}.`,
        );
      const unique = [...new Set(ids)];
      if (unique.length === 0) throw invalidValue('body', 'Name at least one object id.');
      await withTransaction(db, async (trx) => {
        const target = await requireDivision(orgId, divisionId, trx);
        if (!reaches(caller.principal, t.permission, target.id)) throw notFound('division', divisionId);
        const current = await t.divisionsOf!(trx, orgId, unique.filter(isUuid));
        for (const id of unique) {
          if (!current.has(id) || !reaches(caller.principal, t.permission, current.get(id) ?? null))
            throw notFound(objectType.toLowerCase(), id);
        }
        await t.move!(trx, orgId, unique, target.id, clock.now().toISOString());
        await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Authorization',
          entityType: 'Division',
          entityId: target.id,
          entityName: target.name,
          action: 'MoveObjects',
          ...auditOrigin(caller),
          context: { objectType: t.type, objectIds: unique.join(','), divisionUri: divisionUri(target.id) },
        });
      });
    },
  };

  self.registerObjectType({
    type: 'USER',
    permission: 'directory:user:edit',
    count: (ex, orgId, divisionId) => dstore.countUsersInDivision(ex, orgId, divisionId),
    divisionsOf: (ex, orgId, ids) => dstore.divisionsOfUsers(ex, orgId, ids),
    move: (ex, orgId, ids, divisionId, now) => dstore.moveUsers(ex, orgId, ids, divisionId, now).then(() => undefined),
  });
  return self;
}

export type Divisions = ReturnType<typeof createDivisions>;
