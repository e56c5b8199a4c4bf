/**
 * /api/v2/authorization/subjects: one grant added and removed, bulk replace and bulk remove, and the
 * divisions cursor query, through HTTP on every dialect (@see issue 15).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('authorization subjects on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  const rolesOf = async (userId: string) => {
    const res = await t.api(`/api/v2/authorization/subjects/${userId}`, { token });
    expect(res.status, res.text).toBe(200);
    return (res.body.grants as { role: { id: string }; division: { id: string } }[]).map((g) => g.role.id);
  };

  it('adds and removes one grant, then replaces and removes in bulk', async () => {
    const home = (await t.api('/api/v2/authorization/divisions/home', { token })).body.id as string;
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'Directory reader', permissions: ['directory:user:view'] },
    });
    const user = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Grant Subject', email: 'grant.subject@example.com' },
    });
    expect([role.status, user.status]).toEqual([200, 200]);
    const [roleId, userId] = [role.body.id as string, user.body.id as string];

    const added = await t.api(`/api/v2/authorization/subjects/${userId}/divisions/${home}/roles/${roleId}`, {
      method: 'POST',
      token,
    });
    expect(added.status, added.text).toBe(204);
    expect(await rolesOf(userId)).toContain(roleId);
    const removed = await t.api(`/api/v2/authorization/subjects/${userId}/divisions/${home}/roles/${roleId}`, {
      method: 'DELETE',
      token,
    });
    expect(removed.status, removed.text).toBe(204);
    expect(await rolesOf(userId)).not.toContain(roleId);

    const grants = [{ roleId, divisionId: home }];
    const replaced = await t.api(`/api/v2/authorization/subjects/${userId}/bulkreplace`, {
      method: 'POST',
      token,
      body: { grants },
    });
    expect(replaced.status, replaced.text).toBe(204);
    expect(await rolesOf(userId)).toEqual([roleId]);
    const bulkRemoved = await t.api(`/api/v2/authorization/subjects/${userId}/bulkremove`, {
      method: 'POST',
      token,
      body: { grants },
    });
    expect(bulkRemoved.status, bulkRemoved.text).toBe(204);
    expect(await rolesOf(userId)).toEqual([]);
  });

  it('walks the divisions with the cursor query', async () => {
    const page = await t.api('/api/v2/authorization/divisions/query?pageSize=1', { token });
    expect(page.status, page.text).toBe(200);
    expect(page.body.entities).toHaveLength(1);
    expect(page.body.entities[0].name).toBe('Home');
  });
});
