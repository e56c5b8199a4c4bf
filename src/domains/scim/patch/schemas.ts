/** The attribute schemas PATCH applies: core User (RFC 7643 §4.1) with its extensions, and Group. */
import {
  ENTERPRISE_USER_URN,
  GENESYS_USER_URN,
  GROUP_SCHEMA_URN,
  type ScimPatchAttribute,
  type ScimPatchSchema,
  USER_SCHEMA_URN,
} from './types.ts';

export const s = (name: string, more: Partial<ScimPatchAttribute> = {}): ScimPatchAttribute => ({
  name,
  type: 'string',
  ...more,
});
export const complex = (
  name: string,
  subAttributes: ScimPatchAttribute[],
  more: Partial<ScimPatchAttribute> = {},
): ScimPatchAttribute => ({
  name,
  type: 'complex',
  subAttributes,
  ...more,
});
export const multi = (name: string, subAttributes: ScimPatchAttribute[], more: Partial<ScimPatchAttribute> = {}) =>
  complex(name, subAttributes, { multiValued: true, ...more });
const bool = (name: string): ScimPatchAttribute => ({ name, type: 'boolean' });
const ref = (name: string): ScimPatchAttribute => s(name, { type: 'reference', caseExact: true });
const typedValue = (extra: ScimPatchAttribute[] = []) => [
  s('value'),
  s('display'),
  s('type'),
  bool('primary'),
  ...extra,
];

const COMMON: ScimPatchAttribute[] = [
  s('id', { mutability: 'readOnly', caseExact: true }),
  s('externalId', { caseExact: true }),
  complex(
    'meta',
    [
      s('resourceType'),
      s('created', { type: 'dateTime' }),
      s('lastModified', { type: 'dateTime' }),
      ref('location'),
      s('version'),
    ],
    { mutability: 'readOnly' },
  ),
];

/** Core User (RFC 7643 §4.1) with the enterprise (§4.3) and Genesys Cloud extensions. */
export const USER_PATCH_SCHEMA: ScimPatchSchema = {
  core: USER_SCHEMA_URN,
  attributes: {
    [USER_SCHEMA_URN]: [
      ...COMMON,
      s('userName', { required: true }),
      complex('name', [
        s('formatted'),
        s('familyName'),
        s('givenName'),
        s('middleName'),
        s('honorificPrefix'),
        s('honorificSuffix'),
      ]),
      s('displayName'),
      s('nickName'),
      s('profileUrl', { type: 'reference' }),
      s('title'),
      s('userType'),
      s('preferredLanguage'),
      s('locale'),
      s('timezone'),
      bool('active'),
      s('password', { mutability: 'writeOnly', caseExact: true }),
      multi('emails', typedValue()),
      multi('phoneNumbers', typedValue()),
      multi('ims', typedValue()),
      multi('photos', typedValue([s('$ref', { type: 'reference' })])),
      multi('addresses', [
        s('formatted'),
        s('streetAddress'),
        s('locality'),
        s('region'),
        s('postalCode'),
        s('country'),
        s('type'),
        bool('primary'),
      ]),
      multi('groups', [s('value', { caseExact: true }), ref('$ref'), s('display'), s('type')], {
        mutability: 'readOnly',
      }),
      multi('entitlements', typedValue()),
      multi('roles', typedValue()),
      multi('x509Certificates', [{ name: 'value', type: 'binary' }, s('display'), s('type'), bool('primary')]),
    ],
    [ENTERPRISE_USER_URN]: [
      s('employeeNumber'),
      s('costCenter'),
      s('organization'),
      s('division'),
      s('department'),
      // Upstream's extra enterprise attribute (YYYY-MM-DD), advertised in /Schemas.
      s('dateHire'),
      complex('manager', [s('value', { caseExact: true }), ref('$ref'), s('displayName', { mutability: 'readOnly' })]),
    ],
    [GENESYS_USER_URN]: [
      multi('externalIds', [s('authority'), s('value', { caseExact: true })]),
      multi('routingSkills', [s('name'), s('proficiency', { type: 'decimal' })]),
      multi('routingLanguages', [s('name'), s('proficiency', { type: 'decimal' })]),
    ],
  },
};

/** Core Group (RFC 7643 §4.2). */
export const GROUP_PATCH_SCHEMA: ScimPatchSchema = {
  core: GROUP_SCHEMA_URN,
  attributes: {
    [GROUP_SCHEMA_URN]: [
      ...COMMON,
      s('displayName', { required: true }),
      multi('members', [
        s('value', { caseExact: true }),
        s('display'),
        s('$ref', { type: 'reference', caseExact: true }),
        s('type'),
      ]),
    ],
  },
};
