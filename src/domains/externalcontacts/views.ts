/**
 * A contact row as upstream's ExternalContact: its merge-set fields, and its organization and
 * division as references, with their names when `expand` asks for them (upstream's
 * `expand=externalOrganization` and `expand=division`).
 */
import type { Executor } from '../../storage/db.ts';
import type { ExternalContactRow } from '../../storage/schema.ts';
import type { StoredContact } from './model.ts';
import type { ExternalContactView } from './schemas.ts';
import type { ExternalContactStore } from './store.ts';

export const contactUri = (id: string) => `/api/v2/externalcontacts/contacts/${id}`;
const ref = (id: string) => ({ id, selfUri: contactUri(id) });
const organizationUri = (id: string) => `/api/v2/externalcontacts/organizations/${id}`;

/** The `expand` values Gatehouse answers (upstream's others hold nothing here). */
export const EXPANDS = ['externalOrganization', 'externalDataSources', 'identifiers', 'externalSources', 'division'];
export type Expand = ReadonlySet<string>;
export const NO_EXPAND: Expand = new Set();

/** The properties a change touched, without their values (customer data stays out of the trail). */
export function changedProperties(before: StoredContact | null, after: StoredContact | null) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys]
    .filter(
      (k) => JSON.stringify(before?.[k as keyof StoredContact]) !== JSON.stringify(after?.[k as keyof StoredContact]),
    )
    .sort()
    .map((property) => ({ property, oldValues: [], newValues: [] }));
}

/** The merged contact's values: the newest contact's win; older contacts fill what it lacks. */
export function mergedBody(newestFirst: ExternalContactRow[]): StoredContact {
  const merged: Record<string, unknown> = {};
  for (const h of newestFirst)
    for (const [k, v] of Object.entries(JSON.parse(h.body) as StoredContact))
      if (merged[k] === undefined) merged[k] = v;
  return merged as StoredContact;
}

export function createContactViews(
  store: ExternalContactStore,
  divisionName: (orgId: string, id: string) => Promise<string | undefined>,
) {
  async function organizationOf(executor: Executor, row: ExternalContactRow, expand: Expand) {
    const id = row.external_organization_id;
    if (!id) return {};
    const o = expand.has('externalOrganization') ? await store.organizations.find(executor, row.org_id, id) : undefined;
    return { externalOrganization: { id, ...(o ? { name: o.name } : {}), selfUri: organizationUri(id) } };
  }

  async function divisionOf(row: ExternalContactRow, expand: Expand) {
    const name = expand.has('division') ? await divisionName(row.org_id, row.division_id) : undefined;
    return {
      id: row.division_id,
      ...(name ? { name } : {}),
      selfUri: `/api/v2/authorization/divisions/${row.division_id}`,
    };
  }

  return async function view(
    executor: Executor,
    row: ExternalContactRow,
    expand: Expand = NO_EXPAND,
  ): Promise<ExternalContactView> {
    const body = JSON.parse(row.body) as StoredContact;
    const set = await store.mergeSet(executor, row.org_id, row.canonical_id);
    const mergedFrom = row.merged_from ? (JSON.parse(row.merged_from) as string[]) : [];
    return {
      id: row.id,
      ...body,
      division: await divisionOf(row, expand),
      ...(await organizationOf(executor, row, expand)),
      createDate: row.created_at,
      modifyDate: row.modified_at,
      type: 'Curated',
      canonicalContact: ref(row.canonical_id),
      ...(set.length > 1 ? { mergeSet: set.map((m) => ref(m.id)) } : {}),
      ...(mergedFrom.length ? { mergedFrom: mergedFrom.map(ref) } : {}),
      ...(row.merged_to ? { mergedTo: ref(row.merged_to) } : {}),
      selfUri: contactUri(row.id),
    };
  };
}
