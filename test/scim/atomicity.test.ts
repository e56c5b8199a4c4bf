/**
 * A SCIM write that fails partway through its database writes leaves nothing changed: the users
 * row, the SCIM rows, group members and the audit events commit together or not at all. The
 * failures are real ones (an unknown manager refused after the users row was written) and a
 * failing audit write, injected once after the member rows were changed. @see issue #7 (review finding 8)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { ENTERPRISE, ERROR, oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

const failing = vi.hoisted(() => ({ recordAudit: 0, recordAuditBatch: 0 }));

vi.mock('../../src/platform/audit.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/platform/audit.ts')>();
  return {
    ...real,
    recordAudit: (...args: Parameters<typeof real.recordAudit>) => {
      if (failing.recordAudit > 0 && args[2].entityType === 'User' && args[2].action === 'Update') {
        failing.recordAudit--;
        return Promise.reject(new Error('audit write failed (test)'));
      }
      return real.recordAudit(...args);
    },
    recordAuditBatch: (...args: Parameters<typeof real.recordAuditBatch>) => {
      if (failing.recordAuditBatch > 0) {
        failing.recordAuditBatch--;
        return Promise.reject(new Error('audit write failed (test)'));
      }
      return real.recordAuditBatch(...args);
    },
  };
});

describe.each(DIALECTS)('SCIM writes are all or nothing on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  const actions = async (entityId: string) => {
    const admin = await s.t.token();
    const now = Date.now();
    const res = await s.t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`,
        filters: [{ property: 'EntityId', value: entityId }],
      },
    });
    return res.body.entities.map((e: { action: string }) => e.action);
  };

  it('a PATCH refused after the users row was written changes nothing (unknown manager, unknown division)', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('atomic.late@atomic.example', { title: 'Before' }));
    const id = made.body.id;
    for (const second of [
      { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: '00000000-0000-0000-0000-000000000000' } },
      { op: 'replace', path: `${ENTERPRISE}:division`, value: 'No such division' },
    ]) {
      const res = await s.scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'add', path: 'phoneNumbers', value: [{ value: '+15550100002', type: 'work' }] },
          second,
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
      const got = await s.scim('GET', `/Users/${id}`);
      expect(got.body.title).toBe('Before');
      expect(got.body.phoneNumbers).toBeUndefined();
      expect(got.body.meta.version).toBe('W/"1"');
      // The SCIM index rows were not written either.
      expect(
        (await s.scim('GET', `/Users?filter=${encodeURIComponent('phoneNumbers eq "+15550100002"')}`)).body
          .totalResults,
      ).toBe(0);
    }
    expect(await actions(id)).toEqual(['Create']);
  });

  it('a failing audit write undoes the user PATCH it belongs to', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('atomic.audit@atomic.example', { title: 'Before' }));
    failing.recordAudit = 1;
    const res = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'title', value: 'After' },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+15550100003', type: 'work' }] },
      ],
    });
    expect(failing.recordAudit).toBe(0);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '500' });
    const got = await s.scim('GET', `/Users/${made.body.id}`);
    expect(got.body).toMatchObject({ title: 'Before', meta: { version: 'W/"1"' } });
    expect(got.body.phoneNumbers).toBeUndefined();
    expect(
      (await s.scim('GET', `/Users?filter=${encodeURIComponent('phoneNumbers eq "+15550100003"')}`)).body.totalResults,
    ).toBe(0);
  });

  it('a group PATCH failing after its member rows changed leaves the members as they were', async () => {
    const users = await s.provision(6, 'atomic-group.example');
    const id = await s.group('Atomic group');
    expect(
      (
        await s.scim('PATCH', `/Groups/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: users.slice(0, 3).map((value) => ({ value })) }],
        })
      ).status,
    ).toBe(200);
    const before = await s.scim('GET', `/Groups/${id}`);
    failing.recordAuditBatch = 1;
    const res = await s.scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: 'members', value: users.slice(0, 2).map((value) => ({ value })) },
        { op: 'add', path: 'members', value: users.slice(3, 6).map((value) => ({ value })) },
      ],
    });
    expect(failing.recordAuditBatch).toBe(0);
    expect(res.status).toBe(500);
    const after = await s.scim('GET', `/Groups/${id}`);
    expect(after.body.members).toEqual(before.body.members);
    expect(after.body.meta.version).toBe(before.body.meta.version);
    // The group's Create and the first PATCH's Update; nothing from the failed one.
    expect(await actions(id)).toEqual(['Update', 'Create']);
  });
});
