/**
 * SCIM filters (RFC 7644 §3.4.2.2): the parser on every construct and on malformed input, and the
 * SQL compiler on a real database (SQLite always, PostgreSQL when GATEHOUSE_TEST_DATABASE_URL is
 * set), checking which rows each filter selects and that the in-memory evaluator agrees.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileFilter,
  type FilterNode,
  filterMatches,
  MAX_FILTER_DEPTH,
  parseFilter,
  parsePath,
  type ScimAttributeMap,
  ScimFilterError,
} from '../../src/domains/scim/filter/index.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function filterError(text: string): ScimFilterError {
  try {
    parseFilter(text);
  } catch (e) {
    expect(e, text).toBeInstanceOf(ScimFilterError);
    return e as ScimFilterError;
  }
  throw new Error(`parsed without error: ${text}`);
}

describe('parseFilter', () => {
  const cmp = (attr: string, op: string, value: unknown, more: Record<string, string> = {}) => ({
    type: 'compare',
    path: { attr, ...more },
    op,
    value,
  });

  it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])('parses the %s operator, in any case', (op) => {
    expect(parseFilter(`userName ${op} "bjensen"`)).toEqual(cmp('userName', op, 'bjensen'));
    expect(parseFilter(`userName ${op.toUpperCase()} "bjensen"`)).toEqual(cmp('userName', op, 'bjensen'));
  });

  it('parses pr', () => {
    expect(parseFilter('title pr')).toEqual({ type: 'present', path: { attr: 'title' } });
    expect(parseFilter('title PR')).toEqual({ type: 'present', path: { attr: 'title' } });
  });

  it('parses JSON values: strings with escapes, numbers, true, false, null', () => {
    expect(parseFilter(String.raw`title eq "a \"quoted\" \\ \/ \t\n\u00e9\u0041"`)).toEqual(
      cmp('title', 'eq', 'a "quoted" \\ / \t\né' + 'A'),
    );
    expect(parseFilter('x eq 42')).toEqual(cmp('x', 'eq', 42));
    expect(parseFilter('x gt -1.5e3')).toEqual(cmp('x', 'gt', -1500));
    expect(parseFilter('x eq 0')).toEqual(cmp('x', 'eq', 0));
    expect(parseFilter('active eq true')).toEqual(cmp('active', 'eq', true));
    expect(parseFilter('active eq False')).toEqual(cmp('active', 'eq', false));
    expect(parseFilter('manager eq null')).toEqual(cmp('manager', 'eq', null));
    expect(parseFilter('title eq ""')).toEqual(cmp('title', 'eq', ''));
    expect(parseFilter('title eq "and or not ) ( ]"')).toEqual(cmp('title', 'eq', 'and or not ) ( ]'));
  });

  it('parses sub-attributes and schema URN prefixes', () => {
    expect(parseFilter('name.familyName co "O\'Malley"')).toEqual(cmp('name', 'co', "O'Malley", { sub: 'familyName' }));
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual(
      cmp('meta', 'gt', '2011-05-13T04:42:34Z', { sub: 'lastModified' }),
    );
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"')).toEqual(
      cmp('userName', 'sw', 'J', { uri: 'urn:ietf:params:scim:schemas:core:2.0:User' }),
    );
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "x"')).toEqual(
      cmp('name', 'eq', 'x', { uri: 'urn:ietf:params:scim:schemas:core:2.0:User', sub: 'familyName' }),
    );
    expect(parseFilter(`${ENTERPRISE}:employeeNumber eq "701984"`)).toEqual(
      cmp('employeeNumber', 'eq', '701984', { uri: ENTERPRISE }),
    );
    expect(parseFilter('members.$ref pr')).toEqual({ type: 'present', path: { attr: 'members', sub: '$ref' } });
  });

  it('keeps names as written (the compiler and evaluator compare them case-insensitively)', () => {
    expect(parseFilter('USERNAME Eq "x"')).toEqual(cmp('USERNAME', 'eq', 'x'));
  });

  it('binds and tighter than or, left to right', () => {
    const a = cmp('a', 'eq', 1);
    const b = cmp('b', 'eq', 2);
    const c = cmp('c', 'eq', 3);
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      type: 'or',
      left: a,
      right: { type: 'and', left: b, right: c },
    });
    expect(parseFilter('a eq 1 and b eq 2 or c eq 3')).toEqual({
      type: 'or',
      left: { type: 'and', left: a, right: b },
      right: c,
    });
    expect(parseFilter('a eq 1 AND b eq 2 And c eq 3')).toEqual({
      type: 'and',
      left: { type: 'and', left: a, right: b },
      right: c,
    });
    expect(parseFilter('a eq 1 or b eq 2 OR c eq 3')).toEqual({
      type: 'or',
      left: { type: 'or', left: a, right: b },
      right: c,
    });
  });

  it('honours parentheses and not', () => {
    const a = cmp('a', 'eq', 1);
    const b = cmp('b', 'eq', 2);
    const c = cmp('c', 'eq', 3);
    expect(parseFilter('(a eq 1 or b eq 2) and c eq 3')).toEqual({
      type: 'and',
      left: { type: 'or', left: a, right: b },
      right: c,
    });
    expect(parseFilter('((a eq 1))')).toEqual(a);
    expect(parseFilter('not (a eq 1)')).toEqual({ type: 'not', filter: a });
    expect(parseFilter('NOT(a eq 1 or b eq 2) and c eq 3')).toEqual({
      type: 'and',
      left: { type: 'not', filter: { type: 'or', left: a, right: b } },
      right: c,
    });
    expect(parseFilter('not (not (a eq 1))')).toEqual({ type: 'not', filter: { type: 'not', filter: a } });
  });

  it('parses complex value filters (RFC 7644 §3.4.2.2 examples)', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      type: 'valuePath',
      path: { attr: 'emails' },
      filter: { type: 'and', left: cmp('type', 'eq', 'work'), right: cmp('value', 'co', '@example.com') },
    });
    expect(
      parseFilter(
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      ),
    ).toMatchObject({
      type: 'or',
      left: {
        type: 'and',
        left: cmp('userType', 'eq', 'Employee'),
        right: { type: 'valuePath', path: { attr: 'emails' } },
      },
      right: { type: 'valuePath', path: { attr: 'ims' } },
    });
    expect(parseFilter('emails[not (type eq "home")]')).toEqual({
      type: 'valuePath',
      path: { attr: 'emails' },
      filter: { type: 'not', filter: cmp('type', 'eq', 'home') },
    });
    expect(parseFilter(`${ENTERPRISE}:manager[value eq "x"]`)).toEqual({
      type: 'valuePath',
      path: { uri: ENTERPRISE, attr: 'manager' },
      filter: cmp('value', 'eq', 'x'),
    });
  });

  it('parses the RFC examples', () => {
    for (const f of [
      'userName Eq "john"',
      'title pr and userType eq "Employee"',
      'title pr or userType eq "Intern"',
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      'userType eq "Employee" and (emails.type eq "work")',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      'meta.lastModified ge "2011-05-13T04:42:34Z"',
    ]) {
      expect(() => parseFilter(f), f).not.toThrow();
    }
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_FILTER_DEPTH;
    expect(parseFilter('('.repeat(depth) + 'a pr' + ')'.repeat(depth))).toEqual({
      type: 'present',
      path: { attr: 'a' },
    });
  });

  const malformed: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['userName', /Expected an operator .* end of filter/],
    ['userName eq', /Expected a value .* end of filter/],
    ['userName eq "bjensen', /Unterminated string starting at position 13/],
    ['userName foo "x"', /Expected an operator .*"foo" at position 10/],
    ['userName eq "x" and', /Expected an attribute path.*end of filter/],
    ['(userName eq "x"', /Expected "\)" to close "\(" at position 1/],
    ['userName eq "x")', /Unexpected token "\)" at position 16/],
    ['not userName eq "x"', /Expected "\(" after "not"/],
    ['emails[type eq "work"', /Expected "]" to close "\[" at position 7/],
    ['emails[type eq "work"].value eq "x"', /Unexpected token "\." at position 23/],
    ['emails[type eq "w" and ims[value eq "x"]]', /cannot be nested/],
    [String.raw`userName eq "\q"`, /Invalid escape "\\\\q" at position 14/],
    [String.raw`userName eq "\u12"`, /Invalid \\u escape/],
    ['userName eq bjensen', /Expected a value .*"bjensen" at position 13/],
    ['userName eq 01', /Invalid number "01"/],
    ['userName eq 1abc', /Invalid number "1abc"/],
    ['a.b.c eq "x"', /at most one sub-attribute/],
    ['urn:ietf:params:scim:schemas:core:2.0:User: eq "x"', /an attribute name is missing/],
    ['foo:userName eq "x"', /must be a URN/],
    ['userName eq "x" userName eq "y"', /Unexpected token "userName" at position 17/],
    ['"x" eq userName', /Expected an attribute path.*position 1/],
    ['userName eq "a" or or title pr', /Unexpected token "title"|Expected an operator/],
    ['userName pr "x"', /Unexpected token "\\"x\\"" at position 13/],
    ['@ eq "x"', /Unexpected character "@" at position 1/],
    ['userName eq "a\u0001"', /control character/],
    ['emails[]', /Expected an attribute path.*"]"/],
    ['userName eq "x" and ()', /Expected an attribute path.*"\)"/],
    ['emails.value[type eq "x"]', /not to the sub-attribute/],
    ['name.[x] eq 1', /an attribute name is missing/],
    ['('.repeat(MAX_FILTER_DEPTH + 1) + 'a pr' + ')'.repeat(MAX_FILTER_DEPTH + 1), /deeper than 32/],
    [`userName eq "${'a'.repeat(5000)}"`, /longer than 4096/],
  ];

  const labelled = malformed.map(
    ([text, detail]) =>
      [text.length > 60 ? `${text.slice(0, 50)}… (${text.length} chars)` : text, text, detail] as const,
  );

  it.each(labelled)('refuses %j with a ScimFilterError', (_label, text, detail) => {
    const e = filterError(text);
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    expect(e.detail).toMatch(detail);
    expect(e.message).toBe(e.detail);
  });

  it('refuses non-string input with a ScimFilterError', () => {
    expect(() => parseFilter(undefined as unknown as string)).toThrow(ScimFilterError);
  });
});

describe('parsePath (PATCH paths)', () => {
  it('parses attribute paths, value paths and value paths with a sub-attribute', () => {
    expect(parsePath('name.givenName')).toEqual({ path: { attr: 'name', sub: 'givenName' } });
    expect(parsePath(`${ENTERPRISE}:department`)).toEqual({ path: { uri: ENTERPRISE, attr: 'department' } });
    expect(parsePath('emails[type eq "work"]')).toEqual({
      path: { attr: 'emails' },
      filter: { type: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
    });
    expect(parsePath('emails[type eq "work"].value')).toEqual({
      path: { attr: 'emails' },
      filter: { type: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      sub: 'value',
    });
    expect(parsePath('members[value eq "a" or value eq "b"]').filter?.type).toBe('or');
  });

  it.each([
    'emails[type eq "work"].',
    'emails[type eq "work"].value.x',
    'emails[type eq "work"] x',
    'emails eq "x"',
    'emails[type eq "work"',
  ])('refuses %j', (text) => {
    expect(() => parsePath(text)).toThrow(ScimFilterError);
  });
});

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

interface UserRow {
  id: string;
  email: string;
  name: string;
  given_name: string | null;
  family_name: string | null;
  active: number;
  created_at: string;
  employee_number: string | null;
}
interface EmailRow {
  user_id: string;
  type: string;
  value: string;
  primary_flag: number;
}

type Seed = [string, string, string, string | null, string | null, number, string, string | null];
// id, email, name, given_name, family_name, active, created_at, employee_number
const SEED: Seed[] = [
  ['u1', 'Alice@Example.com', 'Alice Anders', 'Alice', 'Anders', 1, '2024-01-10T09:00:00.000Z', 'E-100a'],
  ['u2', 'bob@example.org', 'Bob Brown', 'Bob', 'Brown', 0, '2024-02-15T12:30:00.000Z', 'E-100A'],
  ['u3', 'carol@corp.example.com', 'Carol 50% Off', 'Carol', 'Clark', 1, '2024-03-01T00:00:00.000Z', 'E-200'],
  ['u4', 'dave_x@example.com', 'Dave 500 Club', 'Dave', 'Dunn', 1, '2023-12-31T23:59:59.000Z', null],
  ['u5', 'eve@example.com', 'Eve', null, null, 0, '2024-06-01T08:00:00.000Z', 'E-300'],
  ['u6', 'alex@example.com', 'Alex Abbot', 'Alex', 'Abbot', 1, '2024-01-10T09:00:00.001Z', 'E-400'],
  ['u7', "o'brien@example.com", "Pat O'Brien", 'Pat', "O'Brien", 1, '2024-04-01T10:00:00.000Z', ''],
  ['u8', 'henry@example.com', 'Path C:\\Users', 'Henry', 'Hill', 0, '2024-05-05T05:05:05.000Z', 'E-500'],
];
const USERS: UserRow[] = SEED.map(
  ([id, email, name, given_name, family_name, active, created_at, employee_number]) => ({
    id,
    email,
    name,
    given_name,
    family_name,
    active,
    created_at,
    employee_number,
  }),
);

const EMAILS: EmailRow[] = [
  { user_id: 'u1', type: 'work', value: 'alice@example.com', primary_flag: 1 },
  { user_id: 'u1', type: 'home', value: 'alice@home.net', primary_flag: 0 },
  { user_id: 'u2', type: 'work', value: 'bob@example.org', primary_flag: 1 },
  { user_id: 'u3', type: 'home', value: 'carol@example.com', primary_flag: 0 },
  { user_id: 'u3', type: 'work', value: 'carol@corp.test', primary_flag: 1 },
  { user_id: 'u5', type: 'work', value: 'EVE@EXAMPLE.COM', primary_flag: 1 },
  { user_id: 'u6', type: 'other', value: 'alex@example.com', primary_flag: 0 },
  { user_id: 'u7', type: 'work', value: 'pat@example.co.uk', primary_flag: 1 },
  { user_id: 'u8', type: 'work', value: 'henry@example.com', primary_flag: 0 },
];

const col = (column: string, type: 'string' | 'boolean' | 'dateTime' | 'integer' = 'string', more = {}) => ({
  kind: 'column' as const,
  column,
  type,
  ...more,
});

const MAP: ScimAttributeMap = {
  id: col('users.id', 'string', { caseExact: true }),
  username: col('users.email'),
  displayname: col('users.name'),
  'name.givenname': col('users.given_name'),
  'name.familyname': col('users.family_name'),
  active: col('users.active', 'boolean', { toSql: (v: unknown) => (v ? 1 : 0) }),
  'meta.created': col('users.created_at', 'dateTime'),
  employeenumber: col('users.employee_number', 'string', { caseExact: true }),
  emails: {
    kind: 'multi',
    table: 'user_emails',
    ownerColumn: 'user_id',
    ownerKey: 'users.id',
    defaultSub: 'value',
    sub: { type: col('type'), value: col('user_emails.value'), primary: col('primary_flag', 'boolean') },
  },
};

/** The same users as SCIM resources, for filterMatches. */
const RESOURCES = USERS.map((u) => {
  const r: Record<string, unknown> = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    id: u.id,
    userName: u.email,
    displayName: u.name,
    name: { givenName: u.given_name ?? undefined, familyName: u.family_name ?? undefined },
    active: u.active === 1,
    meta: { created: u.created_at },
  };
  if (u.employee_number !== null) r[ENTERPRISE] = { employeeNumber: u.employee_number };
  const emails = EMAILS.filter((e) => e.user_id === u.id).map((e) => ({
    type: e.type,
    value: e.value,
    primary: e.primary_flag === 1,
  }));
  if (emails.length > 0) r.emails = emails;
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
});

