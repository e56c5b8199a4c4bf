/**
 * SCIM PATCH (RFC 7644 §3.5.2) on in-memory resources: each operation with and without path,
 * URN-qualified and value-filtered paths, the request shapes Microsoft Entra ID and Okta send,
 * atomicity, mutability, and the Group membership plan.
 */
import { describe, expect, it } from 'vitest';
import {
  applyOperations,
  applyPatch,
  ENTERPRISE_USER_URN,
  GENESYS_USER_URN,
  GROUP_PATCH_SCHEMA,
  GROUP_SCHEMA_URN,
  PATCH_OP_URN,
  planGroupMembersPatch,
  readPatchRequest,
  ScimPatchError,
  type ScimPatchErrorType,
  USER_PATCH_SCHEMA,
  USER_SCHEMA_URN,
} from '../../src/domains/scim/patch/index.ts';

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A frozen resource: any mutation by applyPatch would throw. */
const USER = deepFreeze({
  schemas: [USER_SCHEMA_URN],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  phoneNumbers: [{ value: '555-555-8377', type: 'home' }],
  groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"3694e05e9dff590"',
  },
}) as Record<string, unknown>;
const SNAPSHOT = JSON.parse(JSON.stringify(USER));

const request = (Operations: unknown[]) => ({ schemas: [PATCH_OP_URN], Operations });
const patch = (ops: unknown[], resource = USER) => applyPatch(resource, request(ops), { schema: USER_PATCH_SCHEMA });

function patchError(ops: unknown, scimType: ScimPatchErrorType, detail: RegExp, resource = USER): ScimPatchError {
  let error: unknown;
  try {
    applyPatch(resource, Array.isArray(ops) ? request(ops) : ops, { schema: USER_PATCH_SCHEMA });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ScimPatchError);
  const e = error as ScimPatchError;
  expect(e.status).toBe(400);
  expect({ scimType: e.scimType, detail: e.detail }).toMatchObject({ scimType, detail: expect.stringMatching(detail) });
  expect(USER).toEqual(SNAPSHOT);
  return e;
}

