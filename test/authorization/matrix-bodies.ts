/**
 * Valid requests for the authorization matrix's divisioned mutations (@see matrix.test.ts): with
 * these, a route about a home-division object can only refuse a caller holding every permission
 * in another division by its division check (404), never by its body (400). The same bodies,
 * sent by the admin, pass validation and succeed: the matrix proves it, so a body that goes stale
 * fails the suite instead of hiding a missing division check behind a 400.
 */

/** The objects the matrix seeds: home-division user, client, conversation, queue, contact; role and divisions. */
export interface SeededIds {
  user: string;
  userVersion: number;
  client: string;
  conversation: string;
  queue: string;
  contact: string;
  /** A role without permissions (granting it escalates nothing). */
  role: string;
  /** The home division (where the objects are). */
  division: string;
  /** The division where the "elsewhere" token holds every permission. */
  otherDivision: string;
}

const INTERVAL = '2026-11-17T00:00:00Z/2026-11-19T00:00:00Z';

/**
 * Grants are given in the other division, where the caller holds every permission: the grant
 * itself is allowed, only the subject (a home-division user) is out of reach.
 */
const grants = (ids: SeededIds) => ({ grants: [{ roleId: ids.role, divisionId: ids.otherDivision }] });

/** `METHOD url` → a valid body for it, built from the seeded ids. */
export const MUTATION_BODIES: Record<string, (ids: SeededIds) => unknown> = {
  'PUT /api/v2/oauth/clients/:clientId': (ids) => ({
    name: 'Matrix target',
    authorizedGrantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: ids.role, divisionId: ids.otherDivision }],
  }),
  'PATCH /api/v2/users/:userId': (ids) => ({ version: ids.userVersion, title: 'Matrix title' }),
  'PUT /api/v2/users/:subjectId/roles': (ids) => [ids.role],
  'POST /api/v2/authorization/subjects/:subjectId/bulkadd': grants,
  'POST /api/v2/authorization/subjects/:subjectId/bulkremove': grants,
  'POST /api/v2/authorization/subjects/:subjectId/bulkreplace': grants,
  'POST /api/v2/oauth/clients/:clientId/usage/query': () => ({ interval: INTERVAL }),
  'POST /api/v2/usage/client/:clientId/aggregates/query/jobs': () => ({ interval: INTERVAL, granularity: 'Day' }),
  'PUT /api/v2/oauth/authorizations/:clientId': () => ({ scope: ['users:readonly'] }),
  'PUT /api/v2/routing/queues/:queueId': () => ({ name: 'Matrix Queue', description: 'Matrix description' }),
  'POST /api/v2/gatehouse/conversations/:conversationId/attachments': () => ({
    fileName: 'matrix.txt',
    contentType: 'text/plain',
    content: Buffer.from('matrix').toString('base64'),
  }),
  'PATCH /api/v2/externalcontacts/contacts/:contactId': () => ({
    changes: [{ field: '$.title', value: 'Matrix title', action: 'Update' }],
  }),
  'PUT /api/v2/externalcontacts/contacts/:contactId': () => ({
    firstName: 'Matrix',
    lastName: 'Contactperson',
    title: 'Matrix title',
  }),
};

/**
 * Divisioned mutations that take no body: sent without one, they too must answer 404 from
 * another division. They are not replayed by the admin (each would delete, disconnect or
 * re-key a seeded object the other columns still ask for).
 */
export const NO_BODY = new Set([
  'DELETE /api/v2/oauth/clients/:clientId',
  'POST /api/v2/oauth/clients/:clientId/secret',
  'DELETE /api/v2/authorization/subjects/:subjectId/divisions/:divisionId/roles/:roleId',
  'POST /api/v2/authorization/subjects/:subjectId/divisions/:divisionId/roles/:roleId',
  'DELETE /api/v2/routing/queues/:queueId',
  'POST /api/v2/conversations/:conversationId/disconnect',
  'DELETE /api/v2/conversations/:conversationId',
  'DELETE /api/v2/externalcontacts/contacts/:contactId',
  'POST /api/v2/oauth/authorizations/:clientId/approve',
  'DELETE /api/v2/oauth/authorizations/:clientId',
]);

/**
 * Routes whose body the admin does not replay here, with the reason (they too must answer 404
 * from another division).
 */
const AUTHORIZATION =
  'the seeded client (client credentials) has no authorized application, so the admin gets 404 too; ' +
  'authorized-apps-division.test.ts proves the division with an authorized one';
export const NOT_REPLAYED: Record<string, string> = {
  'PUT /api/v2/oauth/authorizations/:clientId': AUTHORIZATION,
};
