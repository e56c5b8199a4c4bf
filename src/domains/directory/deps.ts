import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../storage/db.ts';
import type { DirectoryStore } from './store.ts';

export interface DirectoryDeps {
  db: Db;
  store: DirectoryStore;
  clock: Clock;
}
