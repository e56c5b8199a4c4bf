/**
 * Audit benchmark (issue 4): 10 million events across 90 days in one organization on SQLite
 * (the embedded default, and the worst case: every index range is one organization's).
 * Measured in one run:
 * - the realtime query through the audit service for one entity id over 14 days and for one
 *   service over one day, p50/p95, beside a plain indexed SELECT of the same page;
 * - ingestion: events recorded through recordAudit, one transaction each (what a mutation pays);
 * - the asynchronous query over all 90 days: submit → Succeeded, then cursor pages.
 * `GATEHOUSE_BENCH_AUDIT_EVENTS` sets the size (default 10,000,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { fmt, importSource } from './lib.ts';

export const name = 'audit';

const DAY = 86_400_000;
const DAYS = 90;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Services, entity types and actions of the generated events (registered like the domains do). */
const KINDS: [string, string, string[]][] = [
  ['Directory', 'User', ['Create', 'Update', 'Delete']],
  ['Directory', 'Role', ['Create', 'Update', 'Delete']],
  ['Directory', 'UserRoles', ['Update']],
  ['OAuth', 'OAuthClient', ['Create', 'Update', 'Delete']],
  ['OAuth', 'Authorization', ['Create', 'Delete']],
  ['Integrations', 'IdentityProvider', ['Create', 'Update', 'Delete']],
  ['Integrations', 'AuditStream', ['Create', 'Update', 'Delete']],
  ['Routing', 'Queue', ['Create', 'Update', 'Delete']],
  ['Telephony', 'Phone', ['Create', 'Update', 'Delete']],
  ['Architect', 'Flow', ['Create', 'Update', 'Publish', 'Delete']],
  ['Quality', 'Evaluation', ['Create', 'Update']],
  ['Presence', 'UserPresence', ['Update']],
];

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

