/** Users: list, get, create, patch, me. Every change is audited in its transaction. */
import { checkPassword } from '../../platform/password-policy.ts';
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { invalidValue, notFound } from '../../platform/errors/index.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { listing, type PageRequest } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import type { DivisionReach } from '../../storage/division-filter.ts';
import { isUniqueViolation, withTransaction } from '../../storage/db.ts';
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

export function createUsers({ db, store, clock, onUserDeactivated, onUserDeleted }: DirectoryDeps) {
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

  return {
    /** `expand` may hold `scim` (beyond upstream): each user then carries `scimManaged`. */
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
      const managed = expand.includes('scim')
        ? await store.scimManagedAmong(
            db,
            orgId,
            rows.map((r) => r.id),
          )
        : null;
      const views = rows.map((r) => ({
        ...userView(r, divisions.get(r.division_id)!),
        ...(managed ? { scimManaged: managed.has(r.id) } : {}),
      }));
      return listing(views, total, page, '/api/v2/users', query);
    },

    get: async (orgId: string, userId: string) => view(orgId, await get(orgId, userId)),
    getRow: get,

    /** The calling user; a client-credentials token acts as its service-account user, if it has one. */
    async me(caller: Caller) {
      const { principal } = caller;
      if (!principal.userId) throw notAUser();
      return view(principal.orgId, await get(principal.orgId, principal.userId));
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
      try {
        await withTransaction(db, async (trx) => {
          await store.insertUser(trx, row);
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
      } catch (err) {
        if (isUniqueViolation(err)) throw emailTaken(email);
        throw err;
      }
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
        // The key that keeps emails unique: a deleted user's is set aside, so its address can be
        // used again (as a SCIM DELETE frees it); restoring the user takes the address back, if
        // nobody has it since.
        if (patch.email !== undefined || patch.state !== undefined) {
          const key = (patch.email ?? current.email).toLowerCase();
          patch.email_key = (patch.state ?? current.state) === 'deleted' ? deletedEmailKey(key, userId) : key;
        }
        const updated: UserRow = {
          ...current,
          ...patch,
          version: current.version + 1,
          modified_at: clock.now().toISOString(),
        };
        try {
          await store.updateUser(trx, orgId, userId, {
            ...patch,
            version: updated.version,
            modified_at: updated.modified_at,
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw emailTaken(patch.email ?? current.email);
          throw err;
        }
        const event = await recordAudit(trx, clock, {
          orgId,
          serviceName: 'Directory',
          entityType: 'User',
          entityId: userId,
          entityName: updated.name,
          action: 'Update',
          ...auditOrigin(caller),
          changes: diffProperties(snapshot(current), snapshot(updated)),
        });
        if (updated.state === 'deleted' && current.state !== 'deleted')
          await onUserDeleted?.(orgId, userId, trx, caller, event);
        // Inactive or deleted: every token the user holds stops, in this transaction, and stays
        // stopped if the user is made active again.
        if (updated.state !== 'active' && updated.state !== current.state)
          await onUserDeactivated?.(orgId, userId, trx);
        return updated;
      });
      return view(orgId, next);
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
