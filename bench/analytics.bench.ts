/**
 * Analytics benchmark (issue 18): 1,000,000 simulated conversations over 90 days in one
 * organization on SQLite (the embedded default). Measured in one run:
 * - the simulator's generation rate, and the seeding rate of its rows;
 * - POST …/conversations/details/query through the analytics service: a random day, page of
 *   100, with totalHits; unfiltered, by queue and by agent; p50/p95;
 * - POST …/queues/observations/query over every queue with a few hundred live interactions.
 * `GATEHOUSE_BENCH_ANALYTICS_CONVERSATIONS` sets the size (default 1,000,000) and
 * `GATEHOUSE_BENCH_ANALYTICS_DAYS` the span (default 90).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Conversation } from '../src/domains/conversations/index.ts';
import { fmt, importSource } from './lib.ts';

export const name = 'analytics';

const DAY = 86_400_000;
/** `GATEHOUSE_BENCH_ANALYTICS_DAYS` shortens the span at the same daily volume (a loaded machine). */
const DAYS = Number(process.env.GATEHOUSE_BENCH_ANALYTICS_DAYS ?? 90);
/** The simulator's hourly intensities add up to this many peak hours a day. */
const PEAK_HOURS_PER_DAY = 10.41;
/** Rows a bulk INSERT statement carries (16 columns × 64 stays far below SQLite's 32,766 variables). */
const BULK_ROWS = 64;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

