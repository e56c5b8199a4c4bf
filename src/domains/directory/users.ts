/** Users: list, get, create, patch, me. Every change is audited in its transaction. */
import { checkPassword } from '../../platform/password-policy.ts';
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import type { DivisionReach } from '../../storage/division-filter.ts';
import { type Executor, isUniqueViolation, type Trx, withTransaction } from '../../storage/db.ts';
import type { UserRow } from '../../storage/schema.ts';
import type { DirectoryDeps } from './deps.ts';
import { emailTaken, notAUser, versionConflict } from './errors.ts';
import { userView } from './views.ts';

registerAuditEntity('Directory', 'User', ['Create', 'Update', 'Delete', 'ResetPassword']);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USER_STATES = ['active', 'inactive', 'deleted'];

/** A deleted user's email key: set aside so the address can belong to someone else. */
export const deletedEmailKey = (emailKey: string, userId: string) => `${emailKey}#deleted:${userId}`;

export interface CreateUserInput {
  name: string;
  email: string;
  divisionId?: string;
  title?: string;
  department?: string;
  password?: string;
  state?: string;
  serviceAccount?: boolean;
}

export interface PatchUserInput {
  version: number;
  name?: string;
  email?: string;
  title?: string;
  department?: string;
  state?: string;
}

const snapshot = (u: UserRow) => ({
  name: u.name,
  email: u.email,
  title: u.title,
  department: u.department,
  state: u.state,
  divisionId: u.division_id,
});

/** What a write in another domain's transaction (SCIM) may set on a user; the rules fill in the rest. */
export interface UserChanges {
  email?: string;
  name?: string;
  title?: string | null;
  department?: string | null;
  state?: string;
  divisionId?: string;
  passwordHash?: string;
}

/** A new user as another domain (SCIM) provisions it: the directory gives it its key and version. */
export interface NewUser {
  id: string;
  orgId: string;
  email: string;
  name: string;
  title: string | null;
  department: string | null;
  divisionId: string;
  state: string;
  passwordHash: string | null;
}

/**
 * The key that keeps emails unique per organization: the lower-cased email, set aside for a
 * deleted user so its address can be used again; restoring the user takes the address back (or
 * meets the unique index when someone has it since).
 */
export function emailKeyOf(email: string, state: string, userId: string): string {
  const key = email.toLowerCase();
  return state === 'deleted' ? deletedEmailKey(key, userId) : key;
}

/** A state change that stops the user's tokens for good (to inactive or deleted). */
const deactivates = (before: string, after: string) => after !== 'active' && after !== before;

/** Inserts, answering 409 `emailTaken` when the email key is already held. */
async function insertChecked(store: DirectoryDeps['store'], trx: Executor, row: UserRow) {
  try {
    await store.insertUser(trx, row);
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(row.email);
    throw err;
  }
}

/** The columns a PATCH changes, checked; the email key follows a new email or state. */
function patchOf(input: PatchUserInput, current: UserRow): Partial<UserRow> {
  const patch: Partial<UserRow> = {};
  if (input.name !== undefined) {
    if (!input.name.trim()) throw invalidValue('name', 'name must not be empty.');
    patch.name = input.name.trim();
  }
  if (input.email !== undefined) {
    if (!EMAIL.test(input.email.trim())) throw invalidValue('email', `"${input.email}" is not an email address.`);
    patch.email = input.email.trim();
  }
  if (input.title !== undefined) patch.title = input.title;
  if (input.department !== undefined) patch.department = input.department;
  if (input.state !== undefined) {
    if (!USER_STATES.includes(input.state))
      throw invalidValue('state', `state must be one of ${USER_STATES.join(', ')}.`);
    patch.state = input.state;
  }
  if (patch.email !== undefined || patch.state !== undefined)
    patch.email_key = emailKeyOf(patch.email ?? current.email, patch.state ?? current.state, current.id);
  return patch;
}

