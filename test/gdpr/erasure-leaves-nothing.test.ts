/**
 * Issue 23, "erasure that leaves nothing to recover": a SCIM user erased with GDPR_DELETE is gone
 * from every row, and also from the store's files — SQLite's free pages and WAL (secure_delete,
 * a truncating checkpoint), PostgreSQL's dead row versions (VACUUM of what the erasure changed).
 * Before the fix the SQLite file still held the name 3 times and the external id 4 times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../helpers/dialects.ts';
import { ENTERPRISE, oktaUser, type ScimApp, startScimApp } from '../scim/helpers.ts';
import { waitForRequest } from './fixtures.ts';
import { findInBytes, findInTables, needlesInFiles, rawStoreBytes } from './store-scan.ts';

const NAME = 'Zebulon Quillfeather';
const NEEDLES = [
  'Zebulon',
  'Quillfeather',
  'zebulon.quillfeather@erasure.example',
  '+14155550199',
  '415-555-0199',
  'okta-zq-8841',
  'EMP-77120',
  'Chief Lighthouse Keeper',
  'Keeper of Lamps',
];

// SQLite always overwrites; PostgreSQL leaves nothing in its files when told to rewrite the tables
// (GATEHOUSE_GDPR_VACUUM_FULL); its default plain VACUUM is checked on the rows only (docs/gdpr.md).
type Case = { dialect: TestDialect; rewrite: boolean; bytes: boolean };
const CASES = DIALECTS.flatMap((d): Case[] =>
  d === 'sqlite'
    ? [{ dialect: d, rewrite: false, bytes: true }]
    : [
        { dialect: d, rewrite: false, bytes: false },
        { dialect: d, rewrite: true, bytes: true },
      ],
);

describe.each(CASES)('an erasure on $dialect (VACUUM FULL: $rewrite) leaves nothing', ({ dialect, rewrite, bytes }) => {
  let s: ScimApp;
  let admin: string;
  beforeAll(async () => {
    s = await startScimApp(dialect, rewrite ? { GATEHOUSE_GDPR_VACUUM_FULL: 'true' } : {});
    admin = await s.t.token();
  });
  afterAll(() => s?.t.close());

  it('erases a SCIM user from every table and from the raw bytes of the store', async () => {
    const made = await s.scim(
      'POST',
      '/Users',
      oktaUser('zebulon.quillfeather@erasure.example', {
        name: { givenName: 'Zebulon', familyName: 'Quillfeather' },
        displayName: NAME,
        title: 'Keeper of Lamps',
        externalId: 'okta-zq-8841',
        phoneNumbers: [{ value: '(415) 555-0199', type: 'mobile' }],
        [ENTERPRISE]: { employeeNumber: 'EMP-77120', department: 'Lighthouses' },
      }),
    );
    expect(made.status, made.text).toBe(201);
    const id = made.body.id as string;
    // Old versions of the rows, as a life in the directory leaves them: a new title, a replace.
    const patched = await s.scim('PUT', `/Users/${id}`, {
      ...oktaUser('zebulon.quillfeather@erasure.example', {
        name: { givenName: 'Zebulon', familyName: 'Quillfeather' },
        displayName: NAME,
        title: 'Chief Lighthouse Keeper',
        externalId: 'okta-zq-8841',
        phoneNumbers: [{ value: '415-555-0199', type: 'mobile' }],
        [ENTERPRISE]: { employeeNumber: 'EMP-77120', department: 'Lighthouses' },
      }),
    });
    expect(patched.status, patched.text).toBe(200);
    const url = s.t.gh.config.databaseUrl;
    // The scan works: before the erasure the store holds every value.
    expect(findInBytes(await rawStoreBytes(s.t.gh.storage, url), NEEDLES)).toEqual(
      expect.arrayContaining(['Zebulon', 'okta-zq-8841', 'EMP-77120']),
    );

    const res = await s.t.api('/api/v2/gdpr/requests?deleteConfirmed=true', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_DELETE', subject: { userId: id } },
    });
    expect(res.status, res.text).toBe(200);
    expect((await waitForRequest(s.t, admin, res.body.id)).status).toBe('COMPLETED');

    expect(await findInTables(s.t.gh.storage, NEEDLES)).toEqual([]);
    if (bytes) expect(await needlesInFiles(s.t.gh.storage, url, NEEDLES)).toEqual([]);
  });
});
