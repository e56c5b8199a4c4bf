/**
 * Fair-use rate limits: fixed one-minute windows per key, counted in this process by default or
 * in Redis (GATEHOUSE_REDIS_URL) so every process sharing it enforces one limit. A request over
 * a limit is a 429 `too.many.requests` ErrorBody with Retry-After (seconds to the window's end).
 * If Redis cannot be reached, requests are let through (fail open) and the failure is logged.
 */
import type { Clock } from './clock.ts';
import { redisClass } from './redis-client.ts';
import { ApiError } from './errors/index.ts';

export const WINDOW_MS = 60_000;

export interface RateLimiter {
  /** Counts one hit on the key in the window containing `now`, answering the count so far. */
  hit(key: string, now: number): Promise<number>;
  /** The same, synchronously, for a limiter that counts in this process (no await per request). */
  hitNow?(key: string, now: number): number;
  /** Takes back one hit counted in the window containing `now`. */
  undo(key: string, now: number): Promise<void>;
  /** The same, synchronously, for a limiter that counts in this process. */
  undoNow?(key: string, now: number): void;
  /** Resolves when the shared counter store answers (readiness); absent in process. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export function memoryRateLimiter(): RateLimiter {
  let window = 0;
  let counts = new Map<string, number>();
  const hitNow = (key: string, now: number) => {
    const w = Math.floor(now / WINDOW_MS);
    if (w !== window) {
      window = w;
      counts = new Map();
    }
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n;
  };
  const undoNow = (key: string, now: number) => {
    const n = counts.get(key);
    if (Math.floor(now / WINDOW_MS) === window && n) counts.set(key, n - 1);
  };
  return {
    hitNow,
    undoNow,
    async hit(key, now) {
      return hitNow(key, now);
    },
    async undo(key, now) {
      undoNow(key, now);
    },
    close: async () => {},
  };
}

export function redisRateLimiter(url: string, onError: (err: unknown) => void): RateLimiter {
  const redis = new (redisClass())(url, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // At most one report a minute: a Redis outage would otherwise log once per request.
  let lastReport = 0;
  const report = (err: unknown) => {
    if (Date.now() - lastReport <= 60_000) return;
    lastReport = Date.now();
    onError(err);
  };
  redis.on('error', report);
  // A request that comes before the first connection is ready waits for it (at most 2 s) rather
  // than going uncounted: a process that has just started would otherwise let its first requests
  // past the shared limit. Once connected, an outage fails open at once.
  let firstConnection: Promise<void> | undefined = new Promise<void>((resolve) => {
    redis.once('ready', resolve);
    setTimeout(resolve, 2_000).unref();
  }).then(() => {
    firstConnection = undefined;
  });
  return {
    async hit(key, now) {
      if (firstConnection) await firstConnection;
      const w = Math.floor(now / WINDOW_MS);
      const k = `gatehouse:rl:${key}:${w}`;
      try {
        const res = await redis
          .multi()
          .incr(k)
          .pexpire(k, WINDOW_MS * 2)
          .exec();
        return Number(res?.[0]?.[1] ?? 0);
      } catch (err) {
        report(err);
        return 0;
      }
    },
    async undo(key, now) {
      if (firstConnection) await firstConnection;
      try {
        await redis.decr(`gatehouse:rl:${key}:${Math.floor(now / WINDOW_MS)}`);
      } catch (err) {
        report(err);
      }
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export const tooManyRequests = (limit: number, retryAfterSeconds: number) =>
  new ApiError(
    429,
    'too.many.requests',
    `Rate limit exceeded the maximum [${limit}] requests within [${WINDOW_MS / 1000}] seconds`,
    {
      messageParams: { limit: String(limit), seconds: String(WINDOW_MS / 1000) },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    },
  );

/** Per-minute limits by kind; 0 turns one off. */
export interface RateLimitSettings {
  /** Per client-credentials client (upstream: 300 per token). */
  client: number;
  /** Per user per OAuth client (upstream 300). */
  userClient: number;
  /** Per user across every client (upstream 3,000). */
  user: number;
  /** Per organization. */
  org: number;
  /** Token requests per authenticated client id at /oauth/token. */
  token: number;
  /** Failed password logins per email and address (console and /oauth/authorize). */
  login: number;
  /** Failed client authentications and password logins per address, whatever the name tried. */
  authFailures: number;
  /**
   * Per client on the SCIM paths, instead of `client` (an identity provider's push is thousands of
   * requests); a client may carry its own (`Principal.scimRateLimit`).
   */
  scim: number;
  /** GDPR requests submitted per organization (the API is for individual requests, not bulk deletion). */
  gdpr?: number;
}

export type LimitKind = keyof RateLimitSettings;
/** A key counted against a kind's limit, or against its own `limit` when one is given. */
export type LimitHit = [kind: LimitKind, key: string, limit?: number];

export interface RateLimits {
  /**
   * Counts one hit for each (kind, key) and throws 429 when any is over its limit (synchronously
   * when the counters are in this process, else through the promise).
   */
  check(hits: LimitHit[]): Promise<void> | undefined;
  /**
   * Runs a credential check that only failures count against, per key: each attempt is counted
   * before it runs (so parallel guesses cannot all slip under the limit) and refused with 429
   * once a key is over; an attempt that does not fail (`isFailure`) is taken back. Someone
   * guessing at a name thus cannot use up its owner's budget from another address.
   */
  failures<T>(keys: [LimitKind, string][], attempt: () => Promise<T>, isFailure: (err: unknown) => boolean): Promise<T>;
  readonly settings: RateLimitSettings;
}

export function createRateLimits(limiter: RateLimiter, settings: RateLimitSettings, clock: Clock): RateLimits {
  const retryAfter = (now: number) => Math.max(1, Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000));
  const limitOf = ([kind, , own]: LimitHit) => own ?? settings[kind] ?? 0;
  /** Throws 429 for the first key counted over its limit. */
  const overLimit = (active: LimitHit[], counted: number[], now: number): undefined => {
    for (let i = 0; i < active.length; i++) {
      const limit = limitOf(active[i]!);
      if (counted[i]! > limit) throw tooManyRequests(limit, retryAfter(now));
    }
    return undefined;
  };
  return {
    settings,
    check(hits) {
      const now = clock.now().getTime();
      const active = hits.filter((hit) => limitOf(hit) > 0);
      if (active.length === 0) return undefined;
      // In-process counters: no promise per request on the hot path (the usage benchmark).
      if (limiter.hitNow)
        return overLimit(
          active,
          active.map(([kind, key]) => limiter.hitNow!(`${kind}:${key}`, now)),
          now,
        );
      return Promise.all(active.map(([kind, key]) => limiter.hit(`${kind}:${key}`, now))).then((counts) => {
        overLimit(active, counts, now);
      });
    },
    failures(keys, attempt, isFailure) {
      const now = clock.now().getTime();
      const active = keys.filter(([kind]) => (settings[kind] ?? 0) > 0);
      const { hitNow, undoNow } = limiter;
      // In-process counters: counted and taken back with no promise of their own (the token
      // endpoint's hot path, issue 22); the same steps as below, in the same order.
      if (hitNow && undoNow) {
        try {
          const counted = active.map(([kind, key]) => hitNow(`${kind}:${key}`, now));
          overLimit(active, counted, now);
          let attempted: ReturnType<typeof attempt>;
          try {
            attempted = attempt();
          } catch (err) {
            attempted = Promise.reject(err);
          }
          return attempted.then(
            (result) => {
              for (const [kind, key] of active) undoNow(`${kind}:${key}`, now);
              return result;
            },
            (err: unknown) => {
              if (!isFailure(err)) for (const [kind, key] of active) undoNow(`${kind}:${key}`, now);
              throw err;
            },
          );
        } catch (err) {
          return Promise.reject(err);
        }
      }
      return (async () => {
        const counted = await Promise.all(active.map(([kind, key]) => limiter.hit(`${kind}:${key}`, now)));
        const refund = () => Promise.all(active.map(([kind, key]) => limiter.undo(`${kind}:${key}`, now)));
        overLimit(active, counted, now);
        try {
          const result = await attempt();
          await refund();
          return result;
        } catch (err) {
          if (!isFailure(err)) await refund();
          throw err;
        }
      })();
    },
  };
}