const ALL = USERS.map((u) => u.id);
const except = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

const CASES: [string, string[]][] = [
  ['userName eq "alice@example.com"', ['u1']],
  ['USERNAME EQ "ALICE@EXAMPLE.COM"', ['u1']],
  ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "Bob@Example.org"', ['u2']],
  ['employeeNumber eq "E-100a"', ['u1']],
  [`${ENTERPRISE}:employeeNumber eq "E-100A"`, ['u2']],
  ['employeeNumber eq "e-100a"', []],
  ['id eq "u3"', ['u3']],
  ['id eq "U3"', []],
  ['displayName co "50%"', ['u3']],
  ['displayName co "50"', ['u3', 'u4']],
  ['userName co "_x"', ['u4']],
  [String.raw`displayName co "C:\\"`, ['u8']],
  ['displayName co "\'"', ['u7']],
  ['userName sw "ALICE"', ['u1']],
  ['userName sw "a"', ['u1', 'u6']],
  ['userName ew "EXAMPLE.ORG"', ['u2']],
  ['employeeNumber sw "E-100"', ['u1', 'u2']],
  ['employeeNumber sw "e-100"', []],
  ['employeeNumber ew "0a"', ['u1']],
  ['employeeNumber co "100A"', ['u2']],
  ['employeeNumber co ""', except('u4')],
  ['userName gt "d"', ['u4', 'u5', 'u7', 'u8']],
  ['meta.created gt "2024-03-01T00:00:00Z"', ['u5', 'u7', 'u8']],
  ['meta.created ge "2024-03-01T00:00:00Z"', ['u3', 'u5', 'u7', 'u8']],
  ['meta.created lt "2024-01-10T10:00:00+01:00"', ['u4']],
  ['meta.created le "2024-01-10T10:00:00+01:00"', ['u1', 'u4']],
  ['meta.created eq "2024-01-10T09:00:00Z"', ['u1']],
  ['meta.created gt "2024-01-10"', except('u4')],
  ['active eq true', ['u1', 'u3', 'u4', 'u6', 'u7']],
  ['active eq false', ['u2', 'u5', 'u8']],
  ['active ne true', ['u2', 'u5', 'u8']],
  ['not (active eq true)', ['u2', 'u5', 'u8']],
  ['not (active eq true or userName sw "e")', ['u2', 'u8']],
  ['emails[type eq "work" and value co "@example.com"]', ['u1', 'u5', 'u8']],
  ['emails[TYPE eq "WORK" and primary eq true]', ['u1', 'u2', 'u3', 'u5', 'u7']],
  ['emails[not (type eq "work")]', ['u1', 'u3', 'u6']],
  ['emails pr', except('u4')],
  ['not (emails pr)', ['u4']],
  ['emails.value eq "carol@example.com"', ['u3']],
  ['emails co "home.net"', ['u1']],
  ['emails.type eq "other"', ['u6']],
  ['emails.value ne "alice@example.com"', except('u1')],
  ['emails.primary eq false', ['u1', 'u3', 'u6', 'u8']],
  ['name.familyName eq "o\'brien"', ['u7']],
  ['name.givenName pr', except('u5')],
  ['name[givenName eq "alice" or familyName eq "BROWN"]', ['u1', 'u2']],
  ['employeeNumber pr', except('u4', 'u7')],
  ['employeeNumber eq null', ['u4', 'u7']],
  ['employeeNumber ne null', except('u4', 'u7')],
  ['displayName ne "Eve"', except('u5')],
  ['active eq false or userName sw "alice" and emails pr', ['u1', 'u2', 'u5', 'u8']],
  ['(active eq false or userName sw "alice") and employeeNumber sw "E-1"', ['u1', 'u2']],
  ['userName eq "x\') or 1=1 --"', []],
  ['displayName eq "Eve\\" or \\"1\\"=\\"1"', []],
];

