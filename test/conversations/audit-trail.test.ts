/**
 * The interaction audit trail: every disconnect and creation is audited in its transaction, and
 * GET /api/v2/conversations/{id}/audits answers them behind audits:interactionDetails:view
 * (@see issue 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { seedDemoInteractions, tokenWithPermissions } from './fixtures.ts';

describe.each(DIALECTS)('interaction audit trail on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let demo: Awaited<ReturnType<typeof seedDemoInteractions>>;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    demo = await seedDemoInteractions(t, admin);
  });
  afterAll(() => t?.close());

  it('records who disconnected the interaction, from where, with before and after', async () => {
    const res = await t.api(`/api/v2/conversations/${demo.ghostCall.id}/disconnect`, { method: 'POST', token: admin });
    expect(res.status).toBe(202);
    const trail = await t.api(`/api/v2/conversations/${demo.ghostCall.id}/audits`, { token: admin });
    expect(trail.status).toBe(200);
    expect(trail.body.total).toBe(2);
    const [disconnect, create] = trail.body.entities;
    validateShape('AuditLogMessage', disconnect);
    expect(create).toMatchObject({
      action: 'Create',
      level: 'SYSTEM',
      serviceName: 'Conversations',
      entityType: 'Conversation',
    });
    expect(disconnect).toMatchObject({
      action: 'Disconnect',
      level: 'USER',
      serviceName: 'Conversations',
      entityType: 'Conversation',
      entity: { id: demo.ghostCall.id },
      client: { id: t.demo.clientId },
      remoteIp: ['127.0.0.1'],
    });
    const change = (p: string) => disconnect.propertyChanges.find((c: { property: string }) => c.property === p);
    expect(change('state')).toEqual({ property: 'state', oldValues: ['connected'], newValues: ['disconnected'] });
    expect(change('endTime').oldValues).toEqual([]);
    expect(change('endTime').newValues).toHaveLength(1);
    expect(change('participants[1] acd Support.state')).toEqual({
      property: 'participants[1] acd Support.state',
      oldValues: ['connected'],
      newValues: ['disconnected'],
    });
    // The customer had already gone: no change recorded for them.
    expect(disconnect.propertyChanges.some((c: { property: string }) => c.property.startsWith('participants[0]'))).toBe(
      false,
    );
  });

  it('appears in the org-wide audit query under the Conversations service', async () => {
    const now = new Date();
    const interval = `${new Date(now.getTime() - 3_600_000).toISOString()}/${new Date(now.getTime() + 60_000).toISOString()}`;
    const res = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval,
        serviceName: 'Conversations',
        filters: [
          { property: 'EntityId', value: demo.ghostCall.id },
          { property: 'Action', value: 'Disconnect' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    const mapping = await t.api('/api/v2/audits/query/servicemapping', { token: admin });
    expect(mapping.body.services).toContainEqual({
      name: 'Conversations',
      entities: [{ name: 'Conversation', actions: ['AttachmentAdd', 'Create', 'Disconnect', 'Update'] }],
    });
  });

  it('records one Disconnect when several disconnects of the same interaction race', async () => {
    const c = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: { mediaType: 'call', participants: [{ purpose: 'customer', name: 'C' }] },
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.api(`/api/v2/conversations/${c.body.id}/disconnect`, { method: 'POST', token: admin }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const trail = await t.api(`/api/v2/conversations/${c.body.id}/audits`, { token: admin });
    expect(trail.body.entities.map((e: { action: string }) => e.action)).toEqual(['Disconnect', 'Create']);
  });

  it('pages the trail', async () => {
    await t.api(`/api/v2/conversations/${demo.heldChat.id}/disconnect`, { method: 'POST', token: admin });
    const page1 = await t.api(`/api/v2/conversations/${demo.heldChat.id}/audits?pageSize=1`, { token: admin });
    expect(page1.body).toMatchObject({ total: 2, pageSize: 1, pageNumber: 1, pageCount: 2 });
    expect(page1.body.entities[0].action).toBe('Disconnect');
    expect(page1.body.nextUri).toBe(`/api/v2/conversations/${demo.heldChat.id}/audits?pageSize=1&pageNumber=2`);
    const page2 = await t.api(page1.body.nextUri, { token: admin });
    expect(page2.body.entities[0].action).toBe('Create');
  });

  it('needs audits:interactionDetails:view, while the disconnect itself needs only conversation:communication:disconnect', async () => {
    const operator = await tokenWithPermissions(t, admin, 'Disconnect Operator', [
      'conversation:communication:disconnect',
      'conversation:communication:view',
    ]);
    const denied = await t.api(`/api/v2/conversations/${demo.callback.id}/audits`, { token: operator });
    expect(denied.status).toBe(403);
    validateShape('ErrorBody', denied.body);
    expect(denied.body.message).toContain('audits:interactionDetails:view');
    const res = await t.api(`/api/v2/conversations/${demo.callback.id}/disconnect`, {
      method: 'POST',
      token: operator,
    });
    expect(res.status).toBe(202);
    const auditor = await tokenWithPermissions(t, admin, 'Interaction Auditor', ['audits:interactionDetails:view']);
    const trail = await t.api(`/api/v2/conversations/${demo.callback.id}/audits`, { token: auditor });
    expect(trail.status).toBe(200);
    expect(trail.body.entities[0]).toMatchObject({ action: 'Disconnect' });
    expect(trail.body.entities[0].client.id).not.toBe(t.demo.clientId);
    // The auditor cannot disconnect.
    expect(
      (await t.api(`/api/v2/conversations/${demo.callback.id}/disconnect`, { method: 'POST', token: auditor })).status,
    ).toBe(403);
  });
});
