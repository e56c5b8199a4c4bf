/**
 * Prometheus metrics (prom-client) at /metrics: requests by route template and status with
 * latency histograms, tokens issued, rate-limit refusals, and gauges read at scrape time from
 * whoever owns them (audit outbox backlog and delivery lag, job queue depth, usage flush lag,
 * store pool usage). One registry per app, so several apps in one process do not collide.
 * With a token configured, /metrics needs `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read at each scrape; each answers quickly (one small query at most). */
export interface MetricSources {
  poolUsage(): { total: number; idle: number; waiting: number; max: number };
  jobQueueDepth(): number;
  /** Seconds the oldest unflushed usage count has waited (0 when none waits). */
  usageFlushLagSeconds(): number;
  /** Deliveries waiting in the audit outbox and the age in seconds of the oldest one's event. */
  auditOutbox(): Promise<{ backlog: number; lagSeconds: number }>;
}

export interface Metrics {
  readonly registry: Registry;
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function registerMetrics(app: FastifyInstance, sources: MetricSources, token: string | null): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_process_' });
  const requests = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status, with their latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'gatehouse_tokens_issued_total',
    help: 'Access tokens issued at /oauth/token, by grant type',
    labelNames: ['grant_type'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'gatehouse_rate_limit_refusals_total',
    help: 'Requests refused with 429 by a rate limit, by route template',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'gatehouse_store_pool_connections',
    help: 'Store connections by state (total, idle, waiting requests, max)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const u = sources.poolUsage();
      for (const [state, n] of Object.entries(u)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'gatehouse_job_queue_depth',
    help: 'Background jobs queued or running in this process',
    registers: [registry],
    collect() {
      this.set(sources.jobQueueDepth());
    },
  });
  new Gauge({
    name: 'gatehouse_usage_flush_lag_seconds',
    help: 'Age of the oldest usage count not yet written to the store',
    registers: [registry],
    collect() {
      this.set(sources.usageFlushLagSeconds());
    },
  });
  // Both outbox gauges come from one query per scrape.
  // A source that is down (the store) leaves the gauge as it was rather than failing the scrape.
  let outbox: Promise<{ backlog: number; lagSeconds: number } | null> | null = null;
  const readOutbox = () => {
    outbox ??= sources
      .auditOutbox()
      .catch(() => null)
      .finally(() => setImmediate(() => (outbox = null)));
    return outbox;
  };
  new Gauge({
    name: 'gatehouse_audit_outbox_backlog',
    help: 'Audit events waiting in the outbox for delivery to a stream',
    registers: [registry],
    async collect() {
      const o = await readOutbox();
      if (o) this.set(o.backlog);
    },
  });
  new Gauge({
    name: 'gatehouse_audit_delivery_lag_seconds',
    help: 'Age of the oldest audit event waiting for delivery',
    registers: [registry],
    async collect() {
      const o = await readOutbox();
      if (o) this.set(o.lagSeconds);
    },
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return done();
    requests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) refusals.inc({ route });
    if (route === '/oauth/token' && reply.statusCode === 200) {
      const grant = (request.body as { grant_type?: unknown } | undefined)?.grant_type;
      tokens.inc({ grant_type: typeof grant === 'string' ? grant.slice(0, 64) : 'unknown' });
    }
    done();
  });

  app.get('/metrics', { config: { public: true } }, async (request, reply) => {
    if (token) {
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!equal(given, token)) return reply.code(401).header('WWW-Authenticate', 'Bearer').send('unauthorized\n');
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  return { registry };
}
