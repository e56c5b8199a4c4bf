import type { Clock } from '../../platform/clock.ts';
import type { Db, Trx } from '../../storage/db.ts';
import type { DirectoryStore } from './store.ts';

/** Called inside the transaction that deactivates or deletes a user: its tokens must stop for good. */
export type UserDeactivatedHook = (orgId: string, userId: string, trx: Trx) => Promise<void>;

export interface DirectoryDeps {
  db: Db;
  store: DirectoryStore;
  clock: Clock;
  onUserDeactivated?: UserDeactivatedHook;
}
