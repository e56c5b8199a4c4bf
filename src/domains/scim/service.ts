/** The SCIM service: Users and Groups over one store. */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../storage/db.ts';
import { createScimGroups } from './groups.ts';
import { checkPhoneRegion } from './phones.ts';
import { createScimStore } from './store.ts';
import { createScimUsers } from './users.ts';

export interface ScimServiceDeps {
  db: Db;
  clock: Clock;
  /** Default region for phone numbers without a country code (config scimPhoneRegion). */
  phoneRegion: string;
  /** Called after a user is deactivated or deleted, so cached tokens stop at once. */
  onUserDeactivated?: (orgId: string, userId: string) => void;
}

export function createScimService({ db, clock, phoneRegion, onUserDeactivated = () => {} }: ScimServiceDeps) {
  checkPhoneRegion(phoneRegion);
  const store = createScimStore();
  return {
    users: createScimUsers({ db, store, clock, phoneRegion, onUserDeactivated }),
    groups: createScimGroups({ db, store, clock }),
  };
}

export type ScimService = ReturnType<typeof createScimService>;
