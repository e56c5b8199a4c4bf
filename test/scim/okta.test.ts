/**
 * Replays the requests Okta sends to a SCIM 2.0 server, in order, as Okta's "SCIM 2.0
 * reference" describes them (developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20):
 * match by userName filter, create, read, PUT the whole profile, deactivate and reactivate with
 * a path-less PATCH, then link an existing group by name, rename-check it and push members.
 * Bodies follow the documented examples (values changed). @see issue #7, seeds/002
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { GROUP, PATCH_OP, type ScimApp, startScimApp, upstreamUserShape, USER } from './helpers.ts';

describe.each(DIALECTS)('Okta provisioning replay on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  it('provisions, updates, deactivates and reactivates a user, and pushes a group', async () => {
    const userName = 'test.user@okta.local';
    // 1. Does the user exist? Okta asks by userName, paging with startIndex/count.
    const lookup = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });

    // 2. Create, with the attributes Okta sends (locale and groups included; password when "Sync Password" is on).
    const created = await s.scim('POST', '/Users', {
      schemas: [USER],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq-Long-Enough',
      active: true,
    });
    expect(created.status).toBe(201);
    validateShape('ScimV2User', upstreamUserShape(created.body));
    const id = created.body.id;
    expect(created.body).toMatchObject({
      userName,
      displayName: 'Test User',
      active: true,
      externalId: '00ujl29u0le5T6Aj10h7',
    });
    expect(created.body.password).toBeUndefined();

    // Okta matches again and now finds it.
    const found = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);

    // 3. Read by id.
    expect((await s.scim('GET', `/Users/${id}`)).body.userName).toBe(userName);

    // 4. Update the profile: Okta PUTs the whole user, id and meta included.
    const put = await s.scim('PUT', `/Users/${id}`, {
      schemas: [USER],
      id,
      userName,
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      phoneNumbers: [{ value: '+1 (415) 555-0143', type: 'mobile' }],
      displayName: 'Another User',
      title: 'Agent',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      active: true,
      meta: { resourceType: 'User' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      displayName: 'Another User',
      title: 'Agent',
      phoneNumbers: [{ value: '+14155550143', type: 'mobile', primary: false }],
    });
    const byGiven = await s.scim('GET', `/Users?filter=${encodeURIComponent('name.givenName eq "Another"')}`);
    expect(byGiven.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);

    // 5. Deactivate (unassign in Okta): PATCH without path.
    const off = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body.displayName).toBe('Another User');

    // 6. Reactivate.
    const on = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.body.active).toBe(true);

    // 7. Push Groups, linking to an existing group: Okta finds it by name (case-insensitive)...
    const groupId = await s.group('Test SCIMv2');
    const g = await s.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "test scimv2"')}&startIndex=1&count=100`,
    );
    expect(g.body.totalResults).toBe(1);
    expect(g.body.Resources[0].id).toBe(groupId);
    // ...sends its name (unchanged: allowed) with the id...
    const rename = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2' } }],
    });
    expect(rename.status).toBe(200);
    // ...adds the assigned members...
    const other = (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: 'second.user@okta.local',
        displayName: 'Second User',
        active: true,
      })
    ).body.id;
    const add = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'add',
          path: 'members',
          value: [
            { value: id, display: userName },
            { value: other, display: 'second.user@okta.local' },
          ],
        },
      ],
    });
    expect(add.status).toBe(200);
    validateShape('ScimV2Group', add.body);
    expect(add.body.members.map((m: { value: string }) => m.value).sort()).toEqual([id, other].sort());
    // ...and removes one the documented way.
    const remove = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${other}"]` }],
    });
    expect(remove.body.members).toEqual([{ value: id, $ref: expect.stringContaining(`/Users/${id}`), type: 'User' }]);
    expect((await s.scim('GET', `/Users/${id}`)).body.groups.map((x: { value: string }) => x.value)).toEqual([groupId]);
    // Okta cannot create groups here.
    expect(
      (await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Created by Okta', members: [] })).status,
    ).toBe(405);
  });
});
