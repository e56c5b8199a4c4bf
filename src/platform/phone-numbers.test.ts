import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isSupportedCountry, parsePhoneNumberFromString } from './phone-numbers.ts';

const require = createRequire(import.meta.url);
const library = require.resolve('libphonenumber-js/max');
const loaded = () => Object.hasOwn(require.cache, library);
const metadata = require('libphonenumber-js/metadata.max.json') as { countries: Record<string, unknown> };

describe('phone numbers (libphonenumber-js, loaded on first use)', () => {
  it('checks a region without loading the library, as the library would', () => {
    expect(loaded()).toBe(false);
    for (const region of Object.keys(metadata.countries)) expect(isSupportedCountry(region)).toBe(true);
    for (const region of ['XX', 'ZZ', 'us', 'EU', 'constructor', '']) expect(isSupportedCountry(region)).toBe(false);
    expect(loaded()).toBe(false);
  });

  it('loads the library on the first number parsed', () => {
    expect(parsePhoneNumberFromString('(555) 123-4567', 'US')?.number).toBe('+15551234567');
    expect(loaded()).toBe(true);
    expect(parsePhoneNumberFromString('020 7946 0018', 'GB')?.number).toBe('+442079460018');
    expect(parsePhoneNumberFromString('not a number', 'US')).toBeUndefined();
    const lib = require(library) as typeof import('libphonenumber-js/max');
    for (const region of [...Object.keys(metadata.countries).slice(0, 20), 'XX', 'us'])
      expect(isSupportedCountry(region)).toBe(lib.isSupportedCountry(region));
  });
});
