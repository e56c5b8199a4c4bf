/**
 * The SCIM rows a user write leaves (scim_users, the email, phone and external-id index rows),
 * the checks made before them, and the division a write names: inside the write's transaction.
 */
import { insertAll, isUniqueViolation, type Trx } from '../../storage/db.ts';
import type { ScimUserRow, UserRow } from '../../storage/schema.ts';
import { invalidValue, uniqueness } from './errors.ts';
import { SCIM_AUTHORITY, type UserWrite } from './resource.ts';
import type { ScimStore } from './store.ts';

export function externalIdRows(w: UserWrite) {
  return [...(w.externalId ? [{ authority: SCIM_AUTHORITY, value: w.externalId }] : []), ...w.externalIds];
}

const externalIdsTaken = (w: UserWrite) =>
  uniqueness(
    `externalId ${externalIdRows(w)
      .map((x) => `"${x.value}" (authority ${x.authority})`)
      .join(' or ')} is already taken by another user.`,
  );

export function createUserRows(store: ScimStore) {
  return {
    /** 409 uniqueness when another user holds the userName or one of the external ids. */
    async checkUnique(ex: Trx, orgId: string, userId: string, w: UserWrite) {
      const holder = await store.emailHolder(ex, orgId, w.email.toLowerCase());
      if (holder && holder.id !== userId) throw uniqueness(`userName "${w.email}" is already taken by another user.`);
      const holders = await store.externalIdHolders(ex, orgId, externalIdRows(w));
      const other = holders.find((h) => h.user_id !== userId);
      if (other)
        throw uniqueness(
          `externalId "${other.value}" (authority ${other.authority}) is already taken by another user.`,
        );
    },

    /** The division a write leaves the user in: the one named, else the current one, else Home. */
    async divisionFor(
      ex: Trx,
      orgId: string,
      w: UserWrite,
      current: UserRow | null,
    ): Promise<{ id: string; name?: string }> {
      if (w.divisionName) {
        const d = await store.divisionByName(ex, orgId, w.divisionName);
        if (!d) throw invalidValue(`No division named "${w.divisionName}" exists in this organization.`);
        return d;
      }
      return current ? { id: current.division_id } : store.homeDivision(ex, orgId);
    },

    /**
     * Writes the SCIM rows and answers the scim_users row. `previous`: what the user held before
     * (its manager is checked again only when the write changes it), or null for a new user, whose
     * rows are only inserted (nothing to delete first) and whose external ids, when another user
     * holds one, answer 409 uniqueness from the unique index instead of a lookup beforehand.
     */
    async write(
      ex: Trx,
      orgId: string,
      userId: string,
      w: UserWrite,
      createdAt: string,
      now: string,
      previous: { managerId: string | null } | null,
    ): Promise<ScimUserRow> {
      if (w.managerId && w.managerId !== previous?.managerId) {
        if (w.managerId === userId) throw invalidValue('A user cannot be their own manager.');
        if (!(await store.findUser(ex, orgId, w.managerId)))
          throw invalidValue(`manager "${w.managerId}" is not a user of this organization.`);
      }
      const row: ScimUserRow = {
        user_id: userId,
        org_id: orgId,
        external_id: w.externalId,
        given_name: w.givenName,
        family_name: w.familyName,
        employee_number: w.employeeNumber,
        manager_id: w.managerId,
        attributes: JSON.stringify(w.attributes),
        managed: 1,
        created_at: createdAt,
        modified_at: now,
      };
      const values = (list: UserWrite['emails']) =>
        list.map((v, position) => ({
          user_id: userId,
          org_id: orgId,
          position,
          type: v.type,
          value: v.value,
          is_primary: v.primary ? (1 as const) : (0 as const),
        }));
      // The `other` email is the userName (users.email): filters read it there, it is not copied.
      const emails = values(w.emails.filter((e) => e.type !== 'other'));
      const phones = values(w.phones);
      if (previous === null) {
        // A new user: its rows in one statement on PostgreSQL (one round trip, not four); only the
        // external ids' unique index can refuse them.
        try {
          await insertAll(ex, [
            { table: 'scim_users', rows: [row] },
            { table: 'scim_user_emails', rows: emails },
            { table: 'scim_user_phones', rows: phones },
            {
              table: 'scim_user_external_ids',
              rows: externalIdRows(w).map((r) => ({ ...r, user_id: userId, org_id: orgId })),
            },
          ]);
        } catch (err) {
          if (isUniqueViolation(err)) throw externalIdsTaken(w);
          throw err;
        }
        return row;
      }
      await store.upsertScimUser(ex, row);
      await store.replaceValues(ex, 'scim_user_emails', userId, emails);
      await store.replaceValues(ex, 'scim_user_phones', userId, phones);
      await store.replaceExternalIds(ex, orgId, userId, externalIdRows(w));
      return row;
    },
  };
}

export type UserRows = ReturnType<typeof createUserRows>;
