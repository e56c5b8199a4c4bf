/**
 * libphonenumber-js with its full ("max") metadata, loaded on the first phone number parsed rather
 * than at start-up (its 90 modules and metadata were about 5 % of a cold start and 5 MB of idle
 * memory; docs/benchmarks.md, issue 22). The start-up check of the configured region reads only
 * the same metadata's list of countries.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

export type { CountryCode, PhoneNumber };

type Library = typeof import('libphonenumber-js/max');

const require = createRequire(import.meta.url);
let library: Library | null = null;
const phoneLibrary = (): Library => (library ??= require('libphonenumber-js/max') as Library);

/** libphonenumber's `parsePhoneNumberFromString`: national formats read in `defaultCountry`. */
export function parsePhoneNumberFromString(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  return phoneLibrary().parsePhoneNumberFromString(text, defaultCountry);
}

/** libphonenumber's `isSupportedCountry`, without loading the library when it is not loaded yet. */
export function isSupportedCountry(region: string): boolean {
  if (library) return library.isSupportedCountry(region);
  const metadata = JSON.parse(readFileSync(require.resolve('libphonenumber-js/metadata.max.json'), 'utf8')) as {
    countries: Record<string, unknown>;
  };
  return Object.hasOwn(metadata.countries, region);
}
