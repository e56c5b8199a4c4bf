/**
 * What the identity providers' conformance runs found correct, pinned where no other test held
 * it: paging past the end and capped counts, mixed-case operators and attribute names, injection
 * and deep nesting answered as filter errors, and the >1,000-removal guard as 1,001 operations
 * and as a PUT. @see issue #19 ("Keep")
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/dialects.ts';
import { ERROR, GROUP, oktaUser, PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM behaviour kept on %s', (dialect) => {
  let s: ScimApp;
  const users: string[] = [];
  beforeAll(async () => {
    s = await startScimApp(dialect);
    users.push(...(await s.provision(1100, 'keep.example')));
  }, 120_000);
  afterAll(() => s?.t.close());

  const list = (query: string) => s.scim('GET', `/Users?${query}`);
  const filter = (f: string) => `filter=${encodeURIComponent(f)}`;

  it('pages past the end with an empty page and caps count at 100', async () => {
    const past = await list(`${filter('userName co "@keep.example"')}&startIndex=5000&count=10`);
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ totalResults: 1100, startIndex: 5000, itemsPerPage: 0, Resources: [] });
    const capped = await list(`${filter('userName co "@keep.example"')}&count=1000`);
    expect(capped.body).toMatchObject({ totalResults: 1100, itemsPerPage: 100 });
    expect(capped.body.Resources).toHaveLength(100);
  });

  it('reads mixed-case operators, attribute names and values in userName eq', async () => {
    const res = await list(filter('UserName EQ "MEMBER.7@Keep.Example"'));
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].userName).toBe('member.7@keep.example');
  });

  it('answers injection attempts and deep nesting as filters, never a 500', async () => {
    const injected = await list(filter(`userName eq "x') or 1=1 --"`));
    expect(injected.status).toBe(200);
    expect(injected.body.totalResults).toBe(0);
    const quoted = await list(filter(`displayName co "'; drop table users; --"`));
    expect(quoted.status).toBe(200);
    const deep = await list(filter(`${'('.repeat(200)}userName eq "a"${')'.repeat(200)}`));
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidFilter' });
    const notDeep = await list(filter(`${'not ('.repeat(100)}userName eq "a"${')'.repeat(100)}`));
    expect(notDeep.body).toMatchObject({ scimType: 'invalidFilter' });
    // The table is still there.
    expect((await list(filter('userName eq "member.1@keep.example"'))).body.totalResults).toBe(1);
  });

  it('refuses more than 1,000 removals sent as 1,001 operations, or as a PUT, changing nothing', async () => {
    const id = await s.group('Keep guard');
    const patch = (Operations: unknown[]) => s.scim('PATCH', `/Groups/${id}`, { schemas: [PATCH_OP], Operations });
    expect((await patch([{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }])).status).toBe(200);
    const before = await s.scim('GET', `/Groups/${id}`);
    const ops = users.slice(0, 1001).map((u) => ({ op: 'remove', path: `members[value eq "${u}"]` }));
    const many = await patch(ops);
    expect(many.status).toBe(400);
    expect(many.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
    const put = await s.scim('PUT', `/Groups/${id}`, {
      schemas: [GROUP],
      displayName: 'Keep guard',
      members: users.slice(0, 50).map((value) => ({ value })),
    });
    expect(put.status).toBe(400);
    const after = await s.scim('GET', `/Groups/${id}`);
    expect(after.body.members).toHaveLength(1100);
    expect(after.body.meta.version).toBe(before.body.meta.version);
  });

  it('answers ETags: If-None-Match 304, a stale If-Match refused', async () => {
    const made = await s.scim('POST', '/Users', oktaUser('etag.keep@keep.example'));
    const etag = made.headers.get('etag')!;
    expect((await s.scim('GET', `/Users/${made.body.id}`, undefined, { 'if-none-match': etag })).status).toBe(304);
    await s.scim('PUT', `/Users/${made.body.id}`, oktaUser('etag.keep@keep.example', { title: 'New' }));
    const stale = await s.scim('PUT', `/Users/${made.body.id}`, oktaUser('etag.keep@keep.example'), {
      'if-match': etag,
    });
    expect(stale.body).toMatchObject({ status: '400', scimType: 'invalidVers' });
  });
});
