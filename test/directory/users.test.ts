/** /api/v2/users and /api/v2/users/me through HTTP, shapes checked against upstream (@see issue 2). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('users on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('lists active users in an upstream UserEntityListing', async () => {
    const res = await t.api('/api/v2/users', { token });
    expect(res.status).toBe(200);
    validateShape('UserEntityListing', res.body);
    expect(res.body.entities.map((u: { email: string }) => u.email)).toEqual([
      'admin@demo.gatehouse.local',
      'service-account@demo.gatehouse.local',
    ]);
    expect(res.body).toMatchObject({ pageSize: 25, pageNumber: 1, total: 2, pageCount: 1 });
  });

  it('creates a user, audits it, and finds it by id', async () => {
    const created = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Ada Lovelace', email: 'Ada@Example.com', title: 'Analyst' },
    });
    expect(created.status).toBe(200);
    validateShape('User', created.body);
    expect(created.body).toMatchObject({
      name: 'Ada Lovelace',
      email: 'Ada@Example.com',
      state: 'active',
      version: 1,
      title: 'Analyst',
    });
    const got = await t.api(`/api/v2/users/${created.body.id}`, { token });
    expect(got.body).toEqual(created.body);
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', created.body.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      service_name: 'Directory',
      entity_type: 'User',
      action: 'Create',
      actor_type: 'user',
      actor_client_id: t.demo.clientId,
    });
    expect(events[0].remote_ip).toBe('127.0.0.1');
    expect(JSON.parse(events[0].changes)).toContainEqual({
      property: 'email',
      oldValues: [],
      newValues: ['Ada@Example.com'],
    });
  });

  it('refuses a second user with the same email in any letter case (409, nothing written)', async () => {
    const before = await t.api('/api/v2/users?state=any&pageSize=100', { token });
    const res = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Copy', email: 'ada@example.COM' },
    });
    expect(res.status).toBe(409);
    validateShape('ErrorBody', res.body);
    expect(res.body.message).toMatch(/already exists/);
    const after = await t.api('/api/v2/users?state=any&pageSize=100', { token });
    expect(after.body.total).toBe(before.body.total);
  });

  it('patches with optimistic versioning and records before/after', async () => {
    const created = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Grace', email: 'grace@example.com' },
    });
    const id = created.body.id;
    const ok = await t.api(`/api/v2/users/${id}`, {
      method: 'PATCH',
      token,
      body: { version: 1, title: 'Rear Admiral', state: 'inactive' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ version: 2, title: 'Rear Admiral', state: 'inactive' });
    const stale = await t.api(`/api/v2/users/${id}`, { method: 'PATCH', token, body: { version: 1, title: 'x' } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/version/);
    const listed = await t.api('/api/v2/users?state=inactive', { token });
    expect(listed.body.entities.map((u: { id: string }) => u.id)).toContain(id);
    const update = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', id)
      .where('action', '=', 'Update')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(update.changes)).toEqual([
      { property: 'state', oldValues: ['active'], newValues: ['inactive'] },
      { property: 'title', oldValues: [], newValues: ['Rear Admiral'] },
    ]);
  });

  it('accepts list parameters comma-joined and repeated', async () => {
    const all = (await t.api('/api/v2/users', { token })).body.entities.map((u: { id: string }) => u.id);
    const joined = await t.api(`/api/v2/users?id=${all[0]},${all[1]}`, { token });
    const repeated = await t.api(`/api/v2/users?id=${all[0]}&id=${all[1]}`, { token });
    expect(joined.body.total).toBe(2);
    expect(repeated.body.entities).toEqual(joined.body.entities);
  });

  it('pages with links that keep the filters', async () => {
    const res = await t.api('/api/v2/users?pageSize=1&pageNumber=2&state=any', { token });
    expect(res.body.entities).toHaveLength(1);
    expect(res.body.previousUri).toBe('/api/v2/users?pageSize=1&pageNumber=1&state=any');
    expect(res.body.pageCount).toBe(res.body.total);
    const next = await t.api(res.body.nextUri, { token });
    expect(next.body.pageNumber).toBe(3);
  });

  it('answers users/me with the service-account user of the client (seeds/001)', async () => {
    const res = await t.api('/api/v2/users/me?expand=organization,authorization', { token });
    expect(res.status).toBe(200);
    validateShape('UserMe', res.body);
    expect(res.body.email).toBe('service-account@demo.gatehouse.local');
    expect(res.body.organization.name).toBe('Gatehouse Demo');
  });

  it('answers users/me for a client with no user as upstream does', async () => {
    const { id, secret } = await t.clientWithRole('no user');
    const res = await t.api('/api/v2/users/me', { token: await t.token(id, secret) });
    expect(res.status).toBe(400);
    validateShape('ErrorBody', res.body);
    expect(res.body.code).toBe('not.a.user');
  });

  it("shows each listed user's division as reading the user alone does, for users in several divisions (issue 22)", async () => {
    const made = await t.api('/api/v2/authorization/divisions', {
      method: 'POST',
      token,
      body: { name: 'Second floor' },
    });
    expect(made.status).toBe(200);
    for (const [i, divisionId] of [made.body.id, undefined, made.body.id].entries()) {
      const u = await t.api('/api/v2/users', {
        method: 'POST',
        token,
        body: { name: `Floor user ${i}`, email: `floor${i}@example.com`, ...(divisionId ? { divisionId } : {}) },
      });
      expect(u.status).toBe(200);
    }
    const listed = (await t.api('/api/v2/users?pageSize=100', { token })).body.entities as {
      id: string;
      division: { id: string; name: string };
    }[];
    expect(new Set(listed.map((u) => u.division.id)).size).toBeGreaterThan(1);
    expect(listed.filter((u) => u.division.name === 'Second floor')).toHaveLength(2);
    for (const u of listed) expect(u).toEqual((await t.api(`/api/v2/users/${u.id}`, { token })).body);
  });

  it('gives 404 for an unknown user', async () => {
    const res = await t.api('/api/v2/users/00000000-0000-4000-8000-000000000000', { token });
    expect(res.status).toBe(404);
    validateShape('ErrorBody', res.body);
  });

  it('gives 404 for an id that is not a UUID, and 400 for a NUL in it (issue 16), on reading, patching and its roles', async () => {
    for (const [id, status, code] of [
      ['not-a-uuid', 404, 'not.found'],
      ['a%00b', 400, 'invalid.value'],
      ['%00', 400, 'invalid.value'],
    ] as const) {
      for (const [method, path, body] of [
        ['GET', `/api/v2/users/${id}`, undefined],
        ['PATCH', `/api/v2/users/${id}`, { version: 1, title: 'x' }],
        ['GET', `/api/v2/users/${id}/roles`, undefined],
        ['PUT', `/api/v2/users/${id}/roles`, []],
      ] as const) {
        const res = await t.api(path, { method, token, ...(body === undefined ? {} : { body }) });
        expect(res.status, `${method} ${path}: ${res.text}`).toBe(status);
        validateShape('ErrorBody', res.body);
        expect(res.body.code, `${method} ${path}`).toBe(code);
      }
    }
  });

  it('lists no user for an id filter that is not a UUID, and refuses a NUL in it (issue 16)', async () => {
    const admin = (await t.api('/api/v2/users', { token })).body.entities.find(
      (u: { email: string }) => u.email === 'admin@demo.gatehouse.local',
    );
    for (const query of ['id=not-a-uuid', 'id=not-a-uuid,other&state=any']) {
      const res = await t.api(`/api/v2/users?${query}`, { token });
      expect(res.status, `${query}: ${res.text}`).toBe(200);
      validateShape('UserEntityListing', res.body);
      expect(res.body).toMatchObject({ entities: [], total: 0 });
    }
    for (const query of ['id=a%00b', `id=a%00b,${admin.id}`]) {
      const res = await t.api(`/api/v2/users?${query}`, { token });
      expect(res.status, `${query}: ${res.text}`).toBe(400);
      validateShape('ErrorBody', res.body);
    }
    const mixed = await t.api(`/api/v2/users?id=not-a-uuid,${admin.id}`, { token });
    expect(mixed.status, mixed.text).toBe(200);
    expect(mixed.body.entities.map((u: { id: string }) => u.id)).toEqual([admin.id]);
  });
});
