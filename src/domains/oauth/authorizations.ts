/**
 * Authorized applications: which OAuth apps an organization lets act for its users, and with
 * which scopes. States (upstream names, seed names in brackets): Requested (Pending) →
 * Authorized (Approved) → Revoked. Revocation is immediate and permanent: the row stays
 * Revoked, every token issued under it stops, and only a new authorization, which starts
 * Requested, lets the app back in.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, withTransaction } from '../../storage/db.ts';
import type { OAuthAuthorizationRow, OAuthClientRow } from '../../storage/schema.ts';
import type { Clients } from './clients.ts';
import { isKnownScope } from './scopes.ts';
import type { OAuthStore } from './store.ts';
import type { Tokens } from './tokens.ts';

registerAuditEntity('OAuth', 'AuthorizedApplication', ['Create', 'Approve', 'Update', 'Revoke', 'Delete']);

export const AUTHORIZATION_STATES = { Pending: 'Requested', Approved: 'Authorized', Revoked: 'Revoked' } as const;

/** Accepts the seed's names (Pending, Approved, Revoked) and upstream's. */
export function normalizeState(state: string | undefined): string | undefined {
  if (!state) return undefined;
  const seed = Object.entries(AUTHORIZATION_STATES).find(([k]) => k.toLowerCase() === state.toLowerCase());
  if (seed) return seed[1];
  const upstream = Object.values(AUTHORIZATION_STATES).find((v) => v.toLowerCase() === state.toLowerCase());
  if (upstream) return upstream;
  throw invalidValue('state', 'state must be Pending, Approved or Revoked (or Requested, Authorized, Revoked).');
}

const notAuthorizable = (state: string) =>
  new ApiError(
    409,
    'general.conflict',
    `The authorization is ${state}; only a Pending (Requested) one can be approved.`,
  );

