/**
 * The 30-provider limit holds under concurrency (@see issue 5): two creates racing at 29
 * providers must not both succeed, on every dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { CERT, ISSUER, SSO_URL } from './providers-fixtures.ts';

describe.each(DIALECTS)('identity-provider limit under concurrency on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  const create = (name: string) =>
    t.api('/api/v2/identityproviders', {
      method: 'POST',
      token: admin,
      body: { name, issuerURI: `${ISSUER}/${name}`, ssoTargetURI: SSO_URL, certificates: [CERT.idp] },
    });
  const count = async () =>
    (await t.api('/api/v2/identityproviders?pageSize=100', { token: admin })).body.total as number;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());

  it('lets exactly one of several concurrent creates at 29 providers through', { timeout: 60_000 }, async () => {
    for (let i = 1; i <= 29; i++) expect((await create(`IdP ${i}`)).status).toBe(200);
    const results = await Promise.all([create('Racer A'), create('Racer B'), create('Racer C'), create('Racer D')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    for (const r of results.filter((x) => x.status === 400))
      expect(r.body.message).toMatch(/at most 30 identity providers/);
    expect(await count()).toBe(30);
  });

  it('serializes concurrent creates from empty too: the count never passes 30', { timeout: 60_000 }, async () => {
    // Free two slots, then race five creates.
    const list = (await t.api('/api/v2/identityproviders?pageSize=100', { token: admin })).body.entities as {
      id: string;
    }[];
    for (const p of list.slice(0, 2))
      expect((await t.api(`/api/v2/identityproviders/${p.id}`, { method: 'DELETE', token: admin })).status).toBe(200);
    const results = await Promise.all(['E', 'F', 'G', 'H', 'I'].map((x) => create(`Racer ${x}`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(await count()).toBe(30);
  });
});
