/**
 * The authorization matrix, generated from the route table (@see issue 15): every /api/v2 route ×
 * {no token, expired, revoked, lacking the permission, another organization's token, the
 * permission in another division only, the right permission} → the right status, and no data
 * of the organization in a refusal. A route that declares no permission fails the suite unless
 * OPEN_TO_EVERY_CALLER names it with the reason.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/app.ts';
import { ALL_PERMISSIONS } from '../../src/domains/directory/index.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { MUTATION_BODIES, NO_BODY, NOT_REPLAYED, type SeededIds } from './matrix-bodies.ts';

/** Routes any authenticated caller of the organization may call (upstream declares no permission). */
const OPEN_TO_EVERY_CALLER: Record<string, string> = {
  'GET /api/v2/tokens/me': 'the caller’s own token',
  'DELETE /api/v2/tokens/me': 'the caller’s own token',
  'GET /api/v2/oauth/scopes': 'the public scope catalogue',
  'GET /api/v2/oauth/scopes/:scopeId': 'the public scope catalogue',
  'GET /api/v2/users': 'upstream: none; filtered to the divisions of directory:user:view',
  'GET /api/v2/users/me': 'the caller itself',
  'GET /api/v2/users/:userId': 'upstream: none; 404 outside the divisions of directory:user:view',
  'GET /api/v2/authorization/permissions': 'the permission catalogue',
  'GET /api/v2/organizations/me': 'the caller’s organization',
  'GET /api/v2/authorization/subjects/me': 'the caller’s own grants',
  'GET /api/v2/conversations': 'the caller’s own conversations (upstream)',
  'GET /api/v2/groups': 'upstream: none',
  'GET /api/v2/groups/:id': 'upstream: none',
  'GET /api/v2/console/preferences/:key': 'the caller’s own console preferences',
  'PUT /api/v2/console/preferences/:key': 'the caller’s own console preferences',
  'DELETE /api/v2/console/preferences/:key': 'the caller’s own console preferences',
};
/**
 * SCIM discovery (any method: mutations answer 405) and the SCIM user reads check their permissions
 * in the handler, with RFC 7644 errors.
 */
const SCIM_OPEN = [
  /^(GET|POST|PUT|PATCH|DELETE) \/api\/v2\/scim(\/v2)?\/(serviceproviderconfig|resourcetypes|schemas)(\/:id)?$/i,
  /^GET \/api\/v2\/scim(\/v2)?\/users\/?(:id)?$/i,
];
const isScimOpen = (key: string) => SCIM_OPEN.some((re) => re.test(key));

/** Runs `fn` over the routes a few at a time (the matrix has hundreds of routes). */
async function eachRoute<T>(list: T[], fn: (r: T) => Promise<void>) {
  for (let i = 0; i < list.length; i += 16) await Promise.all(list.slice(i, i + 16).map(fn));
}
/^GET \/api\/v2\/scim(\/v2)?\/(serviceproviderconfig|ServiceProviderConfig|resourcetypes|ResourceTypes|schemas|Schemas|users|Users)(\/:id)?$/;

/**
 * Route parameters naming an object that lives in a division: users (and subjects), OAuth clients
 * (with their usage and authorizations), conversations (with their audit trail, attachments and
 * interaction view), routing queues (with their members) and external contacts. The matrix puts
 * one of each in the home division and asks for it with every permission held in another division.
 */
const DIVISIONED = /:(userId|subjectId|clientId|conversationId|queueId|contactId)\b/;
/**
 * Objects that carry no division upstream, so their routes answer whatever division the caller's
 * permission is in (docs/authorization.md): roles, divisions and the permission catalogue;
 * groups (upstream's Group has no division); external organizations; SSO providers; audit
 * queries and streams, usage queries of the whole organization and GDPR requests, which are
 * organization-wide by definition. Their lists hold none of the home division's objects above.
 */
const keyOf = (r: RouteEntry) => `${r.method} ${r.url}`;

