/**
 * The directory users' personal data for data-subject requests (the `users` source): finds
 * users by email, name and what an extension (SCIM, registered through the directory's hooks) holds about
 * them, exports their record, rectifies names and emails, and erases a user by anonymizing its
 * row with the side effects a deletion has. Never opens a transaction: rectify and erase run in
 * the request's.
 */
import { auditOrigin, diffProperties, type PropertyChange, recordAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue } from '../../platform/errors/index.ts';
import type {
  FoundSubject,
  PersonalDataSource,
  Replacement,
  ResolvedSubject,
  SearchType,
  SourceOutcome,
} from '../../platform/personal-data.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Executor, isUniqueViolation, type Trx } from '../../storage/db.ts';
import type { UserRow } from '../../storage/schema.ts';
import type { UserDeactivatedHook, UserDeletedHook } from './deps.ts';
import { emailTaken } from './errors.ts';
import type { DirectoryStore } from './store.ts';
import type { UserDataExtension, UserIdentifiers } from './user-data-extension.ts';
import { deletedEmailKey } from './users.ts';

export const ANONYMIZED_NAME = 'Anonymized user';
/** An erased user's address: unique, and in a reserved top-level domain (RFC 2606), so never routable. */
export const anonymizedEmail = (userId: string) => `anonymized-${userId}@gdpr.invalid`;
const isErased = (u: Pick<UserRow, 'id' | 'email'>) => u.email === anonymizedEmail(u.id);

/** At most this many subjects answer one search. */
const MAX_FOUND = 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_NAME = 255;
const MAX_EMAIL = 254;

export type { UserDataExtension, UserIdentifiers } from './user-data-extension.ts';

export interface DirectoryPersonalDataDeps {
  store: DirectoryStore;
  clock: Clock;
  /** The hooks a deletion through the users API runs (token revocation, SCIM release). */
  onUserDeactivated?: UserDeactivatedHook;
  onUserDeleted?: UserDeletedHook;
  extension?: UserDataExtension;
}

export type DirectoryPersonalData = PersonalDataSource & {
  /** The users' own identifiers (name, emails, phones, addresses, external ids), erased users left out. */
  describeUsers(db: Executor, orgId: string, userIds: string[]): Promise<UserIdentifiers>;
};

/** Case-insensitively distinct, in first-seen order, blanks dropped. */
function distinct(values: Iterable<string | null | undefined>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const text = v?.trim();
    if (!text || seen.has(text.toLowerCase())) continue;
    seen.add(text.toLowerCase());
    out.push(text);
  }
  return out;
}

function add(counts: SourceOutcome, more: SourceOutcome) {
  for (const [k, n] of Object.entries(more)) if (n) counts[k] = (counts[k] ?? 0) + n;
}

const snapshot = (u: UserRow) => ({ name: u.name, email: u.email });

/** The row moved between this request's read and its write (an administrator or SCIM changed the user). */
const changedMeanwhile = (userId: string) =>
  new ApiError(
    409,
    'general.conflict',
    `User ${userId} was changed by another request while this one ran; nothing was changed. Submit the request again.`,
  );

