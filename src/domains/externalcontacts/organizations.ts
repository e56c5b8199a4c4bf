/** External organizations (the companies contacts work for): CRUD and a name search, audited. */
import { auditOrigin, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { conflict, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { type PageRequest, listing } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Trx, withTransaction } from '../../storage/db.ts';
import type { ExternalOrganizationRow } from '../../storage/schema.ts';
import { normalizePhoneNumber } from './model.ts';
import type { ExternalOrganizationInput } from './schemas.ts';
import { AUDIT_SERVICE } from './service.ts';
import { createExternalContactStore } from './store.ts';
import { organizationView as view } from './views.ts';

const AUDIT_ENTITY = 'ExternalOrganization';
registerAuditEntity(AUDIT_SERVICE, AUDIT_ENTITY, ['Create', 'Update', 'Delete']);

function stored(input: ExternalOrganizationInput, region: string) {
  const { id: _id, ...rest } = input;
  return {
    ...rest,
    name: input.name.trim(),
    ...(input.phoneNumber ? { phoneNumber: normalizePhoneNumber('phoneNumber', input.phoneNumber, region) } : {}),
    ...(input.faxNumber ? { faxNumber: normalizePhoneNumber('faxNumber', input.faxNumber, region) } : {}),
  };
}

export function createExternalOrganizationsService(deps: {
  db: Db;
  clock: Clock;
  phoneRegion: string;
  homeDivision(orgId: string): Promise<{ id: string }>;
}) {
  const { db, clock } = deps;
  const store = createExternalContactStore().organizations;
  const audit = (trx: Trx, caller: Caller, row: { id: string; name: string }, action: string, changed: string[]) =>
    recordAudit(trx, clock, {
      orgId: caller.principal.orgId,
      serviceName: AUDIT_SERVICE,
      entityType: AUDIT_ENTITY,
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes: changed.map((property) => ({ property, oldValues: [], newValues: [] })),
    });
  const load = async (orgId: string, id: string, executor: Db | Trx = db) => {
    const row = await store.find(executor, orgId, id);
    if (!row) throw notFound('external organization', id);
    return row;
  };
  return {
    async create(caller: Caller, input: ExternalOrganizationInput) {
      const body = stored(input, deps.phoneRegion);
      const now = clock.now().toISOString();
      const row: ExternalOrganizationRow = {
        id: newId(),
        org_id: caller.principal.orgId,
        division_id: (await deps.homeDivision(caller.principal.orgId)).id,
        name: body.name,
        body: JSON.stringify(body),
        version: 1,
        created_at: now,
        modified_at: now,
      };
      await withTransaction(db, async (trx) => {
        await store.insert(trx, row);
        await audit(trx, caller, row, 'Create', Object.keys(body).sort());
      });
      return view(row);
    },
    get: async (caller: Caller, id: string) => view(await load(caller.principal.orgId, id)),
    async replace(caller: Caller, id: string, input: ExternalOrganizationInput) {
      const body = stored(input, deps.phoneRegion);
      return withTransaction(db, async (trx) => {
        const before = await load(caller.principal.orgId, id, trx);
        const patch = {
          name: body.name,
          body: JSON.stringify(body),
          version: before.version + 1,
          modified_at: clock.now().toISOString(),
        };
        await store.update(trx, caller.principal.orgId, id, patch);
        await audit(trx, caller, { id, name: body.name }, 'Update', Object.keys(body).sort());
        return view({ ...before, ...patch });
      });
    },
    async remove(caller: Caller, id: string) {
      await withTransaction(db, async (trx) => {
        const row = await load(caller.principal.orgId, id, trx);
        if (await store.inUse(trx, caller.principal.orgId, id))
          throw conflict('Contacts still belong to this external organization; move or delete them first.', id);
        await store.remove(trx, caller.principal.orgId, id);
        await audit(trx, caller, row, 'Delete', []);
      });
    },
    async list(caller: Caller, page: PageRequest, q: string | undefined, query: Record<string, unknown>) {
      const orgId = caller.principal.orgId;
      const [rows, total] = await Promise.all([
        store.page(db, orgId, q?.trim() || undefined, page.offset, page.pageSize),
        store.count(db, orgId, q?.trim() || undefined),
      ]);
      return {
        ...listing(rows.map(view), total, page, '/api/v2/externalcontacts/organizations', query),
        partialResults: false,
      };
    },
  };
}

export type ExternalOrganizationsService = ReturnType<typeof createExternalOrganizationsService>;
