/**
 * A data-subject rectification of what SCIM holds about one user: each replacement (name, email,
 * phone number, address) applied to a copy of the user's SCIM values, counted, and written in
 * the request's transaction (`personal-data.ts` plugs it into the directory's users source).
 */
import { invalidValue } from '../../platform/errors/index.ts';
import type { Replacement, SourceOutcome } from '../../platform/personal-data.ts';
import type { ScimUserRow } from '../../storage/schema.ts';
import { toE164 } from './phones.ts';
import { MAX_EMAIL, MAX_PHONE, MAX_TEXT } from './resource.ts';

export type Json = Record<string, unknown>;
export interface Typed {
  value?: unknown;
  type?: unknown;
  primary?: unknown;
}
export interface Address {
  formatted?: unknown;
  streetAddress?: unknown;
  locality?: unknown;
  region?: unknown;
  postalCode?: unknown;
  country?: unknown;
  type?: unknown;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
export const objects = <T>(v: unknown): T[] => (Array.isArray(v) ? v.filter(isObject) : []) as T[];
export const sameText = (a: unknown, b: string) => typeof a === 'string' && a.trim().toLowerCase() === b.toLowerCase();
export const fullName = (given: string | null, family: string | null) =>
  [given, family].map(text).filter(Boolean).join(' ');

function checked(value: string, what: string, max: number): string {
  if (value.includes('\u0000') || [...value].length > max)
    throw invalidValue('replacementTerms', `The new ${what} must be at most ${max} characters, without NUL.`);
  return value;
}

/** The user's SCIM values being rectified: copies, changed in place by `apply`. */
export class Rectification {
  readonly name: Json;
  readonly emails: Typed[];
  readonly phones: Typed[];
  readonly addresses: Address[];
  given: string | null;
  family: string | null;
  readonly counts: SourceOutcome = {};

  constructor(
    row: Pick<ScimUserRow, 'given_name' | 'family_name'>,
    attrs: Json,
    private readonly phoneRegion: string,
    /** A phone number as SCIM stores it (E.164), or as given when it does not parse. */
    private readonly e164: (raw: string) => string,
  ) {
    this.name = isObject(attrs.name) ? { ...attrs.name } : {};
    this.emails = objects<Typed>(attrs.emails).map((e) => ({ ...e }));
    this.phones = objects<Typed>(attrs.phoneNumbers).map((p) => ({ ...p }));
    this.addresses = objects<Address>(attrs.addresses).map((a) => ({ ...a }));
    this.given = row.given_name;
    this.family = row.family_name;
  }

  private count(k: string) {
    this.counts[k] = (this.counts[k] ?? 0) + 1;
  }

  apply(r: Replacement) {
    const existing = r.existingValue.trim();
    const updated = r.updatedValue.trim();
    if (r.type === 'NAME') this.replaceName(existing, updated);
    else if (r.type === 'EMAIL') this.replaceEmail(existing, updated);
    else if (r.type === 'PHONE') this.replacePhone(existing, updated);
    else if (r.type === 'ADDRESS') this.replaceAddress(existing, updated);
  }

  private replaceName(existing: string, updated: string) {
    if (this.given && this.family && sameText(fullName(this.given, this.family), existing)) {
      // The whole name: the last word becomes the family name, the rest the given name.
      const words = checked(updated, 'name', MAX_TEXT).split(/\s+/);
      this.given = words.length > 1 ? words.slice(0, -1).join(' ') : updated;
      this.family = words.length > 1 ? words[words.length - 1] : null;
      this.count('names');
    } else {
      if (sameText(this.given, existing)) {
        this.given = checked(updated, 'name', MAX_TEXT);
        this.count('names');
      }
      if (sameText(this.family, existing)) {
        this.family = checked(updated, 'name', MAX_TEXT);
        this.count('names');
      }
    }
    if (sameText(this.name.formatted, existing)) {
      this.name.formatted = checked(updated, 'name', MAX_TEXT);
      this.count('names');
    }
  }

  private replaceEmail(existing: string, updated: string) {
    for (const e of this.emails) {
      if (!sameText(e.value, existing)) continue;
      if (!EMAIL.test(updated)) throw invalidValue('replacementTerms', `"${updated}" is not an email address.`);
      e.value = checked(updated, 'email', MAX_EMAIL);
      this.count('emails');
    }
  }

  private replacePhone(existing: string, updated: string) {
    const target = this.e164(existing);
    for (const p of this.phones) {
      if (p.value !== target) continue;
      p.value = checked(this.newPhone(updated), 'phone number', MAX_PHONE);
      this.count('phones');
    }
  }

  private newPhone(updated: string): string {
    try {
      return toE164(updated, this.phoneRegion);
    } catch {
      throw invalidValue(
        'replacementTerms',
        `The phone number "${updated}" cannot be read as E.164; send it as +<country code><number>.`,
      );
    }
  }

  private replaceAddress(existing: string, updated: string) {
    for (const a of this.addresses) {
      const formatted = sameText(a.formatted, existing);
      const street = sameText(a.streetAddress, existing);
      if (formatted) a.formatted = checked(updated, 'address', MAX_TEXT);
      if (street) a.streetAddress = checked(updated, 'address', MAX_TEXT);
      if (formatted || street) this.count('addresses');
    }
  }

  /** The attributes JSON after the replacements. */
  attributes(attrs: Json): Json {
    return {
      ...attrs,
      ...(Object.keys(this.name).length ? { name: this.name } : {}),
      ...(this.emails.length ? { emails: this.emails } : {}),
      ...(this.phones.length ? { phoneNumbers: this.phones } : {}),
      ...(this.addresses.length ? { addresses: this.addresses } : {}),
    };
  }
}
