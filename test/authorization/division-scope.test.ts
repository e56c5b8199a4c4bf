/**
 * Division reach of what issue 15 left open: a client's usage (summary, queries, aggregate jobs)
 * follows the client's division; the interactions view and its live listing follow the
 * conversation's; and conversations (and queues) move between divisions through the divisions API,
 * the mover holding the permission in both, audited. Groups carry no division upstream (docs/authorization.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const INTERVAL = '2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z';

describe.each(DIALECTS)('division scope on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let home: string;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    home = (await t.api('/api/v2/authorization/divisions/home', { token: admin })).body.id;
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown, token = admin) => t.api(path, { method: 'POST', token, body });
  const division = async (name: string) => (await post('/api/v2/authorization/divisions', { name })).body.id as string;
  /** A client holding a role of these permissions in these divisions, and its token. */
  async function holder(name: string, permissions: string[], divisions: string[]) {
    const role = (await post('/api/v2/authorization/roles', { name: `${name} role`, permissions })).body.id;
    const res = await post('/api/v2/oauth/clients', {
      name,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: divisions.map((divisionId) => ({ roleId: role, divisionId })),
    });
    expect(res.status, res.text).toBe(200);
    return { id: res.body.id as string, token: await t.token(res.body.id, res.body.secret) };
  }

  it("answers a client's usage only in the client's division", async () => {
    const other = await division('Usage elsewhere');
    const target = await holder('Usage target', ['directory:user:view'], [home]);
    const homeViewer = await holder('Usage home viewer', ['oauth:client:view', 'usage:client:view'], [home]);
    const awayViewer = await holder('Usage away viewer', ['oauth:client:view', 'usage:client:view'], [other]);
    const calls = (token: string) => [
      t.api(`/api/v2/oauth/clients/${target.id}/usage/summary`, { token }),
      post(`/api/v2/oauth/clients/${target.id}/usage/query`, { interval: INTERVAL }, token),
      post(`/api/v2/usage/client/${target.id}/aggregates/query/jobs`, { interval: INTERVAL }, token),
    ];
    const near = await Promise.all(calls(homeViewer.token));
    expect(near.map((r) => r.status)).toEqual([200, 200, 200]);
    const far = await Promise.all(calls(awayViewer.token));
    expect(far.map((r) => r.status)).toEqual([404, 404, 404]);
    for (const r of far) expect(r.text).not.toContain('Usage target');
    // The results of a query made by someone in reach are not readable from another division either.
    const execution = near[1]!.body.executionId;
    const results = `/api/v2/oauth/clients/${target.id}/usage/query/results/${execution}`;
    expect((await t.api(results, { token: homeViewer.token })).status).toBe(200);
    expect((await t.api(results, { token: awayViewer.token })).status).toBe(404);
    const job = `/api/v2/usage/client/${target.id}/aggregates/query/jobs/${near[2]!.body.id}`;
    expect((await t.api(job, { token: awayViewer.token })).status).toBe(404);
  });

  it('moves a conversation between divisions for a holder of the permission in both; the views follow it', async () => {
    const east = await division('East');
    const created = await post('/api/v2/gatehouse/conversations', { mediaType: 'call' });
    expect(created.status, created.text).toBe(200);
    const id = created.body.id as string;
    // The move route itself asks for authorization:division:view (upstream declares none).
    const manage = [
      'conversation:communication:view',
      'conversation:communication:disconnect',
      'authorization:division:view',
    ];
    const homeOnly = await holder('Home manager', manage, [home]);
    const eastOnly = await holder(
      'East viewer',
      ['conversation:communication:view', 'authorization:division:view'],
      [east],
    );
    const both = await holder('Both manager', manage, [home, east]);

    const interaction = (token: string) => t.api(`/api/v2/gatehouse/interactions/${id}`, { token });
    const activeIds = async (token: string) =>
      (await t.api('/api/v2/gatehouse/interactions/active?pageSize=100', { token })).body.entities.map(
        (e: { conversationId?: string; id?: string }) => e.conversationId ?? e.id,
      );
    expect((await interaction(homeOnly.token)).status).toBe(200);
    expect((await interaction(eastOnly.token)).status).toBe(404);
    expect(await activeIds(homeOnly.token)).toContain(id);
    expect(await activeIds(eastOnly.token)).not.toContain(id);

    // Holding the permission only where the conversation is (not in the target): the target is invisible.
    const move = (token: string) => post(`/api/v2/authorization/divisions/${east}/objects/CONVERSATION`, [id], token);
    expect((await move(homeOnly.token)).status).toBe(404);
    expect((await move(eastOnly.token)).status).toBe(404);
    const moved = await move(both.token);
    expect(moved.status, moved.text).toBe(204);

    expect((await t.api(`/api/v2/conversations/${id}`, { token: eastOnly.token })).status).toBe(200);
    expect((await t.api(`/api/v2/conversations/${id}`, { token: homeOnly.token })).status).toBe(404);
    expect((await interaction(eastOnly.token)).status).toBe(200);
    expect((await interaction(homeOnly.token)).status).toBe(404);
    expect(await activeIds(eastOnly.token)).toContain(id);
    expect(await activeIds(homeOnly.token)).not.toContain(id);
    const counts = await t.api(`/api/v2/authorization/divisions?id=${east}&objectCount=true`, { token: admin });
    expect(counts.body.entities[0].objectCounts).toMatchObject({ CONVERSATION: 1 });
    // A division holding a conversation is not deleted.
    expect((await t.api(`/api/v2/authorization/divisions/${east}`, { method: 'DELETE', token: admin })).status).toBe(
      409,
    );

    // Audited: who moved what where.
    const now = Date.now();
    const trail = await post('/api/v2/audits/query/realtime', {
      interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 60_000).toISOString()}`,
      serviceName: 'Authorization',
      filters: [
        { property: 'EntityType', value: 'Division' },
        { property: 'Action', value: 'MoveObjects' },
        { property: 'EntityId', value: east },
      ],
    });
    expect(trail.status, trail.text).toBe(200);
    expect(trail.body.entities).toEqual([
      expect.objectContaining({ context: expect.objectContaining({ objectType: 'CONVERSATION', objectIds: id }) }),
    ]);
  });

  it('moves a queue through the divisions API (QUEUE) for a holder of routing:queue:edit in both', async () => {
    const west = await division('West');
    const queue = await post('/api/v2/routing/queues', { name: 'Moving Queue' });
    expect(queue.status, queue.text).toBe(200);
    const id = queue.body.id as string;
    const perms = ['routing:queue:view', 'routing:queue:edit', 'authorization:division:view'];
    const homeOnly = await holder('Queue home editor', perms, [home]);
    const both = await holder('Queue both editor', perms, [home, west]);
    const move = (token: string) => post(`/api/v2/authorization/divisions/${west}/objects/QUEUE`, [id], token);
    expect((await move(homeOnly.token)).status).toBe(404);
    expect((await t.api(`/api/v2/routing/queues/${id}`, { token: homeOnly.token })).status).toBe(200);
    expect((await move(both.token)).status).toBe(204);
    const moved = await t.api(`/api/v2/routing/queues/${id}`, { token: both.token });
    expect(moved.body.division.id).toBe(west);
    expect((await t.api(`/api/v2/routing/queues/${id}`, { token: homeOnly.token })).status).toBe(404);
    expect((await t.api(`/api/v2/authorization/divisions/${west}`, { method: 'DELETE', token: admin })).status).toBe(
      409,
    );
  });
});
