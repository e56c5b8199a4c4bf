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
    const unknown = await t.api('/console/api/session', {
      method: 'POST',
      body: { email: 'nobody@example.com', password: 'x' },
    });
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
    const forged = await t.api('/api/v2/users', {
      method: 'POST',
      body,
      headers: { cookie: jar, 'x-csrf-token': 'forged' },
    });
    expect(forged.status).toBe(403);
    const ok = await t.api('/api/v2/users', {
      method: 'POST',
      body,
      headers: { cookie: jar, 'x-csrf-token': res.body.csrfToken },
    });
    expect(ok.status).toBe(200);
    const event = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', ok.body.id)
      .executeTakeFirstOrThrow();
    expect(event.actor_user_id).toBe(res.body.user.id);
  });

  it('checks the CSRF token on an encoded path too', async () => {
    const res = await login();
    const jar = res.headers.get('set-cookie')!.split(';')[0];
    const body = { name: 'Encoded Path', email: 'encoded@example.com' };
    const without = await t.api('/%61pi/v2/users', { method: 'POST', body, headers: { cookie: jar } });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('csrf.token.invalid');
  });

  it('does not take the session as a bearer token', async () => {
    const res = await login();
    const session = res.headers.get('set-cookie')!.split(';')[0].split('=')[1]!;
    const asBearer = await t.api('/api/v2/users', { token: session });
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.message).toMatch(/console session/);
    expect((await t.api('/api/v2/users', { headers: { cookie: `gatehouse_session=${session}` } })).status).toBe(200);
  });

  it('logs out: the cookie stops working', async () => {
    const res = await login();
    const jar = res.headers.get('set-cookie')!.split(';')[0];
    const out = await t.api('/console/api/session', {
      method: 'DELETE',
      headers: { cookie: jar, 'x-csrf-token': res.body.csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await t.api('/api/v2/users', { headers: { cookie: jar } })).status).toBe(401);
    expect((await t.api('/console/api/session', { headers: { cookie: jar } })).status).toBe(401);
  });

  it('asks for the organization only when the password matches in two, telling nothing to a wrong password', async () => {
    const other = await t.gh.directory.createOrganization('Second Org', 'second.example');
    await t.gh.directory.users.create(other.org.id, null, {
      name: 'Twin',
      email: 'admin@demo.gatehouse.local',
      password: 'another password',
    });
    const third = await t.gh.directory.createOrganization('Third Org', 'third.example');
    await t.gh.directory.users.create(third.org.id, null, {
      name: 'Triplet',
      email: 'admin@demo.gatehouse.local',
      password: 'another password',
    });
    // A wrong password gets the same answer as for an email in one organization.
    const wrong = await login('wrong password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('bad.credentials');
    // The password names one organization: no question asked.
    const own = await login();
    expect(own.status).toBe(200);
    expect(own.body.organization.name).toBe('Gatehouse Demo');
    // The same password in two organizations: the caller must pick one.
    const twice = await login('another password');
    expect(twice.status).toBe(400);
    expect(twice.body.code).toBe('organization.required');
    const picked = await t.api('/console/api/session', {
      method: 'POST',
      body: { email: 'admin@demo.gatehouse.local', password: 'another password', organization: 'Second Org' },
    });
    expect(picked.status).toBe(200);
    expect(picked.body.organization.name).toBe('Second Org');
  });
});

describe('console session behind https', () => {
  it('marks the cookie Secure when the public URL is https, and not on plain http', async () => {
    const https = await startApp('sqlite', { env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.example' } });
    try {
      const res = await https.api('/console/api/session', {
        method: 'POST',
        body: { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    } finally {
      await https.close();
    }
    const http = await startApp('sqlite');
    try {
      const res = await http.api('/console/api/session', {
        method: 'POST',
        body: { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
      });
      expect(res.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    } finally {
      await http.close();
    }
  });
});