export function createDirectoryPersonalData({
  store,
  clock,
  onUserDeactivated,
  onUserDeleted,
  extension,
}: DirectoryPersonalDataDeps): DirectoryPersonalData {
  /** The organization's users among these ids, erased ones left out. */
  async function liveUsers(db: Executor, orgId: string, ids: string[]) {
    return (await store.findUsersByIds(db, orgId, [...new Set(ids)])).filter((u) => !isErased(u));
  }

  async function identifiersOf(db: Executor, orgId: string, users: UserRow[]) {
    const more = extension
      ? await extension.identifiers(
          db,
          orgId,
          users.map((u) => u.id),
        )
      : new Map<string, UserIdentifiers>();
    return new Map(
      users.map((u) => {
        const x = more.get(u.id);
        return [
          u.id,
          {
            names: distinct([u.name, ...(x?.names ?? [])]),
            emails: distinct([u.email, ...(x?.emails ?? [])]),
            phones: distinct(x?.phones ?? []),
            addresses: distinct(x?.addresses ?? []),
            externalIds: distinct(x?.externalIds ?? []),
          } satisfies UserIdentifiers,
        ];
      }),
    );
  }

  /** The new name or email a user's row takes, checked; null when no term names its value. */
  function replacementFor(replacements: Replacement[], type: SearchType, current: string): string | null {
    const r = replacements.find(
      (t) => t.type === type && t.existingValue.trim().toLowerCase() === current.toLowerCase(),
    );
    return r ? r.updatedValue.trim() : null;
  }

  /** The name a rectification gives the user, checked; nothing when no term changes it. */
  function renamed(before: UserRow, replacements: Replacement[]): Partial<UserRow> {
    const name = replacementFor(replacements, 'NAME', before.name);
    if (name === null || name === before.name) return {};
    if (!name || [...name].length > MAX_NAME)
      throw invalidValue('replacementTerms', `A name must be 1 to ${MAX_NAME} characters long.`);
    return { name };
  }

  /** The email (and its key) a rectification gives the user, checked and free; nothing when unchanged. */
  async function reEmailed(trx: Trx, orgId: string, before: UserRow, replacements: Replacement[]) {
    const email = replacementFor(replacements, 'EMAIL', before.email);
    if (email === null || email === before.email) return {};
    if (!EMAIL.test(email) || [...email].length > MAX_EMAIL)
      throw invalidValue('replacementTerms', `"${email}" is not an email address.`);
    const key = email.toLowerCase();
    // A deleted user's key stays set aside; a live user's must be free (checked first, so the
    // refusal never depends on how the database reports a unique violation in a transaction).
    const patch: Partial<UserRow> = {
      email,
      email_key: before.state === 'deleted' ? deletedEmailKey(key, before.id) : key,
    };
    const holder = before.state === 'deleted' ? undefined : await store.findUserByEmail(trx, orgId, key);
    if (holder && holder.id !== before.id) throw emailTaken(email);
    return patch;
  }

  /** Writes the patch over the version read; a concurrent change or a taken email refuses it. */
  async function writeRectified(trx: Trx, orgId: string, before: UserRow, after: UserRow, patch: Partial<UserRow>) {
    try {
      const written = await store.updateUserIfVersion(trx, orgId, before.id, before.version, {
        ...patch,
        version: after.version,
        modified_at: after.modified_at,
      });
      if (!written) throw changedMeanwhile(before.id);
    } catch (err) {
      if (isUniqueViolation(err)) throw emailTaken(after.email);
      throw err;
    }
  }

  async function rectifyUser(
    trx: Trx,
    orgId: string,
    before: UserRow,
    replacements: Replacement[],
    caller: Caller,
    causeEventId: string,
    counts: SourceOutcome,
  ) {
    const patch: Partial<UserRow> = {
      ...renamed(before, replacements),
      ...(await reEmailed(trx, orgId, before, replacements)),
    };
    const more = extension ? await extension.rectify(trx, orgId, before.id, replacements) : null;
    if (Object.keys(patch).length === 0 && !more?.changes.length) return;
    const now = clock.now().toISOString();
    const after: UserRow = { ...before, ...patch, version: before.version + 1, modified_at: now };
    await writeRectified(trx, orgId, before, after, patch);
    await more?.write(now);
    await recordAudit(trx, clock, {
      orgId,
      serviceName: 'Directory',
      entityType: 'User',
      entityId: before.id,
      entityName: after.name,
      action: 'Update',
      ...auditOrigin(caller),
      causeEventId,
      changes: [...diffProperties(snapshot(before), snapshot(after)), ...(more?.changes ?? [])],
    });
    add(counts, { users: 1, names: patch.name !== undefined ? 1 : 0, emails: patch.email !== undefined ? 1 : 0 });
    add(counts, more?.counts ?? {});
  }

  async function eraseUser(
    trx: Trx,
    orgId: string,
    before: UserRow,
    caller: Caller,
    causeEventId: string,
    counts: SourceOutcome,
  ) {
    const now = clock.now().toISOString();
    const email = anonymizedEmail(before.id);
    const written = await store.updateUserIfVersion(trx, orgId, before.id, before.version, {
      name: ANONYMIZED_NAME,
      email,
      email_key: deletedEmailKey(email, before.id),
      title: null,
      department: null,
      password_hash: null,
      state: 'deleted',
      version: before.version + 1,
      modified_at: now,
    });
    if (!written) throw changedMeanwhile(before.id);
    const more = extension ? await extension.erase(trx, orgId, before.id, now) : { properties: [], counts: {} };
    // The event names what was erased, never the erased values: the new values only.
    const cleared = (property: string): PropertyChange => ({ property, oldValues: [], newValues: [] });
    const changes: PropertyChange[] = [
      { property: 'name', oldValues: [], newValues: [ANONYMIZED_NAME] },
      { property: 'email', oldValues: [], newValues: [email] },
      ...(before.title ? [cleared('title')] : []),
      ...(before.department ? [cleared('department')] : []),
      ...(before.password_hash ? [{ property: 'authentication', oldValues: ['password set'], newValues: [] }] : []),
      ...(before.state !== 'deleted' ? [{ property: 'state', oldValues: [before.state], newValues: ['deleted'] }] : []),
      ...more.properties.map(cleared),
    ];
    const event = await recordAudit(trx, clock, {
      orgId,
      serviceName: 'Directory',
      entityType: 'User',
      entityId: before.id,
      entityName: ANONYMIZED_NAME,
      action: 'Update',
      ...auditOrigin(caller),
      causeEventId,
      changes,
    });
    // What a deletion through the users API does: other domains release the user (SCIM rows,
    // memberships, reports), and every token it holds stops. Revoking again is harmless, so an
    // already-deleted user's tokens are revoked once more rather than trusted to be.
    if (before.state !== 'deleted') await onUserDeleted?.(orgId, before.id, trx, caller, event);
    await onUserDeactivated?.(orgId, before.id, trx);
    add(counts, {
      users: 1,
      names: 1,
      emails: 1,
      titles: before.title ? 1 : 0,
      departments: before.department ? 1 : 0,
    });
    add(counts, more.counts);
  }

  return {
    name: 'users',

    async findSubjects(db: Executor, orgId: string, type: SearchType, value: string): Promise<FoundSubject[]> {
      const term = value.trim();
      if (!term) return [];
      const ids: string[] = [];
      if (type === 'EMAIL')
        ids.push(
          ...(await store.findUsersByEmailKeys(db, orgId, [term.toLowerCase()], MAX_FOUND))
            .filter((u) => u.email.toLowerCase() === term.toLowerCase())
            .map((u) => u.id),
        );
      else if (type === 'NAME') ids.push(...(await store.findUsersByName(db, orgId, term, MAX_FOUND)).map((u) => u.id));
      else if (!['PHONE', 'EXTERNAL_ID', 'ADDRESS'].includes(type)) return [];
      if (extension) ids.push(...(await extension.findUsers(db, orgId, type, term, MAX_FOUND)));
      const users = (await liveUsers(db, orgId, ids)).slice(0, MAX_FOUND);
      const identifiers = await identifiersOf(db, orgId, users);
      return users.map((u) => {
        const x = identifiers.get(u.id)!;
        return {
          name: u.name,
          userId: u.id,
          emailAddresses: x.emails,
          phoneNumbers: x.phones,
          ...(x.addresses.length ? { addresses: x.addresses } : {}),
          ...(x.externalIds.length ? { externalId: x.externalIds[0] } : {}),
        };
      });
    },

    async resolveUsers(db: Executor, orgId: string, subject: ResolvedSubject): Promise<string[]> {
      const keys = distinct(subject.emails).map((e) => e.toLowerCase());
      const byEmail = (await store.findUsersByEmailKeys(db, orgId, keys, MAX_FOUND)).filter((u) =>
        keys.includes(u.email.toLowerCase()),
      );
      const more = extension
        ? await extension.resolveUsers(db, orgId, {
            emails: subject.emails,
            phones: subject.phones,
            externalIds: subject.externalIds,
          })
        : [];
      const users = await liveUsers(db, orgId, [...byEmail.map((u) => u.id), ...more]);
      return users.map((u) => u.id).sort();
    },

    async describeUsers(db: Executor, orgId: string, userIds: string[]): Promise<UserIdentifiers> {
      const all = [...(await identifiersOf(db, orgId, await liveUsers(db, orgId, userIds))).values()];
      return {
        names: distinct(all.flatMap((x) => x.names)),
        emails: distinct(all.flatMap((x) => x.emails)),
        phones: distinct(all.flatMap((x) => x.phones)),
        addresses: distinct(all.flatMap((x) => x.addresses)),
        externalIds: distinct(all.flatMap((x) => x.externalIds)),
      };
    },

    async export(db: Executor, orgId: string, subject: ResolvedSubject) {
      const users = await store.findUsersByIds(db, orgId, [...new Set(subject.userIds)]);
      if (users.length === 0) return null;
      const more = extension
        ? await extension.export(
            db,
            orgId,
            users.map((u) => u.id),
          )
        : new Map<string, Record<string, unknown>>();
      const out = [];
      for (const u of users) {
        const division = await store.findDivision(db, orgId, u.division_id);
        const grants = await store.grantsOf(db, orgId, u.id);
        out.push({
          id: u.id,
          name: u.name,
          email: u.email,
          ...(u.title ? { title: u.title } : {}),
          ...(u.department ? { department: u.department } : {}),
          state: u.state,
          serviceAccount: u.service_account === 1,
          division: { id: u.division_id, name: division?.name ?? '' },
          roles: grants.map((g) => ({ id: g.role_id, name: g.role_name, divisionId: g.division_id })),
          dateCreated: u.created_at,
          dateModified: u.modified_at,
          ...(more.has(u.id) ? { scim: more.get(u.id) } : {}),
        });
      }
      return { users: out };
    },

    async rectify(
      trx: Trx,
      orgId: string,
      subject: ResolvedSubject,
      replacements: Replacement[],
      caller: Caller,
      causeEventId: string,
    ) {
      const counts: SourceOutcome = {};
      // In id order, so concurrent requests take the rows' locks in the same order.
      for (const u of (await liveUsers(trx, orgId, subject.userIds)).sort((a, b) => a.id.localeCompare(b.id))) {
        await rectifyUser(trx, orgId, u, replacements, caller, causeEventId, counts);
      }
      return counts;
    },

    async erase(trx: Trx, orgId: string, subject: ResolvedSubject, caller: Caller, causeEventId: string) {
      const counts: SourceOutcome = {};
      for (const u of (await liveUsers(trx, orgId, subject.userIds)).sort((a, b) => a.id.localeCompare(b.id))) {
        await eraseUser(trx, orgId, u, caller, causeEventId, counts);
      }
      return counts;
    },
  };
}
