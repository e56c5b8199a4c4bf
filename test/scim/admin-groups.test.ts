/**
 * The administrator's groups API (upstream /api/v2/groups): groups are created here, since SCIM
 * cannot create them, and an identity provider then finds them by name. @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('groups API on %s', (dialect) => {
  let s: ScimApp;
  let admin: string;
  beforeAll(async () => {
    s = await startScimApp(dialect);
    admin = await s.t.token();
  });
  afterAll(() => s?.t.close());

  it('creates a group an identity provider then finds by name', async () => {
    const made = await s.t.api('/api/v2/groups', {
      method: 'POST',
      token: admin,
      body: {
        name: 'Support Tier 1',
        description: 'First line',
        type: 'official',
        visibility: 'public',
        rulesVisible: false,
      },
    });
    expect(made.status).toBe(200);
    validateShape('Group', made.body);
    expect(made.body).toMatchObject({
      name: 'Support Tier 1',
      description: 'First line',
      memberCount: 0,
      state: 'active',
      version: 1,
      type: 'official',
    });
    const one = await s.t.api(`/api/v2/groups/${made.body.id}`, { token: admin });
    expect(one.body).toEqual(made.body);
    const list = await s.t.api('/api/v2/groups?pageSize=10', { token: admin });
    validateShape('GroupEntityListing', list.body);
    expect(list.body.entities.map((g: { name: string }) => g.name)).toContain('Support Tier 1');
    const found = await s.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "support tier 1"')}`);
    expect(found.body.Resources[0].id).toBe(made.body.id);
  });

  it('refuses a duplicate name (any case), an unknown group and a caller without the permission, as ErrorBody', async () => {
    await s.t.api('/api/v2/groups', { method: 'POST', token: admin, body: { name: 'Dup' } });
    const dup = await s.t.api('/api/v2/groups', { method: 'POST', token: admin, body: { name: 'DUP' } });
    expect(dup.status).toBe(409);
    validateShape('ErrorBody', dup.body);
    const missing = await s.t.api('/api/v2/groups/00000000-0000-0000-0000-000000000000', { token: admin });
    expect(missing.status).toBe(404);
    validateShape('ErrorBody', missing.body);
    const employee = await s.t.clientWithRole('Groups employee');
    const token = await s.t.token(employee.id, employee.secret);
    const denied = await s.t.api('/api/v2/groups', { method: 'POST', token, body: { name: 'Nope' } });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('directory:group:add');
  });

  it("keeps each organization's groups to itself", async () => {
    const made = await s.t.api('/api/v2/groups', { method: 'POST', token: admin, body: { name: 'Ours only' } });
    const other = await s.otherOrgToken('Groups Other Org', ['directory:group:view', 'directory:group:add']);
    expect((await s.t.api(`/api/v2/groups/${made.body.id}`, { token: other.token })).status).toBe(404);
    expect((await s.t.api('/api/v2/groups', { token: other.token })).body.total).toBe(0);
    // The same name is free in another organization.
    expect(
      (await s.t.api('/api/v2/groups', { method: 'POST', token: other.token, body: { name: 'Ours only' } })).status,
    ).toBe(200);
  });
});
