/**
 * Causing events (@see issue 4): a change that triggers others records them with the causing
 * event, and "See related audits" walks the chain from either end.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const interval = () =>
  `${new Date(Date.now() - 3_600_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe.each(DIALECTS)('causing events on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('deleting a role records each holder losing it, caused by the deletion', async () => {
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: {
        name: 'Short-lived',
        permissionPolicies: [{ domain: 'oauth', entityName: 'client', actionSet: ['view'] }],
      },
    });
    expect(role.status).toBe(200);
    const employee = (await t.api('/api/v2/authorization/roles?name=Employee', { token })).body.entities[0].id;
    const holders: string[] = [];
    for (const name of ['Ann', 'Bob']) {
      const user = await t.api('/api/v2/users', {
        method: 'POST',
        token,
        body: { name, email: `${name.toLowerCase()}@related.example` },
      });
      expect(
        (await t.api(`/api/v2/users/${user.body.id}/roles`, { method: 'PUT', token, body: [role.body.id, employee] }))
          .status,
      ).toBe(200);
      holders.push(user.body.id);
    }

    expect(
      (await t.api(`/api/v2/authorization/roles/${role.body.id}`, { method: 'DELETE', token })).status,
    ).toBeLessThan(300);
    const roles = await t.api(`/api/v2/users/${holders[0]}/roles`, { token });
    expect(roles.body.roles.map((r: { name: string }) => r.name)).toEqual(['Employee']);

    const found = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token,
      body: {
        interval: interval(),
        serviceName: 'Authorization',
        filters: [{ property: 'EntityId', value: role.body.id }],
      },
    });
    const deletion = found.body.entities.find((e: { action: string }) => e.action === 'Delete');
    expect(deletion).toBeDefined();

    // From the deletion: the deletion and both users' role changes.
    const down = await t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token,
      body: { auditId: deletion.id, sort: [{ name: 'Timestamp', sortOrder: 'ascending' }] },
    });
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
    const up = await t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token,
      body: { auditId: caused[0].id },
    });
    expect(up.body.entities.map((e: { id: string }) => e.id)).toContain(deletion.id);
  });

  it('deleting a role nobody holds records the deletion alone', async () => {
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'Unheld', permissionPolicies: [] },
    });
    await t.api(`/api/v2/authorization/roles/${role.body.id}`, { method: 'DELETE', token });
    const found = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token,
      body: {
        interval: interval(),
        serviceName: 'Authorization',
        filters: [{ property: 'EntityId', value: role.body.id }],
      },
    });
    const deletion = found.body.entities.find((e: { action: string }) => e.action === 'Delete');
    const related = await t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token,
      body: { auditId: deletion.id },
    });
    expect(related.body.entities.map((e: { id: string }) => e.id)).toEqual([deletion.id]);
  });

  it('deleting an authorized client records the end of its authorization, caused by the deletion, and its tokens stop', async () => {
    const redirect = 'https://partner.example.com/cb';
    const app = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: {
        name: 'Doomed App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [redirect],
        scope: ['users:readonly'],
      },
    });
    expect(app.status).toBe(200);
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const session = new AuthorizeSession(t);
    const res = await session.authorize(
      {
        client_id: app.body.id,
        redirect_uri: redirect,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { email: 'admin@demo.gatehouse.local', password: ADMIN_PASSWORD },
    );
    const code = new URL(res.location!).searchParams.get('code')!;
    const exchanged = await t.api('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        code_verifier: verifier,
        client_id: app.body.id,
      }).toString(),
    });
    const appToken = exchanged.body.access_token as string;
    expect((await t.api('/api/v2/users/me', { token: appToken })).status).toBe(200);
    expect((await t.api(`/api/v2/oauth/authorizations/${app.body.id}`, { token })).body.state).toBe('Authorized');

    await t.api(`/api/v2/oauth/clients/${app.body.id}`, {
      method: 'PUT',
      token,
      body: {
        name: 'Doomed App',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: [redirect],
        scope: ['users:readonly'],
        state: 'inactive',
      },
    });
    expect((await t.api(`/api/v2/oauth/clients/${app.body.id}`, { method: 'DELETE', token })).status).toBeLessThan(300);
    expect((await t.api('/api/v2/users/me', { token: appToken })).status).toBe(401);

    const found = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token,
      body: { interval: interval(), serviceName: 'OAuth', filters: [{ property: 'EntityId', value: app.body.id }] },
    });
    const deletion = found.body.entities.find(
      (e: { action: string; entityType: string }) => e.action === 'Delete' && e.entityType === 'OAuthClient',
    );
    const ended = found.body.entities.find(
      (e: { action: string; entityType: string }) => e.action === 'Delete' && e.entityType === 'AuthorizedApplication',
    );
    expect(
      deletion,
      JSON.stringify(found.body.entities.map((e: { action: string; entity: unknown }) => [e.action, e.entity])),
    ).toBeDefined();
    expect(ended).toBeDefined();
    expect(ended.initiatingAction.transactionId).toBe(deletion.id);
    expect(ended.propertyChanges.find((p: { property: string }) => p.property === 'state').oldValues).toEqual([
      'Authorized',
    ]);
    const related = await t.api('/api/v2/audits/query/realtime/related', {
      method: 'POST',
      token,
      body: { auditId: ended.id },
    });
    expect(related.body.entities.map((e: { id: string }) => e.id).sort()).toEqual([deletion.id, ended.id].sort());
  });
});
