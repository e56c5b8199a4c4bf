/**
 * Conversations over HTTP: upstream's read, disconnect and delete, the caller's own listing,
 * organization isolation and the practice interactions (@see issue 4; seed "Disconnect Interactions").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { otherOrganization, seedDemoInteractions, tokenWithPermissions } from './fixtures.ts';

describe.each(DIALECTS)('conversations on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let demo: Awaited<ReturnType<typeof seedDemoInteractions>>;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    demo = await seedDemoInteractions(t, admin);
  });
  afterAll(() => t?.close());

  it('answers a stuck interaction in the upstream Conversation shape', async () => {
    const res = await t.api(`/api/v2/conversations/${demo.ghostCall.id}`, { token: admin });
    expect(res.status).toBe(200);
    validateShape('Conversation', res.body);
    expect(res.body).toMatchObject({
      id: demo.ghostCall.id,
      state: 'connected',
      selfUri: `/api/v2/conversations/${demo.ghostCall.id}`,
    });
    expect(res.body.endTime).toBeUndefined();
    const home = (await t.gh.directory.organizations.homeDivision(t.demo.orgId)).id;
    expect(res.body.divisions[0].division.id).toBe(home);
    const acd = res.body.participants.find((p: { purpose: string }) => p.purpose === 'acd');
    expect(acd).toMatchObject({ queueName: 'Support', calls: [{ state: 'connected' }] });
    const customer = res.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer.calls[0].state).toBe('terminated');
  });

  it('tears a conversation down: 202 "Accepted", every live party disconnected, pending wrap-up applied, end time set', async () => {
    const res = await t.api(`/api/v2/conversations/${demo.callback.id}/disconnect`, { method: 'POST', token: admin });
    expect(res.status).toBe(202);
    expect(res.text).toBe('"Accepted"');
    expect(res.body).toBe('Accepted');
    const after = await t.api(`/api/v2/conversations/${demo.callback.id}`, { token: admin });
    validateShape('Conversation', after.body);
    expect(after.body.state).toBe('disconnected');
    expect(Date.parse(after.body.endTime)).not.toBeNaN();
    const agent = after.body.participants.find((p: { purpose: string }) => p.purpose === 'agent');
    expect(agent.callbacks[0]).toMatchObject({ state: 'disconnected', disconnectType: 'system' });
    expect(agent.wrapup).toMatchObject({ code: 'GATEHOUSE-SYSTEM-DISCONNECT' });
    const customer = after.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer.callbacks[0].disconnectType).toBe('endpoint');
    const active = await t.api('/api/v2/gatehouse/conversations?state=connected', { token: admin });
    expect(active.body.entities.map((c: { id: string }) => c.id)).not.toContain(demo.callback.id);
  });

  it('answers 202 again for an already-disconnected conversation and changes nothing', async () => {
    const first = await t.api(`/api/v2/conversations/${demo.heldChat.id}/disconnect`, { method: 'POST', token: admin });
    expect(first.status).toBe(202);
    const before = await t.api(`/api/v2/conversations/${demo.heldChat.id}`, { token: admin });
    const again = await t.api(`/api/v2/conversations/${demo.heldChat.id}/disconnect`, { method: 'POST', token: admin });
    expect(again.status).toBe(202);
    expect(again.body).toBe('Accepted');
    const after = await t.api(`/api/v2/conversations/${demo.heldChat.id}`, { token: admin });
    expect(after.body).toEqual(before.body);
    const trail = await t.api(`/api/v2/conversations/${demo.heldChat.id}/audits`, { token: admin });
    expect(trail.body.entities.filter((e: { action: string }) => e.action === 'Disconnect')).toHaveLength(1);
  });

  it('DELETE disconnects all participants and answers 200 with no body', async () => {
    const created = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'email',
        queueName: 'Mail',
        participants: [
          { purpose: 'customer', name: 'Sender' },
          { purpose: 'agent', name: 'Agent', wrapupRequired: true },
        ],
      },
    });
    expect(created.status).toBe(200);
    const res = await t.api(`/api/v2/conversations/${created.body.id}`, { method: 'DELETE', token: admin });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const after = await t.api(`/api/v2/conversations/${created.body.id}`, { token: admin });
    expect(after.body.state).toBe('disconnected');
    expect(after.body.participants.map((p: { emails: { state: string }[] }) => p.emails[0].state)).toEqual([
      'disconnected',
      'disconnected',
    ]);
  });

  it("answers 404 in the upstream error shape for an unknown id, a malformed id and another organization's conversation", async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const get = await t.api(`/api/v2/conversations/${id}`, { token: admin });
      expect(get.status).toBe(404);
      validateShape('ErrorBody', get.body);
      expect(get.body.code).toBe('not.found');
      const post = await t.api(`/api/v2/conversations/${id}/disconnect`, { method: 'POST', token: admin });
      expect(post.status).toBe(404);
    }
    const other = await otherOrganization(t, 'Other Org');
    const mine = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'call', participants: [{ purpose: 'customer', name: 'C' }] },
    });
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/disconnect'],
      ['DELETE', ''],
      ['GET', '/audits'],
    ] as const) {
      const res = await t.api(`/api/v2/conversations/${mine.body.id}${path}`, { method, token: other.token });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await t.api(`/api/v2/conversations/${mine.body.id}`, { token: admin })).body.state).toBe('connected');
    const theirs = await t.api('/api/v2/gatehouse/conversations', { token: other.token });
    expect(theirs.body.total).toBe(0);
  });

  it('needs conversation:communication:view to read and :disconnect to disconnect', async () => {
    const viewer = await tokenWithPermissions(t, admin, 'Conversation Viewer', ['conversation:communication:view']);
    const stranger = await tokenWithPermissions(t, admin, 'No Conversations', ['directory:user:view']);
    const c = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'chat', participants: [{ purpose: 'customer', name: 'C' }] },
    });
    expect((await t.api(`/api/v2/conversations/${c.body.id}`, { token: stranger })).status).toBe(403);
    expect((await t.api(`/api/v2/conversations/${c.body.id}`, { token: viewer })).status).toBe(200);
    const denied = await t.api(`/api/v2/conversations/${c.body.id}/disconnect`, { method: 'POST', token: viewer });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('conversation:communication:disconnect');
    expect((await t.api(`/api/v2/conversations/${c.body.id}`, { method: 'DELETE', token: viewer })).status).toBe(403);
    expect(
      (await t.api('/api/v2/gatehouse/conversations', { method: 'POST', token: viewer, body: { mediaType: 'call' } }))
        .status,
    ).toBe(403);
    expect((await t.api(`/api/v2/conversations/${c.body.id}`, { token: admin })).body.state).toBe('connected');
  });

  it("lists the caller's own active conversations, as upstream does", async () => {
    const me = await t.api('/api/v2/users/me', { token: admin });
    const c = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'call',
        participants: [
          { purpose: 'customer', name: 'C' },
          { purpose: 'agent', name: me.body.name, userId: me.body.id },
        ],
      },
    });
    const list = await t.api('/api/v2/conversations', { token: admin });
    expect(list.status).toBe(200);
    validateShape('ConversationEntityListing', list.body);
    expect(list.body.entities.map((e: { id: string }) => e.id)).toEqual([c.body.id]);
    expect((await t.api('/api/v2/conversations?communicationType=chat', { token: admin })).body.total).toBe(0);
    expect((await t.api('/api/v2/conversations?communicationType=Call', { token: admin })).body.total).toBe(1);
    expect((await t.api('/api/v2/conversations?communicationType=fax', { token: admin })).status).toBe(400);
    await t.api(`/api/v2/conversations/${c.body.id}/disconnect`, { method: 'POST', token: admin });
    expect((await t.api('/api/v2/conversations', { token: admin })).body.total).toBe(0);
  });

  it('validates a practice interaction and refuses a participant user from another organization', async () => {
    const bad = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'fax' },
    });
    expect(bad.status).toBe(400);
    validateShape('ErrorBody', bad.body);
    const other = await otherOrganization(t, 'Third Org');
    const otherUser = await t.api('/api/v2/users/me', { token: other.token });
    const res = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'call',
        participants: [
          { purpose: 'agent', name: 'X', userId: otherUser.body.id ?? '00000000-0000-4000-8000-000000000001' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.details[0].fieldName).toBe('participants[0].userId');
  });
});