const ERRORS: [string, RegExp][] = [
  ['nickName eq "x"', /Unknown attribute "nickName"/],
  ['emails.foo eq "x"', /Unknown attribute "emails.foo"/],
  ['emails[foo eq "x"]', /Unknown attribute "emails.foo"/],
  ['name.middleName pr', /Unknown attribute "name.middleName"/],
  ['active eq "yes"', /"yes" does not match the type of "active" \(boolean\)/],
  ['active eq "true"', /does not match the type/],
  ['active gt true', /Operator "gt" cannot be used on boolean attribute "active"/],
  ['emails[primary lt false]', /cannot be used on boolean attribute "emails.primary"/],
  ['meta.created gt "yesterday"', /not a valid dateTime/],
  ['meta.created gt "2024-02-30T00:00:00Z"', /not a valid dateTime/],
  ['meta.created co "2024"', /needs a string attribute/],
  // A bare whole number is read as digits for eq/ne/co/sw/ew (upstream's examples), not for ordering.
  ['userName gt 5', /does not match the type of "userName" \(string\)/],
  ['userName eq 1.5', /does not match the type of "userName" \(string\)/],
  ['userName gt null', /cannot compare "userName" with null/],
  ['userName[value eq "x"]', /neither multi-valued nor complex/],
];

