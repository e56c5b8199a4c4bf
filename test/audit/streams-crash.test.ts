/**
 * Audit stream delivery survives a crash: the server is killed with SIGKILL while a batch is
 * on the wire and more events wait; after a restart every audit event reaches the webhook
 * (some perhaps twice, never with another id) — nothing lost, nothing skipped (@see issue 4).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../helpers/dialects.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'gatehouse.js');
const children: ChildProcess[] = [];

function startServer(
  databaseUrl: string,
  dataDir: string,
  leaseSeconds: number,
): Promise<{ child: ChildProcess; url: string; out: string }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'start',
      '--port',
      '0',
      '--log-level',
      'silent',
      '--data-dir',
      dataDir,
      '--database-url',
      databaseUrl,
      '--audit-stream-lease-seconds',
      String(leaseSeconds),
      '--audit-stream-allow-private',
      'true',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start in time: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running\. Console: (http:\/\/[^/\s]+)\//.exec(out);
      if (m && /\n\n$/.test(out)) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, out });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!out.includes('running')) reject(new Error(`exited ${code ?? signal}: ${out}`));
    });
  });
}

async function call(url: string, path: string, token: string, body?: unknown) {
  const res = await fetch(url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe.each(DIALECTS)('audit stream after kill -9 on %s', (dialect) => {
  it('delivers every event after a restart, none lost or skipped', { timeout: 90_000 }, async () => {
    const db = await freshDatabase(dialect);
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
    const receiver = await startReceiver();
    try {
      // The first server's lease outlasts the changes below even on a loaded machine, so the held
      // batch is still unsent when it dies; the second one waits that lease out, then resends.
      const first = await startServer(db.url, dataDir, 10);
      const clientId = /client id: +(\S+)/.exec(first.out)![1]!;
      const secret = /client secret: (\S+)/.exec(first.out)![1]!;
      const login = async (url: string) => {
        const res = await fetch(`${url}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        });
        return ((await res.json()) as { access_token: string }).access_token;
      };
      let token = await login(first.url);
      const since = new Date().toISOString();

      // The second batch the server sends is held open; 20 more changes are made while it
      // hangs, then the server is killed: one batch is on the wire and others wait in the outbox.
      let hanging = false;
      receiver.answer = (n) => {
        if (n !== 1) return 200;
        hanging = true;
        return 'hang';
      };
      const stream = await call(first.url, '/api/v2/audits/streams', token, { name: 'Crash test', url: receiver.url });
      expect(stream.status).toBe(200);
      let afterHang = 0;
      for (let i = 0; i < 2000 && afterHang < 20; i++) {
        const r = await call(first.url, '/api/v2/authorization/roles', token, {
          name: `Crash ${i}`,
          permissionPolicies: [],
        });
        expect(r.status).toBe(200);
        if (hanging) afterHang++;
      }
      expect(hanging).toBe(true);
      const exited = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGKILL');
      await exited;
      const deliveredBeforeRestart = receiver.ids();
      const receivedBeforeRestart = deliveredBeforeRestart.size;
      // The batch that was on the wire when the server died was not taken as delivered. Checked
      // now, not after the restart: a slow start can outlast the lease, and the new server then
      // resends it before the test looks.
      const inFlight = receiver.received[1]!.body.events.map((e) => e.id);
      expect(inFlight.some((id) => !deliveredBeforeRestart.has(id))).toBe(true);

      const second = await startServer(db.url, dataDir, 2);
      token = await login(second.url);
      const interval = `${since}/${new Date(Date.now() + 3_600_000).toISOString()}`;
      const events = await call(second.url, '/api/v2/audits/query/realtime', token, { interval, pageSize: 500 });
      const expected: string[] = events.body.entities.map((e: { id: string }) => e.id);
      expect(expected.length).toBeGreaterThan(receivedBeforeRestart);
      await receiver.waitFor(() => expected.every((id) => receiver.ids().has(id)), 30_000);
      // …and it came after the restart, answered.
      expect(inFlight.every((id) => receiver.ids().has(id))).toBe(true);
      // Nothing else arrived: every id received is a real event of the organization.
      expect([...receiver.ids()].every((id) => expected.includes(id))).toBe(true);
      second.child.kill('SIGTERM');
    } finally {
      await receiver.close();
      await db.drop();
    }
  });
});
