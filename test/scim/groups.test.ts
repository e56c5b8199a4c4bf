/**
 * SCIM Groups over HTTP: list/get, membership PATCH as row-level changes (Okta and Entra forms),
 * PUT, the 1,000-removal guard, a 256-member PATCH, concurrent PATCHes losing nothing, no
 * create/delete through SCIM, audit, and organization isolation. @see issue #7
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { ERROR, GROUP, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM Groups on %s', (dialect) => {
  let s: ScimApp;
  const users: string[] = [];
  beforeAll(async () => {
    s = await startScimApp(dialect);
    // 1,300 users straight through the service (fast); membership goes over HTTP.
    users.push(...(await s.provision(1300, 'groups.example')));
  }, 120_000);
  afterAll(() => s?.t.close());

  const members = async (groupId: string) => {
    const res = await s.scim('GET', `/Groups/${groupId}`);
    return (res.body.members ?? []).map((m: { value: string }) => m.value).sort();
  };
  const patch = (groupId: string, Operations: unknown[], headers?: Record<string, string>) =>
    s.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations }, headers);

  it('lists and filters groups by displayName (case-insensitive), with the upstream shapes', async () => {
    const id = await s.group('Sales');
    await s.group('Support');
    const res = await s.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "sales"')}`);
    expect(res.status).toBe(200);
    validateShape('ScimGroupListResponse', res.body);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).toMatchObject({
      id,
      displayName: 'Sales',
      schemas: [GROUP],
      meta: { resourceType: 'Group', version: 'W/"1"' },
    });
    const one = await s.scim('GET', `/Groups/${id}`);
    validateShape('ScimV2Group', one.body);
    expect(one.headers.get('etag')).toBe('W/"1"');
    expect((await s.scim('GET', '/Groups')).body.totalResults).toBeGreaterThanOrEqual(2);
  });

  it('adds and removes members the Okta way and the Entra way; users show their groups', async () => {
    const id = await s.group('Engineering');
    const add = await patch(id, [
      { op: 'add', path: 'members', value: [{ value: users[0] }, { value: users[1] }, { value: users[2] }] },
    ]);
    expect(add.status).toBe(200);
    expect(await members(id)).toEqual([users[0], users[1], users[2]].sort());
    const user = await s.scim('GET', `/Users/${users[0]}`);
    expect(user.body.groups).toEqual([{ value: id, $ref: expect.stringContaining(`/Groups/${id}`), type: 'Group' }]);

    await patch(id, [{ op: 'remove', path: `members[value eq "${users[1]}"]` }]);
    expect(await members(id)).toEqual([users[0], users[2]].sort());
    // Entra: capitalised op, a value list on remove.
    await patch(id, [
      { op: 'Remove', path: 'members', value: [{ value: users[2] }] },
      { op: 'Add', path: 'members', value: [{ value: users[3] }] },
    ]);
    expect(await members(id)).toEqual([users[0], users[3]].sort());
    // Adding a member twice is harmless.
    await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }]);
    expect(await members(id)).toEqual([users[0], users[3]].sort());
  });

  it('refuses unknown members, read-only displayName changes, and creating or deleting groups', async () => {
    const id = await s.group('Finance');
    const unknown = await patch(id, [
      { op: 'add', path: 'members', value: [{ value: users[5] }, { value: '00000000-0000-0000-0000-000000000000' }] },
    ]);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ scimType: 'invalidValue' });
    expect(await members(id)).toEqual([]);
    const rename = await patch(id, [{ op: 'replace', value: { displayName: 'Money' } }]);
    expect(rename.status).toBe(400);
    expect(rename.body.scimType).toBe('mutability');
    const create = await s.scim('POST', '/Groups', { schemas: [GROUP], displayName: 'New' });
    expect(create.status).toBe(405);
    expect(create.body.schemas).toEqual([ERROR]);
    expect(create.body.detail).toContain('cannot be created or deleted');
    expect((await s.scim('DELETE', `/Groups/${id}`)).status).toBe(405);
    expect((await s.scim('GET', `/Groups/${id}`)).status).toBe(200);
  });

  it('PUT makes the listed users the members', async () => {
    const id = await s.group('Marketing');
    await patch(id, [{ op: 'add', path: 'members', value: users.slice(10, 15).map((value) => ({ value })) }]);
    const res = await s.scim('PUT', `/Groups/${id}`, {
      schemas: [GROUP],
      displayName: 'Marketing',
      members: users.slice(13, 17).map((value) => ({ value })),
    });
    expect(res.status).toBe(200);
    expect(await members(id)).toEqual(users.slice(13, 17).sort());
  });

  it('refuses whole a request that would remove more than 1,000 members, changing nothing', async () => {
    const id = await s.group('Everyone');
    for (let i = 0; i < 1100; i += 250) {
      expect(
        (
          await patch(id, [
            { op: 'add', path: 'members', value: users.slice(i, Math.min(i + 250, 1100)).map((value) => ({ value })) },
          ])
        ).status,
      ).toBe(200);
    }
    const before = await s.scim('GET', `/Groups/${id}`);
    expect(before.body.members).toHaveLength(1100);

    const removeMany = await patch(id, [
      { op: 'add', path: 'members', value: [{ value: users[1200] }] },
      { op: 'remove', path: 'members', value: users.slice(0, 1001).map((value) => ({ value })) },
    ]);
    expect(removeMany.status).toBe(400);
    expect(removeMany.body.detail).toContain('1001');
    // Okta's "Push Now" replacing the member list with a short one.
    const replace = await patch(id, [{ op: 'replace', path: 'members', value: [{ value: users[0] }] }]);
    expect(replace.status).toBe(400);
    const removeAll = await patch(id, [{ op: 'remove', path: 'members' }]);
    expect(removeAll.status).toBe(400);
    const after = await s.scim('GET', `/Groups/${id}`);
    expect(after.body.members).toHaveLength(1100);
    expect(after.body.meta.version).toBe(before.body.meta.version);
    // Exactly 1,000 is allowed.
    expect(
      (await patch(id, [{ op: 'remove', path: 'members', value: users.slice(0, 1000).map((value) => ({ value })) }]))
        .status,
    ).toBe(200);
    expect(await members(id)).toEqual(users.slice(1000, 1100).sort());
  });

  it('applies a 256-member PATCH well under a second', async () => {
    const id = await s.group('Big batch');
    const started = performance.now();
    const res = await patch(
      id,
      [{ op: 'add', path: 'members', value: users.slice(0, 256).map((value) => ({ value })) }],
      {},
    );
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.members).toHaveLength(256);
    expect(ms).toBeLessThan(1000);
    const removeStarted = performance.now();
    expect(
      (await patch(id, [{ op: 'remove', path: 'members', value: users.slice(0, 256).map((value) => ({ value })) }]))
        .status,
    ).toBe(200);
    expect(performance.now() - removeStarted).toBeLessThan(1000);
  });

  it('never loses a member when many PATCHes hit one group at once', async () => {
    const id = await s.group('Concurrent');
    const batches = Array.from({ length: 20 }, (_, i) => users.slice(i * 10, i * 10 + 10));
    const results = await Promise.all(
      batches.map((b) => patch(id, [{ op: 'add', path: 'members', value: b.map((value) => ({ value })) }])),
    );
    expect(results.map((r) => r.status)).toEqual(batches.map(() => 200));
    expect(await members(id)).toEqual(users.slice(0, 200).sort());
    // Removals and additions racing: each removes its own and adds new ones.
    const mixed = await Promise.all(
      batches.map((b, i) =>
        patch(id, [
          { op: 'remove', path: `members[value eq "${b[0]}"]` },
          { op: 'add', path: 'members', value: [{ value: users[300 + i] }] },
        ]),
      ),
    );
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    const expected = [
      ...users.slice(0, 200).filter((u) => !batches.some((b) => b[0] === u)),
      ...users.slice(300, 320),
    ].sort();
    expect(await members(id)).toEqual(expected);
    expect((await s.scim('GET', `/Groups/${id}`)).body.meta.version).toBe('W/"41"');
  });

  it('If-Match: a stale version is refused with 400 invalidVers', async () => {
    const id = await s.group('Versioned');
    await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }], { 'if-match': 'W/"1"' });
    const stale = await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[1] }] }], {
      'if-match': 'W/"1"',
    });
    expect(stale.status).toBe(400);
    expect(stale.body.scimType).toBe('invalidVers');
    expect(await members(id)).toEqual([users[0]]);
  });

  it('audits membership changes with source SCIM', async () => {
    const id = await s.group('Audited group');
    await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[7] }, { value: users[8] }] }]);
    const admin = await s.t.token();
    const now = Date.now();
    const res = await s.t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`,
        filters: [{ property: 'EntityId', value: id }],
      },
    });
    const update = res.body.entities.find((e: { action: string }) => e.action === 'Update');
    expect(update).toMatchObject({ entityType: 'Group', context: { source: 'SCIM' } });
    expect(update.propertyChanges).toEqual([
      { property: 'members', oldValues: [], newValues: [users[7], users[8]].sort() },
    ]);
  });

  it('keeps organizations apart for groups', async () => {
    const id = await s.group('Private');
    const other = await s.otherOrgToken('Group Other Org');
    const theirs = s.as(other.token);
    expect((await theirs('GET', `/Groups/${id}`)).status).toBe(404);
    expect(
      (
        await theirs('PATCH', `/Groups/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: users[0] }] }],
        })
      ).status,
    ).toBe(404);
    expect((await theirs('GET', '/Groups')).body.totalResults).toBe(0);
    // Their group cannot take our users as members.
    const theirGroup = await s.group('Theirs', other.orgId);
    const cross = await theirs('PATCH', `/Groups/${theirGroup}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: users[0] }] }],
    });
    expect(cross.status).toBe(400);
  });
});
