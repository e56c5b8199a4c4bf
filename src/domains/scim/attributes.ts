/** How SCIM filter attribute paths map onto the stored columns (for `compileFilter`). */
import { sql } from 'kysely';
import type { FilterNode, ScimAttributeMap } from './filter/index.ts';

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

const valueTable = (table: string) => ({
  kind: 'multi' as const,
  table,
  ownerColumn: 'user_id',
  ownerKey: 'users.id',
  defaultSub: 'value',
  sub: {
    value: { kind: 'column' as const, column: 'value', type: 'string' as const },
    type: { kind: 'column' as const, column: 'type', type: 'string' as const },
    primary: { kind: 'column' as const, column: 'is_primary', type: 'boolean' as const },
  },
});

export const USER_FILTER_MAP: ScimAttributeMap = {
  id: { kind: 'column', column: 'users.id', type: 'string', caseExact: true },
  // email_key is the lower-cased email: compared exactly with a lower-cased value, `userName eq`
  // uses the (org_id, email_key) index.
  username: { kind: 'column', column: 'users.email_key', type: 'string', caseExact: true, toSql: lower },
  email: { kind: 'column', column: 'users.email_key', type: 'string', caseExact: true, toSql: lower },
  displayname: { kind: 'column', column: 'users.name', type: 'string' },
  title: { kind: 'column', column: 'users.title', type: 'string' },
  department: { kind: 'column', column: 'users.department', type: 'string' },
  // The enterprise extension's division is the name of the user's division (upstream filters on it).
  division: {
    kind: 'column',
    column: 'users.division_id',
    type: 'string',
    expr: sql`(select d.name from divisions d where d.id = users.division_id)`,
  },
  active: { kind: 'column', column: 'users.state', type: 'boolean', toSql: (v) => (v ? 'active' : 'inactive') },
  externalid: { kind: 'column', column: 'scim_users.external_id', type: 'string', caseExact: true },
  'name.givenname': { kind: 'column', column: 'scim_users.given_name', type: 'string' },
  'name.familyname': { kind: 'column', column: 'scim_users.family_name', type: 'string' },
  employeenumber: { kind: 'column', column: 'scim_users.employee_number', type: 'string', caseExact: true },
  manager: { kind: 'column', column: 'scim_users.manager_id', type: 'string', caseExact: true },
  'manager.value': { kind: 'column', column: 'scim_users.manager_id', type: 'string', caseExact: true },
  'meta.created': { kind: 'column', column: 'users.created_at', type: 'dateTime' },
  'meta.lastmodified': { kind: 'column', column: 'users.modified_at', type: 'dateTime' },
  // The work emails are rows of scim_user_emails; the `other` email is the userName, compared on
  // users.email_key as the resource shows it (so an administrator's email change is found at once).
  emails: {
    ...valueTable('scim_user_emails'),
    // Rows of type other were copies of the userName written before this rule; they are skipped
    // (and dropped the next time the user is written).
    rows: sql`coalesce(scim_user_emails.type, '') <> 'other'`,
    parent: {
      value: { kind: 'column', column: 'users.email_key', type: 'string', caseExact: true, toSql: lower },
      type: { kind: 'column', column: 'users.email_key', type: 'string', expr: sql`'other'` },
      primary: {
        kind: 'column',
        column: 'users.id',
        type: 'boolean',
        expr: sql`(case when exists (select 1 from scim_user_emails pe where pe.user_id = users.id and pe.is_primary = 1 and coalesce(pe.type, '') <> 'other') then 0 else 1 end)`,
      },
    },
  },
  phonenumbers: valueTable('scim_user_phones'),
  externalids: {
    kind: 'multi',
    table: 'scim_user_external_ids',
    ownerColumn: 'user_id',
    ownerKey: 'users.id',
    defaultSub: 'value',
    sub: {
      authority: { kind: 'column', column: 'authority', type: 'string', caseExact: true },
      value: { kind: 'column', column: 'value', type: 'string', caseExact: true },
    },
  },
};

export const GROUP_FILTER_MAP: ScimAttributeMap = {
  id: { kind: 'column', column: 'groups.id', type: 'string', caseExact: true },
  displayname: { kind: 'column', column: 'groups.name_key', type: 'string', caseExact: true, toSql: lower },
  externalid: { kind: 'column', column: 'groups.external_id', type: 'string', caseExact: true },
  'meta.lastmodified': { kind: 'column', column: 'groups.modified_at', type: 'dateTime' },
  members: {
    kind: 'multi',
    table: 'group_members',
    ownerColumn: 'group_id',
    ownerKey: 'groups.id',
    defaultSub: 'value',
    sub: { value: { kind: 'column', column: 'user_id', type: 'string', caseExact: true } },
  },
};

/** Whether a parsed filter names an attribute (else the user list answers active users only, as upstream). */
export function mentions(node: FilterNode, attr: string): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return mentions(node.left, attr) || mentions(node.right, attr);
    case 'not':
      return mentions(node.filter, attr);
    default:
      return node.path.attr.toLowerCase() === attr;
  }
}
