/**
 * SCIM discovery: ServiceProviderConfig, ResourceTypes and Schemas (with the Genesys and
 * enterprise extensions) on both path families, and content types. @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateShape } from '../helpers/shape.ts';
import { ENTERPRISE, ERROR, GENESYS, GROUP, oktaUser, type ScimApp, startScimApp, USER } from './helpers.ts';

describe('SCIM discovery', () => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp('sqlite');
  });
  afterAll(() => s?.t.close());

  it('answers ServiceProviderConfig with what is supported', async () => {
    for (const path of [
      '/api/v2/scim/v2/ServiceProviderConfig',
      '/api/v2/scim/v2/serviceproviderconfig',
      '/api/v2/scim/serviceproviderconfig',
    ]) {
      const res = await s.t.api(path, { token: s.token });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/scim+json');
      validateShape('ScimServiceProviderConfig', res.body);
      expect(res.body).toMatchObject({
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 100 },
        etag: { supported: true },
        sort: { supported: false },
      });
      expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
    }
  });

  it('lists the User and Group resource types with the user extensions', async () => {
    const res = await s.scim('GET', '/ResourceTypes');
    validateShape('ScimConfigResourceTypesListResponse', res.body);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect(res.body.Resources[0].schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: GENESYS, required: false },
    ]);
    const one = await s.scim('GET', '/ResourceTypes/Group');
    validateShape('ScimConfigResourceType', one.body);
    expect(one.body.schema).toBe(GROUP);
    expect((await s.scim('GET', '/ResourceTypes/Nope')).body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('describes the schemas, Genesys extension included', async () => {
    const res = await s.scim('GET', '/Schemas');
    validateShape('ScimV2SchemaListResponse', res.body);
    expect(res.body.Resources.map((r: { id: string }) => r.id)).toEqual([USER, ENTERPRISE, GENESYS, GROUP]);
    const genesys = await s.scim('GET', `/Schemas/${GENESYS}`);
    validateShape('ScimV2SchemaDefinition', genesys.body);
    const names = genesys.body.attributes.map((a: { name: string }) => a.name);
    expect(names).toEqual(['externalIds', 'routingSkills', 'routingLanguages']);
    const user = await s.scim('GET', `/Schemas/${USER}`);
    const userName = user.body.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, uniqueness: 'server', returned: 'always' });
    expect(user.body.attributes.find((a: { name: string }) => a.name === 'password')).toMatchObject({
      returned: 'never',
      mutability: 'writeOnly',
    });
  });

  it('accepts application/json as well as application/scim+json, and refuses other types in SCIM form', async () => {
    const json = await s.t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: s.token,
      body: oktaUser('json.body@example.com'),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(201);
    const xml = await s.t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: s.token,
      body: '<user/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.status).toBe(415);
    expect(xml.body).toMatchObject({ schemas: [ERROR], status: '415' });
  });

  it('stores and returns the Genesys extension fields, limiting routing skills to 50', async () => {
    const ok = await s.scim(
      'POST',
      '/Users',
      oktaUser('routing.agent@example.com', {
        [GENESYS]: {
          routingSkills: [{ name: 'Billing', proficiency: 4.5 }],
          routingLanguages: [{ name: 'French', proficiency: 3 }],
          externalIds: [{ authority: 'hr', value: 'E-1' }],
        },
      }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body[GENESYS]).toEqual({
      routingSkills: [{ name: 'Billing', proficiency: 4.5 }],
      routingLanguages: [{ name: 'French', proficiency: 3 }],
      externalIds: [{ authority: 'hr', value: 'E-1' }],
    });
    const dup = await s.scim(
      'POST',
      '/Users',
      oktaUser('routing.agent2@example.com', { [GENESYS]: { externalIds: [{ authority: 'hr', value: 'E-1' }] } }),
    );
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    const tooMany = await s.scim(
      'POST',
      '/Users',
      oktaUser('routing.agent3@example.com', {
        [GENESYS]: { routingSkills: Array.from({ length: 51 }, (_, i) => ({ name: `S${i}` })) },
      }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toContain('50');
  });
});
