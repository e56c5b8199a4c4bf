/**
 * "Records an event in the same transaction" (@see issue 4, review finding 3): when the audit
 * insert fails, the change it describes is undone and the caller gets an error; no change
 * without its event. The audit insert is made to fail in the database itself (a NOT NULL
 * column), once, for the n-th event recorded after `failAudit(n)`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

const failing = vi.hoisted(() => ({ countdown: 0 }));
vi.mock('../../src/platform/audit.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/platform/audit.ts')>();
  return {
    ...real,
    recordAudit: (...[trx, clock, event]: Parameters<typeof real.recordAudit>) => {
      if (failing.countdown > 0 && --failing.countdown === 0) {
        return real.recordAudit(trx, clock, { ...event, orgId: null as unknown as string });
      }
      return real.recordAudit(trx, clock, event);
    },
  };
});
/** Makes the n-th audit insert from now fail (1 = the next one). */
const failAudit = (n = 1) => {
  failing.countdown = n;
};

const interval = () =>
  `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('a failing audit write undoes the change on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  let roleDivisions: { roleId: string; divisionId: string }[];
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
    const employee = (await t.api('/api/v2/authorization/roles?name=Employee', { token })).body.entities[0].id;
    roleDivisions = [
      { roleId: employee, divisionId: (await t.api('/api/v2/authorization/divisions/home', { token })).body.id },
    ];
  });
  afterAll(() => {
    failing.countdown = 0;
    return t?.close();
  });

  const eventsOf = async (entityId: string) =>
    (
      await t.api('/api/v2/audits/query/realtime', {
        method: 'POST',
        token,
        body: { interval: interval(), filters: [{ property: 'EntityId', value: entityId }] },
      })
    ).body.entities as { action: string }[];

  it('PUT of an OAuth client: 500, the client unchanged, no event; the retry succeeds', async () => {
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: { name: 'Steady', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions },
    });
    const id = made.body.id;
    const put = () =>
      t.api(`/api/v2/oauth/clients/${id}`, {
        method: 'PUT',
        token,
        body: {
          name: 'Changed',
          authorizedGrantType: 'CLIENT-CREDENTIALS',
          roleDivisions,
          accessTokenValiditySeconds: 600,
        },
      });

    failAudit();
    const failed = await put();
    expect(failed.status).toBe(500);
    validateShape('ErrorBody', failed.body);
    expect(failed.body.code).toBe('internal.server.error');
    expect(failed.text).not.toMatch(/org_id|NOT NULL|null value/i);
    const got = await t.api(`/api/v2/oauth/clients/${id}`, { token });
    expect(got.body).toMatchObject({ name: 'Steady', accessTokenValiditySeconds: 86400 });
    expect((await eventsOf(id)).map((e) => e.action)).toEqual(['Create']);

    const retried = await put();
    expect(retried.status).toBe(200);
    expect((await t.api(`/api/v2/oauth/clients/${id}`, { token })).body.name).toBe('Changed');
    expect((await eventsOf(id)).map((e) => e.action)).toEqual(['Update', 'Create']);
  });

  it('POST of a user: 500 and no user is created', async () => {
    failAudit();
    const res = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Never Was', email: 'never.was@example.com' },
    });
    expect(res.status).toBe(500);
    const users = await t.api('/api/v2/users?pageSize=100', { token });
    expect(users.body.entities.map((u: { email: string }) => u.email)).not.toContain('never.was@example.com');
    // The address is still free: nothing half-written blocks it.
    expect(
      (
        await t.api('/api/v2/users', {
          method: 'POST',
          token,
          body: { name: 'Now Is', email: 'never.was@example.com' },
        })
      ).status,
    ).toBe(200);
  });

  it('deleting a role: a failing caused event (a holder losing the role) undoes the deletion too', async () => {
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'Sticky', permissions: ['oauth:client:view'] },
    });
    const user = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Holder', email: 'holder@rollback.example' },
    });
    expect(
      (await t.api(`/api/v2/users/${user.body.id}/roles`, { method: 'PUT', token, body: [role.body.id] })).status,
    ).toBe(200);

    failAudit(2); // 1: the role's Delete event, 2: the holder's UserRoles event it causes
    expect((await t.api(`/api/v2/authorization/roles/${role.body.id}`, { method: 'DELETE', token })).status).toBe(500);
    expect((await t.api(`/api/v2/authorization/roles/${role.body.id}`, { token })).status).toBe(200);
    const held = await t.api(`/api/v2/users/${user.body.id}/roles`, { token });
    expect(held.body.roles.map((r: { name: string }) => r.name)).toEqual(['Sticky']);
    expect((await eventsOf(role.body.id)).map((e) => e.action)).toEqual(['Create']);
  });
});
