/**
 * Causing events (@see issue 4): a change that triggers others records them with the causing
 * event, and "See related audits" walks the chain from either end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const interval = () => `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('causing events on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('deleting a role records each holder losing it, caused by the deletion', async () => {
    const role = await t.api('/api/v2/authorization/roles', { method: 'POST', token, body: { name: 'Short-lived', permissionPolicies: [{ domain: 'oauth', entityName: 'client', actionSet: ['view'] }] } });
    expect(role.status).toBe(200);
    const employee = (await t.api('/api/v2/authorization/roles?name=Employee', { token })).body.entities[0].id;
    const holders: string[] = [];
    for (const name of ['Ann', 'Bob']) {
      const user = await t.api('/api/v2/users', { method: 'POST', token, body: { name, email: `${name.toLowerCase()}@related.example` } });
      expect((await t.api(`/api/v2/users/${user.body.id}/roles`, { method: 'PUT', token, body: [role.body.id, employee] })).status).toBe(200);
      holders.push(user.body.id);
    }

    expect((await t.api(`/api/v2/authorization/roles/${role.body.id}`, { method: 'DELETE', token })).status).toBeLessThan(300);
    const roles = await t.api(`/api/v2/users/${holders[0]}/roles`, { token });
    expect(roles.body.roles.map((r: { name: string }) => r.name)).toEqual(['Employee']);

    const found = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST', token,
      body: { interval: interval(), serviceName: 'Authorization', filters: [{ property: 'EntityId', value: role.body.id }] },
    });
    const deletion = found.body.entities.find((e: { action: string }) => e.action === 'Delete');
    expect(deletion).toBeDefined();

    // From the deletion: the deletion and both users' role changes.
    const down = await t.api('/api/v2/audits/query/realtime/related', { method: 'POST', token, body: { auditId: deletion.id, sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] } });
    expect(down.status).toBe(200);
    const caused = down.body.entities.filter((e: { id: string }) => e.id !== deletion.id);
    expect(caused.map((e: { entity: { id: string } }) => e.entity.id).sort()).toEqual([...holders].sort());
    for (const e of caused) {
      expect(e.initiatingAction.transactionId).toBe(deletion.id);
      const change = e.propertyChanges.find((p: { property: string }) => p.property === 'roles');
      expect(change.oldValues).toContain('Short-lived');
      expect(change.newValues).not.toContain('Short-lived');
      expect(change.newValues).toContain('Employee');
    }

    // From a caused event back up to the deletion.
    const up = await t.api('/api/v2/audits/query/realtime/related', { method: 'POST', token, body: { auditId: caused[0].id } });
    expect(up.body.entities.map((e: { id: string }) => e.id)).toContain(deletion.id);
  });

  it('deleting a role nobody holds records the deletion alone', async () => {
    const role = await t.api('/api/v2/authorization/roles', { method: 'POST', token, body: { name: 'Unheld', permissionPolicies: [] } });
    await t.api(`/api/v2/authorization/roles/${role.body.id}`, { method: 'DELETE', token });
    const found = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST', token, body: { interval: interval(), serviceName: 'Authorization', filters: [{ property: 'EntityId', value: role.body.id }] },
    });
    const deletion = found.body.entities.find((e: { action: string }) => e.action === 'Delete');
    const related = await t.api('/api/v2/audits/query/realtime/related', { method: 'POST', token, body: { auditId: deletion.id } });
    expect(related.body.entities.map((e: { id: string }) => e.id)).toEqual([deletion.id]);
  });
});
