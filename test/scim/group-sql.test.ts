/**
 * The SQL a group membership PATCH issues, on every dialect (SQLite serializes transactions, so
 * only the statements themselves show that membership changes are row-level): the group row is
 * updated first (the lock and the If-Match check), an add never deletes member rows, and a
 * removal deletes only the listed members. @see issue #7 (review finding 3)
 */
import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryService } from '../../src/domains/directory/index.ts';
import { createScimService, type ScimService } from '../../src/domains/scim/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Caller } from '../../src/platform/principal.ts';
import { dialectFor } from '../../src/storage/dialect.ts';
import type { Database } from '../../src/storage/schema.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { PATCH_OP, type ScimApp, startScimApp } from './helpers.ts';

describe.each(DIALECTS)('SCIM group PATCH statements on %s', (dialect) => {
  let s: ScimApp;
  let logged: Kysely<Database>;
  let scim: ScimService;
  let caller: Caller;
  const statements: string[] = [];
  let users: string[];
  beforeAll(async () => {
    s = await startScimApp(dialect);
    users = await s.provision(4, 'group-sql.example');
    // The same database through a second, logging connection and the SCIM service over it.
    logged = new Kysely<Database>({
      dialect: dialectFor(s.t.gh.config.databaseUrl).kysely,
      log: (e) => void statements.push(e.query.sql),
    });
    scim = createScimService({
      db: logged,
      clock: systemClock,
      phoneRegion: 'US',
      directory: createDirectoryService({ db: logged, clock: systemClock }),
    });
    caller = { principal: (await s.t.gh.oauth.tokens.resolve(s.token))!, remoteIp: '127.0.0.1' };
  });
  afterAll(async () => {
    await logged?.destroy();
    await s?.t.close();
  });

  const run = async (groupId: string, Operations: unknown[]) => {
    statements.length = 0;
    await scim.groups.patch(caller, groupId, { schemas: [PATCH_OP], Operations }, undefined, s.t.url, true);
    return statements.map((q) => q.replace(/\s+/g, ' ').toLowerCase());
  };

  it('an add locks the group first and never deletes member rows', async () => {
    const id = await s.group('SQL add');
    const sql = await run(id, [{ op: 'add', path: 'members', value: users.slice(0, 3).map((value) => ({ value })) }]);
    const firstWrite = sql.findIndex((q) => /^(insert|update|delete)/.test(q));
    expect(sql[firstWrite]).toMatch(/^update "groups" set "version" = "version" \+ /);
    expect(sql.filter((q) => q.includes('group_members') && q.startsWith('delete'))).toEqual([]);
    // One statement for all the members added (their ids one parameter).
    expect(sql.filter((q) => /^insert into "?group_members"? /.test(q))).toHaveLength(1);
  });

  it('a removal deletes only the listed members, by id', async () => {
    const id = await s.group('SQL remove');
    await run(id, [{ op: 'add', path: 'members', value: users.map((value) => ({ value })) }]);
    const sql = await run(id, [{ op: 'remove', path: `members[value eq "${users[1]}"]` }]);
    const deletes = sql.filter((q) => /^delete from "?group_members"? /.test(q));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatch(/"?user_id"? in \(/);
    expect(sql.filter((q) => /^insert into "?group_members"? /.test(q))).toEqual([]);
    const members = (await s.scim('GET', `/Groups/${id}`)).body.members.map((m: { value: string }) => m.value).sort();
    expect(members).toEqual(users.filter((u) => u !== users[1]).sort());
  });
});
