/**
 * External contacts (customers): create, read, replace, delete, search, and merge sets as
 * upstream keeps them (a merge makes a new canonical contact; every member names it as its
 * `canonicalContact` and lists the whole `mergeSet`). Every change is audited; the audit events
 * name the properties that changed, never a customer's values (docs/decisions/0015).
 */
import { auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { badRequest, conflict, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { type PageRequest, listing } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, type Trx, withTransaction } from '../../storage/db.ts';
import type { ExternalContactRow } from '../../storage/schema.ts';
import { identifiersOf, type StoredContact, storedContact, toE164 } from './model.ts';
import type { ExternalContactInput, ExternalContactView, MergeContactsInput } from './schemas.ts';
import { createExternalContactStore, MAX_MATCHES } from './store.ts';

export const AUDIT_SERVICE = 'ExternalContacts';
export const AUDIT_ENTITY = 'ExternalContact';
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Create', 'Update', 'Delete', 'Merge']);

/** Upstream's limit on the contacts of one merge set. */
export const MAX_MERGE_SET = 52;

const contactUri = (id: string) => `/api/v2/externalcontacts/contacts/${id}`;
const ref = (id: string) => ({ id, selfUri: contactUri(id) });

export interface ExternalContactsDeps {
  db: Db;
  clock: Clock;
  /** The region phone numbers without a country code are read in. */
  phoneRegion: string;
  homeDivision(orgId: string): Promise<{ id: string; name?: string }>;
}

/** The properties a change touched, without their values (customer data stays out of the trail). */
function changedProperties(before: StoredContact | null, after: StoredContact | null) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter(
      (k) => JSON.stringify(before?.[k as keyof StoredContact]) !== JSON.stringify(after?.[k as keyof StoredContact]),
    )
    .sort()
    .map((property) => ({ property, oldValues: [], newValues: [] }));
}

/** The merged contact's values: the newest contact's win; older contacts fill what it lacks. */
function mergedBody(newestFirst: ExternalContactRow[]): StoredContact {
  const merged: Record<string, unknown> = {};
  for (const h of newestFirst)
    for (const [k, v] of Object.entries(JSON.parse(h.body) as StoredContact))
      if (merged[k] === undefined) merged[k] = v;
  return merged as StoredContact;
}