export async function run(): Promise<string[]> {
  const total = Number(process.env.GATEHOUSE_BENCH_AUDIT_EVENTS ?? 10_000_000);
  const { createStorage } = (await importSource('storage/db')) as typeof import('../src/storage/db.ts');
  const { migrateToLatest } = (await importSource(
    'storage/migrations/index',
  )) as typeof import('../src/storage/migrations/index.ts');
  const { createAuditService } = (await importSource(
    'domains/audit/service',
  )) as typeof import('../src/domains/audit/service.ts');
  const { recordAudit, registerAuditEntity } = (await importSource(
    'platform/audit',
  )) as typeof import('../src/platform/audit.ts');
  const { newTimeOrderedId } = (await importSource('platform/ids')) as typeof import('../src/platform/ids.ts');
  const { createJobRunner } = (await importSource('platform/jobs')) as typeof import('../src/platform/jobs.ts');
  for (const [service, entity, actions] of KINDS) registerAuditEntity(service, entity, actions);

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-bench-'));
  const file = join(dir, 'audit.db');
  const storage = createStorage(`sqlite:${file}`);
  const end = new Date(Date.UTC(2026, 10, 20));
  const clock = { now: () => end };
  try {
    await migrateToLatest(storage);
    const orgId = randomUUID();
    const entities = Array.from({ length: 50_000 }, () => randomUUID());
    const users = Array.from({ length: 2_000 }, () => randomUUID());

    // Seed with a raw prepared statement, a day per transaction (setup, not what is measured).
    const raw = new SQLite(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = OFF');
    const insert = raw.prepare(
      `INSERT INTO audit_events (id, org_id, service_name, entity_type, entity_id, entity_name, action, actor_type, actor_user_id, actor_client_id, remote_ip, changes, context, cause_event_id, occurred_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'user', ?, ?, '10.0.0.1', ?, '{}', NULL, ?)`,
    );
    const perDay = Math.ceil(total / DAYS);
    const seedStart = performance.now();
    let seeded = 0;
    // mulberry32: a small seeded generator whose low bits are not periodic (an LCG's are).
    let x = 1;
    const rnd = (n: number) => {
      x = (x + 0x6d2b79f5) | 0;
      let r = Math.imul(x ^ (x >>> 15), 1 | x);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      return Math.floor((((r ^ (r >>> 14)) >>> 0) / 4294967296) * n);
    };
    for (let day = DAYS; day >= 1 && seeded < total; day--) {
      const dayStart = end.getTime() - day * DAY;
      const count = Math.min(perDay, total - seeded);
      raw.transaction(() => {
        for (let i = 0; i < count; i++) {
          const at = dayStart + Math.floor((i * DAY) / count);
          const [service, entityType, actions] = KINDS[rnd(KINDS.length)]!;
          const entity = rnd(entities.length);
          insert.run(
            newTimeOrderedId(at),
            orgId,
            service,
            entityType,
            entities[entity],
            `Entity ${entity}`,
            actions[rnd(actions.length)],
            users[rnd(users.length)],
            'console',
            `[{"property":"name","oldValues":["before ${i}"],"newValues":["after ${i}"]}]`,
            new Date(at).toISOString(),
          );
        }
      })();
      seeded += count;
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    raw.close();
    // What the server's hourly maintenance does (and every start): refresh the planner's statistics.
    const optimizeStart = performance.now();
    storage.optimize();
    const optimizeMs = performance.now() - optimizeStart;

    const jobs = createJobRunner((_n, err) => console.error(err));
    const audit = createAuditService({ db: storage.db, clock, jobs, retentionDays: 365 });
    const caller = {
      remoteIp: '127.0.0.1',
      principal: {
        tokenId: 'bench',
        orgId,
        orgName: 'Bench',
        clientId: 'bench',
        clientName: 'Bench',
        userId: users[0]!,
        clientCredentials: false,
        scopes: [],
        permissions: ['*:*:*'],
        internal: false,
        expiresAt: new Date(end.getTime() + DAY),
        issuedAt: end,
      },
    };
    const db = new SQLite(file, { readonly: true });
    const dayIso = (t: number) => new Date(t).toISOString();
    // The plain queries: the same page (and, for the last columns, the same total) by hand.
    const COLUMN = { entity: 'entity_id', service: 'service_name', user: 'actor_user_id' } as const;
    type Kind = keyof typeof COLUMN;
    const plainPage = (k: Kind) =>
      db.prepare(
        `SELECT * FROM audit_events WHERE org_id = ? AND ${COLUMN[k]} = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at DESC, id DESC LIMIT 25`,
      );
    const plainCount = (k: Kind) =>
      db.prepare(
        `SELECT COUNT(*) AS n FROM audit_events WHERE org_id = ? AND ${COLUMN[k]} = ? AND occurred_at >= ? AND occurred_at < ?`,
      );
    const FILTER = { entity: 'EntityId', user: 'UserId' } as const;

    const rows: string[] = [];
    const compare = async (label: string, kind: Kind, days: number, pick: () => string) => {
      const page = plainPage(kind);
      const count = plainCount(kind);
      const api: number[] = [];
      const plain: number[] = [];
      const plainCounted: number[] = [];
      let hits = 0;
      const samples = 300;
      for (let i = 0; i < samples + 5; i++) {
        const stop = end.getTime() - rnd(DAYS - days) * DAY;
        const from = dayIso(stop - days * DAY);
        const to = dayIso(stop);
        const value = pick();
        const body =
          kind === 'service'
            ? { interval: `${from}/${to}`, serviceName: value, pageSize: 25 }
            : { interval: `${from}/${to}`, filters: [{ property: FILTER[kind], value }], pageSize: 25 };
        const [ms, answer] = await timed(() => audit.realtime(caller as never, body, false));
        const p0 = performance.now();
        const got = page.all(orgId, value, from, to);
        const p1 = performance.now();
        const n = (count.get(orgId, value, from, to) as { n: number }).n;
        const p2 = performance.now();
        if (got.length !== answer.entities.length || n !== answer.total)
          throw new Error(
            `${label}: the service answered ${answer.entities.length}/${answer.total}, the plain SQL ${got.length}/${n}`,
          );
        if (i < 5) continue; // warm-up
        hits += answer.total;
        api.push(ms);
        plain.push(p1 - p0);
        plainCounted.push(p2 - p0);
      }
      rows.push(
        `| ${label} | ${fmt(Math.round(hits / samples))} | ${median(api).toFixed(2)} | ${percentile(api, 95).toFixed(2)} | ${median(plain).toFixed(2)} | ${percentile(plain, 95).toFixed(2)} | ${median(plainCounted).toFixed(2)} | ${percentile(plainCounted, 95).toFixed(2)} |`,
      );
    };
    await compare('one entity id, 14 days', 'entity', 14, () => entities[rnd(entities.length)]!);
    await compare('one service, 1 day', 'service', 1, () => KINDS[rnd(KINDS.length)]![0]);
    await compare('one user, 1 day', 'user', 1, () => users[rnd(users.length)]!);

    // Ingestion through the real write path, one transaction per event, into the full table.
    const ingestCount = 20_000;
    const [ingestMs] = await timed(async () => {
      for (let i = 0; i < ingestCount; i++) {
        await storage.db.transaction().execute((trx) =>
          recordAudit(trx, clock, {
            orgId,
            serviceName: 'Directory',
            entityType: 'User',
            entityId: entities[rnd(entities.length)]!,
            entityName: 'User',
            action: 'Update',
            actor: { type: 'user', userId: users[0]!, clientId: 'console' },
            remoteIp: '127.0.0.1',
            changes: [{ property: 'title', oldValues: ['a'], newValues: ['b'] }],
          }),
        );
      }
    });

    // The asynchronous query over all 90 days.
    const interval = `${dayIso(end.getTime() - DAYS * DAY)}/${dayIso(end.getTime() + DAY)}`;
    const [jobMs, job] = await timed(async () => {
      const submitted = await audit.submit(caller as never, { interval });
      for (;;) {
        const s = await audit.status(caller as never, submitted.id);
        if (s.state === 'Succeeded') return s;
        if (s.state === 'Failed') throw new Error('the async query failed');
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const pageTimes: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 25; i++) {
      const [ms, page] = await timed(() => audit.results(caller as never, job.id, cursor, 100, false));
      pageTimes.push(ms);
      cursor = page.cursor;
      if (!cursor) break;
    }
    db.close();

    return [
      `${fmt(seeded)} events in one organization over ${DAYS} days (${fmt(perDay)} a day, 12 entity types, 50,000 entities, 2,000 users); seeded with a raw prepared INSERT, a day per transaction, in ${seedSeconds.toFixed(0)} s (${fmt(Math.round(seeded / seedSeconds))} events/s). The planner statistics were then refreshed as the server does hourly (\`PRAGMA optimize\`, ${optimizeMs.toFixed(0)} ms).`,
      '',
      '| realtime query (SQLite, page of 25) | events matched (mean) | service p50 ms | service p95 ms | plain SELECT p50 ms | plain SELECT p95 ms | plain SELECT + COUNT p50 ms | plain SELECT + COUNT p95 ms |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      'The service runs the page and the total (`COUNT`) the upstream answer carries; the plain SELECT reads only the page.',
      '',
      `Ingestion through recordAudit, one transaction per event, into the full table: ${fmt(ingestCount)} events in ${(ingestMs / 1000).toFixed(1)} s = **${fmt(Math.round(ingestCount / (ingestMs / 1000)))} events/s**.`,
      '',
      `Asynchronous query over ${DAYS} days (${fmt(seeded + ingestCount)} events): submit → Succeeded in ${(jobMs / 1000).toFixed(2)} s; result pages of 100 by cursor: p50 ${median(pageTimes).toFixed(1)} ms, p95 ${percentile(pageTimes, 95).toFixed(1)} ms over ${pageTimes.length} pages.`,
    ];
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
