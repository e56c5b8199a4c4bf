/**
 * SCIM benchmark (issue 7), in process on SQLite (the embedded default):
 * - provisioning: 10,000 users created one by one through the SCIM service (one transaction
 *   each: users row, SCIM rows, index rows, audit event), users/s;
 * - then 90,000 more users seeded with raw INSERTs to reach 100,000 in one organization;
 * - `userName eq` lookups per second through the SCIM list (filter parsed, compiled to SQL,
 *   COUNT + page, resources rendered) beside a plain indexed SELECT of the same row;
 * - a `co` filter page (count 25) beside a plain `LIKE` SELECT of the same page.
 * `GATEHOUSE_BENCH_SCIM_USERS` sets the total (default 100,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, importSource } from './lib.ts';

export const name = 'scim';

const PROVISIONED = 10_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function repeat(times: number, fn: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    await fn(i);
    ms.push(performance.now() - s);
  }
  return { perSecond: (times * 1000) / (performance.now() - t0), p50: median(ms), p95: percentile(ms, 95) };
}

export async function run(): Promise<string[]> {
  const total = Number(process.env.GATEHOUSE_BENCH_SCIM_USERS ?? 100_000);
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

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scim-bench-'));
  const storage = createStorage(`sqlite:${join(dir, 'scim.db')}`);
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

    // Provisioning through the service, as POST /Users does.
    const created = await repeat(PROVISIONED, (i) =>
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

    // The rest with raw INSERTs, 5,000 a transaction.
    const seedStart = performance.now();
    const now = new Date().toISOString();
    for (let from = PROVISIONED; from < total; from += 5000) {
      await withTransaction(db, async (trx) => {
        const ids: string[] = [];
        const users = [];
        for (let i = from; i < Math.min(from + 5000, total); i++) {
          const id = randomUUID();
          ids.push(id);
          users.push({
            id,
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

    const probes = 2000;
    const pick = (i: number) => userName((i * 7919) % total);
    const q = (filter: string, count = 25) => ({
      filter,
      startIndex: 1,
      count,
      attributes: [],
      excludedAttributes: [],
    });
    const eq = await repeat(probes, async (i) => {
      const page = await scim.users.list(org.id, q(`userName eq "${pick(i)}"`), base);
      if (page.totalResults !== 1) throw new Error(`lookup of ${pick(i)} found ${page.totalResults}`);
    });
    const plain = await repeat(probes, async (i) => {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('org_id', '=', org.id)
        .where('email_key', '=', pick(i))
        .executeTakeFirst();
      if (!row) throw new Error('missing');
    });
    const coProbes = 50;
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

    return [
      `${fmt(total)} users in one organization on SQLite. ${fmt(PROVISIONED)} provisioned through the SCIM service one by one (a transaction each with its audit event); the other ${fmt(total - PROVISIONED)} seeded with raw INSERTs in ${seedSeconds.toFixed(1)} s. In process, no HTTP.`,
      '',
      '| measurement | per second | p50 ms | p95 ms |',
      '|---|---|---|---|',
      `| provisioning (SCIM create, ${fmt(PROVISIONED)} users) | ${fmt(created.perSecond)} | ${created.p50.toFixed(2)} | ${created.p95.toFixed(2)} |`,
      `| \`userName eq\` through the SCIM list (${fmt(probes)} lookups) | ${fmt(eq.perSecond)} | ${eq.p50.toFixed(2)} | ${eq.p95.toFixed(2)} |`,
      `| plain indexed SELECT by (org_id, email_key) | ${fmt(plain.perSecond)} | ${plain.p50.toFixed(2)} | ${plain.p95.toFixed(2)} |`,
      `| \`userName co\` page of 25 with totalResults (${coProbes} pages; e.g. ${fmt(sampleCo.totalResults)} matches) | ${fmt(co.perSecond)} | ${co.p50.toFixed(1)} | ${co.p95.toFixed(1)} |`,
      `| plain \`LIKE '%…%'\` SELECT of the same page (no count) | ${fmt(coPlain.perSecond)} | ${coPlain.p50.toFixed(1)} | ${coPlain.p95.toFixed(1)} |`,
    ];
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
