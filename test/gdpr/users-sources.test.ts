/**
 * The personal-data sources of directory users (with their SCIM attributes) and of OAuth, called
 * as the GDPR job calls them, built as the composition root builds them; what they changed is
 * checked over HTTP where a client would see it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPersonalData } from '../../src/domains/audit/index.ts';
import { newTimeOrderedId } from '../../src/platform/ids.ts';
import type { PersonalDataSource, ResolvedSubject } from '../../src/platform/personal-data.ts';
import type { Caller } from '../../src/platform/principal.ts';
import { type Trx, withTransaction } from '../../src/storage/db.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { ENTERPRISE, GENESYS, oktaUser, PATCH_OP, type ScimApp, startScimApp } from '../scim/helpers.ts';

const REDIRECT = 'https://app.example.com/callback';
const JANE_PASSWORD = 'jane-has-a-long-password';

const subject = (s: Partial<ResolvedSubject>): ResolvedSubject => ({
  userIds: [],
  customerNames: [],
  names: [],
  emails: [],
  phones: [],
  addresses: [],
  externalIds: [],
  ...s,
});

describe.each(DIALECTS)('personal data of users and OAuth grants on %s', (dialect) => {
  let s: ScimApp;
  let admin: string;
  let caller: Caller;
  let orgId: string;
  let users: ReturnType<ScimApp['t']['gh']['directory']['personalData']>;
  let oauth: PersonalDataSource;
  let jane: string;
  let kim: string;
  let bob: string;
  let otherOrg: string;
  let otherJane: string;
  let groupId: string;

  beforeAll(async () => {
    s = await startScimApp(dialect);
    const { gh, demo } = s.t;
    orgId = demo.orgId;
    admin = await s.t.token();
    caller = { principal: (await gh.oauth.tokens.resolve(admin))!, remoteIp: '127.0.0.1' };
    // As src/app.ts builds them.
    users = gh.directory.personalData();
    oauth = gh.oauth.personalData;

    const made = await s.scim(
      'POST',
      '/Users',
      oktaUser('jane.roe@gdpr.example', {
        name: { givenName: 'Jane', familyName: 'Roe' },
        displayName: 'Jane Roe',
        title: 'Engineer',
        externalId: 'okta-jane',
        password: JANE_PASSWORD,
        emails: [
          { value: 'jane.roe@gdpr.example', type: 'work', primary: true },
          { value: 'Jane.Private@Home.example', type: 'work' },
        ],
        phoneNumbers: [{ value: '+1 (415) 555-0100', type: 'mobile' }],
        [ENTERPRISE]: { employeeNumber: 'E-1001', department: 'Research' },
        [GENESYS]: { externalIds: [{ authority: 'hr', value: 'HR-77' }] },
      }),
    );
    expect(made.status, made.text).toBe(201);
    jane = made.body.id;
    const kimMade = await s.scim(
      'POST',
      '/Users',
      oktaUser('kim@gdpr.example', {
        name: { givenName: 'Kimberly', familyName: 'Lee' },
        displayName: 'Kim Lee',
        [ENTERPRISE]: { manager: { value: jane } },
      }),
    );
    expect(kimMade.status, kimMade.text).toBe(201);
    kim = kimMade.body.id;
    // SCIM accepts addresses and ignores them (docs/scim.md): Kim's are written as an identity
    // provider's would be stored, to exercise the ADDRESS search and rectification.
    await gh.storage.db
      .updateTable('scim_users')
      .set({
        attributes: JSON.stringify({
          addresses: [
            { type: 'work', formatted: '1 Main St, Springfield', streetAddress: '1 Main St', locality: 'Springfield' },
          ],
        }),
      })
      .where('user_id', '=', kim)
      .execute();

    const bobMade = await s.t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Bob Smith',
        email: 'Bob.Smith@GDPR.example',
        title: 'Manager',
        department: 'Sales',
        password: 'bob-has-a-long-password',
      },
    });
    expect(bobMade.status, bobMade.text).toBe(200);
    bob = bobMade.body.id;
    const roles = await gh.directory.roles.list(orgId, { pageSize: 100, pageNumber: 1, offset: 0 }, 'Employee', {});
    const home = (await gh.directory.organizations.homeDivision(orgId)).id;
    await gh.directory.roles.replaceGrants(orgId, null, { type: 'user', id: bob, name: 'Bob Smith' }, [
      { roleId: roles.entities[0].id, divisionId: home },
    ]);

    groupId = await s.group('GDPR Team');
    const joined = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: jane }] }],
    });
    expect(joined.status, joined.text).toBe(200);

    // Another organization holds a user with the same name, email, phone and external id.
    const other = await s.otherOrgToken('Other GDPR Org');
    otherOrg = other.orgId;
    const twin = await s.as(other.token)(
      'POST',
      '/Users',
      oktaUser('jane.roe@gdpr.example', {
        name: { givenName: 'Jane', familyName: 'Roe' },
        displayName: 'Jane Roe',
        externalId: 'okta-jane',
        phoneNumbers: [{ value: '+14155550100', type: 'work' }],
        emails: [{ value: 'Jane.Private@Home.example', type: 'work' }],
      }),
    );
    expect(twin.status, twin.text).toBe(201);
    otherJane = twin.body.id;
  });
  afterAll(() => s?.t.close());

  const ids = (found: { userId?: string }[]) => found.map((f) => f.userId).sort();
  const cause = () => newTimeOrderedId(Date.now());
  const inTrx = <T>(fn: (trx: Trx) => Promise<T>) => withTransaction(s.t.gh.storage.db, fn);
  const userRow = (id: string) =>
    s.t.gh.storage.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventsCausedBy = (causeId: string) =>
    s.t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('cause_event_id', '=', causeId)
      .orderBy('id')
      .execute();

  describe('findSubjects', () => {
    it("finds by email, case-insensitively, in users and SCIM emails, with the user's identifiers", async () => {
      const found = await users.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'JANE.ROE@gdpr.EXAMPLE');
      expect(found).toEqual([
        {
          name: 'Jane Roe',
          userId: jane,
          emailAddresses: ['jane.roe@gdpr.example', 'Jane.Private@Home.example'],
          phoneNumbers: ['+14155550100'],
          externalId: 'okta-jane',
        },
      ]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'jane.private@home.example'))).toEqual([
        jane,
      ]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'bob.smith@gdpr.example'))).toEqual([bob]);
      expect(await users.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'nobody@gdpr.example')).toEqual([]);
    });

    it('finds by name (users.name or SCIM given and family name), case-insensitively', async () => {
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'NAME', 'jane roe'))).toEqual([jane]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'NAME', 'KIM LEE'))).toEqual([kim]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'NAME', 'kimberly lee'))).toEqual([kim]);
      expect(await users.findSubjects(s.t.gh.storage.db, orgId, 'NAME', 'Kim')).toEqual([]);
    });

    it('finds by phone in E.164, by external id and by address', async () => {
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'PHONE', '+14155550100'))).toEqual([jane]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'PHONE', '(415) 555-0100'))).toEqual([jane]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'EXTERNAL_ID', 'okta-jane'))).toEqual([jane]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'EXTERNAL_ID', 'HR-77'))).toEqual([jane]);
      // External ids are case-exact, as SCIM declares them.
      expect(await users.findSubjects(s.t.gh.storage.db, orgId, 'EXTERNAL_ID', 'hr-77')).toEqual([]);
      const byAddress = await users.findSubjects(s.t.gh.storage.db, orgId, 'ADDRESS', '1 MAIN ST');
      expect(byAddress).toEqual([expect.objectContaining({ userId: kim, addresses: ['1 Main St, Springfield'] })]);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'ADDRESS', '1 main st, springfield'))).toEqual([
        kim,
      ]);
      expect(await users.findSubjects(s.t.gh.storage.db, orgId, 'TWITTER', 'jane')).toEqual([]);
      expect(await oauth.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'jane.roe@gdpr.example')).toEqual([]);
    });

    it('finds a deleted user by the email it kept, and resolves it', async () => {
      const made = await s.t.api('/api/v2/users', {
        method: 'POST',
        token: admin,
        body: { name: 'Dee Leted', email: 'Dee@gdpr.example' },
      });
      const deleted = await s.t.api(`/api/v2/users/${made.body.id}`, {
        method: 'PATCH',
        token: admin,
        body: { version: made.body.version, state: 'deleted' },
      });
      expect(deleted.status, deleted.text).toBe(200);
      expect(ids(await users.findSubjects(s.t.gh.storage.db, orgId, 'EMAIL', 'dee@GDPR.example'))).toEqual([
        made.body.id,
      ]);
      expect(await users.resolveUsers!(s.t.gh.storage.db, orgId, subject({ emails: ['DEE@gdpr.example'] }))).toEqual([
        made.body.id,
      ]);
    });

    it("never finds another organization's users", async () => {
      const db = s.t.gh.storage.db;
      for (const [type, value] of [
        ['EMAIL', 'jane.roe@gdpr.example'],
        ['EMAIL', 'jane.private@home.example'],
        ['NAME', 'Jane Roe'],
        ['PHONE', '+14155550100'],
        ['EXTERNAL_ID', 'okta-jane'],
      ] as const) {
        expect(ids(await users.findSubjects(db, orgId, type, value)), `${type} ${value}`).toEqual([jane]);
        expect(ids(await users.findSubjects(db, otherOrg, type, value)), `${type} ${value}`).toEqual([otherJane]);
      }
    });
  });

  describe('resolveUsers and describeUsers', () => {
    it('resolves by emails, phones and external ids, never by name, in the organization only', async () => {
      const db = s.t.gh.storage.db;
      expect(await users.resolveUsers!(db, orgId, subject({ emails: ['JANE.PRIVATE@home.example'] }))).toEqual([jane]);
      expect(await users.resolveUsers!(db, orgId, subject({ phones: ['+14155550100'] }))).toEqual([jane]);
      expect(await users.resolveUsers!(db, orgId, subject({ externalIds: ['HR-77'] }))).toEqual([jane]);
      expect(
        await users.resolveUsers!(db, orgId, subject({ emails: ['bob.smith@gdpr.example', 'kim@gdpr.example'] })),
      ).toEqual([bob, kim].sort());
      expect(await users.resolveUsers!(db, orgId, subject({ names: ['Bob Smith', 'Jane Roe'] }))).toEqual([]);
      expect(await users.resolveUsers!(db, otherOrg, subject({ externalIds: ['okta-jane'] }))).toEqual([otherJane]);
    });

    it("describes the users' own identifiers, SCIM's included", async () => {
      const described = await users.describeUsers(s.t.gh.storage.db, orgId, [jane, kim, otherJane]);
      expect(described.names).toEqual(expect.arrayContaining(['Jane Roe', 'Kim Lee', 'Kimberly Lee']));
      expect(described.emails).toEqual(
        expect.arrayContaining(['jane.roe@gdpr.example', 'Jane.Private@Home.example', 'kim@gdpr.example']),
      );
      expect(described.phones).toEqual(['+14155550100']);
      expect(described.addresses).toEqual(['1 Main St, Springfield']);
      expect(described.externalIds).toEqual(expect.arrayContaining(['okta-jane', 'HR-77']));
      // Names are case-insensitively distinct (jane.roe is also Jane's work email), nothing from the other org.
      expect(described.emails.filter((e) => e.toLowerCase() === 'jane.roe@gdpr.example')).toHaveLength(1);
      expect(described.names).toHaveLength(3);
    });
  });

  describe('export', () => {
    it('holds the directory record, roles and SCIM attributes, never a password hash', async () => {
      const data = (await users.export(s.t.gh.storage.db, orgId, subject({ userIds: [jane, bob, otherJane] }))) as {
        users: Record<string, any>[];
      };
      expect(data.users.map((u) => u.id).sort()).toEqual([bob, jane].sort());
      const b = data.users.find((u) => u.id === bob)!;
      expect(b).toMatchObject({
        name: 'Bob Smith',
        email: 'Bob.Smith@GDPR.example',
        title: 'Manager',
        department: 'Sales',
        state: 'active',
        roles: [{ name: 'Employee' }],
      });
      expect(b.division.name).toBeTruthy();
      expect(b.dateCreated).toBeTruthy();
      const j = data.users.find((u) => u.id === jane)!;
      expect(j).toMatchObject({
        name: 'Jane Roe',
        email: 'jane.roe@gdpr.example',
        title: 'Engineer',
        department: 'Research',
      });
      expect(j.scim).toMatchObject({
        externalId: 'okta-jane',
        name: { givenName: 'Jane', familyName: 'Roe' },
        emails: [{ value: 'jane.roe@gdpr.example' }, { value: 'Jane.Private@Home.example' }],
        phoneNumbers: [{ value: '+14155550100', type: 'mobile' }],
        employeeNumber: 'E-1001',
        groups: [{ id: groupId, name: 'GDPR Team' }],
      });
      expect(j.scim.externalIds).toEqual(
        expect.arrayContaining([
          { authority: 'hr', value: 'HR-77' },
          { authority: 'x-pc:scimv2:v1', value: 'okta-jane' },
        ]),
      );
      const text = JSON.stringify(data);
      expect(text).not.toMatch(/argon2|password/i);
      expect(await users.export(s.t.gh.storage.db, orgId, subject({ userIds: [otherJane] }))).toBeNull();
      expect(await users.export(s.t.gh.storage.db, orgId, subject({ emails: ['jane.roe@gdpr.example'] }))).toBeNull();
    });
  });

  describe('rectify', () => {
    it('replaces a name, an email and a phone number of the subject only, audited with old and new values', async () => {
      const db = s.t.gh.storage.db;
      const before = await userRow(bob);
      const causeId = cause();
      const outcome = await inTrx((trx) =>
        users.rectify(
          trx,
          orgId,
          subject({ userIds: [bob, jane] }),
          [
            { type: 'NAME', existingValue: 'bob smith', updatedValue: 'Robert Smith' },
            { type: 'EMAIL', existingValue: 'JANE.PRIVATE@home.example', updatedValue: 'jane@private.example' },
            { type: 'PHONE', existingValue: '+14155550100', updatedValue: '+14155550199' },
          ],
          caller,
          causeId,
        ),
      );
      expect(outcome).toEqual({ users: 2, names: 1, emails: 1, phones: 1 });
      expect(await oauth.rectify(undefined as never, orgId, subject({ userIds: [bob] }), [], caller, causeId)).toEqual(
        {},
      );

      const bobNow = await s.t.api(`/api/v2/users/${bob}`, { token: admin });
      expect(bobNow.body).toMatchObject({
        name: 'Robert Smith',
        email: 'Bob.Smith@GDPR.example',
        version: before.version + 1,
      });
      const janeNow = await s.scim('GET', `/Users/${jane}`);
      expect(janeNow.body.emails.map((e: { value: string }) => e.value)).toEqual([
        'jane.roe@gdpr.example',
        'jane.roe@gdpr.example',
        'jane@private.example',
      ]);
      expect(janeNow.body.phoneNumbers).toEqual([{ value: '+14155550199', type: 'mobile', primary: false }]);
      // SCIM filters read the index rows, which moved too.
      const filtered = await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent('emails.value eq "jane@private.example"')}`,
      );
      expect(filtered.body.Resources.map((r: { id: string }) => r.id)).toEqual([jane]);
      expect(ids(await users.findSubjects(db, orgId, 'PHONE', '+14155550199'))).toEqual([jane]);
      expect(await users.findSubjects(db, orgId, 'PHONE', '+14155550100')).toEqual([]);
      // The other organization's twin is untouched.
      expect(ids(await users.findSubjects(db, otherOrg, 'PHONE', '+14155550100'))).toEqual([otherJane]);

      const events = await eventsCausedBy(causeId);
      expect(events.map((e) => [e.service_name, e.entity_type, e.action, e.entity_id]).sort()).toEqual(
        [
          ['Directory', 'User', 'Update', bob],
          ['Directory', 'User', 'Update', jane],
        ].sort(),
      );
      const bobChanges = JSON.parse(events.find((e) => e.entity_id === bob)!.changes);
      expect(bobChanges).toEqual([{ property: 'name', oldValues: ['Bob Smith'], newValues: ['Robert Smith'] }]);
      const janeChanges = JSON.parse(events.find((e) => e.entity_id === jane)!.changes) as {
        property: string;
        oldValues: string[];
        newValues: string[];
      }[];
      expect(janeChanges.map((c) => c.property).sort()).toEqual(['emails', 'phoneNumbers']);
      expect(janeChanges.find((c) => c.property === 'phoneNumbers')).toEqual({
        property: 'phoneNumbers',
        oldValues: ['mobile:+14155550100'],
        newValues: ['mobile:+14155550199'],
      });
    });

    it('replaces the SCIM given and family names with the whole name, and an address', async () => {
      const causeId = cause();
      const outcome = await inTrx((trx) =>
        users.rectify(
          trx,
          orgId,
          subject({ userIds: [kim] }),
          [
            { type: 'NAME', existingValue: 'Kimberly Lee', updatedValue: 'Kimberly Park' },
            { type: 'ADDRESS', existingValue: '1 main st', updatedValue: '9 Elm Rd' },
          ],
          caller,
          causeId,
        ),
      );
      expect(outcome).toEqual({ users: 1, names: 1, addresses: 1 });
      const data = (await users.export(s.t.gh.storage.db, orgId, subject({ userIds: [kim] }))) as {
        users: Record<string, any>[];
      };
      expect(data.users[0].name).toBe('Kim Lee');
      expect(data.users[0].scim.name).toEqual({ givenName: 'Kimberly', familyName: 'Park' });
      expect(data.users[0].scim.addresses).toEqual([
        { type: 'work', formatted: '1 Main St, Springfield', streetAddress: '9 Elm Rd', locality: 'Springfield' },
      ]);
      const [event] = await eventsCausedBy(causeId);
      expect(JSON.parse(event.changes)).toEqual(
        expect.arrayContaining([{ property: 'name.familyName', oldValues: ['Lee'], newValues: ['Park'] }]),
      );
    });

    it('refuses an email another user holds and leaves nothing half-written', async () => {
      const [bobBefore, kimBefore] = await Promise.all([userRow(bob), userRow(kim)]);
      // Users are changed in id order: the first one's new name is written before the last one's
      // email is refused, so the refusal must undo it.
      const last = [bob, kim].sort()[1];
      const causeId = cause();
      const attempt = inTrx((trx) =>
        users.rectify(
          trx,
          orgId,
          subject({ userIds: [bob, kim] }),
          [
            { type: 'NAME', existingValue: 'Kim Lee', updatedValue: 'Kim Park' },
            { type: 'NAME', existingValue: 'Robert Smith', updatedValue: 'Rob Smith' },
            {
              type: 'EMAIL',
              existingValue: last === bob ? 'bob.smith@gdpr.example' : 'KIM@gdpr.example',
              updatedValue: 'JANE.ROE@gdpr.example',
            },
          ],
          caller,
          causeId,
        ),
      );
      await expect(attempt).rejects.toMatchObject({ status: 409, code: 'general.conflict' });
      expect(await userRow(bob)).toEqual(bobBefore);
      expect(await userRow(kim)).toEqual(kimBefore);
      expect(await eventsCausedBy(causeId)).toEqual([]);
    });
  });

  describe('erase', () => {
    let session: { access: string; refresh: string; clientId: string };

    beforeAll(async () => {
      // Jane signs in to an app the organization authorized and holds a refresh token.
      const app = await s.t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: admin,
        body: {
          name: 'GDPR Partner App',
          authorizedGrantType: 'CODE',
          registeredRedirectUri: [REDIRECT],
          scope: ['users:readonly'],
        },
      });
      expect(app.status, app.text).toBe(200);
      const verifier = randomBytes(48).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const query = {
        client_id: app.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      };
      const approved = await new AuthorizeSession(s.t).authorize(query, {
        email: 'admin@demo.gatehouse.local',
        password: ADMIN_PASSWORD,
      });
      expect(approved.location, approved.html).toMatch(/code=/);
      const signedIn = await new AuthorizeSession(s.t).authorize(query, {
        email: 'jane.roe@gdpr.example',
        password: JANE_PASSWORD,
      });
      expect(signedIn.location, signedIn.html).toMatch(/code=/);
      const code = new URL(signedIn.location!).searchParams.get('code')!;
      const tokens = await exchange({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        client_id: app.body.id,
      });
      expect(tokens.status, tokens.text).toBe(200);
      session = { access: tokens.body.access_token, refresh: tokens.body.refresh_token, clientId: app.body.id };
    });

    const exchange = (form: Record<string, string>) =>
      s.t.api('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });

    it("exports the user's grants and authorized applications, never a token", async () => {
      const data = (await oauth.export(s.t.gh.storage.db, orgId, subject({ userIds: [jane] }))) as Record<string, any>;
      // The refresh token, and the (used) code it was exchanged for.
      expect(data.grants).toEqual([
        expect.objectContaining({
          userId: jane,
          clientId: session.clientId,
          clientName: 'GDPR Partner App',
          kind: 'refresh_token',
          scopes: ['users:readonly'],
        }),
        expect.objectContaining({
          userId: jane,
          clientId: session.clientId,
          kind: 'authorization_code',
          redirectUri: REDIRECT,
          dateUsed: expect.any(String),
        }),
      ]);
      expect(data.authorizedApplications).toEqual([
        expect.objectContaining({
          clientId: session.clientId,
          clientName: 'GDPR Partner App',
          state: 'Authorized',
          grantsHeldBy: [jane],
        }),
      ]);
      expect(JSON.stringify(data)).not.toContain(session.refresh);
      expect(JSON.stringify(data)).not.toMatch(/hash/i);
      expect(await oauth.export(s.t.gh.storage.db, orgId, subject({ userIds: [bob] }))).toBeNull();
    });

    it('anonymizes the user, stops its tokens, clears SCIM and deletes its grants; the trail keeps no erased value', async () => {
      expect((await s.t.api('/api/v2/tokens/me', { token: session.access })).status).toBe(200);
      const causeId = cause();
      const subjectJane = subject({ userIds: [jane] });
      const [userOutcome, oauthOutcome] = await inTrx(async (trx) => [
        await users.erase(trx, orgId, subjectJane, caller, causeId),
        await oauth.erase(trx, orgId, subjectJane, caller, causeId),
      ]);
      expect(userOutcome).toMatchObject({
        users: 1,
        names: 3,
        emails: 3,
        phones: 1,
        externalIds: 2,
        titles: 1,
        departments: 1,
      });
      expect(oauthOutcome).toEqual({ refreshTokens: 1, authorizationCodes: 1, grants: 1 });

      const now = await s.t.api(`/api/v2/users/${jane}`, { token: admin });
      expect(now.status).toBe(200);
      expect(now.body).toMatchObject({
        name: 'Anonymized user',
        email: `anonymized-${jane}@gdpr.invalid`,
        state: 'deleted',
      });
      expect(now.body.title).toBeUndefined();
      expect(now.body.department).toBeUndefined();
      expect((await userRow(jane)).password_hash).toBeNull();
      // Its token stops, its refresh token is gone, and it cannot sign in.
      expect((await s.t.api('/api/v2/tokens/me', { token: session.access })).status).toBe(401);
      const refreshed = await exchange({
        grant_type: 'refresh_token',
        refresh_token: session.refresh,
        client_id: session.clientId,
      });
      expect(refreshed.body.error).toBe('invalid_grant');
      // Nothing of hers is left; the organization's authorization of the app stays (the admin's).
      expect(await oauth.export(s.t.gh.storage.db, orgId, subjectJane)).toBeNull();
      const listed = await s.t.api('/api/v2/oauth/authorizations', { token: admin });
      expect(listed.body.entities).toEqual([
        expect.objectContaining({ client: expect.objectContaining({ id: session.clientId }), state: 'Authorized' }),
      ]);

      // SCIM: the user is gone and its values are free; the group and the report let go of it.
      expect((await s.scim('GET', `/Users/${jane}`)).status).toBe(404);
      for (const filter of [
        'emails.value eq "jane@private.example"',
        'phoneNumbers.value eq "+14155550199"',
        'externalId eq "okta-jane"',
      ]) {
        expect((await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`)).body.totalResults, filter).toBe(0);
      }
      expect((await s.scim('GET', `/Groups/${groupId}`)).body.members ?? []).toEqual([]);
      expect((await s.scim('GET', `/Users/${kim}`)).body[ENTERPRISE].manager).toBeUndefined();
      const scimRow = await s.t.gh.storage.db
        .selectFrom('scim_users')
        .selectAll()
        .where('user_id', '=', jane)
        .executeTakeFirstOrThrow();
      expect(scimRow).toMatchObject({
        external_id: null,
        given_name: null,
        family_name: null,
        employee_number: null,
        manager_id: null,
        attributes: '{}',
      });
      for (const table of ['scim_user_emails', 'scim_user_phones', 'scim_user_external_ids'] as const) {
        expect(
          await s.t.gh.storage.db.selectFrom(table).select('user_id').where('user_id', '=', jane).execute(),
          table,
        ).toEqual([]);
      }
      const again = await s.scim('POST', '/Users', oktaUser('jane.roe@gdpr.example', { externalId: 'okta-jane' }));
      expect(again.status, again.text).toBe(201);

      // The erasure's events (and those it caused) name properties, never an erased value.
      const events = await eventsCausedBy(causeId);
      const caused = await s.t.gh.storage.db
        .selectFrom('audit_events')
        .selectAll()
        .where(
          'cause_event_id',
          'in',
          events.map((e) => e.id),
        )
        .execute();
      const all = [...events, ...caused];
      expect(all.map((e) => `${e.service_name}/${e.entity_type}/${e.action}`)).toEqual(
        expect.arrayContaining(['Directory/User/Update', 'OAuth/Token/Revoke', 'Directory/Group/Update']),
      );
      const erasure = events.find((e) => e.entity_id === jane)!;
      expect(erasure.entity_name).toBe('Anonymized user');
      const changes = JSON.parse(erasure.changes) as { property: string; oldValues: string[] }[];
      expect(changes.map((c) => c.property)).toEqual(
        expect.arrayContaining([
          'name',
          'email',
          'title',
          'state',
          'emails',
          'phoneNumbers',
          'externalId',
          'externalIds',
          'name.givenName',
        ]),
      );
      const text = JSON.stringify(all);
      for (const erased of [
        'jane.roe',
        'Jane.Private',
        'jane@private',
        '4155550199',
        'Roe',
        'okta-jane',
        'HR-77',
        'E-1001',
        'Engineer',
        'Research',
      ]) {
        expect(text, erased).not.toContain(erased);
      }

      // Erased users are not found again, and erasing again changes nothing.
      expect(await users.findSubjects(s.t.gh.storage.db, orgId, 'NAME', 'Anonymized user')).toEqual([]);
      expect(
        await users.resolveUsers!(s.t.gh.storage.db, orgId, subject({ emails: [`anonymized-${jane}@gdpr.invalid`] })),
      ).toEqual([]);
      expect(await users.describeUsers(s.t.gh.storage.db, orgId, [jane])).toEqual({
        names: [],
        emails: [],
        phones: [],
        addresses: [],
        externalIds: [],
      });
      const versionAfter = (await userRow(jane)).version;
      expect(await inTrx((trx) => users.erase(trx, orgId, subjectJane, caller, cause()))).toEqual({});
      expect((await userRow(jane)).version).toBe(versionAfter);
      // The other organization's twin keeps everything.
      expect(ids(await users.findSubjects(s.t.gh.storage.db, otherOrg, 'EMAIL', 'jane.roe@gdpr.example'))).toEqual([
        otherJane,
      ]);
    });

    it('erases every personal value the SCIM audit snapshot recorded, the hire date included', async () => {
      const made = await s.scim(
        'POST',
        '/Users',
        oktaUser('hana.okada@gdpr.example', {
          name: { givenName: 'Hana', familyName: 'Okada' },
          displayName: 'Hana Okada',
          [ENTERPRISE]: { employeeNumber: 'E-2002', dateHire: '2019-04-01' },
        }),
      );
      expect(made.status, made.text).toBe(201);
      const hana = made.body.id as string;
      const createOf = async () => {
        const row = await s.t.gh.storage.db
          .selectFrom('audit_events')
          .selectAll()
          .where('entity_id', '=', hana)
          .where('action', '=', 'Create')
          .executeTakeFirstOrThrow();
        return JSON.parse(row.changes) as { property: string; oldValues: string[]; newValues: string[] }[];
      };
      expect((await createOf()).find((c) => c.property === 'dateHire')).toEqual({
        property: 'dateHire',
        oldValues: [],
        newValues: ['2019-04-01'],
      });

      // As the GDPR job erases: every source in one transaction, the audit trail last.
      const audit = createAuditPersonalData();
      const subjectHana = subject({
        userIds: [hana],
        ...(await users.describeUsers(s.t.gh.storage.db, orgId, [hana])),
      });
      await inTrx(async (trx) => {
        const causeId = cause();
        await users.erase(trx, orgId, subjectHana, caller, causeId);
        await audit.erase(trx, orgId, subjectHana, caller, causeId);
      });

      const create = await createOf();
      expect(create.find((c) => c.property === 'dateHire')).toEqual({
        property: 'dateHire',
        oldValues: [],
        newValues: ['[erased]'],
      });
      const events = await s.t.gh.storage.db
        .selectFrom('audit_events')
        .selectAll()
        .where('entity_id', '=', hana)
        .execute();
      const text = JSON.stringify(events);
      for (const erased of ['2019-04-01', 'E-2002', 'Hana', 'Okada', 'hana.okada'])
        expect(text, erased).not.toContain(erased);
      // What is no personal datum stays: whether the user was active, its division.
      expect(create.find((c) => c.property === 'active')).toEqual({
        property: 'active',
        oldValues: [],
        newValues: ['true'],
      });
    });
  });
});
