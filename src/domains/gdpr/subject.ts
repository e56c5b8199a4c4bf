/**
 * From a request's GDPRSubject to the subject every source works on: its own terms, normalized,
 * then completed with the directory users it identifies and those users' own identifiers.
 */
import { type CountryCode, parsePhoneNumberFromString } from '../../platform/phone-numbers.ts';
import { badRequest } from '../../platform/errors/index.ts';
import type {
  PersonalDataSource,
  ResolvedContacts,
  ResolvedSubject,
  SearchType,
} from '../../platform/personal-data.ts';
import type { Executor } from '../../storage/db.ts';
import type { GdprSubjectBody } from './schemas.ts';

/** The names, emails, phones, addresses and external ids of some directory users. */
export type DescribeUsers = (
  db: Executor,
  orgId: string,
  userIds: string[],
) => Promise<Omit<ResolvedSubject, 'userIds' | 'customerNames'>>;

/** A phone number in E.164 when it parses (national formats read in `region`), else as given. */
export function normalizePhone(raw: string, region: string): string {
  const text = raw.trim();
  try {
    const parsed = parsePhoneNumberFromString(text, region as CountryCode);
    if (parsed?.isPossible()) return parsed.number;
  } catch {}
  return text;
}

/** A search term as sources compare it: trimmed, phones in E.164. */
export function normalizeTerm(type: SearchType, value: string, region: string): string {
  return type === 'PHONE' ? normalizePhone(value, region) : value.trim();
}

const clean = (xs: (string | undefined)[] = []) => [...new Set(xs.map((x) => x?.trim() ?? '').filter(Boolean))];

/**
 * True when the subject carries an identifier Gatehouse can act on: a name, user id, external
 * contact id, social handle, external id, address, phone number or email address. (Dialer contact
 * and journey customer ids name nothing Gatehouse holds: a request with only those would change nothing.)
 */
export function hasIdentifier(s: GdprSubjectBody): boolean {
  return Boolean(
    s.externalContactId?.trim() ||
      s.socialHandle?.value?.trim() ||
      s.name?.trim() ||
      s.userId?.trim() ||
      s.externalId?.trim() ||
      clean(s.addresses).length ||
      clean(s.phoneNumbers).length ||
      clean(s.emailAddresses).length,
  );
}

export function subjectTerms(s: GdprSubjectBody, region: string): ResolvedSubject {
  return {
    userIds: clean([s.userId]),
    customerNames: clean([s.name]),
    names: clean([s.name]),
    emails: clean(s.emailAddresses),
    phones: clean((s.phoneNumbers ?? []).map((p) => normalizePhone(p, region))),
    addresses: clean(s.addresses),
    externalIds: clean([s.externalId]),
  };
}

const union = (a: string[], b: string[]) => {
  const seen = new Set(a.map((x) => x.toLowerCase()));
  return [...a, ...b.filter((x) => !seen.has(x.toLowerCase()) && seen.add(x.toLowerCase()))];
};

/** The subject's identifiers name several users: the request must say which one (by userId). */
export const ambiguousSubject = (count: number) =>
  badRequest(
    `The subject's email addresses, phone numbers or external id belong to ${count} users. Search the subjects first and submit one request per person, with the userId of the person you mean.`,
  );

/**
 * The subject's terms, plus the user they identify and that user's own identifiers. A `userId`
 * names the user, and only that user; otherwise the sources identify at most one user by the
 * subject's emails, phones or external id, and several is an error (a request must change only
 * the person meant).
 */
export async function resolveSubject(
  db: Executor,
  orgId: string,
  terms: ResolvedSubject,
  sources: readonly PersonalDataSource[],
  describeUsers: DescribeUsers | undefined,
): Promise<ResolvedSubject> {
  let userIds = terms.userIds;
  if (!userIds.length) {
    for (const source of sources) {
      if (source.resolveUsers) userIds = union(userIds, await source.resolveUsers(db, orgId, terms));
    }
    if (userIds.length > 1) throw ambiguousSubject(userIds.length);
  }
  const own = userIds.length && describeUsers ? await describeUsers(db, orgId, userIds) : null;
  if (!own) return { ...terms, userIds };
  // A subject that is a user is not a customer: a customer who shares their name is someone else.
  return {
    userIds,
    customerNames: [],
    names: union(terms.names, own.names),
    emails: union(terms.emails, own.emails),
    phones: union(terms.phones, own.phones),
    addresses: union(terms.addresses, own.addresses),
    externalIds: union(terms.externalIds, own.externalIds),
  };
}

/**
 * The search terms a subject carries beside the ids that name a record (userId, externalContactId):
 * upstream takes one request per identifier, so a subject without such an id may carry one only.
 */
export function searchTermsOf(s: GdprSubjectBody): string[] {
  return [
    ...clean([s.name]).map(() => 'a name'),
    ...clean([s.externalId]).map(() => 'an external id'),
    ...clean(s.addresses).map(() => 'an address'),
    ...clean(s.phoneNumbers).map(() => 'a phone number'),
    ...clean(s.emailAddresses).map(() => 'an email address'),
    ...clean([s.socialHandle?.value]).map(() => `a ${s.socialHandle?.type ?? 'social'} handle`),
  ];
}

/** The subject with the values of the external contacts a request is about added (case-insensitively distinct). */
export function withContactValues(subject: ResolvedSubject, c: ResolvedContacts): ResolvedSubject {
  const add = (a: string[], b: string[]) => [...new Map([...a, ...b].map((x) => [x.toLowerCase(), x])).values()];
  return {
    ...subject,
    externalContactIds: add(subject.externalContactIds ?? [], c.ids),
    // A contact's customer legs on interactions carry its name (until participants name the contact).
    customerNames: subject.userIds.length ? subject.customerNames : add(subject.customerNames, c.names),
    names: add(subject.names, c.names),
    emails: add(subject.emails, c.emails),
    phones: add(subject.phones, c.phones),
    addresses: add(subject.addresses, c.addresses),
    externalIds: add(subject.externalIds, c.externalIds),
    handles: add(subject.handles ?? [], c.handles),
  };
}
