/**
 * Discovery (RFC 7644 §4): ServiceProviderConfig, ResourceTypes and Schemas, derived from the
 * attribute definitions the PATCH engine uses so the two cannot disagree. Only the attributes
 * Gatehouse stores are advertised.
 */
import { ScimError } from './errors.ts';
import { MAX_COUNT } from './listing.ts';
import {
  ENTERPRISE_USER_URN,
  GENESYS_USER_URN,
  GROUP_PATCH_SCHEMA,
  GROUP_SCHEMA_URN,
  type ScimPatchAttribute,
  USER_PATCH_SCHEMA,
  USER_SCHEMA_URN,
} from './patch/index.ts';

const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

const STORED: Record<string, string[]> = {
  [USER_SCHEMA_URN]: [
    'id',
    'externalId',
    'meta',
    'userName',
    'name',
    'displayName',
    'title',
    'active',
    'password',
    'emails',
    'phoneNumbers',
    'groups',
  ],
  [ENTERPRISE_USER_URN]: ['division', 'department', 'manager', 'employeeNumber'],
  [GENESYS_USER_URN]: ['routingSkills', 'routingLanguages', 'externalIds'],
  [GROUP_SCHEMA_URN]: ['id', 'externalId', 'meta', 'displayName', 'members'],
};

function definition(a: ScimPatchAttribute, path: string): Record<string, unknown> {
  const id = path === 'id' || path === 'meta';
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued ?? false,
    required: a.required ?? false,
    caseExact: a.caseExact ?? false,
    mutability: path === 'groups' || path === 'displayName@group' ? 'readOnly' : (a.mutability ?? 'readWrite'),
    returned:
      a.mutability === 'writeOnly' ? 'never' : id || path === 'userName' || path === 'active' ? 'always' : 'default',
    uniqueness: path === 'userName' || path === 'id' ? 'server' : 'none',
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map((s) => definition(s, `${path}.${s.name}`)) } : {}),
  };
}

const NAMES: Record<string, { name: string; description: string }> = {
  [USER_SCHEMA_URN]: { name: 'User', description: 'User Account' },
  [ENTERPRISE_USER_URN]: { name: 'EnterpriseUser', description: 'Enterprise user' },
  [GENESYS_USER_URN]: { name: 'GenesysUser', description: 'Genesys Cloud user extensions' },
  [GROUP_SCHEMA_URN]: { name: 'Group', description: 'Group' },
};

function schemaOf(urn: string, base: string) {
  const source = urn === GROUP_SCHEMA_URN ? GROUP_PATCH_SCHEMA : USER_PATCH_SCHEMA;
  const attrs = source.attributes[urn].filter((a) => STORED[urn].includes(a.name));
  if (urn === ENTERPRISE_USER_URN) attrs.push({ name: 'dateHire', type: 'string' });
  return {
    id: urn,
    ...NAMES[urn],
    attributes: attrs.map((a) =>
      definition(a, urn === GROUP_SCHEMA_URN && a.name === 'displayName' ? 'displayName@group' : a.name),
    ),
    meta: { resourceType: 'Schema', location: `${base}/api/v2/scim/v2/Schemas/${urn}` },
  };
}

export function serviceProviderConfig(base: string) {
  return {
    schemas: [SPC_URN],
    documentationUri: `${base}/docs/scim.md`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        name: 'OAuth Bearer Token',
        description: 'A client-credentials access token from /oauth/token',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        type: 'oauthbearertoken',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/api/v2/scim/v2/ServiceProviderConfig` },
  };
}

function resourceTypes(base: string) {
  return [
    {
      schemas: [RT_URN],
      id: 'User',
      name: 'User',
      description: 'User Account',
      endpoint: '/Users',
      schema: USER_SCHEMA_URN,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_URN, required: false },
        { schema: GENESYS_USER_URN, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/api/v2/scim/v2/ResourceTypes/User` },
    },
    {
      schemas: [RT_URN],
      id: 'Group',
      name: 'Group',
      description: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA_URN,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/api/v2/scim/v2/ResourceTypes/Group` },
    },
  ];
}

const list = (resources: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

export const listResourceTypes = (base: string) => list(resourceTypes(base));

export function getResourceType(base: string, id: string) {
  const found = resourceTypes(base).find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!found) throw new ScimError(404, `Resource type ${id} not found`);
  return found;
}

export const listSchemas = (base: string) => list(Object.keys(STORED).map((urn) => schemaOf(urn, base)));

export function getSchema(base: string, id: string) {
  const urn = Object.keys(STORED).find((u) => u.toLowerCase() === id.toLowerCase());
  if (!urn) throw new ScimError(404, `Schema ${id} not found`);
  return schemaOf(urn, base);
}
