/**
 * The cost of overwriting erased content on SQLite (issue 23): SCIM writes through the service
 * (create, replace, delete: one transaction each, users + SCIM rows + audit event) with
 * `secure_delete` off and on, and the truncating WAL checkpoint an erasure ends with.
 * `GATEHOUSE_BENCH_SECURE_DELETE_USERS` sets the users per run (default 2,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { fmt, importSource } from './lib.ts';

export const name = 'secure-delete';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(times: number, fn: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    await fn(i);
    ms.push(performance.now() - s);
  }
  return { perSecond: (times * 1000) / (performance.now() - t0), p50: median(ms) };
}

async function runOnce(secureDelete: boolean, users: number) {
  const { createStorage } = (await importSource('storage/db')) as typeof import('../src/storage/db.ts');
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
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secure-delete-bench-'));
  const storage = createStorage(`sqlite:${join(dir, 'bench.db')}`);
  try {
    await migrateToLatest(storage);
    const { db } = storage;
    await sql.raw(`pragma secure_delete = ${secureDelete ? 'ON' : 'OFF'}`).execute(db);
    const directory = createDirectoryService({ db, clock: systemClock });
    const { org } = await directory.createOrganization('Bench', 'bench.example');
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
    const body = (i: number, title: string) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `user.${i}@bench.example`,
      displayName: `User ${i}`,
      title,
      externalId: `00u${i}`,
      name: { givenName: 'User', familyName: String(i) },
      emails: [{ value: `user.${i}@bench.example`, type: 'work', primary: true }],
      phoneNumbers: [{ value: `+1415555${String(i % 10_000).padStart(4, '0')}`, type: 'work' }],
      active: true,
    });
    const ids: string[] = [];
    const create = await timed(users, async (i) =>
      ids.push((await scim.users.create(caller, body(i, 'Engineer'), base)).resource.id as string),
    );
    const replace = await timed(users, (i) =>
      scim.users.replace(caller, ids[i]!, body(i, 'Senior engineer with a longer title'), undefined, base),
    );
    const remove = await timed(users, (i) => scim.users.remove(caller, ids[i]!, undefined));
    // What an erasure adds at its end: copy the WAL back and cut it to nothing.
    const c0 = performance.now();
    await storage.purgeErased([]);
    const checkpointMs = performance.now() - c0;
    return { create, replace, remove, checkpointMs };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<string[]> {
  const users = Number(process.env.GATEHOUSE_BENCH_SECURE_DELETE_USERS ?? 2000);
  // Interleaved, twice each (the first run also warms the JIT); the better of the two is kept.
  const runs: Awaited<ReturnType<typeof runOnce>>[][] = [[], []];
  for (const secure of [false, true, false, true]) runs[Number(secure)]!.push(await runOnce(secure, users));
  type Run = Awaited<ReturnType<typeof runOnce>>;
  const best = (rs: Run[]): Run => ({
    create: rs.map((r) => r.create).sort((a, b) => b.perSecond - a.perSecond)[0]!,
    replace: rs.map((r) => r.replace).sort((a, b) => b.perSecond - a.perSecond)[0]!,
    remove: rs.map((r) => r.remove).sort((a, b) => b.perSecond - a.perSecond)[0]!,
    checkpointMs: Math.min(...rs.map((r) => r.checkpointMs)),
  });
  const [off, on] = [best(runs[0]!), best(runs[1]!)];
  const row = (label: string, a: { perSecond: number; p50: number }, b: { perSecond: number; p50: number }) =>
    `| ${label} | ${fmt(a.perSecond)} | ${a.p50.toFixed(2)} | ${fmt(b.perSecond)} | ${b.p50.toFixed(2)} | ${(
      (b.perSecond / a.perSecond - 1) * 100
    ).toFixed(0)} % |`;
  return [
    `SQLite, ${fmt(users)} SCIM users per run through the service (one transaction each), two runs with \`secure_delete\` off and two with it on, interleaved; the better run of each is shown.`,
    '',
    '| write | off: per s | off: p50 ms | on: per s | on: p50 ms | change |',
    '|---|---:|---:|---:|---:|---:|',
    row('create', off.create, on.create),
    row('replace', off.replace, on.replace),
    row('delete', off.remove, on.remove),
    '',
    `The truncating WAL checkpoint an erasure ends with took ${on.checkpointMs.toFixed(1)} ms after ${fmt(3 * users)} writes (off: ${off.checkpointMs.toFixed(1)} ms).`,
  ];
}
