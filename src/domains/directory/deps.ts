import type { Clock } from '../../platform/clock.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Db, Trx } from '../../storage/db.ts';
import type { DirectoryStore } from './store.ts';

/** Called inside the transaction that deactivates or deletes a user: its tokens must stop for good. */
export type UserDeactivatedHook = (orgId: string, userId: string, trx: Trx) => Promise<void>;

/**
 * Called inside the transaction that deletes a user through the users API, after its audit
 * event: what other domains hold for the user (SCIM index rows, memberships, reports) is released.
 */
export type UserDeletedHook = (
  orgId: string,
  userId: string,
  trx: Trx,
  caller: Caller,
  causeEventId: string,
) => Promise<void>;

export interface DirectoryDeps {
  db: Db;
  store: DirectoryStore;
  clock: Clock;
  onUserDeactivated?: UserDeactivatedHook;
  onUserDeleted?: UserDeletedHook;
}
