/** Shared set-up for the conversations tests: demo interactions, tokens with chosen permissions, another org. */
import type { TestApp } from '../helpers/app.ts';

export interface PracticeEntity {
  id: string;
  mediaType: string;
  state: string;
  queueName?: string;
  stuckReason?: string;
  participants: { purpose: string; name: string; state: string; wrapupRequired: boolean }[];
}

/** Seeds the demo stuck interactions (as a first start does) and answers them by stuck reason. */
export async function seedDemoInteractions(t: TestApp, token: string) {
  await t.gh.conversations.seedDemo(t.demo.orgId);
  const res = await t.api('/api/v2/gatehouse/conversations?state=connected&pageSize=100', { token });
  const list = res.body.entities as PracticeEntity[];
  const by = (reason: string) => list.find((c) => c.stuckReason?.startsWith(reason))!;
  return { ghostCall: by('Ghost call'), heldChat: by('Chat held'), callback: by('Callback pending') };
}

/** A token for a new client whose only role holds exactly these permissions. */
export async function tokenWithPermissions(t: TestApp, adminToken: string, name: string, permissions: string[]) {
  const role = await t.api('/api/v2/authorization/roles', {
    method: 'POST',
    token: adminToken,
    body: { name, permissions },
  });
  if (role.status !== 200) throw new Error(`role: ${role.status} ${role.text}`);
  const client = await t.clientWithRole(`${name} client`, name);
  return t.token(client.id, client.secret);
}

/** A second organization with its own admin client, and a token for it. */
export async function otherOrganization(t: TestApp, name: string) {
  const { org, homeDivisionId, adminRoleId } = await t.gh.directory.createOrganization(
    name,
    `${name.toLowerCase().replace(/\W+/g, '')}.example`,
  );
  const { client, secret } = await t.gh.oauth.clients.create(org.id, null, {
    name: 'Other admin',
    grantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: adminRoleId, divisionId: homeDivisionId }],
  });
  return { orgId: org.id, token: await t.token(client.id, secret) };
}
