/**
 * Phone numbers are stored and answered in E.164, as upstream does ("Genesys Cloud converts any
 * phone numbers from Okta to the E.164 format"). Accepts E.164, national formats (read in the
 * configured default region) and tel URIs (`tel:+15551234567;ext=42`).
 */
import {
  type CountryCode,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from '../../platform/phone-numbers.ts';
import { invalidValue } from './errors.ts';

export function toE164(raw: unknown, defaultRegion: string): string {
  if (typeof raw !== 'string' || raw.trim() === '')
    throw invalidValue(`Phone number ${JSON.stringify(raw ?? null)} is not a phone number.`);
  let text = raw.trim();
  let ext: string | undefined;
  if (/^tel:/i.test(text)) {
    const [number, ...params] = text.slice(4).split(';');
    text = number;
    ext = params.map((p) => /^ext=(\d+)$/i.exec(p.trim())?.[1]).find(Boolean);
  }
  let parsed: PhoneNumber | undefined;
  try {
    parsed = parsePhoneNumberFromString(text, defaultRegion as CountryCode);
  } catch {
    parsed = undefined;
  }
  if (!parsed?.isPossible()) {
    throw invalidValue(
      `Phone number "${raw}" cannot be normalized to E.164 (default region ${defaultRegion}); send it as +<country code><number>.`,
    );
  }
  ext ??= parsed.ext;
  return ext ? `tel:${parsed.number};ext=${ext}` : parsed.number;
}

/** Refuses, at start-up, a default region libphonenumber does not know (config scimPhoneRegion). */
export function checkPhoneRegion(region: string): void {
  if (!isSupportedCountry(region))
    throw new Error(`The SCIM phone region "${region}" is not a country code libphonenumber knows (e.g. US, GB, DE).`);
}
