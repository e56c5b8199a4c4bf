/**
 * A flush that fails (the store refuses the write) keeps its counts for the next one: after the
 * store recovers, the report holds every request exactly once (@see issue 6, "exact"). While the
 * store is down the meter holds a bounded number of keys, drops the rest and says how many.
 */
import { describe, expect, it } from 'vitest';
import { createUsageMeter } from '../../src/domains/usage/index.ts';
import { UsageCountsDropped } from '../../src/domains/usage/meter.ts';
import { createStorage } from '../../src/storage/db.ts';
import { migrateToLatest } from '../../src/storage/migrations/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';

const AT = new Date('2026-11-20T10:15:00Z');
const request = (status: number, urlTemplate = '/api/v2/users/{userId}') => ({
  orgId: 'org-1',
  clientId: 'client-1',
  clientName: 'Loader',
  userId: null,
  method: 'GET',
  urlTemplate,
  status,
  at: AT,
});

/** The store as the meter sees it: while `down()` is true, every write transaction fails to connect. */
function flakyDb<T extends object>(db: T, down: () => boolean): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction' && down())
        return () => ({ execute: async () => Promise.reject(new Error('connection refused')) });
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each(DIALECTS)('usage meter on %s', (dialect) => {
  it('keeps the counts of a failed flush and writes them once on the next', async () => {
    const fresh = await freshDatabase(dialect);
    const storage = createStorage(fresh.url);
    const errors: unknown[] = [];
    let down = false;
    const flaky = flakyDb(storage.db, () => down);
    const meter = createUsageMeter({
      db: flaky,
      clock: { now: () => AT },
      flushMs: 3_600_000,
      onError: (e) => errors.push(e),
    });
    try {
      await migrateToLatest(storage);
      for (let i = 0; i < 7; i++) meter.record(request(200));
      meter.record(request(404));
      await meter.flush();
      expect(errors).toEqual([]);

      // The store refuses writes for a while.
      down = true;
      for (let i = 0; i < 5; i++) meter.record(request(200));
      meter.record(request(429));
      await meter.flush();
      expect(errors).toHaveLength(1);
      meter.record(request(500));
      await meter.flush();
      expect(errors).toHaveLength(2);

      down = false;
      await meter.flush();
      await meter.flush();
      expect(errors).toHaveLength(2);
      const rows = await storage.db.selectFrom('api_usage_hourly').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        client_id: 'client-1',
        template: '/api/v2/users/{userId}',
        hour: '2026-11-20T10:00:00.000Z',
      });
      const n = (v: unknown) => Number(v);
      expect(
        [rows[0]!.requests, rows[0]!.status200, rows[0]!.status400, rows[0]!.status429, rows[0]!.status500].map(n),
      ).toEqual([15, 12, 2, 1, 1]);
      // The daily rollups were written in the same transactions: exactly once as well.
      for (const table of ['api_usage_daily', 'api_usage_daily_clients', 'api_usage_daily_templates'] as const) {
        const days = await storage.db.selectFrom(table).selectAll().execute();
        expect(days, table).toHaveLength(1);
        expect(days[0]!.day).toBe('2026-11-20');
        expect(
          [days[0]!.requests, days[0]!.status200, days[0]!.status400, days[0]!.status429, days[0]!.status500].map(n),
          table,
        ).toEqual([15, 12, 2, 1, 1]);
      }
    } finally {
      await meter.close?.();
      await storage.close();
      await fresh.drop();
    }
  });

  it('holds at most maxPendingKeys keys while the store is down, drops the rest and reports the drops once per flush', async () => {
    const fresh = await freshDatabase(dialect);
    const storage = createStorage(fresh.url);
    const errors: unknown[] = [];
    let down = true;
    const meter = createUsageMeter({
      db: flakyDb(storage.db, () => down),
      clock: { now: () => AT },
      flushMs: 3_600_000,
      maxPendingKeys: 3,
      onError: (e) => errors.push(e),
    });
    const url = (i: number) => `/api/v2/things/${i}`;
    const drops = () =>
      errors.filter((e): e is UsageCountsDropped => e instanceof UsageCountsDropped).map((e) => e.requests);
    try {
      await migrateToLatest(storage);
      // Five URL templates, two requests each: the first three keys are held, the last two dropped.
      for (let i = 0; i < 5; i++) for (let j = 0; j < 2; j++) meter.record(request(200, url(i)));
      await meter.flush(); // the store is down: one error for the write, one report of 4 dropped
      expect(drops()).toEqual([4]);
      expect(errors.filter((e) => !(e instanceof UsageCountsDropped)).map((e) => (e as Error).message)).toEqual([
        'connection refused',
      ]);
      // Held keys still count; new keys are still dropped, and the drops are reported at the next flush only.
      meter.record(request(404, url(0)));
      meter.record(request(200, url(3)));
      meter.record(request(200, url(4)));
      meter.record(request(200, url(4)));
      expect(drops()).toEqual([4]);
      await meter.flush();
      expect(drops()).toEqual([4, 3]);
      await meter.flush();
      expect(drops()).toEqual([4, 3]); // nothing new dropped: nothing reported

      down = false;
      await meter.flush();
      const rows = await storage.db
        .selectFrom('api_usage_hourly')
        .select(['template', 'requests', 'status200', 'status400'])
        .orderBy('template')
        .execute();
      expect(rows.map((r) => [r.template, Number(r.requests), Number(r.status200), Number(r.status400)])).toEqual([
        [url(0), 3, 2, 1],
        [url(1), 2, 2, 0],
        [url(2), 2, 2, 0],
      ]);
      // With the store back, new keys are held again.
      meter.record(request(200, url(4)));
      await meter.flush();
      expect(await storage.db.selectFrom('api_usage_hourly').select('template').execute()).toHaveLength(4);
      expect(drops()).toEqual([4, 3]);
    } finally {
      await meter.close?.();
      await storage.close();
      await fresh.drop();
    }
  });
});