/** Writes a patch with the updated row's version; 409 `emailTaken` when its email is held. */
async function updateChecked(store: DirectoryDeps['store'], trx: Executor, updated: UserRow, patch: Partial<UserRow>) {
  try {
    await store.updateUser(trx, updated.org_id, updated.id, {
      ...patch,
      version: updated.version,
      modified_at: updated.modified_at,
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(updated.email);
    throw err;
  }
}

export function createUsers({ db, store, clock, hooks }: DirectoryDeps) {
  /** The audit event of a change to a user: what it was, what it is. */
  const auditUpdate = (trx: Trx, caller: Caller | null, before: UserRow, after: UserRow) =>
    recordAudit(trx, clock, {
      orgId: before.org_id,
      serviceName: 'Directory',
      entityType: 'User',
      entityId: before.id,
      entityName: after.name,
      action: 'Update',
      ...auditOrigin(caller),
      changes: diffProperties(snapshot(before), snapshot(after)),
    });

  async function view(orgId: string, u: UserRow) {
    const division = await store.findDivision(db, orgId, u.division_id);
    return userView(u, division ?? { id: u.division_id, name: '' });
  }

  /** The org's user, or 404 for an unknown id, a malformed one and another organization's alike. */
  async function get(orgId: string, userId: string) {
    const u = isUuid(userId) ? await store.findUser(db, orgId, userId) : undefined;
    if (!u) throw notFound('user', userId);
    return u;
  }

  /** The org's user (404 as `get`): its division (for a division check) and its view, in one read. */
  async function withView(orgId: string, userId: string) {
    const u = isUuid(userId) ? await store.findUserWithDivision(db, orgId, userId) : undefined;
    if (!u) throw notFound('user', userId);
    return { divisionId: u.division_id, view: userView(u, { id: u.division_id, name: u.division_name ?? '' }) };
  }

  return {
    /** `expand` may name a registered expansion (beyond upstream; SCIM's `scim` adds `scimManaged`). */
    async list(
      orgId: string,
      state: string,
      ids: string[],
      descending: boolean,
      page: PageRequest,
      query: Record<string, unknown>,
      expand: string[] = [],
      reach?: DivisionReach,
    ) {
      if (![...USER_STATES, 'any'].includes(state))
        throw invalidValue('state', `state must be one of ${[...USER_STATES, 'any'].join(', ')}.`);
      // An id that is not a UUID names no user. Asked only for such ids, the listing is empty
      // (an empty id filter would list everyone).
      const known = ids.filter((id) => isUuid(id));
      if (ids.length && !known.length) return listing([], 0, page, '/api/v2/users', query);
      const filter = { state, ids: known, descending, reach };
      const [rows, total] = await Promise.all([
        store.listUsers(db, orgId, filter, page.offset, page.pageSize),
        store.countUsers(db, orgId, filter),
      ]);
      const divisions = new Map<string, { id: string; name: string }>();
      for (const r of rows) {
        if (!divisions.has(r.division_id))
          divisions.set(
            r.division_id,
            (await store.findDivision(db, orgId, r.division_id)) ?? { id: r.division_id, name: '' },
          );
      }
      const expanded = await hooks.expand(
        db,
        orgId,
        expand,
        rows.map((r) => r.id),
      );
      const views = rows.map((r) => ({ ...userView(r, divisions.get(r.division_id)!), ...expanded.get(r.id) }));
      return listing(views, total, page, '/api/v2/users', query);
    },

    get: async (orgId: string, userId: string) => (await withView(orgId, userId)).view,
    getRow: get,
    /** The user's division (for a division check) and its view, in one read (GET /users/{id}). */
    withView,

    /** The calling user; a client-credentials token acts as its service-account user, if it has one. */
    async me(caller: Caller) {
      const { principal } = caller;
      if (!principal.userId) throw notAUser();
      return (await withView(principal.orgId, principal.userId)).view;
    },

    async create(orgId: string, caller: Caller | null, input: CreateUserInput) {
      const email = input.email.trim();
      if (!EMAIL.test(email)) throw invalidValue('email', `"${input.email}" is not an email address.`);
      if (!input.name.trim()) throw invalidValue('name', 'name must not be empty.');
      if (input.state && !USER_STATES.includes(input.state))
        throw invalidValue('state', `state must be one of ${USER_STATES.join(', ')}.`);
      const division = input.divisionId
        ? await store.findDivision(db, orgId, input.divisionId)
        : await store.homeDivision(db, orgId);
      if (!division) throw invalidValue('divisionId', `No division "${input.divisionId}" exists in this organization.`);
      if (input.password !== undefined) checkPassword(input.password, [email, input.name]);
      const now = clock.now().toISOString();
      const row: UserRow = {
        id: newId(),
        org_id: orgId,
        email,
        email_key: email.toLowerCase(),
        name: input.name.trim(),
        title: input.title ?? null,
        department: input.department ?? null,
        division_id: division.id,
        state: input.state ?? 'active',
        password_hash: input.password ? await hashPassword(input.password) : null,
        service_account: input.serviceAccount ? 1 : 0,
        version: 1,
        created_at: now,
        modified_at: now,
      };
      await withTransaction(db, async (trx) => {
        await insertChecked(store, trx, row);
        await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Directory',
          entityType: 'User',
          entityId: row.id,
          entityName: row.name,
          action: 'Create',
          ...auditOrigin(caller),
          changes: diffProperties(null, snapshot(row)),
        });
      });
      return userView(row, division);
    },

    /**
     * Sets a new password for the user with this email (the operator's recovery of a lost admin
     * password, `gatehouse reset-admin-password`); audited, the hash never enters the event.
     */
    async resetPassword(orgId: string, caller: Caller | null, email: string, password: string) {
      const passwordHash = await hashPassword(password);
      return withTransaction(db, async (trx) => {
        const user = await store.findUserByEmail(trx, orgId, email.trim().toLowerCase());
        if (!user || user.state === 'deleted') throw notFound('user', email);
        await store.updateUser(trx, orgId, user.id, {
          password_hash: passwordHash,
          modified_at: clock.now().toISOString(),
        });
        await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Directory',
          entityType: 'User',
          entityId: user.id,
          entityName: user.name,
          action: 'ResetPassword',
          ...auditOrigin(caller),
          changes: [{ property: 'authentication', oldValues: [], newValues: ['password reset'] }],
        });
        return { id: user.id, email: user.email };
      });
    },

    async patch(orgId: string, caller: Caller, userId: string, input: PatchUserInput) {
      const next = await withTransaction(db, async (trx) => {
        const current = isUuid(userId) ? await store.findUser(trx, orgId, userId) : undefined;
        if (!current) throw notFound('user', userId);
        if (input.version !== current.version) throw versionConflict(current.version);
        const patch = patchOf(input, current);
        const updated: UserRow = {
          ...current,
          ...patch,
          version: current.version + 1,
          modified_at: clock.now().toISOString(),
        };
        await updateChecked(store, trx, updated, patch);
        const event = await auditUpdate(trx, caller, current, updated);
        if (updated.state === 'deleted' && current.state !== 'deleted')
          await hooks.runDeleted(orgId, userId, trx, caller, event);
        // Inactive or deleted: every token the user holds stops, in this transaction, and stays
        // stopped if the user is made active again.
        if (deactivates(current.state, updated.state)) await hooks.runDeactivated(orgId, userId, trx);
        return updated;
      });
      return view(orgId, next);
    },

    // Writes another domain (SCIM) makes inside its own transaction, with the directory's rules;
    // that domain audits them in its own terms.

    /** A new user, version 1; 409 `emailTaken` when its email is held. */
    async insertInTransaction(trx: Trx, u: NewUser, now: string): Promise<UserRow> {
      const row: UserRow = {
        id: u.id,
        org_id: u.orgId,
        email: u.email,
        email_key: emailKeyOf(u.email, u.state, u.id),
        name: u.name,
        title: u.title,
        department: u.department,
        division_id: u.divisionId,
        state: u.state,
        password_hash: u.passwordHash,
        service_account: 0,
        version: 1,
        created_at: now,
        modified_at: now,
      };
      await insertChecked(store, trx, row);
      return row;
    },

    /**
     * Changes a user whose version is still `current.version` (optimistic: answers null when it
     * moved meanwhile), bumping the version; 409 `emailTaken` when the new email is held. A change
     * to inactive or deleted stops the user's tokens in this transaction.
     */
    async updateInTransaction(trx: Trx, current: UserRow, changes: UserChanges, now: string) {
      const state = changes.state ?? current.state;
      const email = changes.email ?? current.email;
      const patch: Partial<UserRow> = {
        ...(changes.email !== undefined ? { email: changes.email } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.department !== undefined ? { department: changes.department } : {}),
        ...(changes.divisionId !== undefined ? { division_id: changes.divisionId } : {}),
        ...(changes.passwordHash !== undefined ? { password_hash: changes.passwordHash } : {}),
        state,
        email_key: emailKeyOf(email, state, current.id),
        version: current.version + 1,
        modified_at: now,
      };
      let moved: boolean;
      try {
        moved = await store.updateUserVersioned(trx, current.org_id, current.id, current.version, patch);
      } catch (err) {
        if (isUniqueViolation(err)) throw emailTaken(email);
        throw err;
      }
      if (!moved) return null;
      if (deactivates(current.state, state)) await hooks.runDeactivated(current.org_id, current.id, trx);
      return { ...current, ...patch } as UserRow;
    },

    /**
     * Deletes a service-account user (state deleted, as a PATCH makes it) in another domain's
     * transaction: the user of a deleted OAuth client. Audited as that PATCH is, with the
     * deletion hooks; its tokens stop. A person, or a user already deleted, is left as it is.
     */
    async deleteServiceAccountInTransaction(trx: Trx, orgId: string, caller: Caller, userId: string) {
      const current = await store.findUser(trx, orgId, userId);
      if (current?.service_account !== 1 || current.state === 'deleted') return;
      const updated = await this.updateInTransaction(trx, current, { state: 'deleted' }, clock.now().toISOString());
      if (!updated) return;
      const event = await auditUpdate(trx, caller, current, updated);
      await hooks.runDeleted(orgId, userId, trx, caller, event);
    },

    /** Bumps the version of these users (not deleted ones), as when their manager goes: answers them. */
    touchInTransaction: (trx: Trx, orgId: string, userIds: string[], now: string) =>
      store.bumpUserVersions(trx, orgId, userIds, now),
  };
}

export type Users = ReturnType<typeof createUsers>;
