/**
 * SCIM test harness: the real app with a provisioning client (a role holding the SCIM
 * permissions, as an administrator sets up for Okta or Entra) and a SCIM-speaking HTTP client.
 */
import { newId } from '../../src/platform/ids.ts';
import { type ApiResponse, startApp, type TestApp } from '../helpers/app.ts';
import type { TestDialect } from '../helpers/dialects.ts';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GENESYS = 'urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export const SCIM_PERMISSIONS = [
  'directory:user:add',
  'directory:user:edit',
  'directory:user:setPassword',
  'directory:user:delete',
  'directory:user:view',
  'directory:group:edit',
];

export type Scim = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

export interface ScimApp {
  t: TestApp;
  /** A bearer token of the provisioning client. */
  token: string;
  scim: Scim;
  /** A SCIM client for another token (other org, fewer permissions). */
  as(token: string): Scim;
  /** A group made the administrator's way (SCIM cannot create groups). */
  group(name: string, orgId?: string): Promise<string>;
  /** A new organization with its own provisioning client: its token. */
  otherOrgToken(name: string, permissions?: string[]): Promise<{ orgId: string; token: string }>;
  /** A provisioning client in the demo org holding only these permissions (in all divisions unless told). */
  tokenWith(permissions: string[], divisionId?: string): Promise<string>;
  /** Users created through the SCIM service directly (as the provisioning client): their ids. */
  provision(count: number, domain: string): Promise<string[]>;
}

let roleSeq = 0;

export async function startScimApp(dialect: TestDialect, env: Record<string, string> = {}): Promise<ScimApp> {
  // Provisioning replays send many requests: no rate limits in these tests.
  const t = await startApp(dialect, {
    env: { GATEHOUSE_RATE_LIMIT_CLIENT: '0', GATEHOUSE_RATE_LIMIT_ORG: '0', GATEHOUSE_RATE_LIMIT_TOKEN: '0', ...env },
  });
  const { directory, oauth } = t.gh;

  /** A client holding `permissions` in `divisionId`: all divisions (`*`) unless told, as an IdP's usually is. */
  async function clientToken(orgId: string, permissions: string[], divisionId = '*') {
    const role = await directory.roles.create(orgId, null, {
      name: `SCIM provisioning ${++roleSeq}`,
      description: 'SCIM',
      permissions,
    });
    const { client, secret } = await oauth.clients.create(orgId, null, {
      name: `SCIM ${roleSeq}`,
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.id, divisionId }],
    });
    return t.token(client.id, secret);
  }

  const as =
    (token: string): Scim =>
    (method, path, body, headers = {}) =>
      t.api(`/api/v2/scim/v2${path}`, {
        method,
        token,
        body,
        headers: {
          accept: 'application/scim+json',
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...headers,
        },
      });

  const token = await clientToken(t.demo.orgId, SCIM_PERMISSIONS);
  return {
    t,
    token,
    scim: as(token),
    as,
    group: async (name, orgId = t.demo.orgId) => (await t.gh.scim.groups.create(orgId, null, { name })).id,
    async otherOrgToken(name, permissions = SCIM_PERMISSIONS) {
      const { org } = await directory.createOrganization(name, `${name.toLowerCase().replace(/\W/g, '')}.example`);
      return { orgId: org.id, token: await clientToken(org.id, permissions) };
    },
    tokenWith: (permissions, divisionId) => clientToken(t.demo.orgId, permissions, divisionId),
    async provision(count, domain) {
      const principal = (await t.gh.oauth.tokens.resolve(token))!;
      const caller = { principal, remoteIp: '127.0.0.1' };
      // Twenty at a time, as an identity provider pushes: a thousand at once would wait on the pool's ten
      // connections longer than its 5 s acquire timeout on a loaded machine.
      const ids: string[] = [];
      for (let from = 0; from < count; from += 20) {
        const made = await Promise.all(
          Array.from({ length: Math.min(20, count - from) }, (_, i) =>
            t.gh.scim.users.create(caller, oktaUser(`member.${from + i}@${domain}`), t.url),
          ),
        );
        ids.push(...made.map((m) => m.resource.id as string));
      }
      return ids;
    },
  };
}

/** A minimal SCIM create body, as Okta sends it. */
export function oktaUser(email: string, extra: Record<string, unknown> = {}) {
  const [given, family] = email.split('@')[0].split('.');
  return {
    schemas: [USER],
    userName: email,
    name: { givenName: given ?? 'Test', familyName: family ?? 'User' },
    displayName: `${given ?? 'Test'} ${family ?? 'User'}`,
    emails: [{ primary: true, value: email, type: 'work' }],
    active: true,
    ...extra,
  };
}

export interface AuditEntity {
  action: string;
  entityType: string;
  context: Record<string, string>;
  propertyChanges: { property: string; oldValues: string[]; newValues: string[] }[];
}

/** The audit events of one entity in the last and next hour, through the realtime query. */
export async function auditTrail(s: ScimApp, entityId: string): Promise<AuditEntity[]> {
  const admin = await s.t.token();
  const now = Date.now();
  const res = await s.t.api('/api/v2/audits/query/realtime', {
    method: 'POST',
    token: admin,
    body: {
      interval: `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`,
      filters: [{ property: 'EntityId', value: entityId }],
    },
  });
  if (res.status !== 200) throw new Error(`audit query failed: ${res.status} ${res.text}`);
  return res.body.entities;
}

/** A second division in the demo organization (there is no API to create one): fixture only. */
/** A division of the demo organization: its id. */
export async function addDivision(s: ScimApp, name: string): Promise<string> {
  const id = newId();
  await s.t.gh.storage.db
    .insertInto('divisions')
    .values({
      id,
      org_id: s.t.demo.orgId,
      name,
      description: 'test',
      home: 0,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

/**
 * A User resource (or a list of them) without what Gatehouse answers beyond upstream's ScimV2User
 * (RFC 7643's `name` and `addresses`, documented in docs/scim.md), for upstream shape checks.
 */
export function upstreamUserShape<T>(body: T): T {
  const strip = ({ name: _name, addresses: _addresses, ...rest }: Record<string, unknown>) => rest;
  const b = body as Record<string, unknown>;
  if (Array.isArray(b.Resources)) return { ...b, Resources: b.Resources.map(strip) } as T;
  return strip(b) as T;
}
