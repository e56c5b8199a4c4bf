/**
 * Delivers the outbox (audit_deliveries) of every active stream: at least once, in event order
 * within a batch, surviving crashes. A delivery row leaves the outbox only after its receiver
 * took it; a process killed mid-send leaves its rows leased, and the lease (30 s by default) expiring makes
 * any process send them again. A failing stream is retried with exponential backoff (1 s, 2 s,
 * 4 s … at most 10 min) while other streams keep flowing.
 */
import type { Clock } from '../../../platform/clock.ts';
import { openSecret } from '../../../platform/crypto.ts';
import type { Db } from '../../../storage/db.ts';
import type { AuditStreamRow } from '../../../storage/schema.ts';
import { auditMessage } from '../views.ts';
import { type StreamSenders, WebhookError } from './senders.ts';
import type { StreamStore } from './store.ts';

const BATCH = 100;
const MAX_BACKOFF_MS = 600_000;

export const backoffMs = (attempts: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));

export interface DispatcherDeps {
  db: Db;
  clock: Clock;
  store: StreamStore;
  senders: StreamSenders;
  sealKey: string;
  leaseMs: number;
  intervalMs: number;
  onError: (err: unknown, streamId: string) => void;
}

export function createDispatcher({ db, clock, store, senders, sealKey, leaseMs, intervalMs, onError }: DispatcherDeps) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  async function deliverStream(stream: AuditStreamRow): Promise<number> {
    const streamId = stream.id;
    const now = clock.now();
    const claimed = await store.claim(
      db,
      streamId,
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      BATCH,
    );
    if (claimed.length === 0) return 0;
    const ids = claimed.map((c) => c.event_id);
    const rows = await store.events(db, ids);
    try {
      const batch = {
        streamId,
        target: stream.target,
        secret: stream.sealed_secret ? openSecret(sealKey, stream.sealed_secret) : null,
        events: rows.map((r) => auditMessage(r)),
      };
      if (stream.type === 'nats') await senders.nats(batch);
      else await senders.webhook(batch);
    } catch (err) {
      const attempts = Math.max(...claimed.map((c) => c.attempts)) + 1;
      const at = clock.now();
      await store.retryLater(db, streamId, ids, new Date(at.getTime() + backoffMs(attempts - 1)).toISOString());
      await store.recordFailure(db, streamId, describe(err), at.toISOString());
      onError(err, streamId);
      return 0;
    }
    // Events purged by retention before they could be sent are dropped with the rest.
    await store.delivered(db, streamId, ids);
    await store.recordSuccess(db, streamId, rows.length, clock.now().toISOString());
    return claimed.length;
  }

  /** One pass: every due stream, until none has due work (or the dispatcher is stopped). */
  async function pass() {
    for (;;) {
      const due = await store.dueStreams(db, clock.now().toISOString());
      if (due.length === 0 || stopped) return;
      const sent = await Promise.all(
        due.map((stream) =>
          deliverStream(stream).catch((err) => {
            onError(err, stream.id);
            return 0;
          }),
        ),
      );
      if (sent.every((n) => n < BATCH)) return;
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass()
        .catch((err) => onError(err, ''))
        .finally(() => {
          running = null;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    /**
     * Runs one pass now (tests, and right after a stream is created), after the pass the timer
     * may have under way: rows that pass leased are not due, so without waiting for it a flush
     * could return while they are still being sent.
     */
    async runOnce() {
      await running;
      await pass();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof WebhookError) return err.message;
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`.slice(0, 500);
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
