/** The SCIM service: Users and Groups over one store. */
import type { Clock } from '../../platform/clock.ts';
import type { Db, Trx } from '../../storage/db.ts';
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
  /** Called inside the transaction that deactivates or deletes a user, so its tokens stop for good. */
  onUserDeactivated?: (orgId: string, userId: string, trx: Trx) => Promise<void>;
}

export function createScimService({ db, clock, phoneRegion, onUserDeactivated = async () => {} }: ScimServiceDeps) {
  checkPhoneRegion(phoneRegion);
  const store = createScimStore();
  return {
    users: createScimUsers({ db, store, clock, phoneRegion, onUserDeactivated }),
    groups: createScimGroups({ db, store, clock }),
    /** What SCIM holds about users, for data-subject requests: plugged into `directory.personalData`. */
    personalData: createScimPersonalData({ store, phoneRegion }),
  };
}

export type ScimService = ReturnType<typeof createScimService>;
