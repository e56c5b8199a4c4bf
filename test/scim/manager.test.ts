/**
 * A manager deleted through SCIM: their reports lose the manager in the same transaction
 * (audited on each report, source SCIM), so the identity provider can go on updating and
 * deactivating them (Okta's deactivation PATCH). The manager is checked only when a write
 * changes it. @see issue #7 (review finding 4)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { auditTrail, ENTERPRISE, ERROR, oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM manager deletion on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  const trail = (entityId: string) => auditTrail(s, entityId);

  it('after the manager is deleted, Okta can still deactivate the reports, which no longer show a manager', async () => {
    const boss = await s.scim('POST', '/Users', oktaUser('the.boss@manager.example'));
    const reports = [];
    for (const name of ['first.report', 'second.report']) {
      const r = await s.scim(
        'POST',
        '/Users',
        oktaUser(`${name}@manager.example`, { [ENTERPRISE]: { manager: { value: boss.body.id } } }),
      );
      expect(r.status).toBe(201);
      expect(r.body[ENTERPRISE].manager.value).toBe(boss.body.id);
      reports.push(r.body);
    }
    expect((await s.scim('DELETE', `/Users/${boss.body.id}`)).status).toBe(200);

    // Okta's deactivation: a path-less replace.
    const off = await s.scim('PATCH', `/Users/${reports[0].id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body[ENTERPRISE].manager).toBeUndefined();

    // The other report's resource changed too: no manager, a new version, and an event in its trail.
    const other = await s.scim('GET', `/Users/${reports[1].id}`);
    expect(other.body[ENTERPRISE].manager).toBeUndefined();
    expect(other.body.meta.version).toBe('W/"2"');
    const events = await trail(reports[1].id);
    const cleared = events.find((e) => e.action === 'Update');
    expect(cleared).toMatchObject({ entityType: 'User', context: { source: 'SCIM' } });
    expect(cleared?.propertyChanges).toEqual([{ property: 'manager', oldValues: [boss.body.id], newValues: [] }]);
    // Okta's PUT of the whole profile works as well.
    const put = await s.scim('PUT', `/Users/${reports[1].id}`, {
      ...oktaUser('second.report@manager.example'),
      title: 'Still here',
    });
    expect(put.status).toBe(200);
  });

  it('still refuses a manager that is not a user when a write sets or changes it', async () => {
    const boss = await s.scim('POST', '/Users', oktaUser('real.boss@manager.example'));
    const report = await s.scim(
      'POST',
      '/Users',
      oktaUser('checked.report@manager.example', { [ENTERPRISE]: { manager: { value: boss.body.id } } }),
    );
    const bad = await s.scim('PATCH', `/Users/${report.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: '00000000-0000-0000-0000-000000000000' } },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    expect(bad.body.detail).toContain('manager');
    // An update that keeps the manager is not refused.
    const title = await s.scim('PATCH', `/Users/${report.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'Kept' }],
    });
    expect(title.status).toBe(200);
    expect(title.body[ENTERPRISE].manager.value).toBe(boss.body.id);
  });
});
