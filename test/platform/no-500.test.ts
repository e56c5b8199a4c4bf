/**
 * No 500 on any input (@see issue 16): the framework's own errors leave as upstream ErrorBody
 * (SCIM errors under SCIM), NUL characters are refused the same way on SQLite and PostgreSQL,
 * page numbers are bounded and the body limit is upstream's 512,000 bytes.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const errorBody = (body: any, status: number) => {
  expect(body).toMatchObject({ status, code: expect.any(String), message: expect.any(String) });
  expect(body).toHaveProperty('contextId');
};

/** A raw request (fetch refuses some of these URLs before sending them). */
function raw(base: string, path: string, headers: Record<string, string> = {}) {
  const url = new URL(base);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(DIALECTS)('no 500 on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('answers the framework errors as ErrorBody, and SCIM errors under SCIM', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const long = await raw(t.url, `/api/v2/users/${'a'.repeat(600)}`, auth);
    expect(long.status).toBe(414);
    errorBody(long.body, 414);
    const bad = await raw(t.url, '/api/v2/users/%ff', auth);
    expect(bad.status).toBe(400);
    errorBody(bad.body, 400);
    const scim = await raw(t.url, '/api/v2/scim/v2/Users/%ff', auth);
    expect(scim.status).toBe(400);
    expect(scim.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const big = await raw(t.url, `/api/v2/users?q=${'x'.repeat(16 * 1024)}`, auth);
    expect(big.status).toBe(431);
    errorBody(big.body, 431);
  });

  it('refuses NUL characters in bodies and path ids with a 400', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/api/v2/authorization/roles', { name: 'evil\u0000role' }],
      ['POST', '/api/v2/users', { name: 'N\u0000', email: 'nul@example.com', password: 'a long enough password 1' }],
      ['POST', '/api/v2/groups', { name: 'g\u0000', type: 'official', visibility: 'public' }],
      ['POST', '/api/v2/oauth/clients', { name: 'c\u0000', authorizedGrantType: 'CLIENT-CREDENTIALS' }],
      ['POST', '/api/v2/audits/streams', { name: 's\u0000', url: 'https://siem.example/in' }],
      [
        'POST',
        '/api/v2/audits/query/realtime',
        { interval: '2026-01-01T00:00:00Z/2026-01-02T00:00:00Z', serviceName: 'x\u0000' },
      ],
      ['GET', '/api/v2/users/%00', undefined],
      ['GET', '/api/v2/authorization/roles/%00', undefined],
      ['GET', '/api/v2/groups/%00', undefined],
      ['GET', '/api/v2/oauth/clients/%00', undefined],
      ['GET', '/api/v2/audits/streams/%00', undefined],
      ['GET', '/api/v2/users?name=%00', undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await t.api(path, { method, token, body });
      expect(res.status, `${method} ${path}`).toBe(400);
      errorBody(res.body, 400);
    }
    // SCIM checks its own (test/scim/inputs.test.ts): an impossible id is a SCIM 404.
    const scim = await t.api('/api/v2/scim/v2/Users/%00', { token });
    expect(scim.status).toBe(404);
    expect(scim.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    const form = await t.api('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=%00',
    });
    expect(form.status).toBe(400);
    expect(form.body.error).toBe('invalid_request');
  });

  it('bounds pageNumber on every list', async () => {
    for (const list of [
      '/api/v2/users',
      '/api/v2/authorization/roles',
      '/api/v2/authorization/divisions',
      '/api/v2/groups',
      '/api/v2/oauth/clients',
      '/api/v2/oauth/authorizations',
      '/api/v2/audits/streams',
      '/api/v2/conversations',
      '/api/v2/gatehouse/conversations',
      '/api/v2/identityproviders',
    ]) {
      for (const n of ['99999999999999999999', '1000001']) {
        const res = await t.api(`${list}?pageNumber=${n}`, { token });
        // A paged list refuses it; a list that is not paged (authorizations) ignores it.
        expect([200, 400], `${list} ${n}`).toContain(res.status);
        if (res.status === 200) expect(res.body.pageNumber ?? 1, list).toBe(1);
      }
      expect((await t.api(`${list}?pageNumber=1000000`, { token })).status, list).toBeLessThan(500);
    }
  });

  it('takes bodies up to 512,000 bytes by default', async () => {
    expect(loadConfig({}, {}).bodyLimit).toBe(512_000);
    const res = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'big', description: 'x'.repeat(520_000) },
    });
    expect(res.status).toBe(413);
    errorBody(res.body, 413);
  });
});
