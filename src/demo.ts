/**
 * The demo organization made on a first start: an admin user, and a client-credentials
 * client bound to a service-account user with the admin role (seeds/001: scripts use a
 * dedicated service account, not a person's credentials).
 */
import { randomToken } from './platform/crypto.ts';
import { ALL_DIVISIONS } from './platform/division-access.ts';
import { ApiError } from './platform/errors/index.ts';
import { isUniqueViolation } from './storage/db.ts';
import type { ConversationsService } from './domains/conversations/index.ts';
import type { DirectoryService } from './domains/directory/index.ts';
import { CLIENT_CREDENTIALS, type OAuthService } from './domains/oauth/index.ts';

export const DEMO_ORG = 'Gatehouse Demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.gatehouse.local';

export interface DemoCredentials {
  orgId: string;
  adminEmail: string;
  adminPassword: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Creates the demo organization unless any organization exists; returns null when it did nothing.
 * With `conversations`, the organization also gets a few stuck interactions to practise the
 * Disconnect Interactions tool on.
 */
export async function seedDemo(
  directory: DirectoryService,
  oauth: OAuthService,
  password?: string,
  conversations?: Pick<ConversationsService, 'seedDemo'>,
  /** Contact-center traffic for the new organization: queues, agents, days of history, stuck cases. */
  simulate?: (orgId: string) => Promise<unknown>,
): Promise<DemoCredentials | null> {
  if ((await directory.organizations.count()) > 0) return null;
  // Several processes started together on an empty store all see no organization; the first
  // to store the demo one wins and the others leave it to that one.
  let created: Awaited<ReturnType<DirectoryService['createOrganization']>>;
  try {
    created = await directory.createOrganization(DEMO_ORG, 'demo.gatehouse.local');
  } catch (err) {
    if (isUniqueViolation(err) || (err instanceof ApiError && err.status === 409)) return null;
    throw err;
  }
  const { org, adminRoleId } = created;
  const adminPassword = password ?? randomToken(12);
  const admin = await directory.users.create(org.id, null, {
    name: 'Demo Admin',
    email: DEMO_ADMIN_EMAIL,
    password: adminPassword,
    title: 'Administrator',
  });
  await directory.roles.replaceGrants(org.id, null, { type: 'user', id: admin.id, name: admin.name }, [
    { roleId: adminRoleId, divisionId: ALL_DIVISIONS },
  ]);
  const service = await directory.users.create(org.id, null, {
    name: 'Demo Service Account',
    email: 'service-account@demo.gatehouse.local',
    title: 'Service Account',
    serviceAccount: true,
  });
  const { client, secret } = await oauth.clients.create(org.id, null, {
    name: 'Demo Service Account',
    description: 'Client credentials for scripts, bound to the service-account user',
    grantType: CLIENT_CREDENTIALS,
    roleDivisions: [{ roleId: adminRoleId, divisionId: ALL_DIVISIONS }],
    serviceUserId: service.id,
  });
  await conversations?.seedDemo(org.id);
  await simulate?.(org.id);
  return { orgId: org.id, adminEmail: DEMO_ADMIN_EMAIL, adminPassword, clientId: client.id, clientSecret: secret };
}
