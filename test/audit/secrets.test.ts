/**
 * "Secrets, password hashes and tokens never appear in an event" (@see issue 4, review finding
 * 6): users given a password through the admin API and through SCIM (create, PATCH, PUT) leave
 * neither the password nor its stored hash in any of their events, as read through the audit
 * API and as stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const interval = () =>
  `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('no password or hash in audit events on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  /** Every event of the entity through the realtime query, and its stored rows. */
  async function trail(entityId: string) {
    const res = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token,
      body: { interval: interval(), filters: [{ property: 'EntityId', value: entityId }] },
    });
    expect(res.status).toBe(200);
    const rows = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', entityId)
      .execute();
    return { api: res.body.entities as { action: string }[], stored: rows };
  }
  const storedHash = async (id: string) =>
    (await t.gh.storage.db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow())
      .password_hash;

  function expectClean(events: unknown, secrets: (string | null)[]) {
    const text = JSON.stringify(events);
    for (const s of secrets) {
      expect(s).toBeTruthy();
      expect(text).not.toContain(s);
    }
    expect(text).not.toContain('$argon2');
    // No property or context key about a password either (names and addresses may say "password").
    expect(text).not.toMatch(/"property":"[^"]*passw/i);
    expect(text).not.toMatch(/"[^"]*passw[^"]*":/i);
  }

  it('the admin API: create with a password', async () => {
    const password = 'S3cret-pass-123';
    const made = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Has Password', email: 'has.password@example.com', password },
    });
    expect(made.status).toBe(200);
    const hash = await storedHash(made.body.id);
    expect(hash).toMatch(/^\$argon2/);
    const { api, stored } = await trail(made.body.id);
    expect(api.map((e) => e.action)).toEqual(['Create']);
    expectClean(api, [password, hash]);
    expectClean(stored, [password, hash]);
  });

  it('SCIM: create, PATCH and PUT with a password', async () => {
    const passwords = ['Scim-create-pass-1', 'Scim-patch-pass-2', 'Scim-put-pass-3'];
    const hashes: (string | null)[] = [];
    const user = {
      schemas: [SCIM_USER],
      userName: 'scim.password@example.com',
      name: { givenName: 'Scim', familyName: 'Password' },
      displayName: 'Scim Password',
      emails: [{ primary: true, value: 'scim.password@example.com', type: 'work' }],
      active: true,
    };
    const made = await t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token,
      body: { ...user, password: passwords[0] },
    });
    expect(made.status).toBe(201);
    const id = made.body.id;
    hashes.push(await storedHash(id));

    const patched = await t.api(`/api/v2/scim/v2/Users/${id}`, {
      method: 'PATCH',
      token,
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: passwords[1] }] },
    });
    expect(patched.status).toBe(200);
    hashes.push(await storedHash(id));
    const put = await t.api(`/api/v2/scim/v2/Users/${id}`, {
      method: 'PUT',
      token,
      body: { ...user, title: 'Renamed', password: passwords[2] },
    });
    expect(put.status).toBe(200);
    hashes.push(await storedHash(id));
    expect(new Set(hashes).size).toBe(3); // each password really was stored

    const { api, stored } = await trail(id);
    expect(api.map((e) => e.action).sort()).toEqual(['Create', 'Update', 'Update']);
    expectClean(api, [...passwords, ...hashes]);
    expectClean(stored, [...passwords, ...hashes]);
  });
});