describe.each(DIALECTS)('compileFilter on %s', (dialect) => {
  let fresh: FreshDatabase;
  let db: Kysely<any>;

  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    db =
      dialect === 'sqlite'
        ? new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(fresh.url.slice('sqlite:'.length)) }) })
        : new Kysely<any>({
            dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url, max: 2 }) }),
          });
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('given_name', 'text')
      .addColumn('family_name', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('employee_number', 'text')
      .execute();
    await db.schema
      .createTable('user_emails')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('type', 'text')
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('primary_flag', 'integer', (c) => c.notNull())
      .execute();
    await db.insertInto('users').values(USERS).execute();
    await db.insertInto('user_emails').values(EMAILS).execute();
  });

  afterAll(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  const select = async (filter: string): Promise<string[]> => {
    const node = parseFilter(filter);
    const rows = await db
      .selectFrom('users')
      .select('users.id')
      .where((eb) => compileFilter(eb, node, MAP))
      .orderBy('users.id')
      .execute();
    return rows.map((r) => r.id as string);
  };

  it.each(CASES)('%s', async (filter, expected) => {
    expect(await select(filter)).toEqual(expected);
    // The in-memory evaluator agrees with the database.
    const node = parseFilter(filter);
    expect(RESOURCES.filter((r) => filterMatches(node, r, MAP)).map((r) => r.id)).toEqual(expected);
  });

  it('binds every value as a parameter', () => {
    const node = parseFilter(
      'userName eq "x\') or 1=1 --" or displayName co "50%" or emails[type eq "w\'k"] or meta.created gt "2024-01-01"',
    );
    const q = db
      .selectFrom('users')
      .select('id')
      .where((eb) => compileFilter(eb, node, MAP))
      .compile();
    expect(q.sql).not.toContain('1=1');
    expect(q.sql).not.toContain('50');
    expect(q.sql).not.toContain("w'k");
    expect(q.sql).not.toContain('2024');
    expect(q.parameters).toEqual(["x') or 1=1 --", '%50\\%%', "w'k", '2024-01-01T00:00:00.000Z']);
  });

  it.each(ERRORS)('refuses %s with invalidFilter, in SQL and in memory', (filter, detail) => {
    const node = parseFilter(filter);
    let sqlError: unknown;
    try {
      db.selectFrom('users')
        .select('id')
        .where((eb) => compileFilter(eb, node, MAP))
        .compile();
    } catch (e) {
      sqlError = e;
    }
    expect(sqlError).toBeInstanceOf(ScimFilterError);
    expect((sqlError as ScimFilterError).scimType).toBe('invalidFilter');
    expect((sqlError as ScimFilterError).detail).toMatch(detail);
    expect(() => filterMatches(node, RESOURCES[0], MAP)).toThrow(detail);
  });
});

