/** Kysely queries for OAuth clients and access tokens. Every client query is scoped to an org. */
import { sql } from 'kysely';
import { type CompiledRead, compiledRead } from '../../storage/compiled.ts';
import type { Executor } from '../../storage/db.ts';
import { type DivisionReach, whereInReach } from '../../storage/division-filter.ts';
import type {
  OAuthAuthorizationRow,
  OAuthClientRow,
  OAuthCodeRow,
  RefreshTokenRow,
  TokenRevocationRow,
} from '../../storage/schema.ts';

const EVERYWHERE: DivisionReach = { everywhere: true, divisionIds: [], home: true };

/** The columns of a client that its view shows (not the secret's hash). */
const VIEWED_CLIENT_COLUMNS = [
  'id',
  'org_id',
  'name',
  'description',
  'grant_type',
  'token_ttl',
  'redirect_uris',
  'scopes',
  'state',
  'service_user_id',
  'date_to_delete',
  'created_by',
  'modified_by',
  'created_at',
  'modified_at',
  'scim_rate_limit',
] as const satisfies readonly (keyof OAuthClientRow)[];
export type ViewedClient = Pick<OAuthClientRow, (typeof VIEWED_CLIENT_COLUMNS)[number]>;

/** A listed client with one of its role grants (both null when it has none): one row per grant. */
export type ClientGrantRow = ViewedClient & { grant_role_id: string | null; grant_division_id: string | null };

/**
 * A page of an organization's clients (every division) with their role grants, in one read compiled
 * once per page size: the page in name order, each client's grants in role-name order (as
 * grantsOfMany gives them). Only what the view shows is read (not the secret's hash). The page size
 * is written into the SQL (a bound LIMIT makes SQLite plan the statement again on every call,
 * decision 0019), so each size is its own compiled read.
 */
const clientPages = new Map<number, CompiledRead<{ orgId: string; offset: number }, ClientGrantRow>>();
function clientPageRead(limit: number) {
  let read = clientPages.get(limit);
  if (!read) {
    read = compiledRead((db, p: { orgId: string; offset: number }) =>
      db
        .selectFrom((eb) =>
          eb
            .selectFrom('oauth_clients')
            .select(VIEWED_CLIENT_COLUMNS)
            .where('org_id', '=', p.orgId)
            .where('internal', '=', 0)
            .orderBy('name')
            .orderBy('id')
            .limit(sql.lit(limit))
            .offset(p.offset)
            .as('c'),
        )
        .leftJoin('role_grants as g', (j) => j.onRef('g.org_id', '=', 'c.org_id').onRef('g.subject_id', '=', 'c.id'))
        .leftJoin('roles as r', 'r.id', 'g.role_id')
        .selectAll('c')
        .select(['g.role_id as grant_role_id', 'g.division_id as grant_division_id'])
        .orderBy('c.name')
        .orderBy('c.id')
        .orderBy('r.name_key'),
    );
    // Page sizes are 1 to 500 (paging.ts): at most that many entries.
    clientPages.set(limit, read);
  }
  return read;
}

/** How many clients an organization has in every division (a full page's total). */
const clientCount = compiledRead((db, p: { orgId: string }) =>
  db
    .selectFrom('oauth_clients')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('org_id', '=', p.orgId)
    .where('internal', '=', 0),
);

