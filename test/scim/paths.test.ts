/**
 * Every SCIM operation upstream lists, called by its upstream (lower-case) path on both path
 * families, /api/v2/scim/v2/… and the legacy /api/v2/scim/…: same handlers, same answers.
 * @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateShape } from '../helpers/shape.ts';
import { oktaUser, PATCH_OP, type ScimApp, startScimApp, upstreamUserShape, USER } from './helpers.ts';

describe('SCIM upstream paths', () => {
  let s: ScimApp;
  let token: string;
  let groupId: string;
  const scimJson = { 'content-type': 'application/scim+json' };
  const patchBody = (value: unknown) => ({
    schemas: [PATCH_OP],
    Operations: [{ op: 'replace', path: 'title', value }],
  });
  beforeAll(async () => {
    s = await startScimApp('sqlite');
    token = s.token;
    groupId = await s.group('Paths');
  });
  afterAll(() => s?.t.close());

  it('serves the users operations under /api/v2/scim/v2/users', async () => {
    const created = await s.t.api('/api/v2/scim/v2/users', {
      method: 'POST',
      token,
      body: oktaUser('v2.path@example.com'),
      headers: scimJson,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const list = await s.t.api('/api/v2/scim/v2/users?filter=userName%20eq%20%22v2.path@example.com%22', { token });
    validateShape('ScimUserListResponse', upstreamUserShape(list.body));
    expect(list.body.totalResults).toBe(1);
    expect((await s.t.api(`/api/v2/scim/v2/users/${id}`, { token })).body.userName).toBe('v2.path@example.com');
    const put = await s.t.api(`/api/v2/scim/v2/users/${id}`, {
      method: 'PUT',
      token,
      body: { schemas: [USER], userName: 'v2.path@example.com', displayName: 'V2 Path', title: 'A' },
      headers: scimJson,
    });
    expect(put.body.title).toBe('A');
    const patched = await s.t.api(`/api/v2/scim/v2/users/${id}`, {
      method: 'PATCH',
      token,
      body: patchBody('B'),
      headers: scimJson,
    });
    expect(patched.body.title).toBe('B');
    expect((await s.t.api(`/api/v2/scim/v2/users/${id}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await s.t.api(`/api/v2/scim/v2/users/${id}`, { token })).status).toBe(404);
  });

  it('serves the users operations under the legacy /api/v2/scim/users', async () => {
    const created = await s.t.api('/api/v2/scim/users', {
      method: 'POST',
      token,
      body: oktaUser('legacy.path@example.com'),
      headers: scimJson,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(
      (await s.t.api('/api/v2/scim/users?filter=userName%20eq%20%22legacy.path@example.com%22', { token })).body
        .totalResults,
    ).toBe(1);
    expect((await s.t.api(`/api/v2/scim/users/${id}`, { token })).body.id).toBe(id);
    const put = await s.t.api(`/api/v2/scim/users/${id}`, {
      method: 'PUT',
      token,
      body: { schemas: [USER], userName: 'legacy.path@example.com', displayName: 'Legacy', title: 'A' },
      headers: scimJson,
    });
    expect(put.body.title).toBe('A');
    expect(
      (await s.t.api(`/api/v2/scim/users/${id}`, { method: 'PATCH', token, body: patchBody('C'), headers: scimJson }))
        .body.title,
    ).toBe('C');
    expect((await s.t.api(`/api/v2/scim/users/${id}`, { method: 'DELETE', token })).status).toBe(200);
  });

  it('serves the groups operations on both families', async () => {
    const user = (
      await s.t.api('/api/v2/scim/v2/users', {
        method: 'POST',
        token,
        body: oktaUser('member.path@example.com'),
        headers: scimJson,
      })
    ).body.id;
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] };
    expect((await s.t.api('/api/v2/scim/v2/groups', { token })).body.totalResults).toBe(1);
    expect((await s.t.api(`/api/v2/scim/v2/groups/${groupId}`, { token })).body.displayName).toBe('Paths');
    expect(
      (await s.t.api(`/api/v2/scim/v2/groups/${groupId}`, { method: 'PATCH', token, body: add, headers: scimJson }))
        .body.members,
    ).toHaveLength(1);
    const put = await s.t.api(`/api/v2/scim/v2/groups/${groupId}`, {
      method: 'PUT',
      token,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Paths', members: [] },
      headers: scimJson,
    });
    expect(put.body.members).toEqual([]);
    expect((await s.t.api('/api/v2/scim/groups', { token })).body.totalResults).toBe(1);
    expect(
      (await s.t.api(`/api/v2/scim/groups/${groupId}`, { method: 'PATCH', token, body: add, headers: scimJson })).body
        .members,
    ).toHaveLength(1);
    expect((await s.t.api(`/api/v2/scim/groups/${groupId}`, { token })).body.members).toHaveLength(1);
    const legacyPut = await s.t.api(`/api/v2/scim/groups/${groupId}`, {
      method: 'PUT',
      token,
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Paths', members: [] },
      headers: scimJson,
    });
    expect(legacyPut.body.members).toEqual([]);
  });

  it('serves discovery on both families', async () => {
    for (const res of [
      await s.t.api('/api/v2/scim/v2/serviceproviderconfig', { token }),
      await s.t.api('/api/v2/scim/serviceproviderconfig', { token }),
    ])
      validateShape('ScimServiceProviderConfig', res.body);
    for (const res of [
      await s.t.api('/api/v2/scim/v2/resourcetypes', { token }),
      await s.t.api('/api/v2/scim/resourcetypes', { token }),
    ]) {
      expect(res.body.totalResults).toBe(2);
    }
    expect((await s.t.api('/api/v2/scim/v2/resourcetypes/User', { token })).body.endpoint).toBe('/Users');
    expect((await s.t.api('/api/v2/scim/resourcetypes/Group', { token })).body.endpoint).toBe('/Groups');
    for (const res of [
      await s.t.api('/api/v2/scim/v2/schemas', { token }),
      await s.t.api('/api/v2/scim/schemas', { token }),
    ]) {
      expect(res.body.totalResults).toBe(4);
    }
    expect(
      (await s.t.api('/api/v2/scim/v2/schemas/urn:ietf:params:scim:schemas:core:2.0:User', { token })).body.name,
    ).toBe('User');
    expect(
      (await s.t.api('/api/v2/scim/schemas/urn:ietf:params:scim:schemas:core:2.0:Group', { token })).body.name,
    ).toBe('Group');
  });
});
