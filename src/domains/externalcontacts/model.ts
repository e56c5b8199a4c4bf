/**
 * An external contact as stored: upstream's ExternalContact with every phone number in E.164
 * (whatever format it arrived in), and the normalized identifiers search finds it by.
 */
import { type CountryCode, parsePhoneNumberFromString } from '../../platform/phone-numbers.ts';
import { invalidValue } from '../../platform/errors/index.ts';
import type { ContactAddressBody, ExternalContactInput, PhoneNumberBody } from './schemas.ts';

/** The stored contact: the writable fields, phones normalized; no id, dates or merge fields. */
export type StoredContact = Omit<ExternalContactInput, 'id' | 'division' | 'externalOrganization'>;

export const PHONE_FIELDS = ['workPhone', 'cellPhone', 'homePhone', 'otherPhone'] as const;
export const EMAIL_FIELDS = ['workEmail', 'personalEmail', 'otherEmail'] as const;

/** The identifier kinds, named as the GDPR subjects search's types where there is one. */
export type IdentifierKind =
  | 'PHONE'
  | 'EMAIL'
  | 'ADDRESS'
  | 'TWITTER'
  | 'INSTAGRAM'
  | 'FACEBOOK'
  | 'APPLE_MESSAGES'
  | 'WHATSAPP'
  | 'LINE'
  | 'EXTERNAL_ID';

/** A phone number in E.164, read in `region` when it has no country code; undefined when it is none. */
export function toE164(raw: string, region: string): string | undefined {
  try {
    const parsed = parsePhoneNumberFromString(raw.trim(), region.toUpperCase() as CountryCode);
    if (parsed?.isPossible()) return parsed.number;
  } catch {}
  return undefined;
}

/** Upstream's PhoneNumber from any input: e164, userInput or display, read in its country or `region`. */
export function normalizePhoneNumber(field: string, p: PhoneNumberBody, region: string): PhoneNumberBody {
  const raw = p.e164 ?? p.userInput ?? p.display;
  if (!raw?.trim()) throw invalidValue(field, `${field} needs a number (e164, userInput or display).`);
  const country = p.normalizationCountryCode ?? p.countryCode ?? region;
  const e164 = toE164(raw, country);
  if (!e164) throw invalidValue(field, `${field}: "${raw}" is not a phone number (read in ${country.toUpperCase()}).`);
  const parsed = parsePhoneNumberFromString(e164)!;
  return {
    e164,
    display: parsed.formatInternational(),
    ...(parsed.country ? { countryCode: parsed.country } : {}),
    ...(p.extension !== undefined ? { extension: p.extension } : {}),
    ...(p.acceptsSMS !== undefined ? { acceptsSMS: p.acceptsSMS } : {}),
  };
}

const trimmed = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
const stripAt = (v: string) => v.trim().replace(/^@/, '');

/** Names, emails and phones as stored: trimmed, emails checked, phones in E.164. */
function storedBasics(input: ExternalContactInput, region: string): StoredContact {
  const out: StoredContact = {};
  for (const k of ['firstName', 'middleName', 'lastName', 'salutation', 'title', 'externalSystemUrl'] as const) {
    const v = trimmed(input[k]);
    if (v) out[k] = v;
  }
  for (const k of EMAIL_FIELDS) {
    const v = trimmed(input[k]);
    if (v && !/^[^\s@]+@[^\s@]+$/.test(v)) throw invalidValue(k, `${k}: "${v}" is not an email address.`);
    if (v) out[k] = v;
  }
  for (const k of PHONE_FIELDS) {
    const p = input[k];
    if (p) out[k] = normalizePhoneNumber(k, p, region);
  }
  return out;
}

/** The X/Twitter identity as stored: the screen name without its "@", and its profile URL. */
function storedTwitter(t: NonNullable<ExternalContactInput['twitterId']>): StoredContact['twitterId'] {
  if (!trimmed(t.id) && !trimmed(t.screenName)) return undefined;
  const screenName = t.screenName ? stripAt(t.screenName) : undefined;
  return {
    ...(trimmed(t.id) ? { id: t.id!.trim() } : {}),
    ...(trimmed(t.name) ? { name: t.name!.trim() } : {}),
    ...(screenName ? { screenName, profileUrl: `https://x.com/${screenName}` } : {}),
  };
}

