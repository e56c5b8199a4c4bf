/** Organizations and divisions, and the bootstrap of a new organization. */
import { auditOrigin, recordAudit, registerAuditEntity, diffProperties } from '../../platform/audit.ts';
import { notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import { withTransaction } from '../../storage/db.ts';
import type { DirectoryDeps } from './deps.ts';
import { divisionView, organizationView } from './views.ts';

registerAuditEntity('Directory', 'Organization', ['Create', 'Update']);

export function createOrganizations({ db, store, clock }: DirectoryDeps) {
  return {
    async me(orgId: string) {
      const org = await store.findOrganization(db, orgId);
      if (!org) throw notFound('organization', orgId);
      return organizationView(org);
    },

    async nameOf(orgId: string) {
      return (await store.findOrganization(db, orgId))?.name ?? '';
    },

    findByName: (name: string) => store.findOrganizationByName(db, name),
    count: () => store.countOrganizations(db),

    async divisions(orgId: string, page: PageRequest, query: Record<string, unknown>) {
      const [rows, total] = await Promise.all([
        store.listDivisions(db, orgId, page.offset, page.pageSize),
        store.countDivisions(db, orgId),
      ]);
      return listing(rows.map(divisionView), total, page, '/api/v2/authorization/divisions', query);
    },

    homeDivision: async (orgId: string) => divisionView(await store.homeDivision(db, orgId)),

    /** Creates an organization with its Home division, audited as a system action. */
    async create(name: string, domain: string) {
      const now = clock.now().toISOString();
      const org = {
        id: newId(),
        name,
        domain,
        state: 'active',
        default_language: 'en-us',
        version: 1,
        created_at: now,
        modified_at: now,
      };
      const home = {
        id: newId(),
        org_id: org.id,
        name: 'Home',
        description: 'The home division',
        home: 1 as const,
        created_at: now,
      };
      await withTransaction(db, async (trx) => {
        await store.insertOrganization(trx, org);
        await store.insertDivision(trx, home);
        await recordAudit(trx, clock, {
          orgId: org.id,
          serviceName: 'Directory',
          entityType: 'Organization',
          entityId: org.id,
          entityName: name,
          action: 'Create',
          ...auditOrigin(null),
          changes: diffProperties(null, { name, domain }),
        });
      });
      return { org: organizationView(org), homeDivisionId: home.id };
    },
  };
}

export type Organizations = ReturnType<typeof createOrganizations>;
