/**
 * What other domains attach to the directory's users, registered by those domains when they are
 * built (never bound late by the composition root): what must happen in the transaction that
 * deactivates or deletes a user, and extra fields a users listing can be expanded with.
 */
import type { Executor, Trx } from '../../storage/db.ts';
import type { Caller } from '../../platform/principal.ts';
import type { UserDataExtension } from './user-data-extension.ts';
import type { UsersChanged } from './user-changes.ts';

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

/** Fields merged into each listed user's view for an `expand` value, by user id. */
export type UserExpansion = (
  db: Executor,
  orgId: string,
  userIds: string[],
) => Promise<Map<string, Record<string, unknown>>>;

export function createUserHooks() {
  const deactivated: UserDeactivatedHook[] = [];
  const deleted: UserDeletedHook[] = [];
  const expansions = new Map<string, UserExpansion>();
  const grantListeners: ((orgId: string) => void)[] = [];
  const userListeners: UsersChanged[] = [];
  let personalData: UserDataExtension | undefined;
  return {
    /** Called after a write to users (or the divisions they name) in the organization: cached views are stale. */
    onUsersChanged: (listener: UsersChanged) => void userListeners.push(listener),
    usersChanged(orgId: string, userIds: readonly string[] | null) {
      for (const listener of userListeners) listener(orgId, userIds);
    },
    /** Called when roles or grants of the organization change (cached permissions are stale). */
    onGrantsChanged: (listener: (orgId: string) => void) => void grantListeners.push(listener),
    grantsChanged(orgId: string) {
      for (const listener of grantListeners) listener(orgId);
    },
    /** Runs inside every transaction that makes a user inactive or deleted (its tokens stop for good). */
    onUserDeactivated: (hook: UserDeactivatedHook) => void deactivated.push(hook),
    /** Runs inside the transaction that deletes a user through the users API, after its audit event. */
    onUserDeleted: (hook: UserDeletedHook) => void deleted.push(hook),
    /** `GET /api/v2/users?expand=<name>` merges what `expansion` answers into each user (beyond upstream). */
    registerExpansion: (name: string, expansion: UserExpansion) => void expansions.set(name, expansion),
    /** What another domain (SCIM) holds about users, merged into the users source of data-subject requests. */
    extendPersonalData(extension: UserDataExtension) {
      if (personalData) throw new Error('The users source of personal data takes one extension.');
      personalData = extension;
    },
    personalDataExtension: () => personalData,

    async runDeactivated(orgId: string, userId: string, trx: Trx) {
      for (const hook of deactivated) await hook(orgId, userId, trx);
    },
    async runDeleted(...args: Parameters<UserDeletedHook>) {
      for (const hook of deleted) await hook(...args);
    },
    /** The fields each expansion named in `expand` adds, merged per user. */
    async expand(db: Executor, orgId: string, names: string[], userIds: string[]) {
      const out = new Map<string, Record<string, unknown>>();
      for (const name of names) {
        const expansion = expansions.get(name);
        if (!expansion || userIds.length === 0) continue;
        for (const [id, fields] of await expansion(db, orgId, userIds)) out.set(id, { ...out.get(id), ...fields });
      }
      return out;
    },
  };
}

export type UserHooks = ReturnType<typeof createUserHooks>;