describe('filterMatches without a map', () => {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    id: '2819c223',
    userName: 'bjensen@example.com',
    name: { familyName: 'Jensen', givenName: 'Barbara' },
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    meta: { lastModified: '2011-05-13T04:42:34Z' },
    [ENTERPRISE]: { employeeNumber: '701984', manager: { value: '26118915' } },
    x: 5,
  };
  const matches = (f: string) => filterMatches(parseFilter(f), user);

  it('follows the same semantics as the compiler', () => {
    expect(matches('userName eq "BJENSEN@example.com"')).toBe(true);
    expect(matches('Name.FamilyName sw "jen"')).toBe(true);
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and primary eq true]')).toBe(false);
    expect(matches('emails co "jensen.org"')).toBe(true);
    expect(matches('emails.type eq "home"')).toBe(true);
    expect(matches('emails.type ne "home"')).toBe(false);
    expect(matches('nickName ne "x"')).toBe(true);
    expect(matches('nickName pr')).toBe(false);
    expect(matches('nickName eq null')).toBe(true);
    expect(matches('active eq true and not (active eq false)')).toBe(true);
    expect(matches('meta.lastModified gt "2011-05-13T04:42:33.999Z"')).toBe(true);
    expect(matches('meta.lastModified eq "2011-05-13T06:42:34+02:00"')).toBe(true);
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`)).toBe(true);
    expect(matches('employeeNumber eq "701984"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:employeeNumber eq "701984"')).toBe(false);
    expect(matches(`${ENTERPRISE}:manager.value eq "26118915"`)).toBe(true);
    expect(matches(`${ENTERPRISE}:manager[value eq "26118915"]`)).toBe(true);
    expect(matches('x gt 4.5 and x le 5')).toBe(true);
    expect(matches('x eq "5"')).toBe(false);
    expect(matches('schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"')).toBe(true);
  });

  it('refuses what the compiler refuses regardless of the data', () => {
    expect(() => matches('active gt true')).toThrow(ScimFilterError);
    expect(() => matches('nickName co 5')).toThrow(ScimFilterError);
    expect(() => matches('nickName lt null')).toThrow(ScimFilterError);
  });

  it('uses a resolver for types when one is given', () => {
    const node: FilterNode = parseFilter('id eq "2819C223"');
    expect(filterMatches(node, user)).toBe(true);
    expect(filterMatches(node, user, (p) => (p === 'id' ? { type: 'string', caseExact: true } : undefined))).toBe(
      false,
    );
  });
});
