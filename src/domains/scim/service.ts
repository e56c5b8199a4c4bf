/** The SCIM service: Users and Groups over one store. */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../storage/db.ts';
import type { DirectoryService } from '../directory/index.ts';
import { createScimGroups } from './groups.ts';
import { createScimPersonalData } from './personal-data.ts';
import { checkPhoneRegion } from './phones.ts';
import { createScimStore } from './store.ts';
import { createScimUsers } from './users.ts';

export interface ScimServiceDeps {
  db: Db;
  clock: Clock;
  /** Default region for phone numbers without a country code (config scimPhoneRegion). */
  phoneRegion: string;
  /** Owns the users rows; SCIM writes them through it and attaches its hooks to it. */
  directory: DirectoryService;
}

export function createScimService({ db, clock, phoneRegion, directory }: ScimServiceDeps) {
  checkPhoneRegion(phoneRegion);
  const store = createScimStore();
  const users = createScimUsers({ db, store, clock, phoneRegion, directory });
  // A user deleted through the users API releases its SCIM rows, memberships and reports in the
  // deletion's transaction; `GET /api/v2/users?expand=scim` marks the users SCIM manages.
  directory.hooks.onUserDeleted((orgId, userId, trx, caller, causeEventId) =>
    users.releaseDeletedUser(trx, orgId, userId, caller, causeEventId),
  );
  directory.hooks.registerExpansion('scim', async (ex, orgId, userIds) => {
    const managed = new Set(await store.managedAmong(ex, orgId, userIds));
    return new Map(userIds.map((id) => [id, { scimManaged: managed.has(id) }]));
  });
  // What SCIM holds about users joins the directory's users source of data-subject requests.
  directory.hooks.extendPersonalData(createScimPersonalData({ store, phoneRegion }));
  return {
    users,
    groups: createScimGroups({ db, store, clock }),
  };
}

export type ScimService = ReturnType<typeof createScimService>;
