/**
 * SCIM benchmark (issues 7 and 19), in process (no HTTP), on SQLite and, when
 * GATEHOUSE_BENCH_DATABASE_URL names a PostgreSQL server, on PostgreSQL too (a fresh schema):
 * - provisioning: 10,000 users created through the SCIM service by 8 concurrent clients, as an
 *   identity provider pushes (each a transaction: users row, SCIM rows, audit event), users/s;
 * - then more users seeded with raw INSERTs to reach the total in one organization;
 * - `userName eq` lookups through the SCIM list (filter parsed, compiled to SQL, page read,
 *   resources rendered), each followed by a plain indexed SELECT of the same row, so that both
 *   see the same machine load; the ratio of their medians is the figure to compare;
 * - a `co` filter page (count 25) beside a plain `LIKE` SELECT of the same page;
 * - a group PATCH adding 10,000 members in one operation (three groups), with its audit events.
 * `GATEHOUSE_BENCH_SCIM_USERS` sets the total (default 100,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, freshPostgresSchema, importSource } from './lib.ts';

export const name = 'scim';

const PROVISIONED = 10_000;
const CLIENTS = 8;
const GROUP_MEMBERS = 10_000;
const PG_URL = process.env.GATEHOUSE_BENCH_DATABASE_URL;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const load = () => loadavg()[0]!.toFixed(1);

interface Timing {
  perSecond: number;
  p50: number;
  p95: number;
  /** This process's CPU time (user + system) per call, ms: what the load of others does not inflate. */
  cpuMs?: number;
}

/** CPU ms this process spent since `from` (a process.cpuUsage() reading). */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

const timing = (ms: number[], wallMs = ms.reduce((a, b) => a + b, 0)): Timing => ({
  perSecond: (ms.length * 1000) / wallMs,
  p50: median(ms),
  p95: percentile(ms, 95),
});

async function repeat(times: number, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    await fn(i);
    ms.push(performance.now() - s);
  }
  return timing(ms, performance.now() - t0);
}

/** `count` calls of fn by `clients` concurrent workers, each taking the next index. */
async function concurrently(count: number, clients: number, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        await fn(i);
        ms.push(performance.now() - s);
      }
    }),
  );
  return { ...timing(ms, performance.now() - t0), cpuMs: cpuSince(cpu) / count };
}

/** Alternates a and b, each timed on its own: both see the same load. */
async function interleaved(times: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>) {
  const msA: number[] = [];
  const msB: number[] = [];
  for (let i = 0; i < times; i++) {
    let s = performance.now();
    await a(i);
    msA.push(performance.now() - s);
    s = performance.now();
    await b(i);
    msB.push(performance.now() - s);
  }
  return { a: timing(msA), b: timing(msB) };
}

