/**
 * OAuth clients: create (secret returned once), list, get, update, delete, regenerate secret.
 * Every change is audited with before/after values; the secret never enters an event.
 */
import { auditOrigin, diffProperties, recordAudit, registerAuditEntity } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue, notFound } from '../../platform/errors/index.ts';
import { newId } from '../../platform/ids.ts';
import { listing, type PageRequest, totalOfPage } from '../../platform/paging.ts';
import type { Caller } from '../../platform/principal.ts';
import { type Db, type Executor, withTransaction } from '../../storage/db.ts';
import { divisionsOfRows } from '../../storage/division-filter.ts';
import type { OAuthClientRow } from '../../storage/schema.ts';
import type { DirectoryService, DivisionObjectType, RoleGrant, Subject } from '../directory/index.ts';
import type { DivisionReach } from '../../platform/division-access.ts';
import { checkClientInput, type ClientInput, DEFAULT_TOKEN_TTL, grantTypeOf } from './client-rules.ts';
import type { Secrets } from './secrets.ts';
import type { OAuthStore, ViewedClient } from './store.ts';
import { CLIENT_CREDENTIALS, type Tokens } from './tokens.ts';

registerAuditEntity('OAuth', 'OAuthClient', ['Create', 'Update', 'Delete', 'RegenerateSecret']);

export interface CreateClientInput extends ClientInput {
  /** The service-account user this client-credentials client acts as (users/me answers it). */
  serviceUserId?: string | null;
  /** The division the client lives in (default: the home division). */
  divisionId?: string;
  /** The console's own client: exempt from the rules, never metered. */
  internal?: boolean;
  /**
   * Gatehouse extension (tutorial seeds/001, "Client Type: Service Account"): a client-credentials
   * client that gets its own non-human user, which its tokens carry (users/me, audit, usage).
   */
  serviceAccount?: boolean;
}

/** A service account's email: says what it is, and never reaches a mailbox (RFC 2606 `.invalid`). */
export function serviceAccountEmail(name: string, clientId: string) {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'client';
  return `${slug}.${clientId.slice(0, 8)}@service-account.gatehouse.invalid`;
}

export function clientView(c: ViewedClient, roleDivisions: RoleGrant[], orgName?: string) {
  return {
    id: c.id,
    name: c.name,
    accessTokenValiditySeconds: c.token_ttl,
    description: c.description,
    registeredRedirectUri: JSON.parse(c.redirect_uris) as string[],
    roleIds: [...new Set(roleDivisions.map((r) => r.roleId))],
    dateCreated: c.created_at,
    dateModified: c.modified_at,
    ...(c.created_by ? { createdBy: { id: c.created_by, selfUri: `/api/v2/users/${c.created_by}` } } : {}),
    ...(c.modified_by ? { modifiedBy: { id: c.modified_by, selfUri: `/api/v2/users/${c.modified_by}` } } : {}),
    authorizedGrantType: c.grant_type,
    scope: JSON.parse(c.scopes) as string[],
    roleDivisions,
    state: c.state,
    // Gatehouse extension, only on service accounts so other clients keep upstream's exact shape.
    ...(c.service_user_id
      ? {
          serviceAccount: true,
          serviceAccountUser: { id: c.service_user_id, selfUri: `/api/v2/users/${c.service_user_id}` },
        }
      : {}),
    ...(c.date_to_delete ? { dateToDelete: c.date_to_delete } : {}),
    ...(orgName !== undefined ? { organization: { id: c.org_id, name: orgName } } : {}),
    // Beyond upstream (docs/scim.md): the client's own SCIM rate limit, when it has one.
    ...(c.scim_rate_limit != null ? { scimRequestsPerMinute: c.scim_rate_limit } : {}),
    selfUri: `/api/v2/oauth/clients/${c.id}`,
  };
}

export type ClientView = ReturnType<typeof clientView>;

const snapshot = (c: OAuthClientRow, roles: RoleGrant[]) => ({
  name: c.name,
  description: c.description,
  authorizedGrantType: c.grant_type,
  accessTokenValiditySeconds: c.token_ttl,
  state: c.state,
  scope: JSON.parse(c.scopes) as string[],
  registeredRedirectUri: JSON.parse(c.redirect_uris) as string[],
  roleDivisions: roles.map((r) => `${r.roleId}/${r.divisionId}`),
  serviceAccountUserId: c.service_user_id,
  scimRequestsPerMinute: c.scim_rate_limit ?? null,
});

