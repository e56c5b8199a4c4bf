/**
 * The invalidation bus (docs/decisions/0012-running-in-production.md): a change that makes
 * cached state stale in every process (a revoked token, narrowed grants, new keys) is published
 * on a topic. Subscribers in this process run at once; with Redis configured, every other
 * process sharing it gets the message by pub/sub within milliseconds. Delivery is best effort:
 * each cache keeps its own short expiry (1 s for tokens) as the fallback, and after the Redis
 * connection comes back every subscriber is told to resynchronise (it may have missed messages).
 *
 * Adding a topic is one line in `InvalidationTopics`: its name and its message type.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { redisClass } from './redis-client.ts';

/**
 * Which cached access-token states to drop: one token, a grant family, a user, a client, an
 * authorization, an organization's (its roles or grants changed), or all.
 */
export interface TokenInvalidation {
  kind: 'token' | 'grant' | 'user' | 'client' | 'authorization' | 'organization' | 'all';
  id: string;
}

/** Topic name → message type. One line per topic. */
export interface InvalidationTopics {
  'oauth.tokens': TokenInvalidation;
  /** The token keys changed in the store (`gatehouse rotate-keys`): reload them now. */
  'oauth.token-keys': { reason: string };
}

export type Topic = keyof InvalidationTopics;

export interface Subscription<T extends Topic> {
  /** A message published by this process or another. */
  onMessage(message: InvalidationTopics[T]): void;
  /** Messages may have been missed (the bus reconnected): drop everything cached for this topic. */
  onResync(): void;
}

export interface InvalidationBus {
  /**
   * Runs this process's subscribers now and tells every other process (when shared). The promise
   * settles once the message is handed to Redis or given up (a short-lived command awaits it);
   * it never rejects.
   */
  publish<T extends Topic>(topic: T, message: InvalidationTopics[T]): Promise<void>;
  subscribe<T extends Topic>(topic: T, subscription: Subscription<T>): () => void;
  /** Whether other processes get the messages (Redis) or only this one. */
  readonly shared: boolean;
  close(): Promise<void>;
}

const CHANNEL_PREFIX = 'gatehouse:invalidate:';

interface Envelope {
  origin: string;
  message: unknown;
}

function localSubscribers() {
  const subscribers = new Map<string, Set<Subscription<Topic>>>();
  return {
    add<T extends Topic>(topic: T, s: Subscription<T>) {
      const set = subscribers.get(topic) ?? new Set();
      subscribers.set(topic, set);
      set.add(s as unknown as Subscription<Topic>);
      return () => void set.delete(s as unknown as Subscription<Topic>);
    },
    deliver(topic: string, message: unknown, onError: (err: unknown) => void) {
      for (const s of subscribers.get(topic) ?? []) {
        try {
          s.onMessage(message as never);
        } catch (err) {
          onError(err);
        }
      }
    },
    resync(onError: (err: unknown) => void) {
      for (const set of subscribers.values())
        for (const s of set) {
          try {
            s.onResync();
          } catch (err) {
            onError(err);
          }
        }
    },
  };
}

/** Subscribers in this process only (one process, or no Redis). */
export function inProcessBus(onError: (err: unknown) => void = () => {}): InvalidationBus {
  const local = localSubscribers();
  return {
    shared: false,
    async publish(topic, message) {
      local.deliver(topic, message, onError);
    },
    subscribe: (topic, s) => local.add(topic, s),
    close: async () => {},
  };
}

/** Subscribers in every process sharing this Redis, over pub/sub. */
export function redisBus(url: string, onError: (err: unknown) => void): InvalidationBus {
  const origin = randomUUID();
  const local = localSubscribers();
  // Publishing never waits for a lost connection: the caches' expiry covers what is not sent.
  const publisher = new (redisClass())(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const subscriber = new (redisClass())(url, { maxRetriesPerRequest: null });
  let lastReport = 0;
  const report = (err: unknown) => {
    if (Date.now() - lastReport <= 60_000) return;
    lastReport = Date.now();
    onError(err);
  };
  publisher.on('error', report);
  subscriber.on('error', report);
  let connectedBefore = false;
  subscriber.on('ready', () => {
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is lost.
    if (connectedBefore) local.resync(report);
    connectedBefore = true;
  });
  subscriber.psubscribe(`${CHANNEL_PREFIX}*`).catch(report);
  subscriber.on('pmessage', (_pattern: string, channel: string, raw: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (envelope.origin === origin) return;
    local.deliver(channel.slice(CHANNEL_PREFIX.length), envelope.message, report);
  });
  return {
    shared: true,
    async publish(topic, message) {
      local.deliver(topic, message, report);
      // A command that has just started (rotate-keys) waits briefly for its first connection.
      if (publisher.status === 'connecting' || publisher.status === 'wait') {
        const ready = once(publisher, 'ready').catch(() => {});
        await Promise.race([ready, new Promise((r) => setTimeout(r, 2_000).unref())]);
      }
      await publisher.publish(`${CHANNEL_PREFIX}${topic}`, JSON.stringify({ origin, message } satisfies Envelope)).then(
        () => {},
        (err) => report(err),
      );
    },
    subscribe: (topic, s) => local.add(topic, s),
    async close() {
      await Promise.all([
        publisher.quit().catch(() => publisher.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
      ]);
    },
  };
}
