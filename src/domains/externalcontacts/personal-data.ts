/**
 * The external contacts domain's personal data, for data-subject requests: the subjects search
 * by every search type (phones in any format, handles ignoring case where the service does), the
 * contacts a request is about, their export (with the merge set), rectification and erasure
 * (upstream deletes an external contact on a GDPR delete).
 */
import { auditOrigin, recordAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type {
  FoundSubject,
  PersonalDataSource,
  Replacement,
  ResolvedContacts,
  ResolvedSubject,
  SearchType,
} from '../../platform/personal-data.ts';
import type { Caller } from '../../platform/principal.ts';
import type { Executor, Trx } from '../../storage/db.ts';
import type { ExternalContactRow } from '../../storage/schema.ts';
import {
  EMAIL_FIELDS,
  fullName,
  formatAddress,
  type IdentifierKind,
  identifiersOf,
  lookupValues,
  PHONE_FIELDS,
  type StoredContact,
} from './model.ts';
import { AUDIT_ENTITY, AUDIT_SERVICE } from './service.ts';
import { createExternalContactStore } from './store.ts';

/** The identifier kinds each search type looks in. */
const KINDS: Partial<Record<SearchType, IdentifierKind[]>> = {
  PHONE: ['PHONE', 'WHATSAPP'],
  EMAIL: ['EMAIL'],
  ADDRESS: ['ADDRESS'],
  TWITTER: ['TWITTER'],
  INSTAGRAM: ['INSTAGRAM'],
  FACEBOOK: ['FACEBOOK'],
  APPLE_MESSAGES: ['APPLE_MESSAGES'],
  WHATSAPP: ['WHATSAPP'],
  EXTERNAL_ID: ['EXTERNAL_ID'],
};
const MAX_SUBJECTS = 1000;

const bodyOf = (row: ExternalContactRow) => JSON.parse(row.body) as StoredContact;

function valuesOf(c: StoredContact) {
  const ids = identifiersOf(c);
  const of = (...kinds: IdentifierKind[]) => ids.filter((i) => kinds.includes(i.kind)).map((i) => i.value);
  return {
    names: [fullName(c), [c.firstName, c.lastName].filter(Boolean).join(' ')].filter((n): n is string => Boolean(n)),
    emails: EMAIL_FIELDS.map((k) => c[k]).filter((v): v is string => Boolean(v)),
    phones: [...PHONE_FIELDS.map((k) => c[k]?.e164), c.whatsAppId?.phoneNumber.e164].filter((v): v is string =>
      Boolean(v),
    ),
    addresses: [formatAddress(c.address), c.address?.address1].filter((v): v is string => Boolean(v)),
    externalIds: of('EXTERNAL_ID'),
    handles: [
      c.twitterId?.id,
      c.twitterId?.screenName,
      c.twitterId?.screenName ? `@${c.twitterId.screenName}` : undefined,
      c.instagramId?.handle,
      c.instagramId?.handle ? `@${c.instagramId.handle}` : undefined,
      ...(c.instagramId?.ids ?? []).map((i) => i.scopedId),
      ...(c.facebookId?.ids ?? []).map((i) => i.scopedId),
      ...(c.appleOpaqueIds ?? []).map((a) => a.value),
      ...(c.lineId?.ids ?? []).map((i) => i.userId),
      c.twitterId?.name,
      c.instagramId?.displayName,
      c.facebookId?.displayName,
      c.whatsAppId?.displayName,
    ].filter((v): v is string => Boolean(v?.trim())),
  };
}

const uniq = (xs: string[]) => [...new Map(xs.map((x) => [x.toLowerCase(), x])).values()];

function subjectOf(row: ExternalContactRow): FoundSubject {
  const v = valuesOf(bodyOf(row));
  return {
    ...(v.names[0] ? { name: v.names[0] } : {}),
    externalContactId: row.id,
    canonicalContactId: row.canonical_id,
    ...(v.phones.length ? { phoneNumbers: uniq(v.phones) } : {}),
    ...(v.emails.length ? { emailAddresses: uniq(v.emails) } : {}),
    ...(v.addresses.length ? { addresses: [v.addresses[0]!] } : {}),
  };
}

const same = (a: string | undefined, b: string) => a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

function renamed(out: StoredContact, r: Replacement) {
  if (
    same(fullName(out), r.existingValue) ||
    same([out.firstName, out.lastName].filter(Boolean).join(' '), r.existingValue)
  ) {
    const [first, ...rest] = r.updatedValue.trim().split(/\s+/);
    out.firstName = first;
    out.lastName = rest.join(' ') || undefined;
    delete out.middleName;
  }
  for (const k of ['firstName', 'middleName', 'lastName'] as const)
    if (same(out[k], r.existingValue)) out[k] = r.updatedValue.trim();
}

function renumbered(out: StoredContact, r: Replacement) {
  const next = { e164: r.updatedValue, display: r.updatedValue };
  for (const k of PHONE_FIELDS) if (out[k]?.e164 === r.existingValue) out[k] = { ...out[k], ...next };
  if (out.whatsAppId?.phoneNumber.e164 === r.existingValue)
    out.whatsAppId = { ...out.whatsAppId, phoneNumber: { ...out.whatsAppId.phoneNumber, ...next } };
}

function readdressed(out: StoredContact, r: Replacement) {
  if (!out.address) return;
  if (same(formatAddress(out.address), r.existingValue)) out.address = { address1: r.updatedValue.trim() };
  else
    for (const k of ['address1', 'address2'] as const)
      if (same(out.address[k], r.existingValue)) out.address[k] = r.updatedValue.trim();
}

/** Replaces a term's existing value by its updated value in a stored contact (names by part or whole, emails, phones, address lines). */
function rectified(c: StoredContact, r: Replacement): StoredContact {
  const out = structuredClone(c);
  if (r.type === 'NAME') renamed(out, r);
  if (r.type === 'EMAIL')
    for (const k of EMAIL_FIELDS) if (same(out[k], r.existingValue)) out[k] = r.updatedValue.trim();
  if (r.type === 'PHONE') renumbered(out, r);
  if (r.type === 'ADDRESS') readdressed(out, r);
  return out;
}

export function createExternalContactPersonalData(deps: { clock: Clock; phoneRegion: string }): PersonalDataSource {
  const store = createExternalContactStore();
  const contactsOf = async (db: Executor, orgId: string, subject: ResolvedSubject) =>
    store.many(db, orgId, subject.externalContactIds ?? []);
  const audit = (
    trx: Trx,
    orgId: string,
    id: string,
    action: string,
    caller: Caller,
    cause: string,
    properties: string[],
  ) =>
    recordAudit(trx, deps.clock, {
      orgId,
      serviceName: AUDIT_SERVICE,
      entityType: AUDIT_ENTITY,
      entityId: id,
      entityName: id,
      action,
      ...auditOrigin(caller),
      changes: properties.map((property) => ({ property, oldValues: [], newValues: [] })),
      causeEventId: cause,
    });

  return {
    name: 'externalContacts',

    async findSubjects(db, orgId, type, value) {
      let ids: string[];
      if (type === 'NAME') ids = await store.byFullName(db, orgId, value);
      else {
        const kinds = KINDS[type] ?? [];
        ids = await store.byIdentifier(db, orgId, kinds, [
          ...new Set(kinds.flatMap((k) => lookupValues(k, value, deps.phoneRegion))),
        ]);
      }
      return (await store.many(db, orgId, ids.slice(0, MAX_SUBJECTS))).map(subjectOf);
    },

    async resolveContacts(db, orgId, request, terms): Promise<ResolvedContacts> {
      let ids: string[] = [];
      if (request.externalContactId) ids = [request.externalContactId];
      else if (!terms.userIds.length) {
        const found = new Set<string>();
        const add = async (kinds: IdentifierKind[], values: string[]) => {
          for (const id of await store.byIdentifier(db, orgId, kinds, values)) found.add(id);
        };
        await add(['PHONE', 'WHATSAPP'], terms.phones);
        await add(
          ['EMAIL'],
          terms.emails.map((e) => e.toLowerCase()),
        );
        await add(
          ['ADDRESS'],
          terms.addresses.map((a) => a.toLowerCase()),
        );
        await add(['EXTERNAL_ID'], terms.externalIds);
        const h = request.socialHandle;
        if (h?.type && h.value && KINDS[h.type as SearchType])
          await add(
            KINDS[h.type as SearchType]!,
            KINDS[h.type as SearchType]!.flatMap((k) => lookupValues(k, h.value!, deps.phoneRegion)),
          );
        for (const n of terms.customerNames) for (const id of await store.byFullName(db, orgId, n)) found.add(id);
        ids = [...found];
      }
      const rows = await store.many(db, orgId, ids);
      const all = rows.map((r) => valuesOf(bodyOf(r)));
      return {
        ids: rows.map((r) => r.id),
        names: uniq(all.flatMap((v) => v.names)),
        emails: uniq(all.flatMap((v) => v.emails)),
        phones: uniq(all.flatMap((v) => v.phones)),
        addresses: uniq(all.flatMap((v) => v.addresses)),
        externalIds: uniq(all.flatMap((v) => v.externalIds)),
        handles: uniq(all.flatMap((v) => v.handles)),
      };
    },

    async export(db, orgId, subject) {
      const rows = await contactsOf(db, orgId, subject);
      if (!rows.length) return null;
      const contacts = [];
      for (const r of rows) {
        const set = await store.mergeSet(db, orgId, r.canonical_id);
        contacts.push({
          id: r.id,
          ...bodyOf(r),
          createDate: r.created_at,
          modifyDate: r.modified_at,
          canonicalContact: { id: r.canonical_id },
          mergeSet: set.map((m) => ({ id: m.id })),
          ...(r.merged_to ? { mergedTo: { id: r.merged_to } } : {}),
          ...(r.external_organization_id ? { externalOrganization: { id: r.external_organization_id } } : {}),
        });
      }
      return { contacts };
    },

    async rectify(trx, orgId, subject, replacements, caller, cause) {
      let changed = 0;
      for (const row of await contactsOf(trx, orgId, subject)) {
        const before = bodyOf(row);
        const after = replacements.reduce(rectified, before);
        if (JSON.stringify(after) === JSON.stringify(before)) continue;
        await store.update(trx, orgId, row.id, {
          first_name: after.firstName ?? null,
          last_name: after.lastName ?? null,
          body: JSON.stringify(after),
          version: row.version + 1,
          modified_at: deps.clock.now().toISOString(),
        });
        await store.replaceIdentifiers(trx, orgId, row.id, identifiersOf(after));
        const props = Object.keys({ ...before, ...after }).filter(
          (k) => JSON.stringify(before[k as keyof StoredContact]) !== JSON.stringify(after[k as keyof StoredContact]),
        );
        await audit(trx, orgId, row.id, 'Update', caller, cause, props.sort());
        changed++;
      }
      return { contacts: changed };
    },

    /** Upstream deletes the contact; its identifiers go with it. The event names only the contact's id. */
    async erase(trx, orgId, subject, caller, cause) {
      const rows = await contactsOf(trx, orgId, subject);
      for (const r of rows) await audit(trx, orgId, r.id, 'Delete', caller, cause, []);
      return {
        contacts: await store.remove(
          trx,
          orgId,
          rows.map((r) => r.id),
        ),
      };
    },
  };
}

/** What the GDPR domain asks before it accepts a request naming a contact: does it exist, and its merge set. */
export function createContactMergeSets() {
  const store = createExternalContactStore();
  return async (db: Executor, orgId: string, id: string) => {
    const row = await store.find(db, orgId, id);
    if (!row) return null;
    const set = await store.mergeSet(db, orgId, row.canonical_id);
    return { canonicalId: row.canonical_id, memberIds: set.map((m) => m.id) };
  };
}
