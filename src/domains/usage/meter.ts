/**
 * The usage meter: counts every metered request in memory by (organization, UTC hour, client,
 * user, method, URL template) and adds the counts to api_usage_hourly at least every second and
 * on graceful shutdown, and their daily sums to the daily rollups in the same transaction. A hard crash loses at most the last second of counts (docs/usage.md).
 * A failed flush keeps its counts for the next one, so nothing is counted twice. While the store
 * is down the counts are held in memory, up to `maxPendingKeys` distinct keys: requests beyond
 * that are dropped, and the number dropped is reported through `onError` once per flush.
 */
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { MeteredRequest, Meter } from '../../platform/meter.ts';
import type { Db } from '../../storage/db.ts';
import type { ApiUsageDailyRow, ApiUsageHourlyRow } from '../../storage/schema.ts';

interface Counts {
  row: Omit<ApiUsageHourlyRow, 'requests' | 'status200' | 'status300' | 'status400' | 'status429' | 'status500'>;
  requests: number;
  status200: number;
  status300: number;
  status400: number;
  status429: number;
  status500: number;
}

const HOUR_MS = 3_600_000;
const hourOf = (d: Date) => `${d.toISOString().slice(0, 13)}:00:00.000Z`;

/**
 * The counts waiting for the next flush, as a tree keyed by hour, organization, client, user,
 * method and URL template. Every level's key is a string the request already holds (the hour's is
 * made once an hour), so counting a request builds no key string and hashes nothing new: about
 * 0.2 µs against 1.3 µs for one six-part string key (docs/benchmarks.md, usage).
 */
type Level = Map<string, Level | Counts>;
const LEVELS = ['hour', 'org_id', 'client_id', 'user_id', 'method'] as const;

class PendingCounts {
  private root: Level = new Map();
  size = 0;

  /** The counts for this row's key, new (zero, with a copy of the row) if it has none; undefined when `limit` keys are held. */
  leaf(row: Counts['row'], limit: number): Counts | undefined {
    let level = this.root;
    for (const k of LEVELS) {
      let next = level.get(row[k]) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(row[k], next);
      }
      level = next;
    }
    let c = level.get(row.template) as Counts | undefined;
    if (c === undefined) {
      if (this.size >= limit) return undefined;
      c = { row: { ...row }, requests: 0, status200: 0, status300: 0, status400: 0, status429: 0, status500: 0 };
      level.set(row.template, c);
      this.size++;
    }
    return c;
  }

  *[Symbol.iterator](): Generator<Counts> {
    const walk = function* (level: Level, depth: number): Generator<Counts> {
      for (const v of level.values()) {
        if (depth === LEVELS.length) yield v as Counts;
        else yield* walk(v as Level, depth + 1);
      }
    };
    yield* walk(this.root, 0);
  }
}

type CountKey = (typeof COUNT_KEYS)[number];
type Summed = Record<string, string | number> & Record<CountKey, number>;

/** Sums rows by the given columns (client_name: the last seen), for the daily rollups. */
function sumBy(rows: Record<string, string | number>[], columns: readonly string[], withName: boolean): Summed[] {
  const out = new Map<string, Summed>();
  for (const r of rows) {
    const key = columns.map((c) => r[c]).join('\u0000');
    let d = out.get(key);
    if (!d) {
      d = Object.fromEntries(columns.map((c) => [c, r[c]!])) as Summed;
      for (const k of COUNT_KEYS) d[k] = 0;
      out.set(key, d);
    }
    if (withName) d.client_name = r.client_name!;
    for (const k of COUNT_KEYS) d[k] += Number(r[k]);
  }
  return [...out.values()];
}

/** The daily rollups the meter keeps beside api_usage_hourly, each with its key (0011_usage_daily). */
const ROLLUPS = [
  { table: 'api_usage_daily', keys: ['org_id', 'day', 'client_id', 'user_id', 'method', 'template'], withName: true },
  { table: 'api_usage_daily_clients', keys: ['org_id', 'day', 'client_id'], withName: true },
  { table: 'api_usage_daily_templates', keys: ['org_id', 'day', 'method', 'template'], withName: false },
] as const;
const COUNT_KEYS = ['requests', 'status200', 'status300', 'status400', 'status429', 'status500'] as const;
const FLUSH_CHUNK = 200;
/** How many distinct keys the meter holds before it drops counts (a store outage; docs/usage.md). */
export const MAX_PENDING_KEYS = 100_000;

/** Reported through onError when counts were dropped because too many were held (docs/usage.md). */
export class UsageCountsDropped extends Error {
  constructor(
    readonly requests: number,
    readonly maxPendingKeys: number,
  ) {
    super(
      `usage counts dropped: ${requests} request(s) not counted, ${maxPendingKeys} keys already waiting for the store`,
    );
    this.name = 'UsageCountsDropped';
  }
}