export function createAuthorizations(deps: {
  db: Db;
  store: OAuthStore;
  clock: Clock;
  clients: Clients;
  tokens: Tokens;
}) {
  const { db, store, clock, clients, tokens } = deps;

  async function view(row: OAuthAuthorizationRow) {
    const client = (await clients.findForAuthentication(row.client_id))!;
    const { ...clientView } = await clients.view(client);
    return {
      client: clientView,
      scope: JSON.parse(row.scopes) as string[],
      roles: [],
      resourceOwner: { id: row.org_id, selfUri: '/api/v2/organizations/me' },
      dateCreated: row.created_at,
      dateModified: row.modified_at,
      ...(row.created_by ? { createdBy: { id: row.created_by, selfUri: `/api/v2/users/${row.created_by}` } } : {}),
      ...(row.modified_by ? { modifiedBy: { id: row.modified_by, selfUri: `/api/v2/users/${row.modified_by}` } } : {}),
      pending: row.state === 'Requested',
      state: row.state,
      selfUri: `/api/v2/oauth/authorizations/${row.client_id}`,
    };
  }

  async function audit(
    trx: Executor,
    caller: Caller | null,
    action: string,
    row: OAuthAuthorizationRow | null,
    before: OAuthAuthorizationRow | null,
    name: string,
    causeEventId?: string,
  ) {
    const snap = (r: OAuthAuthorizationRow | null) => r && { state: r.state, scope: JSON.parse(r.scopes) as string[] };
    const subject = (row ?? before)!;
    await recordAudit(trx, clock, {
      orgId: subject.org_id,
      serviceName: 'OAuth',
      entityType: 'AuthorizedApplication',
      entityId: subject.client_id,
      entityName: name,
      action,
      ...auditOrigin(caller),
      changes: diffProperties(snap(before), snap(row)),
      context: { authorizationId: subject.id },
      causeEventId,
    });
  }

  // Read before a transaction opens: on SQLite a query outside the open transaction would wait for it.
  const nameOf = async (clientId: string) => (await clients.findForAuthentication(clientId))?.name ?? clientId;

  async function requireCurrent(orgId: string, clientId: string, trx: Executor = db) {
    const row = await store.currentAuthorization(trx, orgId, clientId);
    if (!row) throw notFound('authorization', clientId);
    return row;
  }

  return {
    current: (orgId: string, clientId: string) => store.currentAuthorization(db, orgId, clientId),

    async list(orgId: string, state?: string) {
      const rows = await store.listAuthorizations(db, orgId, normalizeState(state));
      const entities = await Promise.all(rows.map(view));
      return { total: entities.length, entities, selfUri: '/api/v2/oauth/authorizations' };
    },

    get: async (orgId: string, clientId: string) => view(await requireCurrent(orgId, clientId)),

    /**
     * A user consents to an app for their organization. A user who may authorize apps
     * (oauth:client:authorize) authorizes it at once; anyone else files a Pending request.
     * A revoked app always starts over as a Pending request.
     */
    async consent(caller: Caller, client: OAuthClientRow, scopes: string[], canApprove: boolean) {
      const orgId = caller.principal.orgId;
      return withTransaction(db, async (trx) => {
        const before = await store.currentAuthorization(trx, orgId, client.id);
        const now = clock.now().toISOString();
        const userId = caller.principal.userId;
        if (before && before.state !== 'Revoked') {
          const merged = [...new Set([...(JSON.parse(before.scopes) as string[]), ...scopes])].sort();
          if (!canApprove) return before;
          const next = {
            ...before,
            scopes: JSON.stringify(merged),
            state: 'Authorized',
            modified_by: userId,
            modified_at: now,
          };
          if (next.scopes === before.scopes && before.state === 'Authorized') return before;
          await store.updateAuthorization(trx, before.id, next);
          await audit(trx, caller, before.state === 'Requested' ? 'Approve' : 'Update', next, before, client.name);
          return next;
        }
        const row: OAuthAuthorizationRow = {
          id: newId(),
          org_id: orgId,
          client_id: client.id,
          scopes: JSON.stringify([...new Set(scopes)].sort()),
          state: canApprove && !before ? 'Authorized' : 'Requested',
          created_by: userId,
          modified_by: userId,
          created_at: now,
          modified_at: now,
        };
        await store.insertAuthorization(trx, row);
        await audit(trx, caller, 'Create', row, null, client.name);
        return row;
      });
    },

    async approve(caller: Caller, clientId: string) {
      const orgId = caller.principal.orgId;
      const name = await nameOf(clientId);
      const row = await withTransaction(db, async (trx) => {
        const before = await requireCurrent(orgId, clientId, trx);
        if (before.state !== 'Requested') throw notAuthorizable(before.state);
        const next = {
          ...before,
          state: 'Authorized',
          modified_by: caller.principal.userId,
          modified_at: clock.now().toISOString(),
        };
        await store.updateAuthorization(trx, before.id, next);
        await audit(trx, caller, 'Approve', next, before, name);
        return next;
      });
      return view(row);
    },

    /** Edit Authorization changes the scopes only. */
    async editScopes(caller: Caller, clientId: string, scopes: string[]) {
      for (const s of scopes)
        if (!isKnownScope(s)) throw invalidValue('scope', `"${s}" is not a scope. See GET /api/v2/oauth/scopes.`);
      const orgId = caller.principal.orgId;
      const name = await nameOf(clientId);
      const row = await withTransaction(db, async (trx) => {
        const before = await requireCurrent(orgId, clientId, trx);
        if (before.state === 'Revoked')
          throw new ApiError(
            409,
            'general.conflict',
            'A revoked authorization cannot be edited; the app must be authorized again.',
          );
        const next = {
          ...before,
          scopes: JSON.stringify([...new Set(scopes)].sort()),
          modified_by: caller.principal.userId,
          modified_at: clock.now().toISOString(),
        };
        await store.updateAuthorization(trx, before.id, next);
        await audit(trx, caller, 'Update', next, before, name);
        return next;
      });
      tokens.forgetAuthorization(row.id);
      return view(row);
    },

    /**
     * The client is being deleted (its rows go with it): every organization that authorized it
     * records the end of that authorization, caused by the deletion when it is its own client.
     * Runs in the deletion's transaction; answers the authorizations whose tokens must stop.
     */
    async removedWithClient(trx: Executor, caller: Caller, client: OAuthClientRow, deletionEventId: string) {
      const ended = (await store.authorizationsOfClient(trx, client.id)).filter((a) => a.state !== 'Revoked');
      for (const before of ended) {
        // A causing event is only linked inside one organization's trail.
        await audit(
          trx,
          before.org_id === client.org_id ? caller : null,
          'Delete',
          null,
          before,
          client.name,
          before.org_id === client.org_id ? deletionEventId : undefined,
        );
      }
      return ended.map((a) => a.id);
    },

    /** Immediate and permanent. */
    async revoke(caller: Caller, clientId: string) {
      const orgId = caller.principal.orgId;
      const name = await nameOf(clientId);
      const row = await withTransaction(db, async (trx) => {
        const before = await requireCurrent(orgId, clientId, trx);
        if (before.state === 'Revoked') return before;
        const now = clock.now().toISOString();
        const next = { ...before, state: 'Revoked', modified_by: caller.principal.userId, modified_at: now };
        await store.updateAuthorization(trx, before.id, next);
        // Access tokens stop through the Revoked state; refresh tokens are retired too.
        await store.revokeRefreshTokens(trx, { authorizationId: before.id }, now);
        await audit(trx, caller, 'Revoke', next, before, name);
        return next;
      });
      tokens.forgetAuthorization(row.id);
      return view(row);
    },
  };
}

export type Authorizations = ReturnType<typeof createAuthorizations>;