export function createExternalContactsService(deps: ExternalContactsDeps) {
  const { db, clock } = deps;
  const store = createExternalContactStore();

  async function view(executor: Executor, row: ExternalContactRow): Promise<ExternalContactView> {
    const body = JSON.parse(row.body) as StoredContact;
    const set = await store.mergeSet(executor, row.org_id, row.canonical_id);
    const mergedFrom = row.merged_from ? (JSON.parse(row.merged_from) as string[]) : [];
    let organization: ExternalContactView['externalOrganization'];
    if (row.external_organization_id) {
      const o = await store.organizations.find(executor, row.org_id, row.external_organization_id);
      organization = {
        id: row.external_organization_id,
        ...(o ? { name: o.name } : {}),
        selfUri: `/api/v2/externalcontacts/organizations/${row.external_organization_id}`,
      };
    }
    return {
      id: row.id,
      ...body,
      division: { id: row.division_id, selfUri: `/api/v2/authorization/divisions/${row.division_id}` },
      ...(organization ? { externalOrganization: organization } : {}),
      createDate: row.created_at,
      modifyDate: row.modified_at,
      type: 'Curated',
      canonicalContact: ref(row.canonical_id),
      ...(set.length > 1 ? { mergeSet: set.map((m) => ref(m.id)) } : {}),
      ...(mergedFrom.length ? { mergedFrom: mergedFrom.map(ref) } : {}),
      ...(row.merged_to ? { mergedTo: ref(row.merged_to) } : {}),
      selfUri: contactUri(row.id),
    };
  }

  async function organizationOf(trx: Executor, orgId: string, input: ExternalContactInput) {
    const id = input.externalOrganization?.id?.trim();
    if (!id) return null;
    if (!(await store.organizations.find(trx, orgId, id)))
      throw invalidValue('externalOrganization.id', `No external organization ${id} in this organization.`);
    return id;
  }

  async function load(executor: Executor, orgId: string, id: string) {
    const row = await store.find(executor, orgId, id);
    if (!row) throw notFound('external contact', id);
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

  const service = {
    async create(caller: Caller, input: ExternalContactInput) {
      const body = storedContact(input, deps.phoneRegion);
      // Read before the transaction: on SQLite another query would wait for it to end.
      const division = await deps.homeDivision(caller.principal.orgId);
      return withTransaction(db, async (trx) => {
        const row = await insertContact(
          trx,
          caller,
          division.id,
          body,
          await organizationOf(trx, caller.principal.orgId, input),
        );
        await audit(trx, caller, row.id, 'Create', changedProperties(null, body));
        return view(trx, row);
      });
    },

    async get(caller: Caller, id: string) {
      return view(db, await load(db, caller.principal.orgId, id));
    },

    async replace(caller: Caller, id: string, input: ExternalContactInput) {
      const orgId = caller.principal.orgId;
      const body = storedContact(input, deps.phoneRegion);
      return withTransaction(db, async (trx) => {
        const before = await load(trx, orgId, id);
        const organizationId = await organizationOf(trx, orgId, input);
        const patch = {
          first_name: body.firstName ?? null,
          last_name: body.lastName ?? null,
          external_organization_id: organizationId,
          body: JSON.stringify(body),
          version: before.version + 1,
          modified_at: clock.now().toISOString(),
        };
        await store.update(trx, orgId, id, patch);
        await store.replaceIdentifiers(trx, orgId, id, identifiersOf(body));
        await audit(trx, caller, id, 'Update', changedProperties(JSON.parse(before.body), body));
        return view(trx, { ...before, ...patch });
      });
    },

    /**
     * Deletes a contact. Deleting the canonical contact of a merge set deletes the set (it is one
     * customer); deleting another member takes it out of the set.
     */
    async remove(caller: Caller, id: string) {
      const orgId = caller.principal.orgId;
      await withTransaction(db, async (trx) => {
        const row = await load(trx, orgId, id);
        const ids = row.canonical_id === id ? (await store.mergeSet(trx, orgId, id)).map((m) => m.id) : [id];
        await store.remove(trx, orgId, ids);
        for (const gone of ids) await audit(trx, caller, gone, 'Delete', [], gone === id ? {} : { mergeSetOf: id });
      });
    },

    async list(caller: Caller, page: PageRequest, q: string | undefined, query: Record<string, unknown>) {
      const orgId = caller.principal.orgId;
      let only: string[] | null = null;
      if (q?.trim()) {
        const text = q.trim();
        const phone = /\d/.test(text) ? toE164(text, deps.phoneRegion) : undefined;
        const matches = await store.containing(db, orgId, phone ?? text);
        only = await store.canonicalOf(db, orgId, matches.slice(0, MAX_MATCHES));
      }
      const [rows, total] = await Promise.all([
        store.page(db, orgId, only, page.offset, page.pageSize),
        store.count(db, orgId, only),
      ]);
      const entities = [];
      for (const r of rows) entities.push(await view(db, r));
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
      const division = await deps.homeDivision(orgId);
      return withTransaction(db, async (trx) => {
        const named = [];
        for (const id of ids) named.push(await load(trx, orgId, id));
        const canonicals = [...new Set(named.map((r) => r.canonical_id))];
        if (canonicals.length < 2) throw badRequest('These contacts are already one merge set.');
        const members: ExternalContactRow[] = [];
        for (const c of canonicals) members.push(...(await store.mergeSet(trx, orgId, c)));
        if (members.length + 1 > MAX_MERGE_SET)
          throw conflict(
            `The merge set would hold ${members.length + 1} contacts; at most ${MAX_MERGE_SET} can be merged.`,
          );
        const heads = await store.many(trx, orgId, canonicals);
        heads.sort((a, b) => b.modified_at.localeCompare(a.modified_at));
        const merged = mergedBody(heads);
        const override = input.valueOverride ? storedContact(input.valueOverride, deps.phoneRegion) : {};
        const body = { ...merged, ...override };
        const organizationId =
          (input.valueOverride ? await organizationOf(trx, orgId, input.valueOverride) : null) ??
          heads.find((h) => h.external_organization_id)?.external_organization_id ??
          null;
        const row = await insertContact(trx, caller, division.id, body, organizationId, {
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
