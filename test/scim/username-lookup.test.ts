/**
 * `userName eq "…"`, the lookup an identity provider makes before every push, runs as one compiled
 * statement (issue #19). It must answer exactly what the general filter path answers for the same
 * question: `userName eq "…" and userName pr` goes through the general path and means the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM userName eq lookups on %s', (dialect) => {
  let s: ScimApp;
  beforeAll(async () => {
    s = await startScimApp(dialect);
  });
  afterAll(() => s?.t.close());

  const list = async (filter: string) => {
    const res = await s.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(res.status, filter).toBe(200);
    return res.body as { totalResults: number; Resources: { id: string; userName: string }[] };
  };
  const both = async (value: string) => {
    const fast = await list(`userName eq "${value}"`);
    const general = await list(`userName eq "${value}" and userName pr`);
    expect(fast).toEqual(general);
    return fast;
  };

  it('finds an active user whatever the case, with the same resource as the general path', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('Mixed.Case@lookup.example', { externalId: 'ext-1' }));
    expect(made.status).toBe(201);
    for (const value of ['Mixed.Case@lookup.example', 'mixed.case@LOOKUP.example']) {
      const found = await both(value);
      expect(found.totalResults).toBe(1);
      expect(found.Resources[0]?.id).toBe(made.body.id);
      expect(found.Resources[0]).toEqual((await s.scim('GET', `/Users/${made.body.id}`)).body);
    }
    expect((await both('nobody@lookup.example')).totalResults).toBe(0);
  });

  it('leaves out a deactivated user, as the general path does, and finds it when asked about active', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('gone@lookup.example'));
    expect(made.status).toBe(201);
    const off = await s.scim('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.status).toBe(200);
    expect((await both('gone@lookup.example')).totalResults).toBe(0);
    expect((await list('userName eq "gone@lookup.example" and active eq false')).totalResults).toBe(1);
  });

  it('pages and counts like any list: count=0 and a later startIndex', async () => {
    await s.scim('POST', '/Users', oktaUser('paged@lookup.example'));
    const none = await s.scim(
      'GET',
      `/Users?count=0&filter=${encodeURIComponent('userName eq "paged@lookup.example"')}`,
    );
    expect(none.body.totalResults).toBe(1);
    expect(none.body.Resources ?? []).toEqual([]);
    const later = await s.scim(
      'GET',
      `/Users?startIndex=2&filter=${encodeURIComponent('userName eq "paged@lookup.example"')}`,
    );
    expect(later.body.totalResults).toBe(1);
    expect(later.body.Resources ?? []).toEqual([]);
  });
});
