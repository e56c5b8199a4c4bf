/**
 * Replays the requests Microsoft Entra ID's provisioning service sends, as Microsoft's
 * "Tutorial: Develop and plan provisioning for a SCIM endpoint" lists them
 * (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups):
 * match by userName, create with the enterprise extension, PATCH with capitalised ops and
 * filtered paths, the manager as a bare id, disable with the string "False", re-enable with
 * "True", groups matched with excludedAttributes=members and members added and removed with
 * value lists, then DELETE. @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { ENTERPRISE, GROUP, PATCH_OP, type ScimApp, startScimApp, USER } from './helpers.ts';

describe.each(DIALECTS)('Microsoft Entra ID provisioning replay on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  it('runs the Entra user and group sequence', async () => {
    const userName = 'Test_User_dfeef4c5@contoso.com';
    const miss = await s.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(miss.body.totalResults).toBe(0);

    const created = await s.scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName,
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User_11bb6e6d@contoso.com' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // No displayName sent: it is made from the name.
    expect(created.body.displayName).toBe('givenName familyName');

    expect(
      (await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`)).body.totalResults,
    ).toBe(0);
    expect(
      (
        await s.scim(
          'GET',
          `/Users?filter=${encodeURIComponent(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`)}`,
        )
      ).body.Resources[0].id,
    ).toBe(id);

    // Update: capitalised ops, filtered path, sub-attribute path.
    const upd = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@contoso.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 425 555 0100' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Contoso Sales' },
      ],
    });
    expect(upd.status).toBe(200);
    expect(upd.body.emails).toEqual(
      expect.arrayContaining([{ value: 'updatedEmail@contoso.com', type: 'work', primary: true }]),
    );
    expect(upd.body.phoneNumbers).toEqual([{ value: '+14255550100', type: 'work', primary: false }]);
    expect(upd.body[ENTERPRISE].department).toBe('Contoso Sales');
    expect(
      (await s.scim('GET', `/Users?filter=${encodeURIComponent('name.familyName eq "updatedFamilyName"')}`)).body
        .totalResults,
    ).toBe(1);
    expect(
      (
        await s.scim(
          'GET',
          `/Users?filter=${encodeURIComponent('emails[type eq "work" and value eq "updatedemail@contoso.com"]')}`,
        )
      ).body.totalResults,
    ).toBe(1);

    // Manager: Entra sends the manager's id as a bare string.
    const boss = (
      await s.scim('POST', '/Users', {
        schemas: [USER],
        userName: 'boss@contoso.com',
        displayName: 'Boss',
        active: true,
      })
    ).body.id;
    const mgr = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }],
    });
    expect(mgr.status).toBe(200);
    expect(mgr.body[ENTERPRISE].manager).toEqual({ value: boss, $ref: expect.stringContaining(`/Users/${boss}`) });
    expect(
      (await s.scim('GET', `/Users?filter=${encodeURIComponent(`manager eq "${boss}"`)}`)).body.Resources[0].id,
    ).toBe(id);

    // Disable with Entra's string boolean, then enable again.
    const off = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const disabled = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}" and active eq false`)}`,
    );
    expect(disabled.body.Resources[0].active).toBe(false);
    const on = await s.scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', value: { active: 'True' } }],
    });
    expect(on.body.active).toBe(true);

    // Groups: matched without members, then members added and removed with value lists.
    const groupId = await s.group('displayName');
    const g = await s.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}`,
    );
    expect(g.body.totalResults).toBe(1);
    expect(g.body.Resources[0].members).toBeUndefined();
    const add = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: id },
            { $ref: null, value: boss },
          ],
        },
      ],
    });
    expect(add.status).toBe(200);
    expect(add.body.members).toHaveLength(2);
    const rm = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: boss }] }],
    });
    expect(rm.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    expect(
      (await s.scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${id}"]`)}`)).body.totalResults,
    ).toBe(1);
    expect((await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'x' })).status).toBe(405);

    // Delete.
    expect((await s.scim('DELETE', `/Users/${id}`)).status).toBe(200);
    expect((await s.scim('GET', `/Users/${id}`)).status).toBe(404);
    expect((await s.scim('GET', `/Groups/${groupId}`)).body.members).toEqual([]);
  });
});
