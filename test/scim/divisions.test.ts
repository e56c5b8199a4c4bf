/**
 * SCIM keeps to the caller's divisions as /api/v2/users does (docs/authorization.md, issue #15): an
 * identity provider's client granted in one division lists, reads, changes and deletes only that
 * division's users, and places users only there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import {
  addDivision,
  ENTERPRISE,
  oktaUser,
  PATCH_OP,
  SCIM_PERMISSIONS,
  type Scim,
  type ScimApp,
  startScimApp,
} from './helpers.ts';

describe.each(DIALECTS)('SCIM users by division on %s', (dialect) => {
  let s: ScimApp;
  let homeOnly: Scim;
  let atHome: string;
  let inField: string;
  const inDivision = (email: string, division: string) =>
    oktaUser(email, { schemas: [oktaUser(email).schemas[0], ENTERPRISE], [ENTERPRISE]: { division } });

  beforeAll(async () => {
    s = await startScimApp(dialect);
    await addDivision(s, 'Field Ops');
    const home = (await s.t.gh.directory.organizations.homeDivision(s.t.demo.orgId)).id;
    homeOnly = s.as(await s.tokenWith(SCIM_PERMISSIONS, home));
    const a = await s.scim('POST', '/Users', oktaUser('home.user@divisions.example'));
    const b = await s.scim('POST', '/Users', inDivision('field.user@divisions.example', 'Field Ops'));
    expect([a.status, b.status]).toEqual([201, 201]);
    atHome = a.body.id;
    inField = b.body.id;
  });
  afterAll(() => s?.t.close());

  it('lists and reads only the users of the divisions granted', async () => {
    const listed = await homeOnly('GET', '/Users?filter=userName sw "home.user@" or userName sw "field.user@"');
    expect(listed.status).toBe(200);
    expect(listed.body.Resources.map((r: { id: string }) => r.id)).toEqual([atHome]);
    expect(listed.body.totalResults).toBe(1);
    expect((await homeOnly('GET', `/Users/${atHome}`)).status).toBe(200);
    const hidden = await homeOnly('GET', `/Users/${inField}`);
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('field.user');
    // A client granted in all divisions sees both.
    const all = await s.scim('GET', '/Users?filter=userName sw "home.user@" or userName sw "field.user@"');
    expect(all.body.totalResults).toBe(2);
  });

  it('changes and deletes only there: another division is 404 and nothing changes', async () => {
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Changed' }] };
    expect((await homeOnly('PATCH', `/Users/${inField}`, patch)).status).toBe(404);
    expect(
      (await homeOnly('PUT', `/Users/${inField}`, inDivision('field.user@divisions.example', 'Field Ops'))).status,
    ).toBe(404);
    expect((await homeOnly('DELETE', `/Users/${inField}`)).status).toBe(404);
    const still = await s.scim('GET', `/Users/${inField}`);
    expect(still.status).toBe(200);
    expect(still.body.title ?? null).toBeNull();
    expect((await homeOnly('PATCH', `/Users/${atHome}`, patch)).status).toBe(200);
  });

  it('places users only in a division granted: 403 naming it, nothing written', async () => {
    const made = await homeOnly('POST', '/Users', inDivision('placed@divisions.example', 'Field Ops'));
    expect(made.status).toBe(403);
    expect(made.body.detail).toContain('Field Ops');
    const none = await s.scim('GET', '/Users?filter=userName eq "placed@divisions.example"');
    expect(none.body.totalResults).toBe(0);
    const move = {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: `${ENTERPRISE}:division`, value: 'Field Ops' }],
    };
    const moved = await homeOnly('PATCH', `/Users/${atHome}`, move);
    expect(moved.status).toBe(403);
    const after = await s.scim('GET', `/Users/${atHome}`);
    expect(after.body[ENTERPRISE]?.division).toBe('Home');
  });
});
