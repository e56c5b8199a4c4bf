/**
 * A 10,000-member group PATCH over HTTP (issue #19): every member is added in one request and
 * shows as a member, on the group and on the users; the >1,000-removal guard still refuses a
 * large removal from the big group whole. The timing is measured by bench/scim.bench.ts, not here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

const MEMBERS = 10_000;

describe.each(DIALECTS)('a 10,000-member group PATCH on %s', (dialect) => {
  let s: ScimApp;
  const users: string[] = [];
  beforeAll(async () => {
    s = await startScimApp(dialect);
    // The users rows straight into the store (a fixture: provisioning 10,000 users one by one
    // is measured by the benchmark); every membership change goes over HTTP.
    const { db } = s.t.gh.storage;
    const orgId = s.t.demo.orgId;
    const division = await s.t.gh.directory.organizations.homeDivision(orgId);
    const now = new Date().toISOString();
    for (let from = 0; from < MEMBERS; from += 1000) {
      const rows = Array.from({ length: 1000 }, (_, i) => {
        const email = `member.${from + i}@big.example`;
        return {
          id: randomUUID(),
          org_id: orgId,
          email,
          email_key: email,
          name: `Member ${from + i}`,
          title: null,
          department: null,
          division_id: division.id,
          state: 'active',
          password_hash: null,
          service_account: 0 as const,
          version: 1,
          created_at: now,
          modified_at: now,
        };
      });
      await db.insertInto('users').values(rows).execute();
      users.push(...rows.map((r) => r.id));
    }
  }, 120_000);
  afterAll(() => s?.t.close());

  const patch = (groupId: string, Operations: unknown[]) =>
    s.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations });
  const memberIds = async (groupId: string) => {
    const res = await s.scim('GET', `/Groups/${groupId}?attributes=members`);
    expect(res.status).toBe(200);
    return (res.body.members as { value: string }[]).map((m) => m.value).sort();
  };

  it('adds 10,000 members in one request; each user shows the group; a 1,001 removal is still refused', async () => {
    const id = await s.group('Everyone at once');
    const res = await patch(id, [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }]);
    expect(res.status).toBe(200);
    expect(res.body.members).toHaveLength(MEMBERS);
    const all = [...users].sort();
    expect(await memberIds(id)).toEqual(all);

    for (const user of [users[0], users[4321], users[MEMBERS - 1]]) {
      const u = await s.scim('GET', `/Users/${user}`);
      expect(u.status).toBe(200);
      expect(u.body.groups.map((g: { value: string }) => g.value)).toEqual([id]);
    }

    // Sent again, nothing changes: the same members, the same version.
    const again = await patch(id, [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }]);
    expect(again.status).toBe(200);
    expect(again.body.meta.version).toBe(res.body.meta.version);

    const tooMany = await patch(id, [
      { op: 'remove', path: 'members', value: users.slice(0, 1001).map((value) => ({ value })) },
    ]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toContain('1001');
    const removeAll = await patch(id, [{ op: 'remove', path: 'members' }]);
    expect(removeAll.status).toBe(400);
    expect(await memberIds(id)).toEqual(all);

    const thousand = await patch(id, [
      { op: 'remove', path: 'members', value: users.slice(0, 1000).map((value) => ({ value })) },
    ]);
    expect(thousand.status).toBe(200);
    expect(await memberIds(id)).toEqual(users.slice(1000).sort());
  }, 120_000);
});