describe('applyPatch: add', () => {
  it('adds a single-valued attribute with a path, and replaces it when it exists', () => {
    expect(patch([{ op: 'add', path: 'nickName', value: 'Babs' }]).nickName).toBe('Babs');
    expect(patch([{ op: 'add', path: 'title', value: 'Guide' }]).title).toBe('Guide');
  });

  it('adds without a path: each key of the value object', () => {
    const out = patch([
      { op: 'add', value: { nickName: 'Babs', emails: [{ value: 'babs@example.org', type: 'other' }] } },
    ]);
    expect(out.nickName).toBe('Babs');
    expect(out.emails).toEqual([...(USER.emails as object[]), { value: 'babs@example.org', type: 'other' }]);
  });

  it('appends to a multi-valued attribute without duplicating equal values', () => {
    const out = patch([
      {
        op: 'add',
        path: 'emails',
        value: [
          { value: 'BJENSEN@example.com', type: 'work' },
          { value: 'new@example.com', type: 'other' },
          { value: 'new@example.com', type: 'other' },
        ],
      },
    ]);
    expect(out.emails).toEqual([
      { value: 'BJENSEN@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'new@example.com', type: 'other' },
    ]);
  });

  it('merges sub-attributes into a complex attribute (RFC 7644 §3.5.2.1)', () => {
    expect(patch([{ op: 'add', path: 'name', value: { middleName: 'Jane' } }]).name).toEqual({
      ...(USER.name as object),
      middleName: 'Jane',
    });
    expect(patch([{ op: 'add', path: 'name.honorificSuffix', value: 'III' }]).name).toMatchObject({
      honorificSuffix: 'III',
      givenName: 'Barbara',
    });
  });

  it('keeps one primary value: the one just added wins', () => {
    const out = patch([
      { op: 'add', path: 'emails', value: [{ value: 'boss@example.com', type: 'work', primary: true }] },
    ]);
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'boss@example.com', type: 'work', primary: true },
    ]);
  });

  it('adds to a filtered path, creating the element from the filter when nothing matches', () => {
    expect(patch([{ op: 'add', path: 'emails[type eq "home"].primary', value: true }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
    expect(
      patch([{ op: 'add', path: 'phoneNumbers[type eq "mobile"]', value: { value: '555-1234' } }]).phoneNumbers,
    ).toEqual([
      { value: '555-555-8377', type: 'home' },
      { type: 'mobile', value: '555-1234' },
    ]);
  });
});

describe('applyPatch: replace', () => {
  it('replaces a single-valued attribute and a sub-attribute', () => {
    const out = patch([
      { op: 'replace', path: 'displayName', value: 'Barbara' },
      { op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' },
    ]);
    expect(out.displayName).toBe('Barbara');
    expect(out.name).toEqual({
      formatted: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen-Smith',
      givenName: 'Barbara',
    });
  });

  it('replaces all values of a multi-valued attribute when there is no filter', () => {
    expect(
      patch([{ op: 'replace', path: 'emails', value: [{ value: 'only@example.com', type: 'work' }] }]).emails,
    ).toEqual([{ value: 'only@example.com', type: 'work' }]);
  });

  it('merges into a complex attribute rather than dropping the sub-attributes not given (RFC 7644 §3.5.2.3)', () => {
    expect(patch([{ op: 'replace', path: 'name', value: { givenName: 'Babs' } }]).name).toEqual({
      formatted: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen',
      givenName: 'Babs',
    });
  });

  it('replaces without a path (Okta deactivation)', () => {
    const out = patch([{ op: 'replace', value: { active: false } }]);
    expect(out).toEqual({ ...SNAPSHOT, active: false });
  });

  it('replaces the values a filter selects, and their sub-attributes', () => {
    expect(patch([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@example.com' }]).emails).toEqual([
      { value: 'babs@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    expect(
      patch([{ op: 'replace', path: 'emails[type eq "home"]', value: { value: 'b@jensen.org', display: 'home mail' } }])
        .emails,
    ).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'b@jensen.org', type: 'home', display: 'home mail' },
    ]);
    expect(
      patch([{ op: 'replace', path: 'emails[value ew "example.com" or value ew "jensen.org"].display', value: 'mail' }])
        .emails,
    ).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true, display: 'mail' },
      { value: 'babs@jensen.org', type: 'home', display: 'mail' },
    ]);
  });

  it('creates the element for replace [filter].sub when nothing matches (Entra adds a work phone this way)', () => {
    expect(
      patch([{ op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0100' }]).phoneNumbers,
    ).toEqual([
      { value: '555-555-8377', type: 'home' },
      { type: 'work', value: '+1 555 0100' },
    ]);
    expect(
      patch([{ op: 'replace', path: 'phoneNumbers[type eq "work" and primary eq true].value', value: '+1 555 0100' }], {
        ...USER,
        phoneNumbers: undefined,
      }).phoneNumbers,
    ).toEqual([{ type: 'work', primary: true, value: '+1 555 0100' }]);
  });

  it('fails with noTarget for replace [filter] without sub-attribute when nothing matches, or a filter it cannot build from', () => {
    patchError(
      [{ op: 'replace', path: 'emails[type eq "fax"]', value: { value: 'x@y.com' } }],
      'noTarget',
      /No value of "emails" matches/,
    );
    patchError(
      [{ op: 'replace', path: 'emails[type co "fax"].value', value: 'x@y.com' }],
      'noTarget',
      /No value of "emails" matches/,
    );
  });

  it('treats null as unassigning (RFC 7643 §2.5)', () => {
    expect(patch([{ op: 'replace', path: 'title', value: null }])).not.toHaveProperty('title');
  });
});

describe('applyPatch: remove', () => {
  it('removes a single-valued attribute, a sub-attribute and a whole multi-valued attribute', () => {
    const out = patch([
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'name.formatted' },
      { op: 'remove', path: 'phoneNumbers' },
    ]);
    expect(out).not.toHaveProperty('title');
    expect(out).not.toHaveProperty('phoneNumbers');
    expect(out.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' });
  });

  it('removes an absent attribute without error', () => {
    expect(patch([{ op: 'remove', path: 'nickName' }])).toEqual(SNAPSHOT);
  });

  it('removes the values a filter selects, or a sub-attribute of them', () => {
    expect(patch([{ op: 'remove', path: 'emails[type eq "home"]' }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
    ]);
    expect(patch([{ op: 'remove', path: 'emails[type eq "work"].primary' }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work' },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    expect(patch([{ op: 'remove', path: 'phoneNumbers[type eq "home"]' }])).not.toHaveProperty('phoneNumbers');
  });

  it('fails with noTarget when a filter matches nothing, or without a path', () => {
    patchError(
      [{ op: 'remove', path: 'emails[type eq "fax"]' }],
      'noTarget',
      /No value of "emails" matches the filter/,
    );
    patchError([{ op: 'remove', path: 'ims[type eq "xmpp"]' }], 'noTarget', /matches/);
    patchError([{ op: 'remove' }], 'noTarget', /"remove" needs a "path"/);
  });

  it('refuses to remove a required attribute', () => {
    patchError([{ op: 'remove', path: 'userName' }], 'invalidValue', /"userName" is required/);
  });
});

describe('applyPatch: paths', () => {
  it('matches attribute names case-insensitively and writes the canonical spelling', () => {
    const out = patch([
      { op: 'replace', path: 'USERNAME', value: 'babs@example.com' },
      { op: 'add', path: 'NAME.MIDDLENAME', value: 'J' },
      { op: 'add', path: 'NickName', value: 'Babs' },
    ]);
    expect(out.userName).toBe('babs@example.com');
    expect(out).not.toHaveProperty('USERNAME');
    expect(out.name).toMatchObject({ middleName: 'J' });
    expect(out.nickName).toBe('Babs');
    const mixed = patch([{ op: 'replace', path: 'title', value: 'x' }], { ...USER, TITLE: 'old' });
    expect(mixed.title).toBe('x');
    expect(mixed).not.toHaveProperty('TITLE');
  });

  it('accepts paths qualified with the core schema URN', () => {
    const out = patch([
      { op: 'replace', path: `${USER_SCHEMA_URN}:displayName`, value: 'B' },
      { op: 'replace', path: `${USER_SCHEMA_URN}:name.givenName`, value: 'Babs' },
      { op: 'replace', path: `${USER_SCHEMA_URN}:emails[type eq "work"].value`, value: 'b@example.com' },
    ]);
    expect(out.displayName).toBe('B');
    expect((out.name as { givenName: string }).givenName).toBe('Babs');
    expect((out.emails as { value: string }[])[0].value).toBe('b@example.com');
  });

  it('stores extension attributes under the extension URN and lists the schema', () => {
    const out = patch([
      { op: 'add', path: `${ENTERPRISE_USER_URN}:department`, value: 'Tour Operations' },
      {
        op: 'add',
        path: `${ENTERPRISE_USER_URN.toLowerCase()}:manager.value`,
        value: '26118915-6090-4610-87e4-49d8ca9f808d',
      },
    ]);
    expect(out[ENTERPRISE_USER_URN]).toEqual({
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
    });
    expect(out.schemas).toEqual([USER_SCHEMA_URN, ENTERPRISE_USER_URN]);
    // Removing the last extension attribute drops the object and the schema.
    const back = patch(
      [
        { op: 'remove', path: `${ENTERPRISE_USER_URN}:department` },
        { op: 'remove', path: `${ENTERPRISE_USER_URN}:manager` },
      ],
      out,
    );
    expect(back).toEqual(SNAPSHOT);
  });

  it('finds an unqualified extension attribute in the extensions', () => {
    expect(patch([{ op: 'add', path: 'employeeNumber', value: '701984' }])[ENTERPRISE_USER_URN]).toEqual({
      employeeNumber: '701984',
    });
  });

  it('adds, replaces and removes a whole extension by its URN', () => {
    const added = patch([
      { op: 'add', path: ENTERPRISE_USER_URN, value: { employeeNumber: '701984', costCenter: '4130' } },
    ]);
    expect(added[ENTERPRISE_USER_URN]).toEqual({ employeeNumber: '701984', costCenter: '4130' });
    const okta = patch([{ op: 'replace', value: { [ENTERPRISE_USER_URN]: { division: 'Theme Park' } } }], added);
    expect(okta[ENTERPRISE_USER_URN]).toEqual({ employeeNumber: '701984', costCenter: '4130', division: 'Theme Park' });
    expect(patch([{ op: 'remove', path: ENTERPRISE_USER_URN }], added)).toEqual(SNAPSHOT);
  });

  it('handles the Genesys Cloud extension', () => {
    const out = patch([
      { op: 'add', path: `${GENESYS_USER_URN}:routingSkills`, value: [{ name: 'Billing', proficiency: 4.5 }] },
      { op: 'add', path: `${GENESYS_USER_URN}:externalIds`, value: [{ authority: 'hr', value: 'E-1' }] },
      { op: 'replace', path: `${GENESYS_USER_URN}:routingSkills[name eq "billing"].proficiency`, value: 3 },
      { op: 'add', path: `${GENESYS_USER_URN}:routingLanguages`, value: { name: 'English', proficiency: 5 } },
    ]);
    expect(out[GENESYS_USER_URN]).toEqual({
      routingSkills: [{ name: 'Billing', proficiency: 3 }],
      externalIds: [{ authority: 'hr', value: 'E-1' }],
      routingLanguages: [{ name: 'English', proficiency: 5 }],
    });
    expect(out.schemas).toEqual([USER_SCHEMA_URN, GENESYS_USER_URN]);
  });

  it('refuses unknown attributes, schemas and sub-attributes, and malformed paths, with invalidPath', () => {
    patchError([{ op: 'add', path: 'shoeSize', value: '42' }], 'invalidPath', /Unknown attribute "shoeSize"/);
    patchError(
      [{ op: 'add', path: 'urn:example:unknown:1.0:User:x', value: '42' }],
      'invalidPath',
      /Unknown schema "urn:example:unknown:1.0:User"/,
    );
    patchError(
      [{ op: 'add', path: 'name.nickName', value: 'x' }],
      'invalidPath',
      /"name" has no sub-attribute "nickName"/,
    );
    patchError([{ op: 'remove', path: 'emails[type eq "work"' }], 'invalidPath', /Invalid path .*Expected "]"/);
    patchError([{ op: 'remove', path: 'emails[kind eq "work"]' }], 'invalidPath', /Unknown sub-attribute "kind"/);
    patchError([{ op: 'remove', path: 'title[value eq "x"]' }], 'invalidPath', /single-valued/);
    patchError([{ op: 'remove', path: 'emails[primary gt true]' }], 'invalidPath', /cannot be used on boolean/);
    patchError([{ op: 'add', value: { 'bogus.attr': 1 } }], 'invalidPath', /Unknown attribute "bogus"/);
    patchError([{ op: 'add', path: USER_SCHEMA_URN, value: {} }], 'invalidPath', /names the core schema/);
  });
});

describe('applyPatch: Microsoft Entra ID requests', () => {
  it('coerces "False"/"True" for boolean attributes', () => {
    expect(patch([{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
    expect(patch([{ op: 'Replace', path: 'emails[type eq "home"].primary', value: 'True' }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: false },
      { value: 'babs@jensen.org', type: 'home', primary: true },
    ]);
  });

  it('applies the documented update-user request', () => {
    const out = applyPatch(
      USER,
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        ],
      },
      { schema: USER_PATCH_SCHEMA },
    );
    expect((out.emails as object[])[0]).toEqual({ value: 'updatedEmail@microsoft.com', type: 'work', primary: true });
    expect((out.name as { familyName: string }).familyName).toBe('updatedFamilyName');
  });

  it('adds a work email by filtered path, creating it when absent', () => {
    const noEmails = { ...USER, emails: undefined };
    expect(patch([{ op: 'Add', path: 'emails[type eq "work"].value', value: 'x@y.com' }], noEmails).emails).toEqual([
      { type: 'work', value: 'x@y.com' },
    ]);
    expect(
      (patch([{ op: 'Add', path: 'emails[type eq "work"].value', value: 'x@y.com' }]).emails as object[])[0],
    ).toEqual({
      value: 'x@y.com',
      type: 'work',
      primary: true,
    });
  });

  it('replaces without a path using path keys and URN-qualified keys', () => {
    const out = patch([
      {
        op: 'Replace',
        value: {
          'name.givenName': 'A',
          [`${ENTERPRISE_USER_URN}:department`]: 'B',
          active: 'False',
          'phoneNumbers[type eq "mobile"].value': '+1 555 0199',
        },
      },
    ]);
    expect(out.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'A' });
    expect(out[ENTERPRISE_USER_URN]).toEqual({ department: 'B' });
    expect(out.active).toBe(false);
    expect(out.phoneNumbers).toEqual([
      { value: '555-555-8377', type: 'home' },
      { type: 'mobile', value: '+1 555 0199' },
    ]);
    expect(out.schemas).toEqual([USER_SCHEMA_URN, ENTERPRISE_USER_URN]);
  });

  it('accepts the manager as a bare id and removes it', () => {
    const out = patch([
      { op: 'Add', path: `${ENTERPRISE_USER_URN}:manager`, value: '2819c223-7f76-453a-919d-413861904646' },
    ]);
    expect(out[ENTERPRISE_USER_URN]).toEqual({ manager: { value: '2819c223-7f76-453a-919d-413861904646' } });
    expect(patch([{ op: 'Remove', path: `${ENTERPRISE_USER_URN}:manager` }], out)).toEqual(SNAPSHOT);
  });

  it('removes listed values of a multi-valued attribute', () => {
    expect(patch([{ op: 'Remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] }]).emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
    ]);
  });
});

describe('applyPatch: request validation and atomicity', () => {
  it('accepts "operations" and case-insensitive op values', () => {
    const out = applyPatch(
      USER,
      { schemas: [PATCH_OP_URN], operations: [{ op: 'REPLACE', path: 'title', value: 'x' }] },
      { schema: USER_PATCH_SCHEMA },
    );
    expect(out.title).toBe('x');
    expect(
      readPatchRequest({
        schemas: [PATCH_OP_URN],
        Operations: [{ op: 'Add', path: 'title', value: 'x', name: 'extra' }],
      }),
    ).toEqual([{ op: 'add', path: 'title', value: 'x' }]);
  });

  it.each([
    ['a non-object body', '{"Operations": []}', /must be a JSON object/],
    ['no schemas', { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, /"schemas" must be an array containing/],
    [
      'the wrong schema',
      { schemas: [USER_SCHEMA_URN], Operations: [{ op: 'add', path: 'title', value: 'x' }] },
      /PatchOp/,
    ],
    ['no Operations', { schemas: [PATCH_OP_URN] }, /"Operations" must be a non-empty array/],
    ['empty Operations', { schemas: [PATCH_OP_URN], Operations: [] }, /non-empty/],
    [
      'an operation that is not an object',
      { schemas: [PATCH_OP_URN], Operations: ['add'] },
      /Operations\[0\] must be an object/,
    ],
    [
      'an unknown op',
      { schemas: [PATCH_OP_URN], Operations: [{ op: 'move', path: 'title' }] },
      /"op" must be "add", "replace" or "remove", not "move"/,
    ],
    [
      'add without value',
      { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'title' }] },
      /"add" needs a "value"/,
    ],
    [
      'replace without path with a scalar',
      { schemas: [PATCH_OP_URN], Operations: [{ op: 'replace', value: 'x' }] },
      /must be an object/,
    ],
  ])('refuses %s with invalidSyntax', (_what, body, detail) => {
    patchError(body, 'invalidSyntax', detail);
  });

  it('refuses values of the wrong type with invalidValue', () => {
    patchError(
      [{ op: 'replace', path: 'active', value: 'yes' }],
      'invalidValue',
      /"yes" is not a valid boolean for "active"/,
    );
    patchError(
      [{ op: 'add', path: 'emails', value: [{ value: 42 }] }],
      'invalidValue',
      /42 is not a valid string for "emails.value"/,
    );
    patchError(
      [{ op: 'add', path: 'emails', value: [{ value: 'a@b.c', kind: 'x' }] }],
      'invalidValue',
      /"emails" has no sub-attribute "kind"/,
    );
    patchError([{ op: 'add', path: 'name', value: 'Barbara' }], 'invalidValue', /must be an object/);
    patchError(
      [{ op: 'add', path: `${GENESYS_USER_URN}:routingSkills`, value: [{ name: 'x', proficiency: 'high' }] }],
      'invalidValue',
      /decimal/,
    );
  });

  it('applies all operations or none: a failing third operation leaves the input unchanged', () => {
    const e = patchError(
      [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'remove', path: 'emails[type eq "home"]' },
        { op: 'remove', path: 'emails[type eq "fax"]' },
      ],
      'noTarget',
      /^Operations\[2\] \(remove "emails\[type eq \\"fax\\"\]"\): No value/,
    );
    expect(e.detail).toContain('Operations[2]');
    expect(USER).toEqual(SNAPSHOT);
    // The same first two operations on their own do apply.
    const ok = patch([
      { op: 'replace', path: 'displayName', value: 'Changed' },
      { op: 'remove', path: 'emails[type eq "home"]' },
    ]);
    expect(ok.displayName).toBe('Changed');
    expect(ok.emails).toHaveLength(1);
  });

  it('returns a new object and never shares nested values with the input', () => {
    const out = patch([{ op: 'add', path: 'nickName', value: 'B' }]);
    expect(out).not.toBe(USER);
    expect(out.emails).not.toBe(USER.emails);
    expect(out.name).not.toBe(USER.name);
  });
});

describe('applyPatch: mutability', () => {
  it.each([
    [{ op: 'replace', path: 'id', value: 'other' }, /"id" is readOnly/],
    [{ op: 'replace', path: `${USER_SCHEMA_URN}:id`, value: 'other' }, /"id" is readOnly/],
    [{ op: 'remove', path: 'id' }, /"id" is readOnly/],
    [{ op: 'add', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }, /"meta" is readOnly/],
    [{ op: 'remove', path: 'meta' }, /"meta" is readOnly/],
    [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }, /"groups" is readOnly/],
    [{ op: 'remove', path: 'groups[value eq "e9e30dba-f08f-4109-8486-d5c6a331660a"]' }, /"groups" is readOnly/],
    [{ op: 'replace', path: 'schemas', value: [USER_SCHEMA_URN] }, /"schemas" is maintained by the server/],
    [{ op: 'replace', value: { id: 'another-id', active: false } }, /"id" is readOnly/],
    [{ op: 'add', path: `${ENTERPRISE_USER_URN}:manager.displayName`, value: 'Boss' }, /"displayName" is readOnly/],
  ])('refuses %j', (op, detail) => {
    patchError([op], 'mutability', detail);
  });

  it('ignores read-only attributes equal to the current value in a path-less value (Okta)', () => {
    const out = patch([
      { op: 'replace', value: { id: USER.id, schemas: [USER_SCHEMA_URN], active: false, meta: USER.meta } },
    ]);
    expect(out).toEqual({ ...SNAPSHOT, active: false });
  });
});

describe('applyPatch on a Group', () => {
  const GROUP = deepFreeze({
    schemas: [GROUP_SCHEMA_URN],
    id: 'g1',
    displayName: 'Tour Guides',
    members: [{ value: 'u1', display: 'Babs' }],
  });

  it('renames (Entra, Okta) and manages members in memory', () => {
    const renamed = applyPatch(GROUP, request([{ op: 'Replace', path: 'displayName', value: 'Guides' }]), {
      schema: GROUP_PATCH_SCHEMA,
    });
    expect(renamed.displayName).toBe('Guides');
    const okta = applyPatch(GROUP, request([{ op: 'replace', value: { id: 'g1', displayName: 'Test SCIMv2' } }]), {
      schema: GROUP_PATCH_SCHEMA,
    });
    expect(okta.displayName).toBe('Test SCIMv2');
    const members = applyPatch(
      GROUP,
      request([
        { op: 'add', path: 'members', value: [{ value: 'u2', display: 'Bob' }, { value: 'u1' }] },
        { op: 'remove', path: 'members[value eq "u1"]' },
      ]),
      { schema: GROUP_PATCH_SCHEMA },
    );
    expect(members.members).toEqual([{ value: 'u2', display: 'Bob' }]);
    // Member ids are caseExact.
    expect(() =>
      applyPatch(members, request([{ op: 'remove', path: 'members[value eq "U2"]' }]), { schema: GROUP_PATCH_SCHEMA }),
    ).toThrow(
      expect.objectContaining({ scimType: 'noTarget', detail: expect.stringMatching(/No value of "members" matches/) }),
    );
  });

  it('applies the operations a plan leaves over', () => {
    const plan = planGroupMembersPatch(
      request([{ op: 'replace', value: { displayName: 'New', members: [{ value: 'u9' }] } }]),
    );
    expect(applyOperations(GROUP, plan.other, { schema: GROUP_PATCH_SCHEMA }).displayName).toBe('New');
  });
});

describe('planGroupMembersPatch', () => {
  const plan = (ops: unknown[]) => planGroupMembersPatch(request(ops));
  const planError = (ops: unknown[], scimType: ScimPatchErrorType, detail: RegExp) => {
    let error: unknown;
    try {
      plan(ops);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimPatchError);
    expect((error as ScimPatchError).scimType).toBe(scimType);
    expect((error as ScimPatchError).detail).toMatch(detail);
  };

  it('reads Okta member adds and removes', () => {
    expect(
      plan([
        {
          op: 'add',
          path: 'members',
          value: [
            { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
            { value: '89bb1940-b905-4575-9e7f-6f887cfb368e', display: 'test.user2@okta.local' },
          ],
        },
      ]),
    ).toEqual({
      add: ['23a35c27-23d3-4c03-b4c5-6443c09e7173', '89bb1940-b905-4575-9e7f-6f887cfb368e'],
      remove: [],
      removeAll: false,
      other: [],
    });
    expect(plan([{ op: 'remove', path: 'members[value eq "89bb1940-b905-4575-9e7f-6f887cfb368e"]' }])).toEqual({
      add: [],
      remove: ['89bb1940-b905-4575-9e7f-6f887cfb368e'],
      removeAll: false,
      other: [],
    });
    expect(plan([{ op: 'remove', path: 'members[value eq "a" or value eq "b"]' }]).remove).toEqual(['a', 'b']);
  });

  it('reads Entra member adds and removes (value lists with $ref null)', () => {
    expect(
      plan([{ name: 'addMember', op: 'Add', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] }]),
    ).toEqual({
      add: ['f648f8d5ea4e4cd38e9c'],
      remove: [],
      removeAll: false,
      other: [],
    });
    expect(
      plan([
        { name: 'removeMember', op: 'Remove', path: 'members', value: [{ $ref: null, value: 'f648f8d5ea4e4cd38e9c' }] },
      ]),
    ).toEqual({
      add: [],
      remove: ['f648f8d5ea4e4cd38e9c'],
      removeAll: false,
      other: [],
    });
  });

  it('reads replace members, remove members, path-less values and renames', () => {
    expect(plan([{ op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }])).toEqual({
      add: ['a', 'b'],
      remove: [],
      removeAll: true,
      other: [],
    });
    expect(plan([{ op: 'remove', path: 'members' }])).toEqual({ add: [], remove: [], removeAll: true, other: [] });
    expect(plan([{ op: 'remove', path: `${GROUP_SCHEMA_URN}:members` }]).removeAll).toBe(true);
    expect(
      plan([{ op: 'replace', value: { id: 'g1', displayName: 'Test SCIMv2', members: [{ value: 'x' }] } }]),
    ).toEqual({
      add: ['x'],
      remove: [],
      removeAll: true,
      other: [{ op: 'replace', value: { id: 'g1', displayName: 'Test SCIMv2' } }],
    });
    expect(plan([{ op: 'Replace', path: 'displayName', value: 'Renamed' }]).other).toEqual([
      { op: 'replace', path: 'displayName', value: 'Renamed' },
    ]);
  });

  it('folds operations in order: later ones win, add and remove never share an id', () => {
    expect(
      plan([
        { op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
        { op: 'remove', path: 'members[value eq "a"]' },
        { op: 'remove', path: 'members', value: [{ value: 'c' }] },
        { op: 'add', path: 'members', value: [{ value: 'c' }] },
      ]),
    ).toEqual({ add: ['b', 'c'], remove: ['a'], removeAll: false, other: [] });
    expect(
      plan([
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
        { op: 'remove', path: 'members' },
        { op: 'add', path: 'members', value: [{ value: 'b' }] },
        { op: 'remove', path: 'members[value eq "z"]' },
      ]),
    ).toEqual({ add: ['b'], remove: [], removeAll: true, other: [] });
  });

  it('refuses what it cannot plan', () => {
    planError(
      [{ op: 'add', path: 'members[value eq "a"]', value: [{ value: 'a' }] }],
      'invalidPath',
      /"add" with a members filter/,
    );
    planError([{ op: 'remove', path: 'members[display eq "Babs"]' }], 'invalidPath', /value eq "id"/);
    planError([{ op: 'remove', path: 'members[value eq "a" and value eq "b"]' }], 'invalidPath', /value eq "id"/);
    planError([{ op: 'remove', path: 'members.value' }], 'invalidPath', /sub-attributes/);
    planError(
      [{ op: 'add', path: 'members', value: [{ display: 'no id' }] }],
      'invalidValue',
      /members\[0\] needs a "value"/,
    );
    planError([{ op: 'add', path: 'members', value: [{ value: '' }] }], 'invalidValue', /needs a "value"/);
    planError([{ op: 'add', path: 'members[value eq "a"', value: [] }], 'invalidPath', /Invalid path/);
    planError([{ op: 'replace', path: 'owner', value: 'x' }], 'invalidPath', /Unknown attribute "owner"/);
    planError([{ op: 'replace', path: 'id', value: 'x' }], 'mutability', /"id" is readOnly/);
    planError([{ op: 'move', path: 'members' }], 'invalidSyntax', /"op" must be/);
    expect(() => planGroupMembersPatch({ Operations: [] })).toThrow(ScimPatchError);
  });
});
