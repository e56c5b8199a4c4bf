/**
 * A user deleted through the users API (PATCH state "deleted") is released as a SCIM DELETE
 * releases it: the identity provider can provision the same userName and externalId again, the
 * user leaves its groups and its reports lose it as manager, each change audited as caused by
 * the deletion. Restoring the user takes its address back (@see issue 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { auditTrail, ENTERPRISE, oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('a user deleted through the users API, seen by SCIM, on %s', (dialect) => {
  let s: ScimApp;
  let admin: string;
  beforeAll(async () => {
    s = await startScimApp(dialect);
    admin = await s.t.token();
  });
  afterAll(() => s?.t.close());

  const adminPatch = async (id: string, body: Record<string, unknown>) => {
    const current = await s.t.api(`/api/v2/users/${id}`, { token: admin });
    return s.t.api(`/api/v2/users/${id}`, {
      method: 'PATCH',
      token: admin,
      body: { version: current.body.version, ...body },
    });
  };

  it('frees the userName and externalId, leaves groups, clears the manager of reports, audited as caused', async () => {
    const boss = await s.scim('POST', '/Users', oktaUser('boss@admin-delete.example', { externalId: 'okta-boss' }));
    expect(boss.status).toBe(201);
    const report = await s.scim(
      'POST',
      '/Users',
      oktaUser('report@admin-delete.example', { [ENTERPRISE]: { manager: { value: boss.body.id } } }),
    );
    expect(report.status, report.text).toBe(201);
    const groupId = await s.group('Admin Delete Team');
    const joined = await s.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: boss.body.id }] }],
    });
    expect(joined.status, joined.text).toBe(200);

    const deleted = await adminPatch(boss.body.id, { state: 'deleted' });
    expect(deleted.status, deleted.text).toBe(200);

    // The group has no member left, and the report no manager.
    const group = await s.scim('GET', `/Groups/${groupId}`);
    expect(group.body.members ?? []).toEqual([]);
    const reportNow = await s.scim('GET', `/Users/${report.body.id}`);
    expect(reportNow.body[ENTERPRISE]?.manager).toBeUndefined();
    // The identity provider provisions the same person again: the userName and externalId are free.
    const again = await s.scim('POST', '/Users', oktaUser('boss@admin-delete.example', { externalId: 'okta-boss' }));
    expect(again.status, again.text).toBe(201);
    expect(again.body.id).not.toBe(boss.body.id);

    // Each release is audited, caused by the deletion's event.
    const deletion = (await auditTrail(s, boss.body.id)).find((e) =>
      e.propertyChanges.some((c) => c.property === 'state' && c.newValues[0] === 'deleted'),
    );
    expect(deletion).toBeDefined();
    const groupEvent = (await auditTrail(s, groupId)).find((e) =>
      e.propertyChanges.some((c) => c.property === 'members' && c.oldValues.includes(boss.body.id)),
    );
    expect(groupEvent).toBeDefined();
    const reportEvent = (await auditTrail(s, report.body.id)).find((e) =>
      e.propertyChanges.some((c) => c.property === 'manager'),
    );
    expect(reportEvent).toBeDefined();
    const related = await s.t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token: admin,
      body: { auditId: (deletion as unknown as { id: string }).id },
    });
    expect(related.status, related.text).toBe(200);
    const relatedIds = JSON.stringify(related.body);
    expect(relatedIds).toContain(report.body.id);
    expect(relatedIds).toContain(groupId);
  });

  it('restores the address with the user, unless someone has it since', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('restore@admin-delete.example'));
    expect((await adminPatch(made.body.id, { state: 'deleted' })).status).toBe(200);
    const back = await adminPatch(made.body.id, { state: 'active' });
    expect(back.status, back.text).toBe(200);
    const found = await s.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "restore@admin-delete.example"')}`,
    );
    expect(found.body.totalResults).toBe(1);

    expect((await adminPatch(made.body.id, { state: 'deleted' })).status).toBe(200);
    const taken = await s.scim('POST', '/Users', oktaUser('restore@admin-delete.example'));
    expect(taken.status).toBe(201);
    const clash = await adminPatch(made.body.id, { state: 'active' });
    expect(clash.status).toBe(409);
  });
});
