/**
 * Ordinary bad inputs get a SCIM 400 naming what is wrong, never a 500, and the same answer on
 * every dialect: huge paging numbers, NUL characters (PostgreSQL text cannot hold them) and
 * strings longer than the column they are stored in (PostgreSQL refuses them, SQLite would keep
 * them). @see issue #7 (review finding 6)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { ENTERPRISE, ERROR, GENESYS, oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM bad inputs on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  const refused = (res: { status: number; body: any }, scimType: string, names: string, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(res.body, what).toMatchObject({ schemas: [ERROR], status: '400', scimType });
    expect(res.body.detail, what).toContain(names);
  };

  it('refuses huge startIndex and count with invalidValue naming the parameter', async () => {
    const huge = '99999999999999999999';
    for (const path of ['/Users', '/Groups']) {
      refused(await s.scim('GET', `${path}?startIndex=${huge}`), 'invalidValue', 'startIndex', `${path} startIndex`);
      refused(await s.scim('GET', `${path}?count=${huge}`), 'invalidValue', 'count', `${path} count`);
      refused(await s.scim('GET', `${path}?count=-${huge}`), 'invalidValue', 'count', `${path} negative count`);
    }
    // The largest accepted values still answer (an empty page).
    const far = await s.scim('GET', '/Users?startIndex=2147483647&count=2147483647');
    expect(far.status).toBe(200);
    expect(far.body.Resources).toEqual([]);
  });

  it('refuses a NUL character in a filter value with invalidFilter naming the attribute', async () => {
    for (const f of [
      'userName eq "\\u0000"',
      'displayName co "a\\u0000b"',
      'emails[value eq "x\\u0000@example.com"]',
      'externalId eq "\\u0000"',
    ]) {
      const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(f)}`);
      refused(res, 'invalidFilter', 'NUL', f);
      expect(res.body.detail, f).toMatch(/userName|displayName|value|externalId/);
    }
    refused(
      await s.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "\\u0000"')}`),
      'invalidFilter',
      'displayName',
      'groups',
    );
  });

  it('refuses strings longer than their column, naming the attribute; the longest allowed is stored', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const cases: [string, Record<string, unknown>][] = [
      ['displayName', { displayName: long(256) }],
      ['title', { title: long(5000) }],
      ['externalId', { externalId: long(400) }],
      ['name.givenName', { name: { givenName: long(256), familyName: 'F' } }],
      ['name.familyName', { name: { givenName: 'G', familyName: long(256) } }],
      ['department', { [ENTERPRISE]: { department: long(256) } }],
      ['employeeNumber', { [ENTERPRISE]: { employeeNumber: long(256) } }],
      ['emails.value', { emails: [{ value: `${long(250)}@example.com`, type: 'work' }] }],
      ['externalIds.value', { [GENESYS]: { externalIds: [{ authority: 'hr', value: long(256) }] } }],
      ['externalIds.authority', { [GENESYS]: { externalIds: [{ authority: long(256), value: 'v' }] } }],
      ['phoneNumbers.value', { phoneNumbers: [{ value: `tel:+1-555-010-9999;ext=${'1'.repeat(60)}`, type: 'work' }] }],
    ];
    for (const [name, extra] of cases) {
      const res = await s.scim('POST', '/Users', oktaUser(`long.${name.replace(/\W/g, '')}@inputs.example`, extra));
      refused(res, 'invalidValue', name, `POST ${name}`);
    }
    refused(
      await s.scim('POST', '/Users', oktaUser(`${long(250)}@example.com`)),
      'invalidValue',
      'userName',
      'POST userName',
    );
    const none = await s.scim('GET', `/Users?filter=${encodeURIComponent('userName ew "@inputs.example"')}`);
    expect(none.body.totalResults).toBe(0);

    // PATCH too; the user is unchanged.
    const made = await s.scim(
      'POST',
      '/Users',
      oktaUser('longest@inputs.example', { title: 'Short', displayName: long(255), externalId: long(255) }),
    );
    expect(made.status).toBe(201);
    expect(made.body.displayName).toHaveLength(255);
    const patch = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: long(5000) }],
    });
    refused(patch, 'invalidValue', 'title', 'PATCH title');
    const got = await s.scim('GET', `/Users/${made.body.id}`);
    expect(got.body.title).toBe('Short');
    expect(got.body.meta.version).toBe('W/"1"');
    // A user with the longest userName can be deleted (its key gets a suffix) and made again.
    const longest = `${long(242)}@example.com`;
    const big = await s.scim('POST', '/Users', oktaUser(longest));
    expect(big.status).toBe(201);
    expect((await s.scim('DELETE', `/Users/${big.body.id}`)).status).toBe(200);
    expect((await s.scim('POST', '/Users', oktaUser(longest))).status).toBe(201);
  });

  it('refuses NUL characters in stored strings and answers 404 for impossible ids', async () => {
    refused(
      await s.scim('POST', '/Users', oktaUser('nul.title@inputs.example', { title: 'a\u0000b' })),
      'invalidValue',
      'title',
      'title',
    );
    refused(
      await s.scim('POST', '/Users', oktaUser('nul\u0000name@inputs.example')),
      'invalidValue',
      'userName',
      'userName',
    );
    refused(
      await s.scim(
        'POST',
        '/Users',
        oktaUser('nul.manager@inputs.example', { [ENTERPRISE]: { manager: { value: '\u0000' } } }),
      ),
      'invalidValue',
      'manager',
      'manager',
    );
    refused(
      await s.scim(
        'POST',
        '/Users',
        oktaUser('nul.division@inputs.example', { [ENTERPRISE]: { division: 'Home\u0000' } }),
      ),
      'invalidValue',
      'division',
      'division',
    );
    for (const path of ['/Users/%00', `/Users/${'a'.repeat(100)}`, '/Groups/%00']) {
      const res = await s.scim('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.schemas).toEqual([ERROR]);
    }
    expect((await s.scim('DELETE', '/Users/%00')).status).toBe(404);
    expect(
      (
        await s.scim('PATCH', '/Groups/%00', {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: 'x' }] }],
        })
      ).status,
    ).toBe(404);
  });

  it('refuses a bad group externalId or member id with invalidValue', async () => {
    const id = await s.group('Inputs group');
    const patch = (Operations: unknown[]) => s.scim('PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations });
    refused(
      await patch([{ op: 'replace', path: 'externalId', value: 'x'.repeat(256) }]),
      'invalidValue',
      'externalId',
      'long externalId',
    );
    refused(
      await patch([{ op: 'replace', path: 'externalId', value: 'a\u0000' }]),
      'invalidValue',
      'externalId',
      'NUL externalId',
    );
    const member = await patch([{ op: 'add', path: 'members', value: [{ value: 'no\u0000such' }] }]);
    expect(member.status).toBe(400);
    expect(member.body.scimType).toBe('invalidValue');
    const remove = await patch([{ op: 'remove', path: 'members', value: [{ value: 'no\u0000such' }] }]);
    expect(remove.status).toBe(200);
    expect((await s.scim('GET', `/Groups/${id}`)).body.meta.version).toBe('W/"1"');
  });
});
