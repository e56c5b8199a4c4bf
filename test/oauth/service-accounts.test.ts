/**
 * Service-account clients (tutorial seeds/001 step 1): a client-credentials client created as a
 * service account gets its own non-human user, which its tokens carry; a plain one keeps
 * upstream's 400 not.a.user (@see issue 18).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('service-account clients on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let roleDivisions: { roleId: string; divisionId: string }[];
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token: admin });
    const home = await t.gh.directory.organizations.homeDivision(t.demo.orgId);
    roleDivisions = [{ roleId: roles.body.entities[0].id, divisionId: home.id }];
  });
  afterAll(() => t?.close());

  const create = (body: Record<string, unknown>) =>
    t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: { authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions, ...body },
    });

  it('creates a service account whose tokens act as its own user (users/me, audit)', async () => {
    const res = await create({ name: 'Analytics-Integration-Service', serviceAccount: true });
    expect(res.status).toBe(200);
    expect(res.body.serviceAccount).toBe(true);
    const userId = res.body.serviceAccountUser.id;
    const token = await t.token(res.body.id, res.body.secret);
    const me = await t.api('/api/v2/users/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: userId, name: 'Analytics-Integration-Service' });
    expect(me.body.email.toLowerCase()).toContain('service');
    const got = await t.api(`/api/v2/oauth/clients/${res.body.id}`, { token: admin });
    expect(got.body).toMatchObject({ serviceAccount: true, serviceAccountUser: { id: userId } });

    // An audited change made with the token names the service user as its actor.
    const put = await t.api(`/api/v2/oauth/clients/${res.body.id}`, { method: 'GET', token });
    expect(put.status).toBe(403); // Employee cannot view clients: the 403 path of the tutorial
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['actor_user_id', 'action', 'entity_type'])
      .where('entity_id', '=', res.body.id)
      .execute();
    expect(events.map((e) => e.action)).toContain('Create');
    const userEvents = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['action'])
      .where('entity_id', '=', userId)
      .execute();
    expect(userEvents.map((e) => e.action)).toEqual(['Create']);
  });

  it('deleting a service-account client deletes its user, audited, and its tokens stop', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const res = await create({ name: 'Nightly-Export', serviceAccount: true });
    expect(res.status).toBe(200);
    const { id, secret } = res.body;
    const userId = res.body.serviceAccountUser.id;
    const token = await t.token(id, secret);
    expect((await t.api('/api/v2/users/me', { token })).status).toBe(200);
    const listed = await t.api(`/api/v2/users?id=${userId}`, { token: admin });
    expect(listed.body.entities.map((u: { id: string }) => u.id)).toEqual([userId]);

    const body = { name: 'Nightly-Export', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions };
    const off = await t.api(`/api/v2/oauth/clients/${id}`, {
      method: 'PUT',
      token: admin,
      body: { ...body, state: 'inactive' },
    });
    expect(off.status).toBe(200);
    // Made inactive, the client and its user are still there: only a deletion ends the user.
    expect((await t.api(`/api/v2/users/${userId}`, { token: admin })).body.state).toBe('active');
    const del = await t.api(`/api/v2/oauth/clients/${id}`, { method: 'DELETE', token: admin });
    expect(del.status).toBeLessThan(300);

    // The user stays readable (audit trails name it) as deleted, as upstream's deleted users are.
    const user = await t.api(`/api/v2/users/${userId}`, { token: admin });
    expect(user.status).toBe(200);
    expect(user.body.state).toBe('deleted');
    const active = await t.api(`/api/v2/users?id=${userId}`, { token: admin });
    expect(active.body.entities).toEqual([]);
    expect((await t.api('/api/v2/users/me', { token })).status).toBe(401);
    await expect(t.token(id, secret)).rejects.toThrow(/token request failed: (400|401)/);

    const me = await t.api('/api/v2/users/me', { token: admin });
    const events = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${from}/${new Date(Date.now() + 60_000).toISOString()}`,
        serviceName: 'Directory',
        filters: [
          { property: 'EntityType', value: 'User' },
          { property: 'EntityId', value: userId },
        ],
      },
    });
    expect(events.status, events.text).toBe(200);
    const deletion = events.body.entities.find((e: { action: string }) => e.action === 'Update');
    expect(deletion).toMatchObject({ user: { id: me.body.id } });
    expect(deletion.propertyChanges).toContainEqual(
      expect.objectContaining({ property: 'state', oldValues: ['active'], newValues: ['deleted'] }),
    );
  });

  it('keeps 400 not.a.user for a plain client-credentials client', async () => {
    const res = await create({ name: 'plain script' });
    expect(res.status).toBe(200);
    expect(res.body.serviceAccount).toBeUndefined(); // upstream's exact shape
    expect(res.body.serviceAccountUser).toBeUndefined();
    const token = await t.token(res.body.id, res.body.secret);
    const me = await t.api('/api/v2/users/me', { token });
    expect(me.status).toBe(400);
    expect(me.body.code).toBe('not.a.user');
  });

  it('refuses a service account on another grant type, and makes no user', async () => {
    const before = await t.api('/api/v2/users?pageSize=100', { token: admin });
    const res = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token: admin,
      body: {
        name: 'browser app',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: ['https://app.example.com/cb'],
        serviceAccount: true,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.details?.[0]?.fieldName ?? res.body.message).toMatch(/serviceAccount/);
    const after = await t.api('/api/v2/users?pageSize=100', { token: admin });
    expect(after.body.total).toBe(before.body.total);
  });
});
