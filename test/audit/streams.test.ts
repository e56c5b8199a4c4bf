/**
 * Audit streams: an organization's audit events reach its webhook (signed, at least once, with
 * stable ids) and its NATS JetStream subject; bad streams are refused by name (@see issue 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.ts';

const NATS_URL = process.env.GATEHOUSE_TEST_NATS_URL;

async function createRoles(t: TestApp, token: string, prefix: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: `${prefix} ${i}`, permissionPolicies: [] },
    });
    expect(r.status).toBe(200);
    ids.push(r.body.id);
  }
  return ids;
}

/** Audit event ids of the org since a moment, through the realtime query. */
async function eventIdsSince(t: TestApp, token: string, since: string) {
  const interval = `${since}/${new Date(Date.now() + 3_600_000).toISOString()}`;
  const r = await t.api('/api/v2/audits/query/realtime', { method: 'POST', token, body: { interval, pageSize: 500 } });
  expect(r.status).toBe(200);
  return new Set<string>(r.body.entities.map((e: { id: string }) => e.id));
}

describe.each(DIALECTS)('audit streams on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let receiver: Receiver;
  const clock = manualClock();
  beforeAll(async () => {
    t = await startApp(dialect, { clock, env: { GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE: 'true' } });
    admin = await t.token();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.close();
  });

  it('refuses bad streams with a 400 naming the field', async () => {
    const cases: [object, string][] = [
      [{ type: 'webhook', url: 'https://x.example/h' }, 'name'],
      [{ name: 'a', type: 'webhook', url: 'http://hooks.example.com/h' }, 'url'],
      [{ name: 'a', type: 'webhook', url: 'not a url' }, 'url'],
      [{ name: 'a', type: 'webhook' }, 'url'],
      [{ name: 'a', type: 'kafka', url: 'https://x.example/h' }, 'type'],
      [{ name: 'a', type: 'webhook', url: 'https://x.example/h', state: 'paused' }, 'state'],
    ];
    for (const [body, field] of cases) {
      const r = await t.api('/api/v2/audits/streams', { method: 'POST', token: admin, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      validateShape('ErrorBody', r.body);
      expect(r.body.details[0].fieldName).toBe(field);
    }
    if (!NATS_URL) {
      const r = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token: admin,
        body: { name: 'n', type: 'nats' },
      });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('nats.not.configured');
    }
  });

  it('checks the permission and the organization', async () => {
    const employee = await t.clientWithRole('No integrations');
    const token = await t.token(employee.id, employee.secret);
    const r = await t.api('/api/v2/audits/streams', { token });
    expect(r.status).toBe(403);
    expect(r.body.message).toContain('integrations:integration:view');
    const created = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token: admin,
      body: { name: 'Mine', url: 'https://siem.example/in' },
    });
    const other = await t.gh.directory.organizations.create('Other Org', `other-${Date.now()}`);
    const foreign = await t.gh.streaming.streams.get(other.org.id, created.body.id).then(
      () => null,
      (e: { status: number }) => e,
    );
    expect(foreign?.status).toBe(404);
    expect((await t.gh.streaming.streams.get(t.demo.orgId, created.body.id)).id).toBe(created.body.id);
    await t.api(`/api/v2/audits/streams/${created.body.id}`, { method: 'DELETE', token: admin });
  });

  it('delivers every event once received, signed with the secret shown only at creation', async () => {
    clock.advance(1000);
    const since = clock.now().toISOString();
    const created = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token: admin,
      body: { name: 'SIEM', type: 'webhook', url: receiver.url },
    });
    expect(created.status).toBe(200);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const got = await t.api(`/api/v2/audits/streams/${created.body.id}`, { token: admin });
    expect(got.body.secret).toBeUndefined();
    expect(got.text).not.toContain(secret);
    const listed = await t.api('/api/v2/audits/streams', { token: admin });
    expect(listed.body.entities.map((s: { id: string }) => s.id)).toContain(created.body.id);
    expect(listed.text).not.toContain(secret);

    await createRoles(t, admin, 'Streamed', 12);
    const expected = await eventIdsSince(t, admin, since);
    expect(expected.size).toBe(13); // the stream's own Create, then 12 role creations
    await receiver.waitFor(() => [...expected].every((id) => receiver.ids().has(id)));
    for (const r of receiver.received) expect(receiver.verify(r, secret)).toBe(true);
    expect(receiver.verify(receiver.received[0]!, 'wrong secret')).toBe(false);
    const first = receiver.received[0]!.body.events[0]!;
    expect(first.entityType).toBe('AuditStream');
    expect(JSON.stringify(receiver.received)).not.toContain(secret);
    await t.gh.streaming.streams.flush();
    const after = await t.api(`/api/v2/audits/streams/${created.body.id}`, { token: admin });
    expect(after.body.pendingEvents).toBe(0);
    expect(after.body.deliveredEvents).toBe(13);

    // The stream's creation is audited, without its secret.
    const events = await t.api('/api/v2/audits/query/realtime', {
      method: 'POST',
      token: admin,
      body: {
        interval: `${since}/${new Date(clock.now().getTime() + 60_000).toISOString()}`,
        serviceName: 'Integrations',
        filters: [{ property: 'EntityId', value: created.body.id }],
      },
    });
    expect(events.body.entities.map((e: { action: string }) => e.action)).toEqual(['Create']);
    expect(events.text).not.toContain(secret);
    await t.api(`/api/v2/audits/streams/${created.body.id}`, { method: 'DELETE', token: admin });
  });

  it('retries a failing webhook with backoff and shows the error, losing nothing', async () => {
    receiver.received.length = 0;
    let failures = 2;
    receiver.answer = () => (failures-- > 0 ? 503 : 200);
    const created = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token: admin,
      body: { name: 'Flaky', url: receiver.url },
    });
    await createRoles(t, admin, 'Retried', 3);
    await t.gh.streaming.streams.flush();
    const failing = await t.api(`/api/v2/audits/streams/${created.body.id}`, { token: admin });
    expect(failing.body.lastError).toContain('503');
    expect(failing.body.pendingEvents).toBeGreaterThan(0);
    // Not due again before its backoff has passed.
    const before = receiver.received.length;
    await t.gh.streaming.streams.flush();
    expect(receiver.received.length).toBe(before);
    for (let i = 0; i < 3; i++) {
      clock.advance(5_000);
      await t.gh.streaming.streams.flush();
    }
    const done = await t.api(`/api/v2/audits/streams/${created.body.id}`, { token: admin });
    expect(done.body.pendingEvents).toBe(0);
    expect(done.body.deliveredEvents).toBe(4);
    expect(receiver.ids().size).toBe(4);
    receiver.answer = () => 200;
    await t.api(`/api/v2/audits/streams/${created.body.id}`, { method: 'DELETE', token: admin });
  });

  it('queues nothing while disabled and regenerates the secret', async () => {
    receiver.received.length = 0;
    const created = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token: admin,
      body: { name: 'Paused', url: receiver.url, state: 'disabled' },
    });
    await createRoles(t, admin, 'Unstreamed', 2);
    await t.gh.streaming.streams.flush();
    expect(receiver.received.length).toBe(0);
    const enabled = await t.api(`/api/v2/audits/streams/${created.body.id}`, {
      method: 'PATCH',
      token: admin,
      body: { state: 'active' },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body.state).toBe('active');
    const regenerated = await t.api(`/api/v2/audits/streams/${created.body.id}/secret`, {
      method: 'POST',
      token: admin,
    });
    expect(regenerated.body.secret).not.toBe(created.body.secret);
    await t.gh.streaming.streams.flush();
    // Only the stream's own Update and RegenerateSecret events, signed with the new secret.
    expect(receiver.received.flatMap((r) => r.body.events.map((e) => e.action))).toEqual([
      'Update',
      'RegenerateSecret',
    ]);
    for (const r of receiver.received) expect(receiver.verify(r, regenerated.body.secret)).toBe(true);
    const removed = await t.api(`/api/v2/audits/streams/${created.body.id}`, { method: 'DELETE', token: admin });
    expect(removed.status).toBe(204);
    expect((await t.api(`/api/v2/audits/streams/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('allows at most 10 streams per organization', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await t.api('/api/v2/audits/streams', {
        method: 'POST',
        token: admin,
        body: { name: `S${i}`, url: 'https://siem.example/in', state: 'disabled' },
      });
      expect(r.status).toBe(200);
      ids.push(r.body.id);
    }
    const eleventh = await t.api('/api/v2/audits/streams', {
      method: 'POST',
      token: admin,
      body: { name: 'S10', url: 'https://siem.example/in' },
    });
    expect(eleventh.status).toBe(400);
    expect(eleventh.body.code).toBe('audit.streams.limit');
    const page = await t.api('/api/v2/audits/streams?pageSize=4&pageNumber=3', { token: admin });
    expect(page.body.entities).toHaveLength(2);
    expect(page.body.total).toBe(10);
    for (const id of ids) await t.api(`/api/v2/audits/streams/${id}`, { method: 'DELETE', token: admin });
  });

  it.skipIf(!NATS_URL)('publishes every event to NATS JetStream with the event id as message id', async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const subject = `gatehouse.audit.test-${dialect}-${Date.now().toString(36)}`;
    // A server with NATS configured (same store).
    const n = await startApp(dialect, { env: { GATEHOUSE_NATS_URL: NATS_URL! } });
    try {
      const token = await n.token();
      const since = new Date().toISOString();
      const created = await n.api('/api/v2/audits/streams', {
        method: 'POST',
        token,
        body: { name: 'Bus', type: 'nats', subject },
      });
      expect(created.status).toBe(200);
      expect(created.body.subject).toBe(subject);
      expect(created.body.secret).toBeUndefined();
      await createRoles(n, token, 'Bus', 5);
      const expected = await eventIdsSince(n, token, since);
      await n.gh.streaming.streams.flush();
      const nc = await connect({ servers: NATS_URL });
      try {
        const stream = await (await jetstreamManager(nc)).streams.find(subject);
        const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
        const seen = new Set<string>();
        const messages = await consumer.fetch({ max_messages: 500, expires: 2000 });
        for await (const m of messages) {
          const id = (m.json() as { id: string }).id;
          expect(m.headers?.get('Nats-Msg-Id')).toBe(id);
          seen.add(id);
          if (seen.size === expected.size) break;
        }
        expect(seen).toEqual(expected);
      } finally {
        await nc.close();
      }
    } finally {
      await n.close();
    }
  });
});
