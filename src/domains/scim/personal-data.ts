/**
 * What SCIM holds about directory users, for data-subject requests: given and family names,
 * emails, phone numbers, addresses, external ids, employee number, manager, the other
 * attributes and group memberships. Registered by the SCIM service with the directory's users
 * source (`directory.hooks.extendPersonalData`), which records one audit event per user with the
 * changes answered here. Writes run in the request's transaction.
 */
import { diffProperties } from '../../platform/audit.ts';
import type { Replacement, SearchType, SourceOutcome } from '../../platform/personal-data.ts';
import type { Executor, Trx } from '../../storage/db.ts';
import type { ScimUserRow } from '../../storage/schema.ts';
import type { UserDataExtension, UserIdentifiers } from '../directory/index.ts';
import { toE164 } from './phones.ts';
import {
  type Address,
  fullName,
  isObject,
  type Json,
  objects,
  Rectification,
  sameText,
  type Typed,
  text,
} from './personal-data-rectify.ts';
import type { ScimStore } from './store.ts';

const attributesOf = (row: Pick<ScimUserRow, 'attributes'> | undefined): Json => {
  if (!row) return {};
  try {
    const parsed: unknown = JSON.parse(row.attributes);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
};

/** An address as one line: its formatted form, else its parts. */
export function addressLine(a: Address): string | undefined {
  return (
    text(a.formatted) ??
    ([a.streetAddress, a.locality, a.region, a.postalCode, a.country].map(text).filter(Boolean).join(', ') || undefined)
  );
}

const typedValues = (list: Typed[]) =>
  list.map((e) => `${text(e.type) ?? ''}:${String(e.value ?? '')}${e.primary === true ? ':primary' : ''}`);

export function createScimPersonalData({
  store,
  phoneRegion,
}: {
  store: ScimStore;
  phoneRegion: string;
}): UserDataExtension {
  /** A phone number as SCIM stores it (E.164), or as given when it does not parse. */
  const e164 = (raw: string) => {
    try {
      return toE164(raw, phoneRegion);
    } catch {
      return raw.trim();
    }
  };

  async function usersWithAddress(db: Executor, orgId: string, value: string, limit: number) {
    const rows = await store.scimUsersWithAddresses(db, orgId);
    return rows
      .filter((r) =>
        objects<Address>(attributesOf(r).addresses).some(
          (a) => sameText(a.formatted, value) || sameText(a.streetAddress, value),
        ),
      )
      .slice(0, limit)
      .map((r) => r.user_id);
  }

  return {
    async resolveUsers(db, orgId, terms) {
      const limit = 1000;
      const [byEmail, byPhone, byExternalId] = await Promise.all([
        store.usersByValues(db, orgId, 'scim_user_emails', terms.emails, limit),
        store.usersByValues(db, orgId, 'scim_user_phones', [...new Set(terms.phones.map(e164))], limit),
        store.usersByExternalIds(db, orgId, terms.externalIds, limit),
      ]);
      return [...new Set([...byEmail, ...byPhone, ...byExternalId])];
    },

    async findUsers(db, orgId, type: SearchType, value, limit) {
      switch (type) {
        case 'EMAIL':
          return store.usersByValues(db, orgId, 'scim_user_emails', [value], limit);
        case 'PHONE':
          return store.usersByValues(db, orgId, 'scim_user_phones', [e164(value)], limit);
        case 'EXTERNAL_ID':
          return store.usersByExternalIds(db, orgId, [value], limit);
        case 'NAME':
          return store.usersByFullName(db, orgId, value, limit);
        case 'ADDRESS':
          return usersWithAddress(db, orgId, value, limit);
        default:
          return [];
      }
    },

    async identifiers(db, orgId, userIds) {
      const [rows, emails, phones, externalIds] = await Promise.all([
        store.scimUsersOf(db, orgId, userIds),
        store.valuesOf(db, orgId, 'scim_user_emails', userIds),
        store.valuesOf(db, orgId, 'scim_user_phones', userIds),
        store.externalIdsOf(db, orgId, userIds),
      ]);
      const out = new Map<string, UserIdentifiers>();
      for (const id of userIds) {
        const row = rows.find((r) => r.user_id === id);
        const attrs = attributesOf(row);
        const name = isObject(attrs.name) ? attrs.name : {};
        out.set(id, {
          names: [fullName(row?.given_name ?? null, row?.family_name ?? null), text(name.formatted)].filter(
            (n): n is string => !!n,
          ),
          emails: emails.filter((e) => e.user_id === id).map((e) => e.value),
          phones: phones.filter((p) => p.user_id === id).map((p) => p.value),
          addresses: objects<Address>(attrs.addresses)
            .map(addressLine)
            .filter((a): a is string => !!a),
          externalIds: [
            ...(row?.external_id ? [row.external_id] : []),
            ...externalIds.filter((x) => x.user_id === id).map((x) => x.value),
          ],
        });
      }
      return out;
    },

    async export(db, orgId, userIds) {
      const [rows, externalIds, groups] = await Promise.all([
        store.scimUsersOf(db, orgId, userIds),
        store.externalIdsOf(db, orgId, userIds),
        store.groupsOfUsers(db, orgId, userIds),
      ]);
      const out = new Map<string, Json>();
      for (const id of userIds) {
        const row = rows.find((r) => r.user_id === id);
        const memberOf = groups.filter((g) => g.user_id === id).map((g) => ({ id: g.id, name: g.name }));
        if (!row && memberOf.length === 0) continue;
        const ids = externalIds
          .filter((x) => x.user_id === id)
          .map((x) => ({ authority: x.authority, value: x.value }));
        out.set(id, exportRecord(row, ids, memberOf));
      }
      return out;
    },

    async rectify(trx: Trx, orgId: string, userId: string, replacements: Replacement[]) {
      const nothing = { changes: [], counts: {}, write: async () => {} };
      const row = (await store.scimUsersOf(trx, orgId, [userId]))[0];
      if (!row) return nothing;
      const attrs = attributesOf(row);
      const change = new Rectification(row, attrs, phoneRegion, e164);
      for (const r of replacements) change.apply(r);
      const { counts, given, family, emails, phones } = change;
      if (Object.keys(counts).length === 0) return nothing;

      const before = snapshot(row.given_name, row.family_name, attrs);
      const next = change.attributes(attrs);
      const rows = (list: Typed[]) =>
        list.map((v, position) => ({
          user_id: userId,
          org_id: orgId,
          position,
          type: text(v.type) ?? null,
          value: String(v.value),
          is_primary: v.primary === true ? (1 as const) : (0 as const),
        }));
      return {
        changes: diffProperties(before, snapshot(given, family, next)),
        counts,
        async write(now: string) {
          await store.updateScimUser(trx, orgId, userId, {
            given_name: given,
            family_name: family,
            attributes: JSON.stringify(next),
            modified_at: now,
          });
          if (counts.emails) await store.replaceValues(trx, 'scim_user_emails', userId, rows(emails));
          if (counts.phones) await store.replaceValues(trx, 'scim_user_phones', userId, rows(phones));
        },
      };
    },

    async erase(trx: Trx, orgId: string, userId: string, now: string) {
      const [rows, emails, phones, externalIds] = await Promise.all([
        store.scimUsersOf(trx, orgId, [userId]),
        store.valuesOf(trx, orgId, 'scim_user_emails', [userId]),
        store.valuesOf(trx, orgId, 'scim_user_phones', [userId]),
        store.externalIdsOf(trx, orgId, [userId]),
      ]);
      const row = rows[0];
      const attrs = attributesOf(row);
      const properties = new Set<string>();
      if (row?.given_name) properties.add('name.givenName');
      if (row?.family_name) properties.add('name.familyName');
      if (row?.employee_number) properties.add('employeeNumber');
      if (row?.external_id) properties.add('externalId');
      if (row?.manager_id) properties.add('manager');
      for (const key of Object.keys(attrs)) properties.add(key);
      if (emails.length) properties.add('emails');
      if (phones.length) properties.add('phoneNumbers');
      if (externalIds.length) properties.add('externalIds');
      if (row) {
        // The row stays (the user is still known to have been provisioned), holding nothing personal.
        await store.updateScimUser(trx, orgId, userId, {
          external_id: null,
          given_name: null,
          family_name: null,
          employee_number: null,
          manager_id: null,
          attributes: '{}',
          modified_at: now,
        });
      }
      await store.replaceValues(trx, 'scim_user_emails', userId, []);
      await store.replaceValues(trx, 'scim_user_phones', userId, []);
      await store.replaceExternalIds(trx, orgId, userId, []);
      const counts: SourceOutcome = {
        names: [row?.given_name, row?.family_name].filter(Boolean).length,
        emails: Math.max(emails.length, objects(attrs.emails).length),
        phones: Math.max(phones.length, objects(attrs.phoneNumbers).length),
        addresses: objects(attrs.addresses).length,
        // The SCIM externalId has its own index row (authority x-pc:scimv2:v1) beside the column.
        externalIds: Math.max(externalIds.length, row?.external_id ? 1 : 0),
      };
      return {
        properties: [...properties].sort(),
        counts: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
      };
    },
  };
}

/** The whole `name`: the stored complex attribute with the given and family name columns. */
function nameOf(row: ScimUserRow | undefined, attrs: Json): Json {
  return {
    ...(isObject(attrs.name) ? attrs.name : {}),
    ...(row?.given_name ? { givenName: row.given_name } : {}),
    ...(row?.family_name ? { familyName: row.family_name } : {}),
  };
}

/** What a data-subject export shows of one user's SCIM record. */
function exportRecord(
  row: ScimUserRow | undefined,
  externalIds: { authority: string; value: string }[],
  groups: { id: string; name: string }[],
): Json {
  const attrs = attributesOf(row);
  const name = nameOf(row, attrs);
  const listed = (key: string) => (objects(attrs[key]).length ? { [key]: attrs[key] } : {});
  return {
    ...(row?.external_id ? { externalId: row.external_id } : {}),
    ...(Object.keys(name).length ? { name } : {}),
    ...listed('emails'),
    ...listed('phoneNumbers'),
    ...listed('addresses'),
    ...(externalIds.length ? { externalIds } : {}),
    ...(row?.employee_number ? { employeeNumber: row.employee_number } : {}),
    ...(row?.manager_id ? { manager: { id: row.manager_id } } : {}),
    ...(isObject(attrs.enterprise) ? { enterprise: attrs.enterprise } : {}),
    ...(isObject(attrs.genesys) ? { routing: attrs.genesys } : {}),
    groups,
    ...(row
      ? { managedByIdentityProvider: row.managed === 1, dateCreated: row.created_at, dateModified: row.modified_at }
      : {}),
  };
}

/** Flat snapshot of what a rectification can change, for the audit event's property changes. */
function snapshot(given: string | null, family: string | null, attrs: Json) {
  const name = isObject(attrs.name) ? attrs.name : {};
  return {
    'name.givenName': given,
    'name.familyName': family,
    'name.formatted': text(name.formatted) ?? null,
    emails: typedValues(objects<Typed>(attrs.emails)),
    phoneNumbers: typedValues(objects<Typed>(attrs.phoneNumbers)),
    addresses: objects<Address>(attrs.addresses).map((a) => addressLine(a) ?? ''),
  };
}
