/**
 * The request pipeline: authentication, authorization, organization isolation and the
 * ErrorBody for every kind of bad input (@see issue 2, "Bad input that must get a clear answer").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('pipeline on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect, { env: { GATEHOUSE_BODY_LIMIT: '4096' } });
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('needs a bearer token', async () => {
    const res = await t.api('/api/v2/users');
    expect(res.status).toBe(401);
    validateShape('ErrorBody', res.body);
    expect(res.body.code).toBe('authentication.required');
    expect(res.headers.get('inin-correlation-id')).toBe(res.body.contextId);
    const garbage = await t.api('/api/v2/users', { token: 'not-a-token' });
    expect(garbage.status).toBe(401);
  });

  it('stops a revoked token at once (DELETE /tokens/me)', async () => {
    const mine = await t.token();
    expect((await t.api('/api/v2/tokens/me', { token: mine })).status).toBe(200);
    const del = await t.api('/api/v2/tokens/me', {
      method: 'DELETE',
      token: mine,
      headers: { 'content-type': 'application/json' },
    });
    expect(del.status).toBe(200);
    expect((await t.api('/api/v2/tokens/me', { token: mine })).status).toBe(401);
    expect((await t.api('/api/v2/users', { token })).status).toBe(200);
  });

  it('answers GET /tokens/me with TokenInfo and HEAD with 200', async () => {
    const res = await t.api('/api/v2/tokens/me', { token });
    validateShape('TokenInfo', res.body);
    expect(res.body.OAuthClient).toMatchObject({ id: t.demo.clientId, authorizedGrantType: 'CLIENT-CREDENTIALS' });
    expect((await t.api('/api/v2/tokens/me', { method: 'HEAD', token })).status).toBe(200);
    expect((await t.api('/api/v2/tokens/me', { method: 'HEAD' })).status).toBe(401);
  });

  it('names the permission a caller lacks', async () => {
    const { id, secret } = await t.clientWithRole('employee only');
    const weak = await t.token(id, secret);
    const res = await t.api('/api/v2/users', {
      method: 'POST',
      token: weak,
      body: { name: 'x', email: 'x@example.com' },
    });
    expect(res.status).toBe(403);
    validateShape('ErrorBody', res.body);
    expect(res.body.code).toBe('missing.permissions');
    expect(res.body.message).toContain('directory:user:add');
    const anyOf = await t.api('/api/v2/users/x', { method: 'PATCH', token: weak, body: { version: 1 } });
    expect(anyOf.status).toBe(403);
    expect(anyOf.body.code).toBe('missing.any.permissions');
  });

  it('keeps organizations apart: a token of another org sees none of this one', async () => {
    const other = await t.gh.directory.createOrganization('Other Org', 'other.example');
    const { client, secret } = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'other admin',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    const otherToken = await t.token(client.id, secret);
    const mine = await t.api('/api/v2/users', { token });
    const theirs = await t.api('/api/v2/users?state=any', { token: otherToken });
    expect(theirs.body.total).toBe(0);
    const userId = mine.body.entities[0].id;
    expect((await t.api(`/api/v2/users/${userId}`, { token: otherToken })).status).toBe(404);
    expect(
      (
        await t.api(`/api/v2/users/${userId}`, {
          method: 'PATCH',
          token: otherToken,
          body: { version: 1, name: 'hijack' },
        })
      ).status,
    ).toBe(404);
    const org = await t.api('/api/v2/organizations/me', { token: otherToken });
    expect(org.body.name).toBe('Other Org');
    // A role of this org cannot be granted from the other org.
    const roles = await t.api('/api/v2/authorization/roles', { token });
    const grant = await t.api(`/api/v2/users/${userId}/roles`, {
      method: 'PUT',
      token: otherToken,
      body: [roles.body.entities[0].id],
    });
    expect(grant.status).toBe(404);
  });

  it('refuses malformed JSON with a clear 400', async () => {
    const res = await t.api('/api/v2/users', { method: 'POST', token, body: '{"name": "x",' });
    expect(res.status).toBe(400);
    validateShape('ErrorBody', res.body);
    expect(res.body.message).toMatch(/not valid JSON/);
  });

  it('names the field of a wrong type', async () => {
    const res = await t.api('/api/v2/users', { method: 'POST', token, body: { name: 42, email: 'typed@example.com' } });
    expect(res.status).toBe(400);
    validateShape('ErrorBody', res.body);
    expect(res.body.details[0].fieldName).toBe('name');
    const missing = await t.api('/api/v2/users', { method: 'POST', token, body: { name: 'No Email' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].fieldName).toBe('email');
    const badQuery = await t.api('/api/v2/users?pageSize=abc', { token });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.message).toMatch(/pageSize/);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'x'.repeat(5000), email: 'big@example.com' },
    });
    expect(res.status).toBe(413);
    validateShape('ErrorBody', res.body);
    expect(res.body.code).toBe('request.entity.too.large');
  });

  it('guards a route however its path is percent-encoded', async () => {
    // The router decodes /%61pi/v2/users to /api/v2/users: the guards must see that route too.
    for (const path of ['/%61pi/v2/users', '/api/v2/%75sers', '/%61pi/v2/authorization/permissions']) {
      const res = await t.api(path);
      expect(res.status, path).toBe(401);
      expect(res.body.code).toBe('authentication.required');
    }
    const mine = await t.token();
    expect((await t.api('/%61pi/v2/users', { token: mine })).status).toBe(200);
    // The token endpoint keeps its RFC 6749 answers and no-store under an encoded path too.
    const oauth = await t.api('/%6fauth/token', {
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oauth.status).toBe(401);
    expect(oauth.body.error).toBe('invalid_client');
    expect(oauth.headers.get('cache-control')).toMatch(/no-store/);
  });

  it('forbids framing and type sniffing on the console, the login page and the API', async () => {
    for (const path of ['/', '/login', '/oauth/authorize?client_id=x&response_type=code', '/api/v2/users']) {
      const res = await t.api(path);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('answers an unknown route with a 404 ErrorBody', async () => {
    const res = await t.api('/api/v2/nothing-here', { token });
    expect(res.status).toBe(404);
    validateShape('ErrorBody', res.body);
  });
});
