/** Kysely queries over external_contacts, their identifiers and external_organizations. Scoped to one organization. */
import { sql } from 'kysely';
import type { Executor } from '../../storage/db.ts';
import { type DivisionReach, whereInReach } from '../../storage/division-filter.ts';
import type { ExternalContactRow, ExternalOrganizationRow } from '../../storage/schema.ts';
import { containsFolded } from '../../storage/text-match.ts';

/** The most contact ids a text search gathers before paging (upstream answers partialResults beyond). */
export const MAX_MATCHES = 10_000;

/** A listing's order: by last or first name (upstream's sortOrder), then the other name, then id. */
export interface ContactSort {
  column: 'first_name' | 'last_name';
  direction: 'asc' | 'desc';
}
export const DEFAULT_SORT: ContactSort = { column: 'last_name', direction: 'asc' };

export function createExternalContactStore() {
  const contacts = (db: Executor, orgId: string) => db.selectFrom('external_contacts').where('org_id', '=', orgId);
  return {
    find: (db: Executor, orgId: string, id: string) =>
      contacts(db, orgId).selectAll().where('id', '=', id).executeTakeFirst(),
    many: (db: Executor, orgId: string, ids: string[]) =>
      ids.length ? contacts(db, orgId).selectAll().where('id', 'in', ids).execute() : Promise.resolve([]),
    /** How many contacts live in a division (a division holding some cannot be deleted). */
    inDivision: async (db: Executor, orgId: string, divisionId: string) =>
      Number(
        (
          await contacts(db, orgId)
            .where('division_id', '=', divisionId)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    /** Every contact of a merge set (the canonical contact's id). */
    mergeSet: (db: Executor, orgId: string, canonicalId: string) =>
      contacts(db, orgId)
        .selectAll()
        .where('canonical_id', '=', canonicalId)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    /** The contact ids of these merge sets (canonical id → ids, oldest first). */
    async mergeSetsOf(db: Executor, orgId: string, canonicalIds: string[]) {
      const sets = new Map<string, string[]>();
      if (!canonicalIds.length) return sets;
      const rows = await contacts(db, orgId)
        .select(['id', 'canonical_id'])
        .where('canonical_id', 'in', canonicalIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const r of rows) sets.set(r.canonical_id, [...(sets.get(r.canonical_id) ?? []), r.id]);
      return sets;
    },
    insert: (db: Executor, row: ExternalContactRow) => db.insertInto('external_contacts').values(row).execute(),
    update: (db: Executor, orgId: string, id: string, patch: Partial<Omit<ExternalContactRow, 'id' | 'org_id'>>) =>
      db.updateTable('external_contacts').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
    async remove(db: Executor, orgId: string, ids: string[]) {
      if (!ids.length) return 0;
      await db
        .deleteFrom('external_contact_identifiers')
        .where('org_id', '=', orgId)
        .where('contact_id', 'in', ids)
        .execute();
      const res = await db
        .deleteFrom('external_contacts')
        .where('org_id', '=', orgId)
        .where('id', 'in', ids)
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
    async replaceIdentifiers(db: Executor, orgId: string, contactId: string, ids: { kind: string; value: string }[]) {
      await db.deleteFrom('external_contact_identifiers').where('contact_id', '=', contactId).execute();
      if (ids.length)
        await db
          .insertInto('external_contact_identifiers')
          .values(ids.map((i) => ({ contact_id: contactId, org_id: orgId, kind: i.kind, value: i.value })))
          .execute();
    },
    /** Contacts holding one of the values as an identifier of one of the kinds. */
    byIdentifier: async (db: Executor, orgId: string, kinds: string[], values: string[]) =>
      values.length && kinds.length
        ? (
            await db
              .selectFrom('external_contact_identifiers')
              .select('contact_id')
              .distinct()
              .where('org_id', '=', orgId)
              .where('kind', 'in', kinds)
              .where('value', 'in', values)
              .limit(MAX_MATCHES)
              .execute()
          ).map((r) => r.contact_id)
        : [],
    /** Contacts whose first and last name are `name`, ignoring case. */
    byFullName: async (db: Executor, orgId: string, name: string) =>
      (
        await contacts(db, orgId)
          .select('id')
          .where(sql`lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))`, '=', name.trim().toLowerCase())
          .limit(MAX_MATCHES)
          .execute()
      ).map((r) => r.id),
    /** Contacts whose names or identifiers contain `text`, ignoring case (the q search). */
    containing: async (db: Executor, orgId: string, text: string) => {
      const byName = await contacts(db, orgId)
        .select('id')
        .where((eb) =>
          eb.or([
            containsFolded('first_name', text),
            containsFolded('last_name', text),
            eb(sql`lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))`, '=', text.toLowerCase()),
          ]),
        )
        .limit(MAX_MATCHES)
        .execute();
      const byId = await db
        .selectFrom('external_contact_identifiers')
        .select('contact_id as id')
        .distinct()
        .where('org_id', '=', orgId)
        .where(containsFolded('value', text))
        .limit(MAX_MATCHES)
        .execute();
      return [...new Set([...byName, ...byId].map((r) => r.id))];
    },
    /** The canonical ids of these contacts' merge sets. */
    canonicalOf: async (db: Executor, orgId: string, ids: string[]) =>
      ids.length
        ? [
            ...new Set(
              (await contacts(db, orgId).select('canonical_id').where('id', 'in', ids).execute()).map(
                (r) => r.canonical_id,
              ),
            ),
          ]
        : [],
    /** A page of canonical contacts (optionally only these ids), by last name, first name, id. */
    page: (
      db: Executor,
      orgId: string,
      reach: DivisionReach,
      only: string[] | null,
      offset: number,
      limit: number,
      sort: ContactSort = DEFAULT_SORT,
    ) => {
      let q = whereInReach(contacts(db, orgId).selectAll().whereRef('canonical_id', '=', 'id'), 'division_id', reach);
      if (only) q = only.length ? q.where('id', 'in', only) : q.where(sql<boolean>`1 = 0`);
      // Missing names sort as empty ones on both dialects (their NULL orders differ).
      const other = sort.column === 'last_name' ? 'first_name' : 'last_name';
      return q
        .orderBy(sql`coalesce(${sql.ref(sort.column)}, '')`, sort.direction)
        .orderBy(sql`coalesce(${sql.ref(other)}, '')`, sort.direction)
        .orderBy('id', sort.direction)
        .offset(offset)
        .limit(limit)
        .execute();
    },
    count: async (db: Executor, orgId: string, reach: DivisionReach, only: string[] | null) => {
      let q = whereInReach(contacts(db, orgId).whereRef('canonical_id', '=', 'id'), 'division_id', reach);
      if (only) q = only.length ? q.where('id', 'in', only) : q.where(sql<boolean>`1 = 0`);
      return Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    },

    organizations: {
      find: (db: Executor, orgId: string, id: string) =>
        db
          .selectFrom('external_organizations')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('id', '=', id)
          .executeTakeFirst(),
      many: (db: Executor, orgId: string, ids: string[]) =>
        ids.length
          ? db
              .selectFrom('external_organizations')
              .selectAll()
              .where('org_id', '=', orgId)
              .where('id', 'in', ids)
              .execute()
          : Promise.resolve([]),
      insert: (db: Executor, row: ExternalOrganizationRow) =>
        db.insertInto('external_organizations').values(row).execute(),
      update: (db: Executor, orgId: string, id: string, patch: Partial<ExternalOrganizationRow>) =>
        db.updateTable('external_organizations').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
      remove: (db: Executor, orgId: string, id: string) =>
        db.deleteFrom('external_organizations').where('org_id', '=', orgId).where('id', '=', id).execute(),
      page: (db: Executor, orgId: string, q: string | undefined, offset: number, limit: number) => {
        let s = db.selectFrom('external_organizations').selectAll().where('org_id', '=', orgId);
        if (q) s = s.where(containsFolded('name', q));
        return s.orderBy('name').orderBy('id').offset(offset).limit(limit).execute();
      },
      count: async (db: Executor, orgId: string, q: string | undefined) => {
        let s = db.selectFrom('external_organizations').where('org_id', '=', orgId);
        if (q) s = s.where(containsFolded('name', q));
        return Number((await s.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      },
      inUse: async (db: Executor, orgId: string, id: string) =>
        Boolean(await contacts(db, orgId).select('id').where('external_organization_id', '=', id).executeTakeFirst()),
    },
  };
}

export type ExternalContactStore = ReturnType<typeof createExternalContactStore>;
