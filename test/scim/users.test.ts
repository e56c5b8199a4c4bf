/**
 * SCIM Users over HTTP: create, get, list with filters and paging, PUT, PATCH, DELETE, ETags,
 * E.164 phone numbers, uniqueness, deactivation stopping tokens, organization isolation, and
 * the user's audit trail. @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import {
  auditTrail,
  ENTERPRISE,
  ERROR,
  GENESYS,
  oktaUser,
  PATCH_OP,
  type ScimApp,
  startScimApp,
  upstreamUserShape,
  USER,
} from './helpers.ts';

describe.each(DIALECTS)('SCIM Users on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  it('creates a user that is a directory user, answers the upstream ScimV2User shape with ETag and Location', async () => {
    const res = await s.scim(
      'POST',
      '/Users',
      oktaUser('ada.lovelace@example.com', {
        title: 'Engineer',
        externalId: '00u1abc',
        phoneNumbers: [{ value: '(555) 010-1234', type: 'work', primary: true }],
        [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
      }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    validateShape('ScimV2User', upstreamUserShape(res.body));
    expect(res.body).toMatchObject({
      userName: 'ada.lovelace@example.com',
      displayName: 'ada lovelace',
      title: 'Engineer',
      active: true,
      externalId: '00u1abc',
      phoneNumbers: [{ value: '+15550101234', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '42', division: 'Home' },
      [GENESYS]: { externalIds: [{ authority: 'x-pc:scimv2:v1', value: '00u1abc' }] },
      meta: { resourceType: 'User', version: 'W/"1"' },
    });
    expect(res.body.emails).toEqual(
      expect.arrayContaining([
        { value: 'ada.lovelace@example.com', type: 'other', primary: false },
        { value: 'ada.lovelace@example.com', type: 'work', primary: true },
      ]),
    );
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('location')).toBe(res.body.meta.location);
    expect(res.body.meta.location).toMatch(/\/api\/v2\/scim\/v2\/Users\/[0-9a-f-]{36}$/);

    // The directory sees the same person.
    const admin = await s.t.token();
    const dir = await s.t.api(`/api/v2/users/${res.body.id}`, { token: admin });
    expect(dir.status).toBe(200);
    expect(dir.body).toMatchObject({
      email: 'ada.lovelace@example.com',
      name: 'ada lovelace',
      title: 'Engineer',
      department: 'R&D',
      state: 'active',
    });

    const got = await s.scim('GET', `/Users/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    // The legacy path without /v2 serves the same resource.
    const legacy = await s.t.api(`/api/v2/scim/users/${res.body.id}`, { token: s.token });
    expect(legacy.body).toEqual(res.body);
  });

  it('refuses a second user with the same userName (any case) with 409 uniqueness', async () => {
    await s.scim('POST', '/Users', oktaUser('grace.hopper@example.com'));
    const res = await s.scim('POST', '/Users', oktaUser('Grace.Hopper@Example.com'));
    expect(res.status).toBe(409);
    validateShape('ScimError', res.body);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expect(res.body.detail).toContain('Grace.Hopper@Example.com');
  });

  it('answers concurrent creates each on its own: a conflicting one 409, the others created and audited', async () => {
    // On SQLite these share commits (decision 0027): a refused create must not take the others down.
    const bodies = [
      ...Array.from({ length: 8 }, (_, i) => oktaUser(`burst.${i}@example.com`, { externalId: `burst-${i}` })),
      oktaUser('Burst.3@Example.com'),
      oktaUser('burst.other@example.com', { externalId: 'burst-5' }),
      oktaUser('burst.bad@example.com', { phoneNumbers: [{ value: 'not a phone', type: 'work' }] }),
      oktaUser('burst.9@example.com'),
    ];
    const results = await Promise.all(bodies.map((b) => s.scim('POST', '/Users', b)));
    const byName = new Map<string, number[]>();
    results.forEach((r, i) => {
      const key = String(bodies[i]!.userName).toLowerCase();
      byName.set(key, [...(byName.get(key) ?? []), r.status]);
    });
    // Of two creates of one userName, one wins (either may arrive first).
    expect(byName.get('burst.3@example.com')!.sort()).toEqual([201, 409]);
    expect([results[5]!.status, results[9]!.status].sort()).toEqual([201, 409]);
    expect(results[10]!.status).toBe(400);
    for (const i of [0, 1, 2, 4, 6, 7, 11]) expect(results[i]!.status, String(i)).toBe(201);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.scimType).toBe('uniqueness');
    for (const r of results.filter((x) => x.status === 201)) {
      const got = await s.scim('GET', `/Users/${r.body.id}`);
      expect(got.body).toEqual(r.body);
      const trail = await auditTrail(s, r.body.id);
      expect(trail.filter((e) => e.action === 'Create')).toHaveLength(1);
    }
    const listed = await s.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "burst."')}&count=100`);
    expect(listed.body.totalResults).toBe(results.filter((r) => r.status === 201).length);
  });

  it('refuses a phone number that cannot be normalized, naming it', async () => {
    const res = await s.scim(
      'POST',
      '/Users',
      oktaUser('bad.phone@example.com', { phoneNumbers: [{ value: 'call me maybe', type: 'work' }] }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(res.body.detail).toContain('call me maybe');
    const gone = await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bad.phone@example.com"')}`);
    expect(gone.body.totalResults).toBe(0);
  });

  it('normalizes phone numbers with the configured default region', async () => {
    const { startApp } = await import('../helpers/app.ts');
    const gb = await startApp(dialect, { env: { GATEHOUSE_SCIM_PHONE_REGION: 'GB' } });
    try {
      const token = await gb.token();
      const res = await gb.api('/api/v2/scim/v2/Users', {
        method: 'POST',
        token,
        body: oktaUser('uk.user@example.com', {
          phoneNumbers: [
            { value: '020 7946 0018', type: 'work' },
            { value: 'tel:+1-555-010-9999;ext=12', type: 'mobile' },
          ],
        }),
      });
      expect(res.status).toBe(201);
      expect(res.body.phoneNumbers).toEqual([
        { value: '+442079460018', type: 'work', primary: false },
        { value: 'tel:+15550109999;ext=12', type: 'mobile', primary: false },
      ]);
    } finally {
      await gb.close();
    }
  });

  it('filters with userName eq, co, emails[...] and externalId; pages with startIndex and count', async () => {
    for (let i = 0; i < 5; i++)
      await s.scim('POST', '/Users', oktaUser(`pager.${i}@paging.example`, { externalId: `ext-${i}` }));
    const q = (filter: string, extra = '') => s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}${extra}`);

    const one = await q('userName eq "PAGER.3@paging.example"');
    expect(one.status).toBe(200);
    validateShape('ScimUserListResponse', upstreamUserShape(one.body));
    expect(one.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(one.body.Resources[0].userName).toBe('pager.3@paging.example');

    const page = await q('userName co "@paging.example"', '&startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([
      'pager.1@paging.example',
      'pager.2@paging.example',
    ]);

    expect((await q('emails[type eq "work" and value co "@paging.example"]')).body.totalResults).toBe(5);
    expect((await q('externalId eq "ext-4"')).body.Resources[0].userName).toBe('pager.4@paging.example');
    expect(
      (await q(`${GENESYS}:externalIds[authority eq "x-pc:scimv2:v1" and value eq "ext-2"]`)).body.Resources[0]
        .userName,
    ).toBe('pager.2@paging.example');
    expect((await q('userName sw "pager." and not (externalId eq "ext-0")')).body.totalResults).toBe(4);

    const countOnly = await q('userName co "@paging.example"', '&count=0');
    expect(countOnly.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
  });

  it('answers invalidFilter for a filter it cannot parse or an unknown attribute, never a 500', async () => {
    for (const f of ['userName eq', 'userName zz "x"', 'nosuch eq "x"', '(((', 'emails[type eq "work"']) {
      const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(f)}`);
      expect(res.status, f).toBe(400);
      expect(res.body, f).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
    }
  });

  it('honours attributes and excludedAttributes, always returning id, userName, active and meta', async () => {
    const res = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "pager.1@paging.example"')}&attributes=displayName`,
    );
    expect(Object.keys(res.body.Resources[0]).sort()).toEqual([
      'active',
      'displayName',
      'id',
      'meta',
      'schemas',
      'userName',
    ]);
    const ex = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "pager.1@paging.example"')}&excludedAttributes=emails,groups,${ENTERPRISE}`,
    );
    const keys = Object.keys(ex.body.Resources[0]);
    expect(keys).not.toContain('emails');
    expect(keys).not.toContain(ENTERPRISE);
    expect(keys).toContain('userName');
  });

  it('answers 304 for a current If-None-Match, and refuses a stale If-Match with 400 invalidVers', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('etag.user@example.com'));
    const id = made.body.id;
    expect((await s.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"1"' })).status).toBe(304);
    const patched = await s.scim(
      'PATCH',
      `/Users/${id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
      { 'if-match': 'W/"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"2"');
    expect((await s.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': 'W/"1"' })).status).toBe(200);
    const stale = await s.scim(
      'PATCH',
      `/Users/${id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] },
      { 'if-match': 'W/"1"' },
    );
    expect(stale.status).toBe(400);
    expect(stale.body).toMatchObject({ scimType: 'invalidVers', status: '400' });
    expect((await s.scim('GET', `/Users/${id}`)).body.title).toBe('Lead');
    const staleDelete = await s.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': 'W/"1"' });
    expect(staleDelete.status).toBe(400);
    expect((await s.scim('GET', `/Users/${id}`)).status).toBe(200);
  });

  it('an update that changes nothing keeps the version and records no event', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('same.again@example.com', { title: 'Same' }));
    const again = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { title: 'Same', active: true } }],
    });
    expect(again.status).toBe(200);
    expect(again.body.meta.version).toBe('W/"1"');
    const admin = await s.t.token();
    const now = Date.now();
    const events = await s.t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`,
        filters: [{ property: 'EntityId', value: made.body.id }],
      },
    });
    expect(events.body.entities.map((e: { action: string }) => e.action)).toEqual(['Create']);
  });

  it('PUT replaces the user; attributes left out are cleared', async () => {
    const made = await s.scim(
      'POST',
      '/Users',
      oktaUser('put.user@example.com', { title: 'Old', phoneNumbers: [{ value: '+15550100001', type: 'home' }] }),
    );
    const res = await s.scim('PUT', `/Users/${made.body.id}`, {
      schemas: [USER],
      userName: 'put.user@example.com',
      displayName: 'Put User',
      active: true,
      [ENTERPRISE]: { department: 'Ops' },
    });
    expect(res.status).toBe(200);
    expect(res.body.title).toBeUndefined();
    expect(res.body.phoneNumbers).toBeUndefined();
    expect(res.body.displayName).toBe('Put User');
    expect(res.body[ENTERPRISE].department).toBe('Ops');
  });

  it('PATCH is atomic: one failing operation leaves the user unchanged', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('atomic.user@example.com', { title: 'Before' }));
    const res = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'title', value: 'After' },
        { op: 'replace', path: 'phoneNumbers', value: [{ value: 'not a number', type: 'work' }] },
      ],
    });
    expect(res.status).toBe(400);
    const got = await s.scim('GET', `/Users/${made.body.id}`);
    expect(got.body.title).toBe('Before');
    expect(got.body.meta.version).toBe('W/"1"');
  });

  it('active:false deactivates the user and stops the tokens it already holds at once; active:true reactivates', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('leaver@example.com'));
    const id = made.body.id;
    const session = await s.t.gh.oauth.issueConsoleSession(s.t.demo.orgId, id);
    expect(
      (await s.t.api('/api/v2/tokens/me', { headers: { cookie: `gatehouse_session=${session.accessToken}` } })).status,
    ).toBe(200);

    const off = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(
      (await s.t.api('/api/v2/tokens/me', { headers: { cookie: `gatehouse_session=${session.accessToken}` } })).status,
    ).toBe(401);
    const admin = await s.t.token();
    expect((await s.t.api(`/api/v2/users/${id}`, { token: admin })).body.state).toBe('inactive');

    // Inactive users are listed only when asked for.
    const f = encodeURIComponent('userName eq "leaver@example.com"');
    expect((await s.scim('GET', `/Users?filter=${f}`)).body.totalResults).toBe(0);
    const inactive = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "leaver@example.com" and active eq false')}`,
    );
    expect(inactive.body.totalResults).toBe(1);

    const on = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: true }],
    });
    expect(on.body.active).toBe(true);
    expect((await s.t.api(`/api/v2/users/${id}`, { token: admin })).body.state).toBe('active');
  });

  it('DELETE removes the user: 404 afterwards, tokens stop, and the userName can be provisioned again', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('gone.user@example.com'));
    const session = await s.t.gh.oauth.issueConsoleSession(s.t.demo.orgId, made.body.id);
    expect(
      (await s.t.api('/api/v2/tokens/me', { headers: { cookie: `gatehouse_session=${session.accessToken}` } })).status,
    ).toBe(200);
    const del = await s.scim('DELETE', `/Users/${made.body.id}`);
    // Upstream declares 200 (genesys-api-subset.json), with an empty body.
    expect(del.status).toBe(200);
    expect(del.text).toBe('');
    const after = await s.scim('GET', `/Users/${made.body.id}`);
    expect(after.status).toBe(404);
    expect(after.body).toMatchObject({ schemas: [ERROR], status: '404' });
    expect(
      (await s.t.api('/api/v2/tokens/me', { headers: { cookie: `gatehouse_session=${session.accessToken}` } })).status,
    ).toBe(401);
    expect((await s.scim('DELETE', `/Users/${made.body.id}`)).status).toBe(404);
    const again = await s.scim('POST', '/Users', oktaUser('gone.user@example.com'));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(made.body.id);
  });

  it("records every change with source SCIM in the user's audit trail, with before and after", async () => {
    const made = await s.scim('POST', '/Users', oktaUser('audited.user@example.com', { title: 'Analyst' }));
    await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Senior Analyst' }],
    });
    const admin = await s.t.token();
    const now = Date.now();
    const interval = `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`;
    const res = await s.t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: { interval, serviceName: 'Directory', filters: [{ property: 'EntityId', value: made.body.id }] },
    });
    expect(res.status).toBe(200);
    const [update, create] = res.body.entities;
    expect(create).toMatchObject({ action: 'Create', entityType: 'User', context: { source: 'SCIM' } });
    expect(update).toMatchObject({ action: 'Update', entityType: 'User', context: { source: 'SCIM' } });
    expect(update.propertyChanges).toEqual([
      { property: 'title', oldValues: ['Analyst'], newValues: ['Senior Analyst'] },
    ]);
  });

  it('answers 401 and 403 as SCIM errors', async () => {
    const none = await s.t.api('/api/v2/scim/v2/Users');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ schemas: [ERROR], status: '401' });
    const bad = await s.as('not-a-token')('GET', '/Users');
    expect(bad.status).toBe(401);
    const reader = await s.tokenWith(['directory:user:view']);
    const denied = await s.as(reader)('POST', '/Users', oktaUser('nope@example.com'));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ schemas: [ERROR], status: '403' });
    expect(denied.body.detail).toContain('directory:user:add');
    expect((await s.as(reader)('GET', '/Users')).status).toBe(200);
    const unknown = await s.scim('GET', '/Nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.schemas).toEqual([ERROR]);
    const json = await s.t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: s.token,
      body: '{not json',
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
  });

  it("lets each of upstream's write permissions change only its part of the user", async () => {
    const made = await s.scim('POST', '/Users', oktaUser('field.perms@example.com', { title: 'Agent' }));
    const id = made.body.id;
    const skills = s.as(await s.tokenWith(['routing:skill:assign']));
    const setSkill = await skills('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: `${GENESYS}:routingSkills`, value: [{ name: 'Billing', proficiency: 3 }] }],
    });
    expect(setSkill.status).toBe(200);
    expect(setSkill.body[GENESYS].routingSkills).toEqual([{ name: 'Billing', proficiency: 3 }]);
    const setTitle = await skills('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Boss' }],
    });
    expect(setTitle.status).toBe(403);
    expect(setTitle.body).toMatchObject({ schemas: [ERROR], status: '403' });
    expect(setTitle.body.detail).toContain('directory:user:edit');
    expect((await skills('POST', '/Users', oktaUser('made.by.skills@example.com'))).status).toBe(403);
    const editor = s.as(await s.tokenWith(['directory:user:edit']));
    const password = await editor('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'password', value: 'a-new-long-password' }],
    });
    expect(password.status).toBe(403);
    expect(password.body.detail).toContain('directory:user:setPassword');
    expect((await s.scim('GET', `/Users/${id}`)).body.title).toBe('Agent');
  });

  it('keeps organizations apart: another org neither sees nor changes these users', async () => {
    const mine = await s.scim('POST', '/Users', oktaUser('isolated@example.com'));
    const other = await s.otherOrgToken('Other Org');
    const theirs = s.as(other.token);
    expect((await theirs('GET', `/Users/${mine.body.id}`)).status).toBe(404);
    expect(
      (
        await theirs('PATCH', `/Users/${mine.body.id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      ).status,
    ).toBe(404);
    expect((await theirs('DELETE', `/Users/${mine.body.id}`)).status).toBe(404);
    expect(
      (await theirs('GET', `/Users?filter=${encodeURIComponent('userName eq "isolated@example.com"')}`)).body
        .totalResults,
    ).toBe(0);
    // The same userName may exist in both organizations.
    expect((await theirs('POST', '/Users', oktaUser('isolated@example.com'))).status).toBe(201);
    expect((await s.scim('GET', `/Users/${mine.body.id}`)).body.active).toBe(true);
  });
});
