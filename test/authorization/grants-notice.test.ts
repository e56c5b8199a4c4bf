/**
 * The grants-changed notice (the invalidation bus's organization topic, @see issue 15) is sent
 * once the change has committed: a process that re-reads the grants when told must see the new
 * ones, or it would cache the old permissions again. On PostgreSQL a reader on another connection
 * sees only committed rows, so a notice sent inside the transaction shows here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('grants-changed notice on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  /** For each notice: whether the target's grants, read from another connection when told, hold the new division. */
  const seen: Promise<boolean>[] = [];
  let watch: { subjectId: string; divisionId: string } | undefined;

  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    t.gh.directory.hooks.onGrantsChanged(() => {
      const w = watch;
      if (!w) return;
      seen.push(
        t.gh.storage.db
          .selectFrom('role_grants')
          .select('division_id')
          .where('subject_id', '=', w.subjectId)
          .execute()
          .then((rows) => rows.some((r) => r.division_id === w.divisionId)),
      );
    });
  });
  afterAll(() => t?.close());

  const post = (path: string, body: unknown) => t.api(path, { method: 'POST', token: admin, body });

  it('is sent after the commit: a reader told of the change reads the new grants', async () => {
    const role = (await post('/api/v2/authorization/roles', { name: 'Noticed', permissions: ['directory:user:view'] }))
      .body.id;
    const division = (await post('/api/v2/authorization/divisions', { name: 'Noticed land' })).body.id;
    const client = await t.clientWithRole('Noticed client');
    watch = { subjectId: client.id, divisionId: division };
    const res = await post(`/api/v2/authorization/subjects/${client.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`, {
      grants: [{ roleId: role, divisionId: division }],
    });
    expect(res.status, res.text).toBe(204);
    watch = undefined;
    expect(seen.length).toBeGreaterThan(0);
    expect(await Promise.all(seen)).not.toContain(false);
  });

  it('is not sent for a refused change', async () => {
    const role = (await post('/api/v2/authorization/roles', { name: 'Refused', permissions: ['directory:user:view'] }))
      .body.id;
    const client = await t.clientWithRole('Refused client');
    seen.length = 0;
    watch = { subjectId: client.id, divisionId: 'none' };
    // A division that does not exist: refused before anything is written, nothing to announce.
    const res = await post(`/api/v2/authorization/subjects/${client.id}/bulkadd?subjectType=PC_OAUTH_CLIENT`, {
      grants: [{ roleId: role, divisionId: '00000000-0000-4000-8000-000000000000' }],
    });
    watch = undefined;
    expect(res.status).toBe(400);
    expect(seen).toEqual([]);
  });
});
