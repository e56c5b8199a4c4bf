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
import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CONV_COLS, flatRows, type GeneratedDay, type GeneratorData, PART_COLS } from './analytics-generator.ts';
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

    // Bulk load: rows go in many to a statement, a day to a transaction, with the secondary
    // indexes dropped and made again (from their own definitions) once every row is in.
    const indexes = raw
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
         AND tbl_name IN ('conversations', 'conversation_participants')`,
      )
      .all() as { name: string; sql: string }[];
    for (const i of indexes) raw.exec(`DROP INDEX ${i.name}`);
    const bulk = (table: string, cols: readonly string[]) => {
      const tuple = `(${cols.map(() => '?').join(', ')})`;
      const statement = (n: number) =>
        raw.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array(n).fill(tuple).join(', ')}`);
      const full = statement(BULK_ROWS);
      return (values: unknown[]) => {
        const step = BULK_ROWS * cols.length;
        for (let i = 0; i < values.length; i += step) {
          const chunk = values.slice(i, i + step);
          (chunk.length === step ? full : statement(chunk.length / cols.length)).run(chunk);
        }
      };
    };
    const insertConversations = bulk('conversations', CONV_COLS);
    const insertParticipants = bulk('conversation_participants', PART_COLS);
    // Conversations first: a participant row refers to its conversation's.
    const write = raw.transaction((day: Omit<GeneratedDay, 'genMs'>) => {
      insertConversations(day.conv);
      insertParticipants(day.part);
    });

    const simOptions = {
      orgId,
      divisionId,
      queues,
      agents,
      peakPerHour: total / DAYS / PEAK_HOURS_PER_DAY,
      seed: 18,
    };
    // Generation (a worker thread) runs a day ahead of writing (this thread).
    const generator = new Worker(new URL(`./analytics-generator${extname(import.meta.url)}`, import.meta.url), {
      workerData: { analyticsGenerator: { sim: simOptions, end: end.getTime(), dayMs: DAY } satisfies GeneratorData },
      // A larger young generation: the simulator makes many short-lived objects (fewer scavenges).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    let waiting: { resolve(d: GeneratedDay): void; reject(e: Error): void } | undefined;
    generator.on('message', (d: GeneratedDay) => waiting?.resolve(d));
    generator.on('error', (e) => waiting?.reject(e));
    const ask = (day: number) =>
      new Promise<GeneratedDay>((resolve, reject) => {
        waiting = { resolve, reject };
        generator.postMessage({ day });
      });
    let generated = 0;
    let participants = 0;
    let genMs = 0;
    let writeMs = 0;
    const seedStart = performance.now();
    let next = ask(DAYS);
    try {
      for (let day = DAYS; day >= 1; day--) {
        const rows = await next;
        if (day > 1) next = ask(day - 1);
        const w0 = performance.now();
        write(rows);
        writeMs += performance.now() - w0;
        genMs += rows.genMs;
        generated += rows.conversations;
        participants += rows.participants;
        if (day % 10 === 0) console.log(`  ${fmt(generated)} conversations seeded (${DAYS - day + 1} days)`);
      }
    } finally {
      await generator.terminate();
    }
    // Live interactions for the observations: a few hundred in every state, plus the stuck cases.
    const sim = conv.createSimulator({ ...simOptions, seed: 19 });
    const live = [...Array.from({ length: 40 }, () => sim.live(end)).flat(), ...sim.stuck(end)];
    write(flatRows(live));
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
    // The same filter as the previous plan answered it (before migration 0035): an `or` of the predicate
    // with itself is not answered from the direction index, so it stays an EXISTS per conversation.
    await measure('one day, inbound segments, descending, previous plan (EXISTS per conversation)', () => ({
      segmentFilters: [{ type: 'or', predicates: [0, 1].map(() => ({ dimension: 'direction', value: 'inbound' })) }],
      order: 'desc',
    }));
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
    // GATEHOUSE_BENCH_ANALYTICS_KEEP keeps the database (to EXPLAIN its queries afterwards).
    if (process.env.GATEHOUSE_BENCH_ANALYTICS_KEEP) console.log(`kept ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
