/** The console's cookie session: login, CSRF-safe mutations, logout (@see issue 2). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';

describe('console session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('sqlite');
  });
  afterAll(() => t?.close());

  async function login(password = ADMIN_PASSWORD) {
    return t.api('/console/api/session', { method: 'POST', body: { email: 'ADMIN@demo.gatehouse.local', password } });
  }

  it('refuses a wrong password without saying which part was wrong', async () => {
    const res = await login('wrong password');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('bad.credentials');
    const unknown = await t.api('/console/api/session', { method: 'POST', body: { email: 'nobody@example.com', password: 'x' } });
    expect(unknown.body).toMatchObject({ code: 'bad.credentials', message: res.body.message });
  });

  it('sets an HttpOnly SameSite cookie and serves the API with it', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe('admin@demo.gatehouse.local');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = cookie.split(';')[0];
    const session = await t.api('/console/api/session', { headers: { cookie: jar } });
    expect(session.body.csrfToken).toBe(res.body.csrfToken);
    const users = await t.api('/api/v2/users', { headers: { cookie: jar } });
    expect(users.status).toBe(200);
  });

  it('needs the CSRF token for a mutation made with the cookie', async () => {
    const res = await login();
    const jar = res.headers.get('set-cookie')!.split(';')[0];
    const body = { name: 'Via Console', email: 'console@example.com' };
    const without = await t.api('/api/v2/users', { method: 'POST', body, headers: { cookie: jar } });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('csrf.token.invalid');
    const forged = await t.api('/api/v2/users', { method: 'POST', body, headers: { cookie: jar, 'x-csrf-token': 'forged' } });
    expect(forged.status).toBe(403);
    const ok = await t.api('/api/v2/users', { method: 'POST', body, headers: { cookie: jar, 'x-csrf-token': res.body.csrfToken } });
    expect(ok.status).toBe(200);
    const event = await t.gh.storage.db.selectFrom('audit_events').selectAll().where('entity_id', '=', ok.body.id).executeTakeFirstOrThrow();
    expect(event.actor_user_id).toBe(res.body.user.id);
  });

  it('logs out: the cookie stops working', async () => {
    const res = await login();
    const jar = res.headers.get('set-cookie')!.split(';')[0];
    const out = await t.api('/console/api/session', { method: 'DELETE', headers: { cookie: jar, 'x-csrf-token': res.body.csrfToken } });
    expect(out.status).toBe(204);
    expect((await t.api('/api/v2/users', { headers: { cookie: jar } })).status).toBe(401);
    expect((await t.api('/console/api/session', { headers: { cookie: jar } })).status).toBe(401);
  });

  it('asks for the organization when the email exists in two', async () => {
    const other = await t.gh.directory.createOrganization('Second Org', 'second.example');
    await t.gh.directory.users.create(other.org.id, null, { name: 'Twin', email: 'admin@demo.gatehouse.local', password: 'another password' });
    const res = await login();
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('organization.required');
    const picked = await t.api('/console/api/session', { method: 'POST', body: { email: 'admin@demo.gatehouse.local', password: 'another password', organization: 'Second Org' } });
    expect(picked.status).toBe(200);
    expect(picked.body.organization.name).toBe('Second Org');
  });
});
