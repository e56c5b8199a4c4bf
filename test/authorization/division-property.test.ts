/**
 * Property (@see issue 15): two organizations with several divisions of look-alike users and
 * clients (same names in every place). Any object tried through any division-scoped token answers
 * only when the token holds the permission in the object's own organization and division (or in
 * all divisions, `*`, of that organization); every other try is a 404, and lists hold exactly the
 * reachable objects.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

interface Place {
  org: string;
  division: string;
}
interface Thing extends Place {
  kind: 'user' | 'client';
  id: string;
}
interface Viewer extends Place {
  token: string;
}

const VIEWER = ['directory:user:view', 'oauth:client:view', 'authorization:grant:view'];

describe.each(DIALECTS)('division reach property on %s', (dialect) => {
  let t: TestApp;
  const things: Thing[] = [];
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    t = await startApp(dialect, {
      env: { GATEHOUSE_RATE_LIMIT_CLIENT: '0', GATEHOUSE_RATE_LIMIT_ORG: '0', GATEHOUSE_RATE_LIMIT_TOKEN: '0' },
    });
    const { directory, oauth } = t.gh;
    const b = await directory.createOrganization('Look-alike Org', 'lookalike.example');
    const orgs = [
      { id: t.demo.orgId, home: (await directory.organizations.homeDivision(t.demo.orgId)).id },
      { id: b.org.id, home: b.homeDivisionId },
    ];
    for (const org of orgs) {
      const divisions = [org.home];
      for (const name of ['North', 'South']) {
        const caller = { principal: { orgId: org.id, permissions: ['*:*:*'] } as never, remoteIp: '127.0.0.1' };
        divisions.push((await directory.divisions.create(caller, { name })).id);
      }
      const role = await directory.roles.create(org.id, null, { name: 'Viewer', permissions: VIEWER });
      for (const [i, division] of divisions.entries()) {
        // The same names and emails in every organization and division.
        const user = await directory.users.create(org.id, null, {
          name: `Alex Look ${i}`,
          email: `alex${i}@look.example`,
          divisionId: division,
        });
        things.push({ kind: 'user', id: user.id, org: org.id, division });
        const client = await oauth.clients.create(org.id, null, {
          name: `Look bot ${i}`,
          grantType: 'CLIENT-CREDENTIALS',
          divisionId: division,
          roleDivisions: [{ roleId: role.id, divisionId: division }],
        });
        things.push({ kind: 'client', id: client.client.id, org: org.id, division });
        viewers.push({ token: await t.token(client.client.id, client.secret), org: org.id, division });
      }
      // A viewer in every division of its organization (itself in the home division).
      const everywhere = await oauth.clients.create(org.id, null, {
        name: 'Look bot everywhere',
        grantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: role.id, divisionId: '*' }],
      });
      viewers.push({ token: await t.token(everywhere.client.id, everywhere.secret), org: org.id, division: '*' });
    }
  });
  afterAll(() => t?.close());

  const pathsOf = (x: Thing) =>
    x.kind === 'user'
      ? [`/api/v2/users/${x.id}`, `/api/v2/users/${x.id}/roles`, `/api/v2/authorization/subjects/${x.id}`]
      : [`/api/v2/oauth/clients/${x.id}`, `/api/v2/authorization/subjects/${x.id}?subjectType=PC_OAUTH_CLIENT`];

  const reachable = (viewer: Viewer, thing: Thing) =>
    viewer.org === thing.org && (viewer.division === '*' || viewer.division === thing.division);

  it('answers an object only to a token holding the permission in its organization and division', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...viewers), fc.constantFrom(...things), async (viewer, thing) => {
        const visible = reachable(viewer, thing);
        for (const path of pathsOf(thing)) {
          const res = await t.api(path, { token: viewer.token });
          expect(res.status, path).toBe(visible ? 200 : 404);
          if (!visible) expect(res.body.entities).toBeUndefined();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('lists every reachable look-alike object and no other', async () => {
    for (const viewer of viewers) {
      const users = await t.api('/api/v2/users?pageSize=100', { token: viewer.token });
      const clients = await t.api('/api/v2/oauth/clients?pageSize=100', { token: viewer.token });
      const listed = new Set([...users.body.entities, ...clients.body.entities].map((x: { id: string }) => x.id));
      // Each look-alike object is listed exactly when it is reachable (the demo's own home objects may be too).
      for (const x of things) expect(listed.has(x.id), `${x.kind} ${x.id}`).toBe(reachable(viewer, x));
    }
  });
});