async function measure(dialect: 'SQLite' | 'PostgreSQL', databaseUrl: string, total: number): Promise<string[]> {
  const { createStorage, withTransaction } = (await importSource(
    'storage/db',
  )) as typeof import('../src/storage/db.ts');
  const { migrateToLatest } = (await importSource(
    'storage/migrations/index',
  )) as typeof import('../src/storage/migrations/index.ts');
  const { createDirectoryService } = (await importSource(
    'domains/directory/index',
  )) as typeof import('../src/domains/directory/index.ts');
  const { createScimService } = (await importSource(
    'domains/scim/index',
  )) as typeof import('../src/domains/scim/index.ts');
  const { systemClock } = (await importSource('platform/clock')) as typeof import('../src/platform/clock.ts');

  const storage = createStorage(databaseUrl);
  try {
    await migrateToLatest(storage);
    const { db } = storage;
    const directory = createDirectoryService({ db, clock: systemClock });
    const { org, homeDivisionId } = await directory.createOrganization('Bench', 'bench.example');
    const scim = createScimService({ db, clock: systemClock, phoneRegion: 'US', directory });
    const principal = {
      tokenId: randomUUID(),
      orgId: org.id,
      orgName: org.name,
      clientId: randomUUID(),
      clientName: 'Okta',
      userId: null,
      clientCredentials: true,
      scopes: [],
      permissions: ['*:*:*'],
      internal: false,
      expiresAt: new Date(Date.now() + 86_400_000),
      issuedAt: new Date(),
    };
    const caller = { principal, remoteIp: '127.0.0.1' };
    const base = 'http://127.0.0.1:8080';
    const userName = (i: number) => `user.${i}@bench.example`;
    const loads = [load()];

    // Provisioning through the service, as POST /Users does, by concurrent clients.
    const created = await concurrently(PROVISIONED, CLIENTS, (i) =>
      scim.users.create(
        caller,
        {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: userName(i),
          displayName: `User ${i}`,
          externalId: `00u${i}`,
          name: { givenName: 'User', familyName: String(i) },
          emails: [{ value: userName(i), type: 'work', primary: true }],
          phoneNumbers: [{ value: `+1415555${String(i % 10_000).padStart(4, '0')}`, type: 'work' }],
          active: true,
        },
        base,
      ),
    );
    loads.push(load());

    // The rest with raw INSERTs, 5,000 a transaction.
    const seedStart = performance.now();
    const now = new Date().toISOString();
    for (let from = PROVISIONED; from < total; from += 5000) {
      await withTransaction(db, async (trx) => {
        const users = [];
        for (let i = from; i < Math.min(from + 5000, total); i++) {
          users.push({
            id: randomUUID(),
            org_id: org.id,
            email: userName(i),
            email_key: userName(i),
            name: `User ${i}`,
            title: null,
            department: null,
            division_id: homeDivisionId,
            state: 'active',
            password_hash: null,
            service_account: 0 as const,
            version: 1,
            created_at: now,
            modified_at: now,
          });
        }
        for (let k = 0; k < users.length; k += 500) {
          const part = users.slice(k, k + 500);
          await trx.insertInto('users').values(part).execute();
          await trx
            .insertInto('scim_users')
            .values(
              part.map((u, j) => ({
                user_id: u.id,
                org_id: org.id,
                external_id: `00u${from + k + j}`,
                given_name: 'User',
                family_name: String(from + k + j),
                employee_number: null,
                manager_id: null,
                attributes: JSON.stringify({ emails: [{ value: u.email, type: 'work', primary: true }] }),
                managed: 1 as const,
                created_at: now,
                modified_at: now,
              })),
            )
            .execute();
          // As the SCIM service writes them: the work email is a row; the userName is users.email only.
          await trx
            .insertInto('scim_user_emails')
            .values(
              part.map((u) => ({
                user_id: u.id,
                org_id: org.id,
                position: 0,
                type: 'work',
                value: u.email,
                is_primary: 1 as const,
              })),
            )
            .execute();
        }
      });
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    storage.optimize();
    loads.push(load());

    const probes = 4000;
    const pick = (i: number) => userName((i * 7919) % total);
    const q = (filter: string, count = 25) => ({
      filter,
      startIndex: 1,
      count,
      attributes: [],
      excludedAttributes: [],
    });
    const lookups = await interleaved(
      probes,
      async (i) => {
        const page = await scim.users.list(org.id, q(`userName eq "${pick(i)}"`), base);
        if (page.totalResults !== 1) throw new Error(`lookup of ${pick(i)} found ${page.totalResults}`);
      },
      async (i) => {
        const row = await db
          .selectFrom('users')
          .selectAll()
          .where('org_id', '=', org.id)
          .where('email_key', '=', pick(i))
          .executeTakeFirst();
        if (!row) throw new Error('missing');
      },
    );
    loads.push(load());
    const coProbes = 30;
    const co = await repeat(coProbes, (i) => scim.users.list(org.id, q(`userName co "${(i * 37) % 1000}@"`), base));
    const coPlain = await repeat(coProbes, (i) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('org_id', '=', org.id)
        .where('email_key', 'like', `%${(i * 37) % 1000}@%`)
        .orderBy('created_at')
        .orderBy('id')
        .limit(25)
        .execute(),
    );
    const sampleCo = await scim.users.list(org.id, q('userName co "37@"'), base);
    loads.push(load());

    // A group PATCH adding 10,000 members in one operation, three times (a new group each).
    const memberIds = (
      await db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', org.id)
        .orderBy('created_at')
        .orderBy('id')
        .limit(GROUP_MEMBERS)
        .execute()
    ).map((r) => r.id);
    const patches: number[] = [];
    const patchCpu: number[] = [];
    for (let round = 0; round < 3; round++) {
      const group = await scim.groups.create(org.id, null, { name: `Everyone ${round}` });
      const body = {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: memberIds.map((value) => ({ value })) }],
      };
      const s = performance.now();
      const cpu = process.cpuUsage();
      await scim.groups.patch(caller, group.id, body, undefined, base, false);
      patches.push(performance.now() - s);
      patchCpu.push(cpuSince(cpu));
      const count = await db
        .selectFrom('group_members')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('group_id', '=', group.id)
        .executeTakeFirstOrThrow();
      if (Number(count.n) !== GROUP_MEMBERS) throw new Error(`the group has ${count.n} members`);
    }
    loads.push(load());

    const { a: eq, b: plain } = lookups;
    const row = (label: string, t: Timing, digits = 2) =>
      `| ${label} | ${fmt(t.perSecond)} | ${t.p50.toFixed(digits)} | ${t.p95.toFixed(digits)} | ${t.cpuMs === undefined ? '–' : t.cpuMs.toFixed(2)} |`;
    return [
      `**${dialect}**: ${fmt(total)} users in one organization. ${fmt(PROVISIONED)} provisioned through the SCIM service by ${CLIENTS} concurrent clients (a transaction each with its audit event); the other ${fmt(total - PROVISIONED)} seeded with raw INSERTs in ${seedSeconds.toFixed(1)} s. In process, no HTTP. Load average (1 min) at each step: ${loads.join(', ')}.`,
      '',
      '| measurement | per second | p50 ms | p95 ms | CPU ms of this process, each |',
      '|---|---|---|---|---|',
      row(`provisioning (SCIM create, ${fmt(PROVISIONED)} users, ${CLIENTS} clients)`, created),
      row(`\`userName eq\` through the SCIM list (${fmt(probes)} lookups, interleaved with the next row)`, eq, 3),
      row('plain indexed SELECT by (org_id, email_key)', plain, 3),
      row(
        `\`userName co\` page of 25 with totalResults (${coProbes} pages; e.g. ${fmt(sampleCo.totalResults)} matches)`,
        co,
        1,
      ),
      row('plain `LIKE` SELECT of the same page (no count)', coPlain, 1),
      `| group PATCH adding ${fmt(GROUP_MEMBERS)} members (3 groups; ms each: ${patches.map((p) => p.toFixed(0)).join(', ')}) | – | ${median(patches).toFixed(0)} | ${Math.max(...patches).toFixed(0)} | ${median(patchCpu).toFixed(0)} |`,
      '',
      `\`userName eq\` / plain SELECT: **${(eq.p50 / plain.p50).toFixed(2)} ×** at p50, ${(plain.perSecond / eq.perSecond).toFixed(2)} × in total time.`,
    ];
  } finally {
    await storage.close();
  }
}

export async function run(): Promise<string[]> {
  const total = Number(process.env.GATEHOUSE_BENCH_SCIM_USERS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scim-bench-'));
  const out: string[] = [];
  try {
    out.push(...(await measure('SQLite', `sqlite:${join(dir, 'scim.db')}`, total)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (PG_URL) {
    const schema = await freshPostgresSchema(PG_URL);
    try {
      out.push('', ...(await measure('PostgreSQL', schema.url, total)));
    } finally {
      await schema.drop();
    }
  } else
    out.push(
      '',
      'PostgreSQL skipped: set GATEHOUSE_BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test).',
    );
  return out;
}