const cannotDelete = () =>
  new ApiError(400, 'cannot.delete.client', 'Clients must be marked as inactive to be eligible for deletion.');

export interface ClientDeps {
  db: Db;
  store: OAuthStore;
  clock: Clock;
  secrets: Secrets;
  directory: DirectoryService;
  tokens: Tokens;
  implicitCutoff: Date;
  /**
   * What ends with a deleted client, in the deletion's transaction (authorizations: bound by the
   * composition in service.ts, which builds them after clients). Answers authorization ids.
   */
  onRemove?: (trx: Executor, caller: Caller, client: OAuthClientRow, deletionEventId: string) => Promise<string[]>;
}

export function createClients({ db, store, clock, secrets, directory, tokens, implicitCutoff, onRemove }: ClientDeps) {
  /**
   * Client rows read by the token endpoint, kept for at most a second (the same freshness
   * contract as tokens): a change made in this process drops the entry at once.
   */
  const authCache = new Map<string, { row: OAuthClientRow | undefined; until: number }>();
  const forget = (clientId: string) => {
    authCache.delete(clientId);
    tokens.forgetClient(clientId);
  };

  const rolesOf = async (orgId: string, clientId: string, trx: Executor = db): Promise<RoleGrant[]> =>
    (await directory.roles.grantRowsOf(orgId, clientId, trx)).map((g) => ({
      roleId: g.role_id,
      divisionId: g.division_id,
    }));

  function audit(
    trx: Executor,
    caller: Caller | null,
    action: string,
    row: OAuthClientRow,
    changes: ReturnType<typeof diffProperties>,
  ) {
    return recordAudit(trx, clock, {
      orgId: row.org_id,
      serviceName: 'OAuth',
      entityType: 'OAuthClient',
      entityId: row.id,
      entityName: row.name,
      action,
      ...auditOrigin(caller),
      changes,
    });
  }

  async function requireClient(orgId: string, clientId: string, trx: Executor = db) {
    const row = await store.findClient(trx, orgId, clientId);
    if (!row || row.internal === 1) throw notFound('OAuth client', clientId);
    return row;
  }

  /**
   * The clients of every division (an admin's listing, what the SDKs poll): the page and its
   * clients' roles in one compiled read, and a count only when the page is full (issue 22).
   */
  async function listEverywhere(orgId: string, page: PageRequest, query: Record<string, unknown>) {
    const rows = await store.listClientsWithGrants(db, orgId, page.offset, page.pageSize);
    const views: ClientView[] = [];
    for (let i = 0; i < rows.length; ) {
      const client = rows[i];
      const roles: RoleGrant[] = [];
      for (; i < rows.length && rows[i].id === client.id; i++) {
        const g = rows[i];
        if (g.grant_role_id !== null) roles.push({ roleId: g.grant_role_id, divisionId: g.grant_division_id! });
      }
      views.push(clientView(client, roles));
    }
    const total = totalOfPage(views.length, page.offset, page.pageSize) ?? (await store.countAllClients(db, orgId));
    return listing(views, total, page, '/api/v2/oauth/clients', query);
  }

  return {
    async create(orgId: string, caller: Caller | null, input: CreateClientInput) {
      if (!input.internal) checkClientInput(input, { isNew: true, now: clock.now(), implicitCutoff });
      if (input.serviceAccount && input.grantType !== CLIENT_CREDENTIALS)
        throw invalidValue('serviceAccount', 'Only a client-credentials client can be a service account.');
      const id = newId();
      // Checked above, so the user made here is not left behind by a refused client.
      const serviceUserId = input.serviceAccount
        ? (
            await directory.users.create(orgId, caller, {
              name: input.name.trim(),
              email: serviceAccountEmail(input.name, id),
              title: 'Service Account',
              serviceAccount: true,
            })
          ).id
        : (input.serviceUserId ?? null);
      const secret = secrets.generate();
      const now = clock.now().toISOString();
      const userId = caller?.principal.userId ?? null;
      const row: OAuthClientRow = {
        id,
        org_id: orgId,
        name: input.name.trim(),
        description: input.description ?? '',
        grant_type: grantTypeOf(input.grantType),
        secret_hash: secrets.hash(secret),
        token_ttl: input.tokenTtl ?? DEFAULT_TOKEN_TTL,
        redirect_uris: JSON.stringify(input.redirectUris ?? []),
        scopes: JSON.stringify(input.scopes ?? []),
        state: input.state ?? 'active',
        service_user_id: serviceUserId,
        internal: input.internal ? 1 : 0,
        date_to_delete: null,
        scim_rate_limit: input.scimRateLimit ?? null,
        created_by: userId,
        modified_by: userId,
        created_at: now,
        modified_at: now,
        division_id: input.divisionId ?? (await directory.organizations.homeDivision(orgId)).id,
      };
      const roles = input.grantType === CLIENT_CREDENTIALS ? (input.roleDivisions ?? []) : [];
      await directory.roles.auditRefusals(() =>
        withTransaction(db, async (trx) => {
          await store.insertClient(trx, row);
          await directory.roles.replaceGrants(
            orgId,
            caller,
            { type: 'client', id: row.id, name: row.name },
            roles,
            trx,
          );
          await audit(trx, caller, 'Create', row, diffProperties(null, snapshot(row, roles)));
        }),
      );
      return { client: clientView(row, roles), secret };
    },

    /** The clients within `reach` (division-access.ts: the divisions the caller may view clients of). */
    async list(orgId: string, page: PageRequest, query: Record<string, unknown>, reach?: DivisionReach) {
      if (!reach || reach.everywhere) return listEverywhere(orgId, page, query);
      const rows = await store.listClients(db, orgId, page.offset, page.pageSize, reach);
      const total =
        totalOfPage(rows.length, page.offset, page.pageSize) ?? (await store.countClients(db, orgId, reach));
      // One read for the roles of the whole page (was one per client).
      const grants = await directory.roles.grantRowsOfMany(
        orgId,
        rows.map((r) => r.id),
      );
      const views = rows.map((r) =>
        clientView(
          r,
          (grants.get(r.id) ?? []).map((g) => ({ roleId: g.role_id, divisionId: g.division_id })),
        ),
      );
      return listing(views, total, page, '/api/v2/oauth/clients', query);
    },

    async get(orgId: string, clientId: string) {
      const row = await requireClient(orgId, clientId);
      return clientView(row, await rolesOf(orgId, clientId));
    },

    /** PUT: replaces every field; the grant type rules are checked again. */
    async update(orgId: string, caller: Caller, clientId: string, input: ClientInput) {
      const { row, roles } = await directory.roles.auditRefusals(() =>
        withTransaction(db, async (trx) => {
          const before = await requireClient(orgId, clientId, trx);
          checkClientInput(input, {
            isNew: false,
            now: clock.now(),
            implicitCutoff,
            previousGrantType: before.grant_type,
          });
          const beforeRoles = await rolesOf(orgId, clientId, trx);
          const next: OAuthClientRow = {
            ...before,
            name: input.name.trim(),
            description: input.description ?? '',
            grant_type: grantTypeOf(input.grantType),
            token_ttl: input.tokenTtl ?? DEFAULT_TOKEN_TTL,
            redirect_uris: JSON.stringify(input.redirectUris ?? []),
            scopes: JSON.stringify(input.scopes ?? []),
            state: input.state ?? before.state,
            date_to_delete:
              (input.state ?? before.state) === 'inactive'
                ? (before.date_to_delete ?? clock.now().toISOString())
                : null,
            scim_rate_limit: input.scimRateLimit ?? null,
            modified_by: caller.principal.userId,
            modified_at: clock.now().toISOString(),
          };
          const roles = next.grant_type === CLIENT_CREDENTIALS ? (input.roleDivisions ?? []) : [];
          await store.updateClient(trx, orgId, clientId, next);
          await directory.roles.replaceGrants(
            orgId,
            caller,
            { type: 'client', id: clientId, name: next.name },
            roles,
            trx,
          );
          await audit(
            trx,
            caller,
            'Update',
            next,
            diffProperties(snapshot(before, beforeRoles), snapshot(next, roles)),
          );
          return { row: next, roles };
        }),
      );
      // A disabled client's tokens stop at once; new roles apply at once.
      forget(clientId);
      return clientView(row, roles);
    },

    async remove(orgId: string, caller: Caller, clientId: string) {
      const ended = await withTransaction(db, async (trx) => {
        const before = await requireClient(orgId, clientId, trx);
        if (before.state !== 'inactive') throw cannotDelete();
        const roles = await rolesOf(orgId, clientId, trx);
        const deletion = await audit(trx, caller, 'Delete', before, diffProperties(snapshot(before, roles), null));
        const authorizations = onRemove ? await onRemove(trx, caller, before, deletion) : [];
        await directory.roles.replaceGrants(
          orgId,
          caller,
          { type: 'client', id: clientId, name: before.name },
          [],
          trx,
        );
        await store.deleteClient(trx, orgId, clientId);
        // A service account's user exists for its client only: deleted with it, audited, its tokens stopped.
        if (before.service_user_id)
          await directory.users.deleteServiceAccountInTransaction(trx, orgId, caller, before.service_user_id);
        return authorizations;
      });
      forget(clientId);
      for (const id of ended) tokens.forgetAuthorization(id);
    },

    /** A new secret, returned once; the old one stops working at once. */
    async regenerateSecret(orgId: string, caller: Caller | null, clientId: string) {
      const secret = secrets.generate();
      const row = await directory.roles.auditRefusals(() =>
        withTransaction(db, async (trx) => {
          const before = await requireClient(orgId, clientId, trx);
          // A new secret lets its holder act as the client: only someone holding all the client holds gets one.
          // (No caller: the operator's `gatehouse reset-client-secret` on the server itself.)
          if (caller) {
            await directory.roles.assertMayActAs(
              orgId,
              caller,
              { type: 'client', id: clientId, name: before.name },
              trx,
            );
          }
          const next = {
            ...before,
            secret_hash: secrets.hash(secret),
            modified_by: caller?.principal.userId ?? null,
            modified_at: clock.now().toISOString(),
          };
          await store.updateClient(trx, orgId, clientId, {
            secret_hash: next.secret_hash,
            modified_by: next.modified_by,
            modified_at: next.modified_at,
          });
          await audit(trx, caller, 'RegenerateSecret', next, []);
          return next;
        }),
      );
      forget(clientId);
      return { ...clientView(row, await rolesOf(orgId, clientId)), secret };
    },

    find: (orgId: string, clientId: string) => store.findClient(db, orgId, clientId),
    /** The division of each of these clients, internal ones too (others are absent), in one read. */
    divisionsOf: (orgId: string, clientIds: string[]) => divisionsOfRows(db, 'oauth_clients', orgId, clientIds),

    /** OAuth clients as objects of divisions (counted before a division is deleted, moved between them). */
    divisionObjectType: (): DivisionObjectType => ({
      type: 'OAUTHCLIENT',
      permission: 'oauth:client:edit',
      count: (ex, orgId, divisionId) => store.countClientsInDivision(ex, orgId, divisionId, false),
      divisionsOf: (ex, orgId, ids) => store.divisionsOfClients(ex, orgId, ids),
      async move(ex, orgId, ids, divisionId, now) {
        await store.moveClients(ex, orgId, ids, divisionId, now);
        for (const id of ids) forget(id);
      },
    }),

    /** OAuth clients as subjects of grants (/api/v2/authorization/subjects). */
    async asSubject(ex: Executor, orgId: string, id: string): Promise<Subject | undefined> {
      const row = await store.findClient(ex, orgId, id);
      if (!row || row.internal === 1) return undefined;
      return { type: 'client', id: row.id, name: row.name, divisionId: row.division_id ?? null };
    },
    async findForAuthentication(clientId: string) {
      const now = Date.now();
      const hit = authCache.get(clientId);
      if (hit && hit.until > now) return hit.row;
      const row = await store.findClientForAuthentication(db, clientId);
      if (authCache.size > 10_000) authCache.clear();
      authCache.set(clientId, { row, until: now + 1000 });
      return row;
    },
    view: async (c: OAuthClientRow, orgName?: string) => clientView(c, await rolesOf(c.org_id, c.id), orgName),

    /** The console's own client for an organization, created on first use. */
    async internalClient(orgId: string) {
      const existing = await store.findInternalClient(db, orgId);
      if (existing) return existing;
      const { client } = await this.create(orgId, null, {
        name: 'Gatehouse Console',
        description: 'The admin console (not metered)',
        grantType: 'CODE',
        tokenTtl: 43_200,
        internal: true,
      });
      return (await store.findClient(db, orgId, client.id))!;
    },
  };
}

export type Clients = ReturnType<typeof createClients>;
