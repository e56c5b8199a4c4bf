/**
 * A contact row as upstream's ExternalContact: its merge-set fields, its organization (a reference
 * with its name, or the whole organization with `expand=externalOrganization`) and its division
 * (a reference, with its name on `expand=division`).
 */
import type { Executor } from '../../storage/db.ts';
import type { ExternalContactRow, ExternalOrganizationRow } from '../../storage/schema.ts';
import type { StoredContact } from './model.ts';
import type { ExternalContactView, ExternalOrganizationInput } from './schemas.ts';
import type { ExternalContactStore } from './store.ts';

export const contactUri = (id: string) => `/api/v2/externalcontacts/contacts/${id}`;
const ref = (id: string) => ({ id, selfUri: contactUri(id) });
const organizationUri = (id: string) => `/api/v2/externalcontacts/organizations/${id}`;

/** Upstream's ExternalOrganization. */
export function organizationView(row: ExternalOrganizationRow) {
  return {
    ...(JSON.parse(row.body) as ExternalOrganizationInput),
    id: row.id,
    name: row.name,
    division: { id: row.division_id, selfUri: `/api/v2/authorization/divisions/${row.division_id}` },
    createDate: row.created_at,
    modifyDate: row.modified_at,
    selfUri: organizationUri(row.id),
  };
}

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
  /** Upstream's reference carries the organization's name (required in its model); expanded, the whole organization. */
  function organizationOf(row: ExternalContactRow, o: ExternalOrganizationRow | undefined, expand: Expand) {
    const id = row.external_organization_id;
    if (!id) return {};
    if (o && expand.has('externalOrganization')) return { externalOrganization: organizationView(o) };
    return { externalOrganization: { id, name: o?.name ?? '', selfUri: organizationUri(id) } };
  }

  interface Related {
    /** The ids of the row's merge set, oldest first. */
    set: string[];
    organization?: ExternalOrganizationRow;
    divisionName?: string;
  }

  function render(row: ExternalContactRow, related: Related, expand: Expand): ExternalContactView {
    const body = JSON.parse(row.body) as StoredContact;
    const mergedFrom = row.merged_from ? (JSON.parse(row.merged_from) as string[]) : [];
    return {
      id: row.id,
      ...body,
      division: {
        id: row.division_id,
        ...(related.divisionName ? { name: related.divisionName } : {}),
        selfUri: `/api/v2/authorization/divisions/${row.division_id}`,
      },
      ...organizationOf(row, related.organization, expand),
      createDate: row.created_at,
      modifyDate: row.modified_at,
      type: 'Curated',
      canonicalContact: ref(row.canonical_id),
      ...(related.set.length > 1 ? { mergeSet: related.set.map(ref) } : {}),
      ...(mergedFrom.length ? { mergedFrom: mergedFrom.map(ref) } : {}),
      ...(row.merged_to ? { mergedTo: ref(row.merged_to) } : {}),
      selfUri: contactUri(row.id),
    };
  }

  /** The division names `expand=division` asks for, each division read once. */
  async function divisionNames(rows: ExternalContactRow[], expand: Expand) {
    const names = new Map<string, string | undefined>();
    if (!expand.has('division')) return names;
    for (const r of rows)
      if (!names.has(r.division_id)) names.set(r.division_id, await divisionName(r.org_id, r.division_id));
    return names;
  }

  /** One contact. */
  async function view(executor: Executor, row: ExternalContactRow, expand: Expand = NO_EXPAND) {
    return (await views(executor, [row], expand))[0]!;
  }

  /** Contacts of one organization, their merge sets, organizations and divisions read in one query each. */
  async function views(executor: Executor, rows: ExternalContactRow[], expand: Expand = NO_EXPAND) {
    if (!rows.length) return [];
    const orgId = rows[0]!.org_id;
    const orgIds = [...new Set(rows.map((r) => r.external_organization_id).filter((id): id is string => !!id))];
    const [sets, organizations, names] = await Promise.all([
      store.mergeSetsOf(executor, orgId, [...new Set(rows.map((r) => r.canonical_id))]),
      store.organizations.many(executor, orgId, orgIds),
      divisionNames(rows, expand),
    ]);
    const byId = new Map(organizations.map((o) => [o.id, o]));
    return rows.map((r) =>
      render(
        r,
        {
          set: sets.get(r.canonical_id) ?? [r.id],
          organization: r.external_organization_id ? byId.get(r.external_organization_id) : undefined,
          divisionName: names.get(r.division_id),
        },
        expand,
      ),
    );
  }

  return { view, views };
}