export function createOAuthStore() {
  return {
    insertClient: (db: Executor, row: OAuthClientRow) => db.insertInto('oauth_clients').values(row).execute(),
    updateClient: (db: Executor, orgId: string, id: string, patch: Partial<OAuthClientRow>) =>
      db.updateTable('oauth_clients').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute(),
    findClient: (db: Executor, orgId: string, id: string) =>
      db.selectFrom('oauth_clients').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
    /** The token endpoint knows only the client id, not the org: the id is globally unique. */
    findClientForAuthentication: (db: Executor, id: string) =>
      db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst(),
    deleteClient: (db: Executor, orgId: string, id: string) =>
      db.deleteFrom('oauth_clients').where('org_id', '=', orgId).where('id', '=', id).execute(),
    listClients: (db: Executor, orgId: string, offset: number, limit: number, reach?: DivisionReach) =>
      whereInReach(
        db.selectFrom('oauth_clients').selectAll().where('org_id', '=', orgId).where('internal', '=', 0),
        'division_id',
        reach ?? EVERYWHERE,
      )
        .orderBy('name')
        .orderBy('id')
        // LIMIT in the SQL: a bound LIMIT makes SQLite plan the statement again on every call (0019).
        .limit(sql.lit(Math.trunc(limit)))
        .offset(offset)
        .execute(),
    /** A page of the organization's clients in every division, each with its role grants (one row per grant). */
    listClientsWithGrants: (db: Executor, orgId: string, offset: number, limit: number) =>
      clientPageRead(Math.trunc(limit)).all(db, { orgId, offset }),
    /** The number of the organization's clients in every division. */
    countAllClients: async (db: Executor, orgId: string) => Number((await clientCount.first(db, { orgId }))?.n ?? 0),
    countClients: async (db: Executor, orgId: string, reach?: DivisionReach) =>
      Number(
        (
          await whereInReach(
            db
              .selectFrom('oauth_clients')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('org_id', '=', orgId)
              .where('internal', '=', 0),
            'division_id',
            reach ?? EVERYWHERE,
          ).executeTakeFirstOrThrow()
        ).n,
      ),
    /** Clients in one division (rows without one belong to the home division). */
    countClientsInDivision: async (db: Executor, orgId: string, divisionId: string, isHome: boolean) =>
      Number(
        (
          await whereInReach(
            db
              .selectFrom('oauth_clients')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('org_id', '=', orgId)
              .where('internal', '=', 0),
            'division_id',
            { everywhere: false, divisionIds: [divisionId], home: isHome },
          ).executeTakeFirstOrThrow()
        ).n,
      ),
    divisionsOfClients: async (db: Executor, orgId: string, ids: string[]) =>
      new Map(
        ids.length === 0
          ? []
          : (
              await db
                .selectFrom('oauth_clients')
                .select(['id', 'division_id'])
                .where('org_id', '=', orgId)
                .where('internal', '=', 0)
                .where('id', 'in', ids)
                .execute()
            ).map((r) => [r.id, r.division_id ?? null]),
      ),
    moveClients: (db: Executor, orgId: string, ids: string[], divisionId: string, now: string) =>
      db
        .updateTable('oauth_clients')
        .set({ division_id: divisionId, modified_at: now })
        .where('org_id', '=', orgId)
        .where('internal', '=', 0)
        .where('id', 'in', ids)
        .execute(),
    findInternalClient: (db: Executor, orgId: string) =>
      db
        .selectFrom('oauth_clients')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('internal', '=', 1)
        .executeTakeFirst(),

    /**
     * What validating a token needs besides its MAC, in one query: the client, organization,
     * user and authorized application it names.
     */
    tokenContext: (
      db: Executor,
      t: { orgId: string; clientId: string; userId: string | null; authorizationId: string | null },
    ) =>
      db
        .selectFrom('oauth_clients as c')
        .innerJoin('organizations as o', (j) => j.on('o.id', '=', t.orgId))
        .leftJoin('users as u', (j) => j.on('u.id', '=', t.userId ?? '').on('u.org_id', '=', t.orgId))
        .leftJoin('divisions as hd', (j) => j.on('hd.org_id', '=', t.orgId).on('hd.home', '=', 1))
        .leftJoin('oauth_authorizations as a', (j) =>
          j.on('a.id', '=', t.authorizationId ?? '').on('a.org_id', '=', t.orgId),
        )
        .select([
          'c.name as client_name',
          'c.state as client_state',
          'c.grant_type',
          'c.internal',
          'c.scim_rate_limit',
          'o.name as org_name',
          'o.state as org_state',
          'u.id as user_id',
          'u.state as user_state',
          'a.state as authorization_state',
          'a.scopes as authorization_scopes',
          'hd.id as home_division_id',
        ])
        .where('c.id', '=', t.clientId)
        .executeTakeFirst(),
    /** The revocations among these token, grant and user ids. */
    revocationsAmong: (db: Executor, ids: string[]) =>
      db
        .selectFrom('token_revocations')
        .select(['subject_id', 'kind', 'revoked_at'])
        .where('subject_id', 'in', ids)
        .execute(),
    insertRevocation: (db: Executor, row: TokenRevocationRow) =>
      db
        .insertInto('token_revocations')
        .values(row)
        .onConflict((oc) => oc.column('subject_id').doNothing())
        .execute(),
    /** A user's revocation (kind 'user'): a later one moves its instant forward. */
    upsertUserRevocation: (db: Executor, row: TokenRevocationRow) =>
      db
        .insertInto('token_revocations')
        .values(row)
        .onConflict((oc) =>
          oc.column('subject_id').doUpdateSet({ revoked_at: row.revoked_at, expires_at: row.expires_at }),
        )
        .execute(),
    /** A user's state and the instant of its `user` revocation, if any (the refresh grant reads them). */
    userStanding: (db: Executor, orgId: string, userId: string) =>
      db
        .selectFrom('users as u')
        .leftJoin('token_revocations as r', (j) => j.onRef('r.subject_id', '=', 'u.id').on('r.kind', '=', 'user'))
        .select(['u.state', 'r.revoked_at'])
        .where('u.id', '=', userId)
        .where('u.org_id', '=', orgId)
        .executeTakeFirst(),
    /** Refresh tokens of one code grant, of one authorized application, or of one user, stop. */
    revokeRefreshTokens: (
      db: Executor,
      by: { grantId?: string; authorizationId?: string; user?: { orgId: string; userId: string } },
      at: string,
    ) => {
      let q = db.updateTable('refresh_tokens').set({ revoked_at: at }).where('revoked_at', 'is', null);
      if (by.grantId) q = q.where('grant_id', '=', by.grantId);
      if (by.authorizationId) q = q.where('authorization_id', '=', by.authorizationId);
      if (by.user) q = q.where('user_id', '=', by.user.userId).where('org_id', '=', by.user.orgId);
      return q.execute();
    },

    insertCode: (db: Executor, row: OAuthCodeRow) => db.insertInto('oauth_codes').values(row).execute(),
    findCode: (db: Executor, codeHash: string) =>
      db.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst(),
    /** Marks a code used; false when it was already used (single use, race-safe). */
    consumeCode: async (db: Executor, codeHash: string, at: string) =>
      Number(
        (
          await db
            .updateTable('oauth_codes')
            .set({ used_at: at })
            .where('code_hash', '=', codeHash)
            .where('used_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    insertRefreshToken: (db: Executor, row: RefreshTokenRow) => db.insertInto('refresh_tokens').values(row).execute(),
    findRefreshToken: (db: Executor, tokenHash: string) =>
      db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),
    consumeRefreshToken: async (db: Executor, id: string, at: string) =>
      Number(
        (
          await db
            .updateTable('refresh_tokens')
            .set({ used_at: at })
            .where('id', '=', id)
            .where('used_at', 'is', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    insertAuthorization: (db: Executor, row: OAuthAuthorizationRow) =>
      db.insertInto('oauth_authorizations').values(row).execute(),
    updateAuthorization: (db: Executor, id: string, patch: Partial<OAuthAuthorizationRow>) =>
      db.updateTable('oauth_authorizations').set(patch).where('id', '=', id).execute(),
    /** The newest authorization of a client in an organization (older ones are history). */
    currentAuthorization: (db: Executor, orgId: string, clientId: string) =>
      db
        .selectFrom('oauth_authorizations')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('client_id', '=', clientId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
    /** Every organization's current authorization of one client (newest per organization). */
    authorizationsOfClient: async (db: Executor, clientId: string) => {
      const rows = await db
        .selectFrom('oauth_authorizations')
        .selectAll()
        .where('client_id', '=', clientId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const current = new Map<string, OAuthAuthorizationRow>();
      for (const r of rows) if (!current.has(r.org_id)) current.set(r.org_id, r);
      return [...current.values()];
    },
    /** Current authorizations of an organization, newest per client, optionally in one state. */
    listAuthorizations: async (db: Executor, orgId: string, state?: string) => {
      const rows = await db
        .selectFrom('oauth_authorizations')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const current = new Map<string, OAuthAuthorizationRow>();
      for (const r of rows) if (!current.has(r.client_id)) current.set(r.client_id, r);
      return [...current.values()].filter((r) => !state || r.state === state);
    },

    // Data-subject requests: what is stored about users (never a hash of a code or token).
    /** Authorizations these users requested or changed, or that these ids name. */
    authorizationsForUsers: (db: Executor, orgId: string, userIds: string[], ids: string[]) =>
      db
        .selectFrom('oauth_authorizations')
        .selectAll()
        .where('org_id', '=', orgId)
        .where((eb) =>
          eb.or([
            ...(userIds.length ? [eb('created_by', 'in', userIds), eb('modified_by', 'in', userIds)] : []),
            ...(ids.length ? [eb('id', 'in', ids)] : []),
            eb.lit(false),
          ]),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    refreshTokensOfUsers: (db: Executor, orgId: string, userIds: string[]) =>
      db
        .selectFrom('refresh_tokens')
        .select([
          'grant_id',
          'client_id',
          'user_id',
          'authorization_id',
          'scopes',
          'issued_at',
          'expires_at',
          'used_at',
          'revoked_at',
        ])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds)
        .orderBy('issued_at')
        .execute(),
    codesOfUsers: (db: Executor, orgId: string, userIds: string[]) =>
      db
        .selectFrom('oauth_codes')
        .select([
          'grant_id',
          'client_id',
          'user_id',
          'authorization_id',
          'redirect_uri',
          'scopes',
          'expires_at',
          'used_at',
        ])
        .where('org_id', '=', orgId)
        .where('user_id', 'in', userIds)
        .orderBy('expires_at')
        .execute(),
    deleteRefreshTokensOfUser: async (db: Executor, orgId: string, userId: string) =>
      Number(
        (
          await db
            .deleteFrom('refresh_tokens')
            .where('org_id', '=', orgId)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        ).numDeletedRows,
      ),
    deleteCodesOfUser: async (db: Executor, orgId: string, userId: string) =>
      Number(
        (
          await db
            .deleteFrom('oauth_codes')
            .where('org_id', '=', orgId)
            .where('user_id', '=', userId)
            .executeTakeFirst()
        ).numDeletedRows,
      ),

    purgeExpiredRevocations: (db: Executor, before: string) =>
      db.deleteFrom('token_revocations').where('expires_at', '<', before).execute(),
  };
}

export type OAuthStore = ReturnType<typeof createOAuthStore>;
