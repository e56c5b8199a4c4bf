/** The lease on a data-subject request, on every dialect: one run holds it, a run that lost it writes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGdprStore } from '../../src/domains/gdpr/store.ts';
import { createStorage, type Storage } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

describe.each(DIALECTS)('GDPR request lease on %s', (dialect) => {
  let fresh: FreshDatabase;
  let storage: Storage;
  const store = createGdprStore();
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 23, 12, minutes)).toISOString();
  beforeAll(async () => {
    fresh = await freshDatabase(dialect);
    storage = createStorage(fresh.url);
    await migrateToLatest(storage);
    const orgId = '00000000-0000-4000-8000-000000000001';
    await storage.db
      .insertInto('organizations')
      .values({
        id: orgId,
        name: 'Lease',
        domain: 'lease.example',
        state: 'active',
        default_language: 'en-us',
        version: 1,
        created_at: at(0),
        modified_at: at(0),
      })
      .execute();
    await store.insert(storage.db, {
      id: '00000000-0000-4000-8000-0000000000aa',
      org_id: orgId,
      name: null,
      request_type: 'GDPR_EXPORT',
      status: 'INITIATED',
      subject: '{"name":"A"}',
      replacement_terms: null,
      created_by_user: null,
      created_by_client: 'c',
      remote_ip: null,
      resolved_user_ids: null,
      claimed_until: null,
      claim_token: null,
      results: null,
      error: null,
      created_at: at(0),
      modified_at: at(0),
      completed_at: null,
    });
  });
  afterAll(async () => {
    await storage?.close();
    await fresh?.drop();
  });

  it('lets one run hold a request; another takes it over only once the lease has run out; the first then writes nothing', async () => {
    const id = '00000000-0000-4000-8000-0000000000aa';
    expect(await store.claim(storage.db, id, 'run-a', at(0), at(10))).toBe(true);
    expect(await store.claim(storage.db, id, 'run-b', at(5), at(15))).toBe(false);
    expect((await store.unfinished(storage.db, at(5))).map((r) => r.id)).toEqual([]);
    expect(await store.updateHeld(storage.db, id, 'run-a', { status: 'SEARCHING' })).toBe(true);
    // Run A stalls past its lease: the request is abandoned, and run B takes it.
    expect((await store.unfinished(storage.db, at(11))).map((r) => r.id)).toEqual([id]);
    expect(await store.claim(storage.db, id, 'run-b', at(11), at(21))).toBe(true);
    expect(await store.updateHeld(storage.db, id, 'run-a', { status: 'ERROR', error: 'A failed' })).toBe(false);
    expect(await store.updateHeld(storage.db, id, 'run-b', { status: 'COMPLETED', results: '{}' })).toBe(true);
    // Finished: nobody writes to it or claims it again.
    expect(await store.updateHeld(storage.db, id, 'run-b', { status: 'SEARCHING' })).toBe(false);
    expect(await store.claim(storage.db, id, 'run-c', at(30), at(40))).toBe(false);
    const row = await store.find(storage.db, '00000000-0000-4000-8000-000000000001', id);
    expect(row).toMatchObject({ status: 'COMPLETED', error: null, claim_token: 'run-b' });
  });
});
