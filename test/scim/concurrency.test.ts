/**
 * Concurrent SCIM group PATCHes, on every dialect (PostgreSQL runs them truly in parallel): the
 * If-Match version is checked in the same statement that takes the group's row lock, so of many
 * requests carrying one version exactly one wins; and two large adds of the same users in
 * opposite orders both succeed (no deadlock answered as a 500). @see issue #7 (review finding 3)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { ERROR, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM group concurrency on %s', (dialect) => {
  let s: ScimApp;
  const users: string[] = [];
  beforeAll(async () => {
    s = await startScimApp(dialect);
    users.push(...(await s.provision(300, 'concurrency.example')));
  }, 120_000);
  afterAll(() => s?.t.close());

  const patch = (groupId: string, Operations: unknown[], headers?: Record<string, string>) =>
    s.scim('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_OP], Operations }, headers);
  const members = async (groupId: string) =>
    ((await s.scim('GET', `/Groups/${groupId}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();

  it('of 10 concurrent PATCHes with the same If-Match version, exactly one succeeds', async () => {
    const id = await s.group('If-Match race');
    const results = await Promise.all(
      users
        .slice(0, 10)
        .map((u) => patch(id, [{ op: 'add', path: 'members', value: [{ value: u }] }], { 'if-match': 'W/"1"' })),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((x) => x === 200),
      statuses.join(','),
    ).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidVers' });
    }
    const winner = results.findIndex((r) => r.status === 200);
    expect(await members(id)).toEqual([users[winner]]);
    const after = await s.scim('GET', `/Groups/${id}`);
    expect(after.body.meta.version).toBe('W/"2"');
    // The current version is accepted again.
    expect(
      (await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[20] }] }], { 'if-match': 'W/"2"' }))
        .status,
    ).toBe(200);
  });

  it('two concurrent 300-member adds in opposite orders both succeed and every member is there', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await s.group(`Opposite orders ${round}`);
      const forward = users.map((value) => ({ value }));
      const backward = [...forward].reverse();
      const [a, b] = await Promise.all([
        patch(id, [{ op: 'add', path: 'members', value: forward }]),
        patch(id, [{ op: 'add', path: 'members', value: backward }]),
      ]);
      expect([a.status, b.status], `round ${round}: ${JSON.stringify(a.status === 200 ? b.body : a.body)}`).toEqual([
        200, 200,
      ]);
      expect(await members(id)).toEqual([...users].sort());
      // Opposite-order removals of overlapping halves race too.
      const [c, d] = await Promise.all([
        patch(id, [{ op: 'remove', path: 'members', value: users.slice(0, 200).map((value) => ({ value })) }]),
        patch(id, [
          {
            op: 'remove',
            path: 'members',
            value: users
              .slice(100, 300)
              .reverse()
              .map((value) => ({ value })),
          },
        ]),
      ]);
      expect([c.status, d.status]).toEqual([200, 200]);
      expect(await members(id)).toEqual([]);
    }
  });

  it('a concurrent no-op PATCH keeps the version (its bump is rolled back)', async () => {
    const id = await s.group('No-op race');
    await patch(id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }]);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => patch(id, [{ op: 'add', path: 'members', value: [{ value: users[0] }] }])),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await s.scim('GET', `/Groups/${id}`)).body.meta.version).toBe('W/"2"');
  });
});
