/**
 * The permission catalogue: upstream `domain:entity:action` strings for every capability the
 * seeds describe. Roles may only hold permissions from here (with `*` wildcards).
 */
const CATALOGUE: Record<string, Record<string, string[]>> = {
  admin: { '*': ['*'] },
  analytics: {
    conversationDetail: ['view'],
    agentConversationDetail: ['view'],
    conversation: ['view'],
    queueObservation: ['view'],
  },
  audits: { audit: ['view'], interactionDetails: ['view'] },
  authorization: {
    division: ['add', 'delete', 'edit', 'view'],
    divisionDeleted: ['view'],
    grant: ['add', 'delete', 'view'],
    role: ['add', 'delete', 'edit', 'view'],
    settings: ['edit', 'view'],
  },
  conversation: { communication: ['disconnect', 'view'], message: ['create'], email: ['create'] },
  directory: {
    organization: ['admin', 'edit'],
    user: ['add', 'delete', 'edit', 'setPassword', 'view'],
    group: ['add', 'delete', 'edit', 'view'],
  },
  externalContacts: { contact: ['add', 'delete', 'edit', 'view'] },
  gdpr: { request: ['add', 'view'], subject: ['view'] },
  integrations: { integration: ['add', 'delete', 'edit', 'view'] },
  oauth: { client: ['add', 'authorize', 'delete', 'edit', 'view'] },
  relate: { contact: ['add', 'delete', 'edit', 'view'] },
  routing: { language: ['assign'], queue: ['add', 'delete', 'edit', 'view'], skill: ['assign'] },
  sso: { provider: ['add', 'delete', 'edit', 'view'] },
  telephony: { extension: ['assign'] },
  usage: { client: ['view'], events: ['view'], organization: ['view'], simpleSearch: ['view'] },
};

export const PERMISSION_DOMAINS = Object.keys(CATALOGUE).filter((d) => d !== 'admin');

/** Every concrete permission string in the catalogue. */
export const ALL_PERMISSIONS: string[] = Object.entries(CATALOGUE).flatMap(([domain, entities]) =>
  domain === 'admin'
    ? []
    : Object.entries(entities).flatMap(([entity, actions]) => actions.map((a) => `${domain}:${entity}:${a}`)),
);

/** Whether a role may hold this permission string (wildcards allowed for entity and action). */
export function isKnownPermission(p: string): boolean {
  if (p === '*:*:*' || p === 'admin') return true;
  const [domain, entity, action, ...rest] = p.split(':');
  if (rest.length || !domain || !entity || !action) return false;
  const entities = CATALOGUE[domain];
  if (!entities || domain === 'admin') return false;
  if (entity === '*') return action === '*' || Object.values(entities).some((a) => a.includes(action));
  const actions = entities[entity];
  return !!actions && (action === '*' || actions.includes(action));
}

/** The catalogue as upstream's DomainPermissionCollection list, one per domain. */
export function permissionCollections() {
  return PERMISSION_DOMAINS.map((domain) => ({
    id: domain,
    name: domain,
    domain,
    permissionMap: Object.fromEntries(
      Object.entries(CATALOGUE[domain]).map(([entityType, actions]) => [
        entityType,
        actions.map((action) => ({
          domain,
          entityType,
          action,
          label: `${entityType} ${action}`,
          allowsConditions: false,
          divisionAware: false,
        })),
      ]),
    ),
    selfUri: `/api/v2/authorization/permissions/${domain}`,
  }));
}
