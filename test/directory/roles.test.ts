/** Roles, permissions, divisions and user role grants through HTTP (@see issue 2). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('roles on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('lists the standard roles with member counts', async () => {
    const res = await t.api('/api/v2/authorization/roles', { token });
    expect(res.status).toBe(200);
    validateShape('OrganizationRoleEntityListing', res.body);
    const admin = res.body.entities.find((r: { name: string }) => r.name === 'Master Admin');
    expect(admin.userCount).toBe(1);
    expect(admin.permissions).toEqual(['*:*:*']);
  });

  it('creates, reads, updates, patches and deletes a role, each audited', async () => {
    const created = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: {
        name: 'Auditor',
        description: 'reads the trail',
        permissionPolicies: [{ domain: 'audits', entityName: 'audit', actionSet: ['view'] }],
      },
    });
    expect(created.status).toBe(200);
    validateShape('DomainOrganizationRole', created.body);
    expect(created.body.permissions).toEqual(['audits:audit:view']);
    const id = created.body.id;
    const put = await t.api(`/api/v2/authorization/roles/${id}`, {
      method: 'PUT',
      token,
      body: { name: 'Auditor', permissions: ['audits:audit:view', 'oauth:client:view'] },
    });
    expect(put.body.permissions).toEqual(['audits:audit:view', 'oauth:client:view']);
    expect(put.body.description).toBe('');
    const patched = await t.api(`/api/v2/authorization/roles/${id}`, {
      method: 'PATCH',
      token,
      body: { description: 'kept permissions' },
    });
    expect(patched.body).toMatchObject({
      description: 'kept permissions',
      permissions: ['audits:audit:view', 'oauth:client:view'],
    });
    expect((await t.api(`/api/v2/authorization/roles/${id}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await t.api(`/api/v2/authorization/roles/${id}`, { token })).status).toBe(404);
    // An id that is no role id is not found; a NUL is refused before any query (on PostgreSQL it once reached
    // the query: 500).
    for (const [bad, status] of [
      ['not-a-role', 404],
      ['a%00b', 400],
    ] as const) {
      const res = await t.api(`/api/v2/authorization/roles/${bad}`, { token });
      expect(res.status, bad).toBe(status);
      validateShape('ErrorBody', res.body);
    }
    const actions = await t.gh.storage.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['Create', 'Update', 'Update', 'Delete']);
  });

  it('refuses an unknown permission and a duplicate name', async () => {
    const bad = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'Bad', permissions: ['oauth:client:fly'] },
    });
    expect(bad.status).toBe(400);
    validateShape('ErrorBody', bad.body);
    expect(bad.body.message).toContain('oauth:client:fly');
    const dup = await t.api('/api/v2/authorization/roles', { method: 'POST', token, body: { name: 'master admin' } });
    expect(dup.status).toBe(409);
  });

  it('grants roles to a user and reports the permissions', async () => {
    const user = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Role Holder', email: 'holder@example.com' },
    });
    const roles = (await t.api('/api/v2/authorization/roles', { token })).body.entities;
    const employee = roles.find((r: { name: string }) => r.name === 'Employee');
    const put = await t.api(`/api/v2/users/${user.body.id}/roles`, { method: 'PUT', token, body: [employee.id] });
    expect(put.status).toBe(200);
    validateShape('UserAuthorization', put.body);
    expect(put.body.roles).toEqual([{ id: employee.id, name: 'Employee' }]);
    const got = await t.api(`/api/v2/users/${user.body.id}/roles`, { token });
    expect(got.body.permissions).toEqual(employee.permissions);
    const unknown = await t.api(`/api/v2/users/${user.body.id}/roles`, {
      method: 'PUT',
      token,
      body: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.status).toBe(400);
    expect((await t.api(`/api/v2/users/${user.body.id}/roles`, { token })).body.roles).toHaveLength(1);
  });

  it('serves the permission catalogue, including every permission the seeds name', async () => {
    const res = await t.api('/api/v2/authorization/permissions?pageSize=100', { token });
    validateShape('PermissionCollectionEntityListing', res.body);
    const all = res.body.entities.flatMap(
      (c: { permissionMap: Record<string, { domain: string; entityType: string; action: string }[]> }) =>
        Object.values(c.permissionMap)
          .flat()
          .map((p) => `${p.domain}:${p.entityType}:${p.action}`),
    );
    for (const p of [
      'oauth:client:view',
      'oauth:client:add',
      'oauth:client:edit',
      'oauth:client:delete',
      'oauth:client:authorize',
      'audits:audit:view',
      'audits:interactionDetails:view',
      'sso:provider:add',
      'sso:provider:delete',
      'sso:provider:edit',
      'sso:provider:view',
      'analytics:conversationDetail:view',
      'conversation:communication:disconnect',
      'gdpr:request:add',
    ]) {
      expect(all).toContain(p);
    }
  });

  it('lists divisions with the Home division', async () => {
    const res = await t.api('/api/v2/authorization/divisions', { token });
    validateShape('AuthzDivisionEntityListing', res.body);
    expect(res.body.entities).toEqual([expect.objectContaining({ name: 'Home', homeDivision: true })]);
    const home = await t.api('/api/v2/authorization/divisions/home', { token });
    expect(home.body.id).toBe(res.body.entities[0].id);
  });

  it('answers organizations/me', async () => {
    const res = await t.api('/api/v2/organizations/me', { token });
    validateShape('Organization', res.body);
    expect(res.body).toMatchObject({ name: 'Gatehouse Demo', state: 'active' });
  });
});
