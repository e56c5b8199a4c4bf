/**
 * Store wrappers that announce every write to what a user's view shows (the users row, the
 * division it names): the oauth domain drops the principals cached with the old view (the user
 * GET /api/v2/users/me answers from), in this process at once and in every other through the
 * invalidation bus. `userIds` null: any user of the organization (a division renamed, many users).
 */
import type { Executor } from '../../storage/db.ts';
import type { DivisionsStore } from './divisions-store.ts';
import type { DirectoryStore } from './store.ts';

export type UsersChanged = (orgId: string, userIds: readonly string[] | null) => void;

/** More users than this in one write are announced as the whole organization. */
const MANY = 20;

function notice<A extends unknown[], R>(
  write: (db: Executor, ...args: A) => R,
  changed: UsersChanged,
  whom: (...args: A) => [orgId: string, userIds: readonly string[] | null],
) {
  return async (db: Executor, ...args: A): Promise<Awaited<R>> => {
    const result = await write(db, ...args);
    const [orgId, ids] = whom(...args);
    changed(orgId, ids && ids.length > MANY ? null : ids);
    return result;
  };
}

export function noticingUserChanges(store: DirectoryStore, changed: UsersChanged): DirectoryStore {
  return {
    ...store,
    updateUser: notice(store.updateUser, changed, (orgId, id) => [orgId, [id]]),
    updateUserVersioned: notice(store.updateUserVersioned, changed, (orgId, id) => [orgId, [id]]),
    updateUserIfVersion: notice(store.updateUserIfVersion, changed, (orgId, id) => [orgId, [id]]),
    bumpUserVersions: notice(store.bumpUserVersions, changed, (orgId, ids) => [orgId, ids]),
  };
}

export function noticingDivisionChanges(store: DivisionsStore, changed: UsersChanged): DivisionsStore {
  return {
    ...store,
    // A renamed or deleted division changes the view of every user in it.
    updateDivision: notice(store.updateDivision, changed, (orgId) => [orgId, null]),
    moveUsers: notice(store.moveUsers, changed, (orgId, ids) => [orgId, ids]),
  };
}