export function createUsageMeter(deps: {
  db: Db;
  clock: Clock;
  flushMs?: number;
  /** The bound on distinct keys held in memory (default MAX_PENDING_KEYS). */
  maxPendingKeys?: number;
  onError: (err: unknown) => void;
}): Meter {
  const { db, onError } = deps;
  const maxPendingKeys = deps.maxPendingKeys ?? MAX_PENDING_KEYS;
  let pending = new PendingCounts();
  /** The hour of the last request counted, and its string, made once an hour. */
  let lastHour = -1;
  let lastHourString = '';
  let flushing: Promise<void> = Promise.resolve();
  /** Requests dropped since the last report. */
  let dropped = 0;

  function add(into: PendingCounts, c: Counts) {
    const existing = into.leaf(c.row, maxPendingKeys);
    if (!existing) {
      dropped += c.requests;
      return;
    }
    existing.requests += c.requests;
    existing.status200 += c.status200;
    existing.status300 += c.status300;
    existing.status400 += c.status400;
    existing.status429 += c.status429;
    existing.status500 += c.status500;
  }

  async function write(batch: PendingCounts) {
    const rows = [...batch].map((c) => ({
      ...c.row,
      requests: c.requests,
      status200: c.status200,
      status300: c.status300,
      status400: c.status400,
      status429: c.status429,
      status500: c.status500,
    }));
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += FLUSH_CHUNK) {
        await trx
          .insertInto('api_usage_hourly')
          .values(rows.slice(i, i + FLUSH_CHUNK))
          .onConflict((oc) =>
            oc.columns(['org_id', 'hour', 'client_id', 'user_id', 'method', 'template']).doUpdateSet((eb) => ({
              client_name: eb.ref('excluded.client_name'),
              requests: eb('api_usage_hourly.requests', '+', eb.ref('excluded.requests')),
              status200: eb('api_usage_hourly.status200', '+', eb.ref('excluded.status200')),
              status300: eb('api_usage_hourly.status300', '+', eb.ref('excluded.status300')),
              status400: eb('api_usage_hourly.status400', '+', eb.ref('excluded.status400')),
              status429: eb('api_usage_hourly.status429', '+', eb.ref('excluded.status429')),
              status500: eb('api_usage_hourly.status500', '+', eb.ref('excluded.status500')),
            })),
          )
          .execute();
      }
      // The daily rollups, in the same transaction: every table holds a flush's counts or none does.
      const byDay = rows.map(({ hour, ...r }) => ({ ...r, day: hour.slice(0, 10) }));
      for (const { table, keys, withName } of ROLLUPS) {
        const sums = sumBy(byDay, keys, withName);
        for (let i = 0; i < sums.length; i += FLUSH_CHUNK) {
          await trx
            .insertInto(table as 'api_usage_daily')
            .values(sums.slice(i, i + FLUSH_CHUNK) as unknown as ApiUsageDailyRow[])
            .onConflict((oc) =>
              oc.columns(keys as unknown as ['org_id']).doUpdateSet({
                ...(withName ? { client_name: sql<string>`excluded.client_name` } : {}),
                ...Object.fromEntries(
                  COUNT_KEYS.map((k) => [k, sql<number>`${sql.ref(`${table}.${k}`)} + excluded.${sql.raw(k)}`]),
                ),
              }),
            )
            .execute();
        }
      }
    });
  }

  // When the oldest count not yet written was recorded (usage flush lag); null when none waits.
  let waitingSince: number | null = null;

  function flush(): Promise<void> {
    flushing = flushing.then(async () => {
      if (dropped > 0) {
        onError(new UsageCountsDropped(dropped, maxPendingKeys));
        dropped = 0;
      }
      if (pending.size === 0) return;
      const batch = pending;
      pending = new PendingCounts();
      const startedAt = Date.now();
      try {
        await write(batch);
        waitingSince = pending.size > 0 ? startedAt : null;
      } catch (err) {
        // Keep the counts for the next flush (the transaction wrote none of them), the older
        // first, within the bound.
        const since = pending;
        pending = new PendingCounts();
        for (const c of batch) add(pending, c);
        for (const c of since) add(pending, c);
        onError(err);
      }
    });
    return flushing;
  }

  /** The key of the request being counted, reused: copied only when it starts a new row. */
  const probe: Counts['row'] = {
    org_id: '',
    hour: '',
    client_id: '',
    user_id: '',
    method: '',
    template: '',
    client_name: '',
  };

  const timer = setInterval(() => void flush(), deps.flushMs ?? 1000);
  timer.unref();

  return {
    flushLagSeconds: () => (waitingSince === null ? 0 : (Date.now() - waitingSince) / 1000),
    record(r: MeteredRequest) {
      waitingSince ??= Date.now();
      const hourNumber = Math.floor(r.at.getTime() / HOUR_MS);
      if (hourNumber !== lastHour) {
        lastHour = hourNumber;
        lastHourString = hourOf(r.at);
      }
      const s = r.status;
      probe.hour = lastHourString;
      probe.org_id = r.orgId;
      probe.client_id = r.clientId;
      probe.user_id = r.userId ?? '';
      probe.method = r.method;
      probe.template = r.urlTemplate;
      probe.client_name = r.clientName;
      const c = pending.leaf(probe, maxPendingKeys);
      if (!c) {
        dropped++;
        return;
      }
      c.requests++;
      if (s >= 500) c.status500++;
      else if (s >= 400) {
        c.status400++;
        if (s === 429) c.status429++;
      } else if (s >= 300) c.status300++;
      else c.status200++;
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
