/**
 * The OAuth scope catalogue (upstream scope names). A user token carries the user's
 * permissions narrowed to the permission domains of its scopes.
 */
export interface ScopeDefinition {
  id: string;
  description: string;
  /** Permission domains this scope opens; a `:readonly` scope opens only `view` actions. */
  domains: string[];
}

const AREAS: [string, string, string[]][] = [
  ['analytics', 'analytics data and reports', ['analytics']],
  ['audits', 'the audit trail', ['audits']],
  ['authorization', 'roles, divisions and grants', ['authorization']],
  ['conversations', 'conversations and interactions', ['conversation']],
  ['external-contacts', 'external contacts', ['externalContacts', 'relate']],
  ['gdpr', 'data subject requests', ['gdpr']],
  ['groups', 'groups', ['directory']],
  ['identity-providers', 'single sign-on identity providers', ['sso']],
  ['oauth', 'OAuth clients and authorized applications', ['oauth']],
  ['organization', 'organization settings', ['directory']],
  ['routing', 'queues, skills and languages', ['routing']],
  ['scim', 'SCIM provisioning', ['directory', 'authorization']],
  ['usage', 'API usage', ['usage']],
  ['users', 'users and their profiles', ['directory']],
];

export const SCOPES: ScopeDefinition[] = [
  ...AREAS.flatMap(([id, what, domains]) => [
    { id, description: `View and change ${what}`, domains },
    { id: `${id}:readonly`, description: `View ${what}`, domains },
  ]).filter((s) => s.id !== 'audits'),
  { id: 'user-basic-info', description: 'Your name, email and organization', domains: [] },
].sort((a, b) => a.id.localeCompare(b.id));

const BY_ID = new Map(SCOPES.map((s) => [s.id, s]));
export const isKnownScope = (id: string) => BY_ID.has(id);
export const scopeById = (id: string) => BY_ID.get(id);

/** A user's permissions narrowed by the scopes of the token. */
export function narrowByScopes(permissions: string[], scopes: readonly string[]): string[] {
  if (scopes.includes('all') || scopes.includes('console')) return permissions;
  const out = new Set<string>();
  for (const scope of scopes) {
    const def = BY_ID.get(scope);
    if (!def) continue;
    const readonly = scope.endsWith(':readonly');
    for (const p of permissions) {
      const [domain, entity, action] = p.split(':');
      const domains = domain === '*' ? def.domains : def.domains.filter((d) => d === domain);
      for (const d of domains) {
        if (readonly && action !== 'view' && action !== '*') continue;
        out.add(`${d}:${entity}:${readonly ? 'view' : action}`);
      }
    }
  }
  return [...out];
}
