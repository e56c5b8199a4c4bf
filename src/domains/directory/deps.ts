import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../storage/db.ts';
import type { DirectoryStore } from './store.ts';
import type { UserHooks } from './user-hooks.ts';

export type { UserDeactivatedHook, UserDeletedHook } from './user-hooks.ts';

export interface DirectoryDeps {
  db: Db;
  store: DirectoryStore;
  clock: Clock;
  hooks: UserHooks;
}
