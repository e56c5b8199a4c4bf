/**
 * External contacts (customers): create, read, replace, delete, search, and merge sets as
 * upstream keeps them (a merge makes a new canonical contact; every member names it as its
 * `canonicalContact` and lists the whole `mergeSet`). Every change is audited; the audit events
 * name the properties that changed, never a customer's values (docs/decisions/0015).
 */
import { auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { type DivisionReach, divisionReach, inReach } from '../../platform/division-access.ts';
import { badRequest, conflict, invalidValue, missingPermissions, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { type PageRequest, listing } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, type Trx, withTransaction } from '../../storage/db.ts';
import type { ExternalContactRow } from '../../storage/schema.ts';
import { identifiersOf, type StoredContact, storedContact, toE164 } from './model.ts';
import { type PatchChange, patched } from './patch.ts';
import type { ExternalContactInput, MergeContactsInput } from './schemas.ts';
import { type ContactSort, createExternalContactStore, DEFAULT_SORT, MAX_MATCHES } from './store.ts';
import { changedProperties, createContactViews, EXPANDS, type Expand, mergedBody, NO_EXPAND } from './views.ts';

export const AUDIT_SERVICE = 'ExternalContacts';
export const AUDIT_ENTITY = 'ExternalContact';
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Create', 'Update', 'Delete', 'Merge']);

/** Upstream's limit on the contacts of one merge set. */
export const MAX_MERGE_SET = 52;

export interface ExternalContactsDeps {
  db: Db;
  clock: Clock;
  /** The region phone numbers without a country code are read in. */
  phoneRegion: string;
  homeDivision(orgId: string): Promise<{ id: string; name?: string }>;
  /** The organization's division of this id, or null when there is none. */
  division(orgId: string, id: string): Promise<{ id: string; name?: string } | null>;
}

export interface ContactsQueryInput {
  q?: string;
  sortOrder?: string;
  expand?: string[];
  divisionIds?: string[];
  [key: string]: unknown;
}

/** The `expand` values asked for (a list, or comma-separated), each one upstream knows. */
export function expandOf(values: string[] | undefined): Expand {
  const asked = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const unknown = asked.find((v) => !EXPANDS.includes(v));
  if (unknown) throw invalidValue('expand', `expand "${unknown}" is not one of ${EXPANDS.join(', ')}.`);
  return new Set(asked);
}

const SORTABLE: Record<string, ContactSort['column']> = { firstName: 'first_name', lastName: 'last_name' };

/** Upstream's sortOrder (`lastName`, `firstName:desc`); middleName and title are not kept as columns. */
export function sortOf(value: string | undefined): ContactSort {
  if (!value?.trim()) return DEFAULT_SORT;
  const [field = '', direction = 'asc'] = value.trim().split(':');
  const column = Object.hasOwn(SORTABLE, field) ? SORTABLE[field] : undefined;
  if (!column || !['asc', 'desc'].includes(direction.toLowerCase()))
    throw invalidValue(
      'sortOrder',
      `sortOrder "${value}" is not supported: use firstName or lastName, optionally with :asc or :desc.`,
    );
  return { column, direction: direction.toLowerCase() as ContactSort['direction'] };
}

/** Upstream's permissions for contacts: either the externalContacts or the older relate one. */
const permissionsOf = (action: string) => [`externalContacts:contact:${action}`, `relate:contact:${action}`];

/** Where any of the action's permissions reaches (the union of their divisions). */
function reachOf(caller: Caller, action: string): DivisionReach {
  const reaches = permissionsOf(action).map((p) => divisionReach(caller.principal, p));
  return {
    everywhere: reaches.some((r) => r.everywhere),
    divisionIds: [...new Set(reaches.flatMap((r) => r.divisionIds))],
    home: reaches.some((r) => r.home),
  };
}

/** The reach narrowed to the `divisionIds` a listing asks for (upstream: up to 50). */
function narrowed(reach: DivisionReach, divisionIds: string[] | undefined): DivisionReach {
  const ids = [...new Set((divisionIds ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()))].filter(Boolean);
  if (!ids.length) return reach;
  if (ids.length > 50) throw invalidValue('divisionIds', 'divisionIds names at most 50 divisions.');
  return { everywhere: false, divisionIds: ids.filter((d) => inReach(reach, d)), home: false };
}

export function createExternalContactsService(deps: ExternalContactsDeps) {
  const { db, clock } = deps;
  const store = createExternalContactStore();

  const { view, views } = createContactViews(store, async (orgId, id) => (await deps.division(orgId, id))?.name);

  /**
   * The division a contact is put in: the one the body names (it must exist, and the caller hold
   * `action` there), or `fallback`.
   */
  async function placement(
    caller: Caller,
    action: string,
    input: ExternalContactInput,
    fallback: () => Promise<string>,
  ) {
    const id = input.division?.id?.trim();
    if (!id) return fallback();
    if (!(await deps.division(caller.principal.orgId, id)))
      throw invalidValue('division.id', `No division ${id} in this organization.`);
    if (!inReach(reachOf(caller, action), id))
      throw missingPermissions(permissionsOf(action).map((p) => `${p} (division ${id})`));
    return id;
  }

  async function organizationOf(trx: Executor, orgId: string, input: ExternalContactInput) {
    const id = input.externalOrganization?.id?.trim();
    if (!id) return null;
    if (!(await store.organizations.find(trx, orgId, id)))
      throw invalidValue('externalOrganization.id', `No external organization ${id} in this organization.`);
    return id;
  }

  /** The contact, if the caller may `action` it: one of another division is as unknown as a missing one (404). */
  async function load(executor: Executor, caller: Caller, id: string, action: string) {
    const row = await store.find(executor, caller.principal.orgId, id);
    if (!row || !inReach(reachOf(caller, action), row.division_id)) throw notFound('external contact', id);
    return row;
  }

  async function audit(
    trx: Trx,
    caller: Caller,
    id: string,
    action: string,
    changes: ReturnType<typeof changedProperties>,
    context: Record<string, string> = {},
  ) {
    await recordAudit(trx, clock, {
      orgId: caller.principal.orgId,
      serviceName: AUDIT_SERVICE,
      entityType: AUDIT_ENTITY,
      entityId: id,
      entityName: id,
      action,
      ...auditOrigin(caller),
      changes,
      context,
    });
  }

  async function insertContact(
    trx: Trx,
    caller: Caller,
    divisionId: string,
    body: StoredContact,
    organizationId: string | null,
    extra: Partial<ExternalContactRow> = {},
  ) {
    const orgId = caller.principal.orgId;
    const now = clock.now().toISOString();
    const id = newId();
    const row: ExternalContactRow = {
      id,
      org_id: orgId,
      division_id: divisionId,
      first_name: body.firstName ?? null,
      last_name: body.lastName ?? null,
      external_organization_id: organizationId,
      canonical_id: id,
      merged_to: null,
      merged_from: null,
      body: JSON.stringify(body),
      version: 1,
      created_at: now,
      modified_at: now,
      ...extra,
    };
    await store.insert(trx, row);
    await store.replaceIdentifiers(trx, orgId, id, identifiersOf(body));
    return row;
  }

  /** Writes the contact's new body (PUT and PATCH), in `divisionId` when it moves. */
  async function write(
    trx: Trx,
    caller: Caller,
    before: ExternalContactRow,
    input: ExternalContactInput,
    divisionId?: string,
  ) {
    const orgId = caller.principal.orgId;
    const body = storedContact(input, deps.phoneRegion);
    const patch = {
      first_name: body.firstName ?? null,
      last_name: body.lastName ?? null,
      external_organization_id: await organizationOf(trx, orgId, input),
      body: JSON.stringify(body),
      ...(divisionId ? { division_id: divisionId } : {}),
      version: before.version + 1,
      modified_at: clock.now().toISOString(),
    };
    await store.update(trx, orgId, before.id, patch);
    await store.replaceIdentifiers(trx, orgId, before.id, identifiersOf(body));
    const changes = changedProperties(JSON.parse(before.body), body);
    if (patch.division_id && patch.division_id !== before.division_id)
      changes.push({ property: 'division', oldValues: [], newValues: [] });
    await audit(trx, caller, before.id, 'Update', changes);
    return view(trx, { ...before, ...patch });
  }

  const service = {
    async create(caller: Caller, input: ExternalContactInput) {
      const body = storedContact(input, deps.phoneRegion);
      // Read before the transaction: on SQLite another query would wait for it to end.
      const divisionId = await placement(caller, 'add', input, async () => {
        const home = (await deps.homeDivision(caller.principal.orgId)).id;
        // Without a division the contact goes home, where the caller must be allowed to add it too.
        if (!inReach(reachOf(caller, 'add'), home))
          throw missingPermissions(permissionsOf('add').map((p) => `${p} (division ${home})`));
        return home;
      });
      return withTransaction(db, async (trx) => {
        const organizationId = await organizationOf(trx, caller.principal.orgId, input);
        const row = await insertContact(trx, caller, divisionId, body, organizationId);
        await audit(trx, caller, row.id, 'Create', changedProperties(null, body));
        return view(trx, row);
      });
    },

    /** Whether the organization holds the contact (any division: interactions name their customer). */
    exists: async (orgId: string, id: string) => !!(await store.find(db, orgId, id)),

    async get(caller: Caller, id: string, expand: Expand = NO_EXPAND) {
      return view(db, await load(db, caller, id, 'view'), expand);
    },

    /** PUT: the whole contact. Naming another division moves it there (edit needed in both). */
    async replace(caller: Caller, id: string, input: ExternalContactInput) {
      storedContact(input, deps.phoneRegion);
      const divisionId = input.division?.id?.trim()
        ? await placement(caller, 'edit', input, async () => '')
        : undefined;
      return withTransaction(db, async (trx) =>
        write(trx, caller, await load(trx, caller, id, 'edit'), input, divisionId),
      );
    },

    /** PATCH: upstream's changes (JSONPath field, action) applied to the contact as it stands. */
    async patch(caller: Caller, id: string, changes: PatchChange[]) {
      return withTransaction(db, async (trx) => {
        const before = await load(trx, caller, id, 'edit');
        const current: ExternalContactInput = {
          ...(JSON.parse(before.body) as StoredContact),
          ...(before.external_organization_id ? { externalOrganization: { id: before.external_organization_id } } : {}),
        };
        const input = patched(current, changes);
        const moved = input.division?.id?.trim();
        if (moved && moved !== before.division_id)
          throw invalidValue(
            'division',
            'A patch cannot move a contact to another division: PUT it with the division.',
          );
        return write(trx, caller, before, input);
      });
    },

    /**
     * Deletes a contact. Deleting the canonical contact of a merge set deletes the set (it is one
     * customer); deleting another member takes it out of the set.
     */
    async remove(caller: Caller, id: string) {
      const orgId = caller.principal.orgId;
      await withTransaction(db, async (trx) => {
        const row = await load(trx, caller, id, 'delete');
        const ids = row.canonical_id === id ? (await store.mergeSet(trx, orgId, id)).map((m) => m.id) : [id];
        await store.remove(trx, orgId, ids);
        for (const gone of ids) await audit(trx, caller, gone, 'Delete', [], gone === id ? {} : { mergeSetOf: id });
      });
    },

    /** The canonical contacts within the caller's reach (narrowed by `divisionIds`), matching `q`. */
    async list(caller: Caller, page: PageRequest, query: ContactsQueryInput) {
      const orgId = caller.principal.orgId;
      const reach = narrowed(reachOf(caller, 'view'), query.divisionIds);
      const sort = sortOf(query.sortOrder);
      let only: string[] | null = null;
      const text = query.q?.trim();
      if (text) {
        const phone = /\d/.test(text) ? toE164(text, deps.phoneRegion) : undefined;
        const matches = await store.containing(db, orgId, phone ?? text);
        only = await store.canonicalOf(db, orgId, matches.slice(0, MAX_MATCHES));
      }
      const [rows, total] = await Promise.all([
        store.page(db, orgId, reach, only, page.offset, page.pageSize, sort),
        store.count(db, orgId, reach, only),
      ]);
      const entities = await views(db, rows, expandOf(query.expand));
      return { ...listing(entities, total, page, '/api/v2/externalcontacts/contacts', query), partialResults: false };
    },

    /**
     * Upstream's merge: a new contact made from the given contacts (their whole merge sets), its
     * fields from the most recently modified one, gaps filled from the others, then
     * `valueOverride`. Every member of the new set names it as canonical.
     */
    async merge(caller: Caller, input: MergeContactsInput) {
      const orgId = caller.principal.orgId;
      const ids = [...new Set(input.contactIds.map((i) => i.trim()))];
      if (ids.length < 2 && !input.valueOverride) throw badRequest('A merge needs at least two contacts.');
      const override = input.valueOverride;
      const placed = override?.division?.id?.trim() ? await placement(caller, 'edit', override, async () => '') : '';
      return withTransaction(db, async (trx) => {
        const named = [];
        for (const id of ids) named.push(await load(trx, caller, id, 'edit'));
        const canonicals = [...new Set(named.map((r) => r.canonical_id))];
        if (canonicals.length < 2) throw badRequest('These contacts are already one merge set.');
        const members: ExternalContactRow[] = [];
        for (const c of canonicals) members.push(...(await store.mergeSet(trx, orgId, c)));
        // Every contact the merge changes must be within the caller's reach (as if it were named).
        const hidden = members.find((m) => !inReach(reachOf(caller, 'edit'), m.division_id));
        if (hidden) throw notFound('external contact', hidden.id);
        if (members.length + 1 > MAX_MERGE_SET)
          throw conflict(
            `The merge set would hold ${members.length + 1} contacts; at most ${MAX_MERGE_SET} can be merged.`,
          );
        const heads = await store.many(trx, orgId, canonicals);
        heads.sort((a, b) => b.modified_at.localeCompare(a.modified_at));
        const merged = mergedBody(heads);
        const body = { ...merged, ...(override ? storedContact(override, deps.phoneRegion) : {}) };
        const organizationId =
          (override ? await organizationOf(trx, orgId, override) : null) ??
          heads.find((h) => h.external_organization_id)?.external_organization_id ??
          null;
        // The new canonical contact lives where the newest contact of the set does, unless the override names a division.
        const row = await insertContact(trx, caller, placed || heads[0]!.division_id, body, organizationId, {
          merged_from: JSON.stringify(canonicals),
        });
        const now = clock.now().toISOString();
        for (const m of members) {
          await store.update(trx, orgId, m.id, {
            canonical_id: row.id,
            ...(canonicals.includes(m.id) ? { merged_to: row.id } : {}),
            version: m.version + 1,
            modified_at: now,
          });
        }
        await audit(trx, caller, row.id, 'Merge', changedProperties(null, body), {
          mergedFrom: canonicals.join(','),
          mergeSetSize: String(members.length + 1),
        });
        return view(trx, row);
      });
    },
  };
  return { ...service, store };
}

export type ExternalContactsService = ReturnType<typeof createExternalContactsService>;