describe.each(DIALECTS)('authorization matrix on %s', (dialect) => {
  let t: TestApp;
  let routes: RouteEntry[];
  const tokens: Record<string, string> = {};
  const ids = {} as SeededIds;
  /** Text that must never appear in a refusal or in another organization's answer. */
  let secrets: string[];

  beforeAll(async () => {
    t = await startApp(dialect, {
      env: { GATEHOUSE_RATE_LIMIT_CLIENT: '0', GATEHOUSE_RATE_LIMIT_ORG: '0', GATEHOUSE_RATE_LIMIT_TOKEN: '0' },
    });
    routes = t.gh.routes.filter((r) => r.url.startsWith('/api/v2/') && r.method !== 'HEAD' && r.method !== 'OPTIONS');
    const admin = await t.token();
    tokens.admin = admin;
    const post = (path: string, body: unknown) => t.api(path, { method: 'POST', token: admin, body });
    const { directory, oauth } = t.gh;
    const orgId = t.demo.orgId;
    const home = (await directory.organizations.homeDivision(orgId)).id;
    const other = (await post('/api/v2/authorization/divisions', { name: 'Elsewhere' })).body.id;
    const secretUser = await post('/api/v2/users', { name: 'Matrix Secret', email: 'matrix.secret@example.com' });
    ids.user = secretUser.body.id;
    ids.userVersion = secretUser.body.version;
    ids.otherDivision = other;
    ids.division = home;
    ids.role = (await post('/api/v2/authorization/roles', { name: 'Nothing', permissions: [] })).body.id;
    // A message interaction: it carries attachments (matrix-bodies.ts uploads one).
    const conversation = await post('/api/v2/gatehouse/conversations', { mediaType: 'message' });
    expect(conversation.status, conversation.text).toBe(200);
    ids.conversation = conversation.body.id;
    const queue = await post('/api/v2/routing/queues', { name: 'Matrix Queue' });
    expect(queue.status, queue.text).toBe(200);
    ids.queue = queue.body.id;
    const contact = await post('/api/v2/externalcontacts/contacts', { firstName: 'Matrix', lastName: 'Contactperson' });
    expect(contact.status, contact.text).toBe(200);
    ids.contact = contact.body.id;
    const target = await t.clientWithRole('Matrix target');
    ids.client = target.id;
    secrets = [
      orgId,
      'matrix.secret@example.com',
      'Matrix Secret',
      t.demo.adminEmail,
      'Matrix target',
      'Matrix Queue',
      'Contactperson',
    ];

    // A token with no permission at all.
    const none = await oauth.clients.create(orgId, null, {
      name: 'No permissions',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: ids.role, divisionId: home }],
    });
    tokens.none = await t.token(none.client.id, none.secret);
    // Every permission of the catalogue (not the `*:*:*` of Master Admin, which reaches every division),
    // but only in the other division.
    const everything = (
      await post('/api/v2/authorization/roles', { name: 'Every permission', permissions: ALL_PERMISSIONS })
    ).body.id;
    const elsewhere = await oauth.clients.create(orgId, null, {
      name: 'Admin elsewhere',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: everything, divisionId: other }],
    });
    tokens.elsewhere = await t.token(elsewhere.client.id, elsewhere.secret);
    // Expired: issued with a lifetime already over. Revoked: issued, then revoked through the API.
    tokens.expired = (
      await oauth.tokens.issue({ orgId, clientId: t.demo.clientId, userId: null, scopes: ['all'], ttlSeconds: -60 })
    ).accessToken;
    tokens.revoked = await t.token();
    expect((await t.api('/api/v2/tokens/me', { method: 'DELETE', token: tokens.revoked })).status).toBeLessThan(300);
    // Another organization, with its own Master Admin.
    const b = await directory.createOrganization('Matrix Other Org', 'other.matrix.local');
    const bClient = await oauth.clients.create(b.org.id, null, {
      name: 'Other org admin',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: b.adminRoleId, divisionId: b.homeDivisionId }],
    });
    tokens.otherOrg = await t.token(bClient.client.id, bClient.secret);
  });
  afterAll(() => t?.close());

  /** The route's URL with each parameter filled by an object of the demo organization (or an unknown id). */
  function urlOf(r: RouteEntry, divisionId = ids.division) {
    return r.url.replace(/:(\w+)/g, (_m, name: string) => {
      if (/^(userId|subjectId)$/.test(name)) return ids.user;
      if (name === 'clientId') return ids.client;
      if (name === 'conversationId') return ids.conversation;
      if (name === 'queueId') return ids.queue;
      if (name === 'memberId') return ids.user;
      if (name === 'contactId') return ids.contact;
      if (name === 'roleId') return ids.role;
      if (name === 'divisionId') return divisionId;
      if (name === 'objectType') return 'USER';
      return randomUUID();
    });
  }
  const call = (r: RouteEntry, token?: string) =>
    t.api(urlOf(r), {
      method: r.method,
      token,
      ...(['POST', 'PUT', 'PATCH'].includes(r.method) ? { body: {} } : {}),
    });

  /** A refusal: an ErrorBody, and nothing of the organization in it. */
  function expectRefusal(r: RouteEntry, res: { status: number; text: string; body: any }, status: number[]) {
    expect(status, `${keyOf(r)} → ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
    for (const s of secrets) expect(res.text, `${keyOf(r)} leaks ${s}`).not.toContain(s);
    expect(res.body?.entities, keyOf(r)).toBeUndefined();
  }

  it('every route declares its permission, or is named as open with a reason', () => {
    const undeclared = routes
      .filter((r) => !r.permission && !(keyOf(r) in OPEN_TO_EVERY_CALLER) && !isScimOpen(keyOf(r)))
      .map(keyOf);
    expect(undeclared, 'declare config.permission on these routes').toEqual([]);
    expect(routes.length).toBeGreaterThan(100);
  });

  it('refuses every route without a token, with an expired one and with a revoked one (401)', async () => {
    await eachRoute(routes, async (r) => {
      expectRefusal(r, await call(r), [401]);
      expectRefusal(r, await call(r, tokens.expired), [401]);
      expectRefusal(r, await call(r, tokens.revoked), [401]);
    });
  }, 120_000);

  it('refuses every guarded route to a token lacking its permission (403)', async () => {
    await eachRoute(
      routes.filter((x) => x.permission),
      async (r) => expectRefusal(r, await call(r, tokens.none), [403]),
    );
  }, 120_000);

  it('never shows another organization an object of this one', async () => {
    await eachRoute(
      routes.filter((x) => x.url.includes(':')),
      async (r) => {
        const res = await call(r, tokens.otherOrg);
        if (res.status < 300) {
          // A route about the caller's own things (preferences, scopes) answers; nothing of ours may be in it.
          for (const s of secrets) expect(res.text, `${keyOf(r)} leaks ${s}`).not.toContain(s);
          return;
        }
        expectRefusal(r, res, [400, 403, 404, 405, 409, 422]);
      },
    );
    await eachRoute(
      routes.filter((x) => !x.url.includes(':') && x.method === 'GET'),
      async (r) => {
        const res = await call(r, tokens.otherOrg);
        for (const s of secrets) expect(res.text, `${keyOf(r)} leaks ${s}`).not.toContain(s);
      },
    );
  }, 120_000);

  it('hides every home-division object from a permission held in another division only: reads 404, lists filter', async () => {
    const homeObjects = [ids.user, ids.client, ids.conversation, ids.queue, ids.contact, ...secrets.slice(1)];
    // One object: a read answers 404 (changes: the next test, with valid bodies).
    const single = routes.filter((r) => DIVISIONED.test(r.url) && !r.url.includes('/me') && r.method === 'GET');
    expect(single.length).toBeGreaterThan(15);
    const answered: string[] = [];
    await eachRoute(single, async (r) => {
      const res = await call(r, tokens.elsewhere);
      if (res.status !== 404) answered.push(`${keyOf(r)} → ${res.status}`);
      else expectRefusal(r, res, [404]);
    });
    expect(answered, 'routes answering an object of another division').toEqual([]);
    // Every other read (lists and everything not about one divisioned object) shows none of them.
    const lists = routes.filter((r) => r.method === 'GET' && !DIVISIONED.test(r.url));
    const leaking: string[] = [];
    await eachRoute(lists, async (r) => {
      const res = await call(r, tokens.elsewhere);
      expect(res.status, `${keyOf(r)} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
      if (homeObjects.some((s) => res.text.includes(s))) leaking.push(keyOf(r));
    });
    expect(leaking, 'lists showing another division').toEqual([]);
    // SCIM names its users by `:id`: a read, a change and a deletion of another division's user are 404.
    const scimUser = `/api/v2/scim/v2/Users/${ids.user}`;
    const patchOp = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Moved' }],
    };
    for (const [method, body] of [['GET'], ['PATCH', patchOp], ['DELETE']] as const) {
      const res = await t.api(scimUser, { method, body, token: tokens.elsewhere });
      expect(res.status, `${method} ${scimUser} from another division`).toBe(404);
    }
    expect((await t.api(scimUser, { token: tokens.admin })).status).toBe(200);
    // The lists of divisioned objects answer, and the same lists show the objects to the admin.
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token: tokens.admin });
    const employee = roles.body.entities[0].id as string;
    for (const path of [
      '/api/v2/users?pageSize=500',
      '/api/v2/oauth/clients',
      '/api/v2/routing/queues?pageSize=500',
      '/api/v2/gatehouse/conversations?pageSize=100',
      '/api/v2/gatehouse/interactions/active?pageSize=100',
      '/api/v2/externalcontacts/contacts?pageSize=100',
      `/api/v2/authorization/roles/${employee}/subjectgrants`,
    ]) {
      const away = await t.api(path, { token: tokens.elsewhere });
      expect(away.status, `${path} ${away.text.slice(0, 200)}`).toBe(200);
      const near = await t.api(path, { token: tokens.admin });
      expect(
        homeObjects.some((s) => near.text.includes(s)),
        `${path} shows the admin its objects`,
      ).toBe(true);
    }
    // Queries that list conversations and queues by body.
    const interval = `${new Date(Date.now() - 86_400_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;
    const details = (token: string) =>
      t.api('/api/v2/analytics/conversations/details/query', { method: 'POST', token, body: { interval } });
    expect((await details(tokens.admin)).text).toContain(ids.conversation);
    const awayDetails = await details(tokens.elsewhere);
    expect(awayDetails.status, awayDetails.text).toBe(200);
    expect(awayDetails.text).not.toContain(ids.conversation);
    const observations = await t.api('/api/v2/analytics/queues/observations/query', {
      method: 'POST',
      token: tokens.elsewhere,
      body: {
        filter: { type: 'or', predicates: [{ dimension: 'queueId', value: ids.queue }] },
        metrics: ['oWaiting'],
      },
    });
    expect(observations.status).toBe(400);
    expect(observations.text).not.toContain('Matrix Queue');
  });

  /** The divisioned POST/PUT/PATCH/DELETE routes about one object of the home division. */
  const mutations = () => routes.filter((r) => DIVISIONED.test(r.url) && !r.url.includes('/me') && r.method !== 'GET');
  /** A mutation as the table describes it: a valid body; a grant's division is the other one. */
  const mutate = (r: RouteEntry, token: string) => {
    const body = MUTATION_BODIES[keyOf(r)];
    return t.api(urlOf(r, ids.otherDivision), { method: r.method, token, ...(body ? { body: body(ids) } : {}) });
  };
  /** What the admin sees of every seeded object (a refused change must leave all of it as it was). */
  const snapshot = async () => {
    const paths = [
      `/api/v2/users/${ids.user}`,
      `/api/v2/authorization/subjects/${ids.user}`,
      `/api/v2/oauth/clients/${ids.client}`,
      `/api/v2/authorization/subjects/${ids.client}?subjectType=PC_OAUTH_CLIENT`,
      `/api/v2/routing/queues/${ids.queue}`,
      `/api/v2/gatehouse/conversations/${ids.conversation}`,
      `/api/v2/gatehouse/conversations/${ids.conversation}/attachments`,
      `/api/v2/externalcontacts/contacts/${ids.contact}`,
    ];
    const out: Record<string, string> = {};
    for (const path of paths) {
      const res = await t.api(path, { token: tokens.admin });
      expect(res.status, `${path} ${res.text.slice(0, 200)}`).toBe(200);
      out[path] = res.text;
    }
    return out;
  };

  it('gives every divisioned change a valid body, or names why it takes none', () => {
    const keys = mutations().map(keyOf);
    expect(keys.length).toBeGreaterThan(15);
    const uncovered = keys.filter((k) => !(k in MUTATION_BODIES) && !NO_BODY.has(k));
    expect(uncovered, 'add a valid body to matrix-bodies.ts (or name the route there with its reason)').toEqual([]);
    const stale = [...Object.keys(MUTATION_BODIES), ...NO_BODY, ...Object.keys(NOT_REPLAYED)].filter(
      (k) => !keys.includes(k),
    );
    expect(stale, 'entries of matrix-bodies.ts naming no divisioned route').toEqual([]);
  });

  it('refuses every valid change of a home-division object from another division with 404, changing nothing', async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const r of mutations()) {
      const res = await mutate(r, tokens.elsewhere);
      if (res.status !== 404) wrong.push(`${keyOf(r)} → ${res.status} ${res.text.slice(0, 160)}`);
      else expectRefusal(r, res, [res.status]);
    }
    expect(wrong, 'divisioned changes not refused with 404 from another division').toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('answers the right permission (no 401, 403 or 5xx on any GET; the objects are there)', async () => {
    await eachRoute(
      routes.filter((x) => x.method === 'GET'),
      async (r) => {
        const res = await call(r, tokens.admin);
        expect([401, 403], `${keyOf(r)} → ${res.status} ${res.text.slice(0, 200)}`).not.toContain(res.status);
        expect(res.status, `${keyOf(r)} → ${res.text.slice(0, 200)}`).toBeLessThan(500);
      },
    );
    expect((await t.api(`/api/v2/users/${ids.user}`, { token: tokens.admin })).body.email).toBe(
      'matrix.secret@example.com',
    );
    expect((await t.api(`/api/v2/oauth/clients/${ids.client}`, { token: tokens.admin })).status).toBe(200);
  });

  // Last: the admin's changes alter the seeded objects the columns above ask about.
  it('accepts the same bodies from the right permission, so the 404s above are the division check', async () => {
    const refused: string[] = [];
    for (const r of mutations().filter((x) => keyOf(x) in MUTATION_BODIES && !(keyOf(x) in NOT_REPLAYED))) {
      const res = await mutate(r, tokens.admin);
      if (res.status >= 400) refused.push(`${keyOf(r)} → ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(refused, 'bodies of matrix-bodies.ts the admin is refused').toEqual([]);
    const user = await t.api(`/api/v2/users/${ids.user}`, { token: tokens.admin });
    expect(user.body.title).toBe('Matrix title');
  });
});
