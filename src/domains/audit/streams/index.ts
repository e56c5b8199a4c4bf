/** Audit streams: the outbox dispatcher, its senders and the stream API, wired together. */
import type { Clock } from '../../../platform/clock.ts';
import { serverKey } from '../../../platform/server-keys.ts';
import type { Db } from '../../../storage/db.ts';
import { createDispatcher } from './dispatcher.ts';
import { createSenders } from './senders.ts';
import { createStreams, type Streams } from './service.ts';
import { createStreamStore } from './store.ts';

export { registerStreamRoutes } from './routes.ts';
export { signWebhook } from './senders.ts';
export type { Streams };

export interface AuditStreaming {
  streams: Streams;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when NATS answers (readiness); only meaningful when NATS is configured. */
  natsPing(timeoutMs: number): Promise<void>;
  /** Deliveries waiting in the outbox and the age in seconds of the oldest one's event (metrics). */
  outbox(): Promise<{ backlog: number; lagSeconds: number }>;
}

export async function createAuditStreaming(deps: {
  db: Db;
  clock: Clock;
  natsUrl: string | null;
  leaseMs: number;
  intervalMs?: number;
  /** Webhooks may deliver to private and loopback addresses (on-premises receivers). */
  allowPrivate?: boolean;
  onError: (err: unknown, streamId: string) => void;
}): Promise<AuditStreaming> {
  const { db, clock } = deps;
  const store = createStreamStore();
  const senders = createSenders({
    natsUrl: deps.natsUrl,
    now: () => clock.now(),
    timeoutMs: Math.min(10_000, deps.leaseMs / 2),
    allowPrivate: deps.allowPrivate,
  });
  const sealKey = await serverKey(db, 'audit-stream-seal', clock.now());
  const dispatcher = createDispatcher({
    db,
    clock,
    store,
    senders,
    sealKey,
    leaseMs: deps.leaseMs,
    intervalMs: deps.intervalMs ?? 250,
    onError: deps.onError,
  });
  const streams = createStreams({ db, clock, store, senders, sealKey, dispatcher, allowPrivate: deps.allowPrivate });
  return {
    streams,
    start: () => dispatcher.start(),
    natsPing: (timeoutMs) => senders.natsPing(timeoutMs),
    async outbox() {
      const { backlog, oldest } = await store.outbox(db);
      const lagSeconds = oldest ? Math.max(0, (clock.now().getTime() - Date.parse(oldest)) / 1000) : 0;
      return { backlog, lagSeconds };
    },
    async stop() {
      await dispatcher.stop();
      await senders.close();
    },
  };
}
