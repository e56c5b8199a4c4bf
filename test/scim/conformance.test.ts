/**
 * What the identity providers' conformance suites (Okta's SCIM 2.0 SPEC test, Microsoft's SCIM
 * validator) found failing: `name` answered, the RFC's canonical email/phone/address types, 405 on
 * discovery writes, `/Users/?filter=`, long URLs as SCIM errors, `schemas` validation, attribute
 * paths and lone surrogates. @see issue #19
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { ENTERPRISE, ERROR, GENESYS, GROUP, oktaUser, PATCH_OP, type ScimApp, startScimApp, USER } from './helpers.ts';

/** A raw GET (fetch refuses nothing, but its errors hide the answer): status, headers and body. */
function rawGet(url: string, token: string): Promise<{ status: number; type: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(DIALECTS)('SCIM conformance on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  describe('name', () => {
    const name = {
      givenName: 'Seed',
      familyName: 'User',
      middleName: 'Q',
      formatted: 'Seed Q User',
      honorificPrefix: 'Dr.',
    };
    let id: string;

    it('is answered whole by POST, GET, list pages and ?attributes=name', async () => {
      const made = await s.scim('POST', '/Users', oktaUser('seed.user@conformance.example', { name }));
      expect(made.status).toBe(201);
      expect(made.body.name).toEqual(name);
      // Upstream's shape holds everything else; `name` is the documented addition.
      const { name: _name, ...upstream } = made.body;
      validateShape('ScimV2User', upstream);
      id = made.body.id;

      expect((await s.scim('GET', `/Users/${id}`)).body.name).toEqual(name);
      const page = await s.scim('GET', `/Users?filter=${encodeURIComponent('name.givenName eq "Seed"')}`);
      expect(page.body.Resources).toHaveLength(1);
      expect(page.body.Resources[0].name).toEqual(name);
      const only = await s.scim('GET', `/Users/${id}?attributes=name`);
      expect(only.body.name).toEqual(name);
      expect(only.body.displayName).toBeUndefined();
      const part = await s.scim(
        'GET',
        `/Users?attributes=name.familyName&filter=${encodeURIComponent(`id eq "${id}"`)}`,
      );
      expect(part.body.Resources[0].name).toEqual({ familyName: 'User' });
    });

    it('is replaced by PUT and patched by PATCH', async () => {
      const put = await s.scim(
        'PUT',
        `/Users/${id}`,
        oktaUser('seed.user@conformance.example', { name: { givenName: 'Seeded', familyName: 'Person' } }),
      );
      expect(put.status).toBe(200);
      expect(put.body.name).toEqual({ givenName: 'Seeded', familyName: 'Person' });
      const patched = await s.scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'name.middleName', value: 'M' }],
      });
      expect(patched.body.name).toEqual({ givenName: 'Seeded', familyName: 'Person', middleName: 'M' });
    });

    it('refuses a name that is not an object, and changes nothing', async () => {
      const res = await s.scim('POST', '/Users', oktaUser('bob@conformance.example', { name: 'Bob' }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
      const found = await s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bob@conformance.example"')}`);
      expect(found.body.totalResults).toBe(0);
    });
  });

  describe('canonical types beyond upstream slots', () => {
    it('keeps home emails, fax and pager phones and addresses, answering them back', async () => {
      const addresses = [
        { type: 'work', streetAddress: '1 Main St', locality: 'Springfield', postalCode: '12345', country: 'US' },
        { type: 'home', formatted: '2 Elm St\nShelbyville', primary: true },
      ];
      const made = await s.scim(
        'POST',
        '/Users',
        oktaUser('typed.user@conformance.example', {
          emails: [
            { value: 'typed.user@conformance.example', type: 'work', primary: true },
            { value: 'typed@home.example', type: 'home' },
          ],
          phoneNumbers: [
            { value: '+14155550100', type: 'work' },
            { value: '+14155550101', type: 'fax' },
            { value: '+14155550102', type: 'pager' },
            { value: '+14155550103', type: 'mobile' },
          ],
          addresses,
        }),
      );
      expect(made.status).toBe(201);
      expect(made.body.emails).toEqual([
        { value: 'typed.user@conformance.example', type: 'other', primary: false },
        { value: 'typed.user@conformance.example', type: 'work', primary: true },
        { value: 'typed@home.example', type: 'home', primary: false },
      ]);
      expect(made.body.phoneNumbers.map((p: { type: string }) => p.type)).toEqual(['work', 'fax', 'pager', 'mobile']);
      expect(made.body.addresses).toEqual(addresses);
      const got = await s.scim('GET', `/Users/${made.body.id}`);
      expect(got.body.addresses).toEqual(addresses);
      expect(got.body.phoneNumbers).toHaveLength(4);
      // Filters find the kept values.
      const fax = await s.scim(
        'GET',
        `/Users?filter=${encodeURIComponent('phoneNumbers[type eq "fax" and value eq "+14155550101"]')}`,
      );
      expect(fax.body.Resources.map((r: { id: string }) => r.id)).toEqual([made.body.id]);
      const home = await s.scim('GET', `/Users?filter=${encodeURIComponent('emails[type eq "home"]')}`);
      expect(home.body.Resources.map((r: { id: string }) => r.id)).toEqual([made.body.id]);
    });

    it('still refuses types that are neither upstream slots nor canonical', async () => {
      const email = await s.scim(
        'POST',
        '/Users',
        oktaUser('odd.email@conformance.example', { emails: [{ value: 'x@y.example', type: 'telex' }] }),
      );
      expect(email.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      const address = await s.scim(
        'POST',
        '/Users',
        oktaUser('odd.address@conformance.example', { addresses: [{ type: 'moon', locality: 'Tycho' }] }),
      );
      expect(address.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    });
  });

  it('answers 405 to writes on ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    for (const path of [
      '/ServiceProviderConfig',
      '/ResourceTypes',
      '/ResourceTypes/User',
      '/Schemas',
      `/Schemas/${USER}`,
    ]) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await s.scim(method, path, method === 'DELETE' ? undefined : {});
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.body).toMatchObject({ schemas: [ERROR], status: '405' });
        expect(res.headers.get('allow')).toBe('GET');
      }
    }
  });

  it('describes the User schema and resource type as "User Account" (RFC 7643 §8.7.1)', async () => {
    expect((await s.scim('GET', `/Schemas/${USER}`)).body.description).toBe('User Account');
    expect((await s.scim('GET', '/ResourceTypes/User')).body.description).toBe('User Account');
  });

  it('lists users at /Users/ with a trailing slash', async () => {
    await s.scim('POST', '/Users', oktaUser('slash.user@conformance.example'));
    const res = await s.scim(
      'GET',
      `/Users/?filter=${encodeURIComponent('userName eq "slash.user@conformance.example"')}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
  });

  it('answers a filter URL over 16 KB with a SCIM error, not the framework 431', async () => {
    const filter = encodeURIComponent(`userName eq "${'a'.repeat(20_000)}@example.com"`);
    const res = await rawGet(`${s.t.url}/api/v2/scim/v2/Users?filter=${filter}`, s.token);
    expect(res.status).toBe(414);
    expect(res.type).toContain('application/scim+json');
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '414', scimType: 'invalidFilter' });
    // Outside SCIM the answer is an upstream ErrorBody.
    const api = await rawGet(`${s.t.url}/api/v2/users?q=${'a'.repeat(20_000)}`, s.token);
    expect(api.status).toBe(431);
    expect(api.body).toMatchObject({ status: 431, code: 'request.header.fields.too.large' });
  });

  it('answers invalidPath to a value filter in attributes or excludedAttributes', async () => {
    for (const q of ['attributes', 'excludedAttributes']) {
      const res = await s.scim('GET', `/Users?${q}=${encodeURIComponent('emails[type eq "work"]')}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidPath' });
    }
    // Schema-qualified names stay fine.
    const ok = await s.scim('GET', `/Users?attributes=${encodeURIComponent(`${ENTERPRISE}:department`)},emails`);
    expect(ok.status).toBe(200);
  });

  describe('schemas (RFC 7644 §3.3)', () => {
    const cases: [string, unknown, string][] = [
      ['missing', undefined, 'invalidSyntax'],
      ['a string', USER, 'invalidSyntax'],
      ['unknown', ['urn:foo:bar'], 'invalidValue'],
      ['without the core schema', [ENTERPRISE], 'invalidValue'],
      ['a group schema', [GROUP], 'invalidValue'],
    ];
    it.each(cases)('refuses schemas %s on POST and PUT', async (_what, schemas, scimType) => {
      const body: Record<string, unknown> = oktaUser('schemas.check@conformance.example');
      if (schemas === undefined) delete body.schemas;
      else body.schemas = schemas;
      const post = await s.scim('POST', '/Users', body);
      expect(post.status).toBe(400);
      expect(post.body).toMatchObject({ schemas: [ERROR], scimType });
      const made = await s.scim('POST', '/Users', oktaUser(`schemas.${scimType}.${Math.random()}@conformance.example`));
      const put = await s.scim('PUT', `/Users/${made.body.id}`, { ...body, userName: made.body.userName });
      expect(put.body).toMatchObject({ status: '400', scimType });
    });

    it('accepts the extensions, in any case', async () => {
      const res = await s.scim(
        'POST',
        '/Users',
        oktaUser('schemas.ok@conformance.example', { schemas: [USER.toLowerCase(), ENTERPRISE, GENESYS] }),
      );
      expect(res.status).toBe(201);
    });

    it('checks a group PUT the same way', async () => {
      const groupId = await s.group('Conformance schemas');
      const res = await s.scim('PUT', `/Groups/${groupId}`, { displayName: 'Conformance schemas', members: [] });
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    });
  });

  it('refuses a lone surrogate anywhere in a body, and stores nothing', async () => {
    const raw = JSON.stringify(oktaUser('surrogate@conformance.example')).replace(
      '"displayName":"surrogate User"',
      '"displayName":"\\ud800x"',
    );
    expect(raw).toContain('\\ud800x');
    const post = await s.t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: s.token,
      body: raw,
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(post.status).toBe(400);
    expect(post.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    const found = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "surrogate@conformance.example"')}`,
    );
    expect(found.body.totalResults).toBe(0);
    // A well-formed pair (an emoji) is text and is kept.
    const emoji = await s.scim('POST', '/Users', oktaUser('emoji@conformance.example', { displayName: 'Ada 😀' }));
    expect(emoji.body.displayName).toBe('Ada 😀');
    const patch = await s.t.api(`/api/v2/scim/v2/Users/${emoji.body.id}`, {
      method: 'PATCH',
      token: s.token,
      body: `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"title","value":"\\udc00"}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ scimType: 'invalidValue' });
  });
});
