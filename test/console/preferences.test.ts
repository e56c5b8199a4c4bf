/**
 * Console preferences (beyond upstream) belong to one user: another user of the same
 * organization neither reads, overwrites nor deletes them (@see issue 6, "saved per user").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('console preferences (%s)', (dialect) => {
  let t: TestApp;
  let admin: { cookie: string; 'x-csrf-token': string };
  let service: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    const login = await t.api('/console/api/session', {
      method: 'POST',
      body: { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
    });
    admin = { cookie: login.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': login.body.csrfToken };
    // The demo client-credentials client acts as its service-account user: a second user.
    service = await t.token();
  });
  afterAll(() => t?.close());

  const KEY = '/api/v2/console/preferences/api-usage.clients';

  it("keeps each user's value apart, until that user resets it", async () => {
    const put = await t.api(KEY, { method: 'PUT', headers: admin, body: { value: { clients: ['a', 'b'] } } });
    expect(put.status).toBe(200);
    expect((await t.api(KEY, { headers: admin })).body).toEqual({
      key: 'api-usage.clients',
      value: { clients: ['a', 'b'] },
    });

    // The other user starts empty, and writing or deleting touches only their own.
    expect((await t.api(KEY, { token: service })).body.value).toBeNull();
    expect((await t.api(KEY, { method: 'PUT', token: service, body: { value: { clients: ['z'] } } })).status).toBe(200);
    expect((await t.api(KEY, { method: 'DELETE', token: service })).status).toBe(204);
    expect((await t.api(KEY, { token: service })).body.value).toBeNull();
    expect((await t.api(KEY, { headers: admin })).body.value).toEqual({ clients: ['a', 'b'] });

    // Reset by its owner.
    expect((await t.api(KEY, { method: 'DELETE', headers: admin })).status).toBe(204);
    expect((await t.api(KEY, { headers: admin })).body.value).toBeNull();
  });

  it('refuses a bad key, an oversize value, and a caller without a session or token', async () => {
    expect((await t.api('/api/v2/console/preferences/bad%20key', { headers: admin })).status).toBe(400);
    const big = await t.api(KEY, { method: 'PUT', headers: admin, body: { value: 'x'.repeat(20_000) } });
    expect(big.status).toBe(400);
    expect((await t.api(KEY, { headers: admin })).body.value).toBeNull();
    expect((await t.api(KEY)).status).toBe(401);
  });
});
