/**
 * A subject's grants are read by (org_id, subject_id) on every token's principal, a user's roles
 * and a page of OAuth clients. SQLite chose the organization's (org_id, division_id) index for
 * those lookups whenever its statistics predated the grants (they are gathered at start-up and
 * hourly), and then read every grant of the organization per lookup: 2.9 ms at 20,000 grants.
 * Migration 0036 gives the lookup an index on both columns, which SQLite takes whatever its
 * statistics say (@see issue 22; docs/benchmarks.md). SQLite only: PostgreSQL keeps its own
 * statistics current (autovacuum).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';

describe('role grants of a large organization, with statistics older than its grants (SQLite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Statistics are gathered as the store opens, while the organization holds the demo's grants.
    t = await startApp('sqlite');
    const db = t.gh.storage.db;
    const role = await db.selectFrom('roles').select('id').where('org_id', '=', t.demo.orgId).executeTakeFirstOrThrow();
    const division = await db
      .selectFrom('divisions')
      .select('id')
      .where('org_id', '=', t.demo.orgId)
      .executeTakeFirstOrThrow();
    // Then the organization grows: 5,000 people with a grant each.
    const rows = Array.from({ length: 5_000 }, (_, i) => ({
      org_id: t.demo.orgId,
      subject_type: 'user',
      subject_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      role_id: role.id,
      division_id: division.id,
    }));
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto('role_grants')
        .values(rows.slice(i, i + 500))
        .execute();
  });
  afterAll(() => t?.close());

  const planOf = async (query: string) =>
    (await sql.raw<{ detail: string }>(`explain query plan ${query}`).execute(t.gh.storage.db)).rows
      .map((r) => r.detail)
      .join('\n');

  it("looks up one subject's grants by the organization and the subject together", async () => {
    const plan = await planOf(
      `select roles.id from role_grants inner join roles on roles.id = role_grants.role_id
       where role_grants.org_id = '${t.demo.orgId}' and role_grants.subject_id = '${t.demo.clientId}'`,
    );
    expect(plan).toMatch(/SEARCH role_grants USING (COVERING )?INDEX \w+ \(org_id=\? AND subject_id=\?\)/);
  });

  it('joins a page of clients to their grants by the organization and the subject together', async () => {
    const plan = await planOf(
      `select c.id, g.role_id from (select * from oauth_clients where org_id = '${t.demo.orgId}' order by name limit 25) c
       left join role_grants g on g.org_id = c.org_id and g.subject_id = c.id`,
    );
    expect(plan).toMatch(/SEARCH g USING (COVERING )?INDEX \w+ \(org_id=\? AND subject_id=\?\)/);
  });

  it('answers the demo client its token and its roles as before', async () => {
    const token = await t.token();
    const me = await t.api(`/api/v2/oauth/clients/${t.demo.clientId}`, { token });
    expect(me.status).toBe(200);
    expect(me.body.roleDivisions.length).toBeGreaterThan(0);
  });
});