export async function run(): Promise<string[]> {
  const total = Number(process.env.GATEHOUSE_BENCH_ANALYTICS_CONVERSATIONS ?? 1_000_000);
  const { createStorage } = (await importSource('storage/db')) as typeof import('../src/storage/db.ts');
  const { migrateToLatest } = (await importSource(
    'storage/migrations/index',
  )) as typeof import('../src/storage/migrations/index.ts');
  const conv = (await importSource(
    'domains/conversations/index',
  )) as typeof import('../src/domains/conversations/index.ts');
  const { rowFromConversation } = (await importSource(
    'domains/conversations/rows',
  )) as typeof import('../src/domains/conversations/rows.ts');
  const { participantRows } = (await importSource(
    'domains/conversations/analytics-view',
  )) as typeof import('../src/domains/conversations/analytics-view.ts');
  const { createRoutingService } = (await importSource(
    'domains/routing/index',
  )) as typeof import('../src/domains/routing/index.ts');
  const { createAnalyticsService } = (await importSource(
    'domains/analytics/index',
  )) as typeof import('../src/domains/analytics/index.ts');
  const { createJobRunner } = (await importSource('platform/jobs')) as typeof import('../src/platform/jobs.ts');

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-analytics-bench-'));
  const file = join(dir, 'analytics.db');
  const storage = createStorage(`sqlite:${file}`);
  const end = new Date(Date.UTC(2026, 10, 20, 12));
  const clock = { now: () => end };
  try {
    await migrateToLatest(storage);
    const orgId = randomUUID();
    const divisionId = randomUUID();
    const queues = ['Support', 'Sales', 'Billing', 'Web Chat', 'Retention', 'Technical'].map((n) => ({
      id: randomUUID(),
      name: n,
      media: ['call', 'call', 'chat', 'email'] as ('call' | 'chat' | 'email')[],
    }));
    const agents = Array.from({ length: 60 }, (_, i) => ({
      id: randomUUID(),
      name: `Agent ${i}`,
      queueIds: [queues[i % queues.length]!.id, queues[(i + 1) % queues.length]!.id],
    }));
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    raw.pragma('cache_size = -1048576');
    raw.pragma('temp_store = MEMORY');
    raw
      .prepare(
        `INSERT INTO organizations (id, name, domain, state, default_language, version, created_at, modified_at)
         VALUES (?, 'Bench', 'bench.example', 'active', 'en-us', 1, ?, ?)`,
      )
      .run(orgId, end.toISOString(), end.toISOString());
    const now = end.toISOString();
    const insertQueue = raw.prepare(
      `INSERT INTO routing_queues (id, org_id, division_id, name, name_key, description, acw_wrapup_prompt, acw_timeout_ms, media_settings, created_by, modified_by, created_at, modified_at) VALUES (?, ?, ?, ?, ?, NULL, 'MANDATORY_TIMEOUT', 300000, '{}', NULL, NULL, ?, ?)`,
    );
    const insertMember = raw.prepare(
      `INSERT INTO routing_queue_members (org_id, queue_id, user_id, joined, created_at) VALUES (?, ?, ?, 1, ?)`,
    );
    for (const q of queues) insertQueue.run(q.id, orgId, divisionId, q.name, q.name.toLowerCase(), now, now);
    for (const a of agents) for (const q of a.queueIds) insertMember.run(orgId, q, a.id, now);

    const CONV_COLS = [
      'id',
      'org_id',
      'division_id',
      'media_type',
      'state',
      'queue_name',
      'participants',
      'start_time',
      'end_time',
      'stuck_reason',
      'notes',
      'version',
      'created_at',
      'modified_at',
      'queue_id',
      'originating_direction',
    ] as const;
    const PART_COLS = [
      'org_id',
      'conversation_id',
      'participant_id',
      'conversation_start',
      'purpose',
      'user_id',
      'queue_id',
      'external_contact_id',
      'media_type',
      'direction',
      'wrapup_code',
      'disconnect_type',
    ] as const;
    // Bulk load: rows go in many to a statement, a day to a transaction, with the secondary
    // indexes dropped and made again (from their own definitions) once every row is in.
    const indexes = raw
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('conversations', 'conversation_participants')`,
      )
      .all() as { name: string; sql: string }[];
    for (const i of indexes) raw.exec(`DROP INDEX ${i.name}`);
    const bulk = (table: string, cols: readonly string[], before?: () => void) => {
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      const statement = (n: number) =>
        raw.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`);
      const full = statement(BULK_ROWS);
      let pending: unknown[] = [];
      let count = 0;
      return {
        add(row: Record<string, unknown>) {
          for (const k of cols) pending.push(row[k]);
          if (++count === BULK_ROWS) this.flush();
        },
        flush() {
          before?.();
          if (count === BULK_ROWS) full.run(pending);
          else if (count) statement(count).run(pending);
          pending = [];
          count = 0;
        },
      };
    };
    const convRows = bulk('conversations', CONV_COLS);
    // Conversations first: a participant row refers to its conversation's.
    const partRows = bulk('conversation_participants', PART_COLS, () => convRows.flush());
    let participants = 0;
    const write = raw.transaction((batch: Conversation[]) => {
      for (const c of batch) {
        convRows.add(rowFromConversation(c) as unknown as Record<string, unknown>);
        for (const p of participantRows(c)) {
          partRows.add(p as unknown as Record<string, unknown>);
          participants++;
        }
      }
      partRows.flush();
    });

    const sim = conv.createSimulator({
      orgId,
      divisionId,
      queues,
      agents,
      peakPerHour: total / DAYS / PEAK_HOURS_PER_DAY,
      seed: 18,
    });
    let generated = 0;
    let genMs = 0;
    let writeMs = 0;
    const seedStart = performance.now();
    for (let day = DAYS; day >= 1; day--) {
      const from = new Date(end.getTime() - day * DAY);
      const g0 = performance.now();
      const batch = sim.history(from, new Date(from.getTime() + DAY), end);
      const g1 = performance.now();
      write(batch);
      genMs += g1 - g0;
      writeMs += performance.now() - g1;
      generated += batch.length;
      if (day % 10 === 0) console.log(`  ${fmt(generated)} conversations seeded (${DAYS - day + 1} days)`);
    }
    // Live interactions for the observations: a few hundred in every state, plus the stuck cases.
    const live = [...Array.from({ length: 40 }, () => sim.live(end)).flat(), ...sim.stuck(end)];
    write(live);
    const i0 = performance.now();
    for (const i of indexes) raw.exec(i.sql);
    raw.exec('ANALYZE');
    const indexMs = performance.now() - i0;
    const seedSeconds = (performance.now() - seedStart) / 1000;
    raw.close();
    storage.optimize();

    const jobs = createJobRunner((_n, err) => console.error(err));
    const conversations = conv.createConversationsService({ db: storage.db, clock, directory: {} as never });
    const routing = createRoutingService({ db: storage.db, clock, directory: {} as never });
    const analytics = createAnalyticsService({ db: storage.db, clock, jobs, conversations, routing });
    const caller = {
      remoteIp: '127.0.0.1',
      principal: {
        tokenId: 'bench',
        orgId,
        orgName: 'Bench',
        clientId: 'bench',
        clientName: 'Bench',
        userId: null,
        clientCredentials: true,
        scopes: [],
        permissions: ['*:*:*'],
        internal: false,
        expiresAt: new Date(end.getTime() + DAY),
        issuedAt: end,
      },
    } as never;

    let x = 7;
    const rnd = (n: number) => {
      x = (x * 1_103_515_245 + 12_345) & 0x7fffffff;
      return x % n;
    };
    const rows: string[] = [
      `Seeded ${fmt(generated)} conversations (${fmt(participants)} participant rows) over ${DAYS} days in ${seedSeconds.toFixed(0)} s: generating ${(genMs / 1000).toFixed(0)} s (${fmt(Math.round(generated / (genMs / 1000)))} conversations/s), writing ${(writeMs / 1000).toFixed(0)} s, indexing and ANALYZE ${(indexMs / 1000).toFixed(0)} s.`,
      '',
      '| query (SQLite, page of 100 with totalHits) | mean hits | p50 ms | p95 ms |',
      '|---|---|---|---|',
    ];
    const measure = async (label: string, filter: () => object) => {
      const times: number[] = [];
      let hits = 0;
      const samples = 200;
      for (let i = 0; i < samples + 5; i++) {
        const start = end.getTime() - (1 + rnd(DAYS - 1)) * DAY;
        const body = {
          interval: `${new Date(start).toISOString()}/${new Date(start + DAY).toISOString()}`,
          paging: { pageSize: 100, pageNumber: 1 + rnd(3) },
          ...filter(),
        };
        const t0 = performance.now();
        const answer = await analytics.detailsQuery(caller, body as never);
        const ms = performance.now() - t0;
        if (i < 5) continue;
        times.push(ms);
        hits += answer.totalHits;
      }
      rows.push(
        `| ${label} | ${fmt(Math.round(hits / samples))} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} |`,
      );
    };
    const seg = (dimension: string, value: string) => ({
      segmentFilters: [{ type: 'and', predicates: [{ dimension, value }] }],
    });
    await measure('one day', () => ({}));
    await measure('one day, one queue', () => seg('queueId', queues[rnd(queues.length)]!.id));
    await measure('one day, one agent', () => seg('userId', agents[rnd(agents.length)]!.id));
    await measure('one day, voice, descending', () => ({ ...seg('mediaType', 'voice'), order: 'desc' }));
    await measure('one day, inbound segments, descending', () => ({ ...seg('direction', 'inbound'), order: 'desc' }));
    await measure('one day, originating inbound, by end', () => ({
      conversationFilters: [{ type: 'and', predicates: [{ dimension: 'originatingDirection', value: 'inbound' }] }],
      orderBy: 'conversationEnd',
    }));

    const obsTimes: number[] = [];
    const body = {
      filter: { type: 'or', predicates: queues.map((q) => ({ dimension: 'queueId', value: q.id })) },
      metrics: ['oWaiting', 'oInteracting', 'oOnQueueUsers', 'oMemberUsers', 'oLongestWaiting'],
      detailMetrics: ['oWaiting'],
    };
    for (let i = 0; i < 205; i++) {
      const t0 = performance.now();
      await analytics.observations(caller, body as never);
      if (i >= 5) obsTimes.push(performance.now() - t0);
    }
    rows.push(
      `| queue observations, ${queues.length} queues, ${live.length} live interactions | – | ${percentile(obsTimes, 50).toFixed(1)} | ${percentile(obsTimes, 95).toFixed(1)} |`,
    );
    return rows;
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