/** The contact as stored, from a create, replace or merge body. */
export function storedContact(input: ExternalContactInput, region: string): StoredContact {
  const out = storedBasics(input, region);
  if (input.address && Object.values(input.address).some((v) => trimmed(v))) out.address = input.address;
  const twitter = input.twitterId ? storedTwitter(input.twitterId) : undefined;
  if (twitter) out.twitterId = twitter;
  const ig = input.instagramId;
  if (ig) out.instagramId = { ...ig, ...(ig.handle ? { handle: stripAt(ig.handle) } : {}) };
  if (input.facebookId) out.facebookId = input.facebookId;
  if (input.lineId) out.lineId = input.lineId;
  if (input.appleOpaqueIds?.length) out.appleOpaqueIds = input.appleOpaqueIds.filter((a) => trimmed(a.value));
  const wa = input.whatsAppId;
  if (wa)
    out.whatsAppId = { ...wa, phoneNumber: normalizePhoneNumber('whatsAppId.phoneNumber', wa.phoneNumber, region) };
  if (input.externalIds?.length) out.externalIds = input.externalIds;
  if (input.surveyOptOut !== undefined) out.surveyOptOut = input.surveyOptOut;
  return out;
}

/** An address as one line, as the GDPR ADDRESS search compares it. */
export function formatAddress(a: ContactAddressBody | undefined): string | undefined {
  if (!a) return undefined;
  const line = [a.address1, a.address2, a.city, a.state, a.postalCode, a.countryCode]
    .map((v) => v?.trim())
    .filter(Boolean)
    .join(', ');
  return line || undefined;
}

export function fullName(c: StoredContact): string | undefined {
  return [c.firstName, c.middleName, c.lastName].filter(Boolean).join(' ') || undefined;
}

/** Every identifier of a stored contact, normalized for lookup. */
export function identifiersOf(c: StoredContact): { kind: IdentifierKind; value: string }[] {
  const out: { kind: IdentifierKind; value: string }[] = [];
  const add = (kind: IdentifierKind, value: string | undefined) => {
    if (value?.trim()) out.push({ kind, value: value.trim() });
  };
  for (const k of PHONE_FIELDS) add('PHONE', c[k]?.e164);
  for (const k of EMAIL_FIELDS) add('EMAIL', c[k]?.toLowerCase());
  add('ADDRESS', formatAddress(c.address)?.toLowerCase());
  add('ADDRESS', c.address?.address1?.toLowerCase());
  // Handles are case-insensitive upstream; ids are not: a handle is kept lower-cased, an id as is.
  add('TWITTER', c.twitterId?.id);
  add('TWITTER', c.twitterId?.screenName?.toLowerCase());
  for (const id of c.instagramId?.ids ?? []) add('INSTAGRAM', id.scopedId);
  add('INSTAGRAM', c.instagramId?.handle?.toLowerCase());
  for (const id of c.facebookId?.ids ?? []) add('FACEBOOK', id.scopedId);
  for (const a of c.appleOpaqueIds ?? []) add('APPLE_MESSAGES', a.value);
  add('WHATSAPP', c.whatsAppId?.phoneNumber.e164);
  for (const id of c.lineId?.ids ?? []) add('LINE', id.userId);
  for (const e of c.externalIds ?? []) add('EXTERNAL_ID', e.value);
  const seen = new Set<string>();
  return out.filter((i) => !seen.has(`${i.kind}:${i.value}`) && seen.add(`${i.kind}:${i.value}`));
}

/** The values a lookup of `kind` tries: the term as given, lower-cased for handles, in E.164 for phones. */
export function lookupValues(kind: IdentifierKind, term: string, region: string): string[] {
  const v = term.trim();
  if (!v) return [];
  if (kind === 'PHONE' || kind === 'WHATSAPP') {
    const e = toE164(v, region);
    return e ? [e] : [];
  }
  if (kind === 'EMAIL' || kind === 'ADDRESS') return [v.toLowerCase()];
  if (kind === 'TWITTER' || kind === 'INSTAGRAM') return [...new Set([v, stripAt(v), stripAt(v).toLowerCase()])];
  return [v];
}
