/**
 * Prometheus metrics (prom-client) at /metrics: requests by route template and status with
 * latency histograms, tokens issued, rate-limit refusals, and gauges read at scrape time from
 * whoever owns them (audit outbox backlog and delivery lag, job queue depth, usage flush lag,
 * store pool usage). One registry per app, so several apps in one process do not collide.
 * With a token configured, /metrics needs `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { routeOf } from './pipeline/route-path.ts';

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
  const requests = requestHistogram(registry);
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
    const route = routeOf(request).url ?? 'unmatched';
    if (route === '/metrics') return done();
    const status = reply.statusCode;
    requests.observe(request.method, route, status, reply.elapsedTime / 1000);
    if (status === 429) refusals.inc({ route });
    if (status === 200 && route === '/oauth/token') {
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

const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface RequestSeries {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * gatehouse_http_request_duration_seconds: what prom-client's Histogram exposes, the same lines in
 * the same order, but found per request by one string key. prom-client's observe validated and
 * hashed a labels object on every request (about 3 % of a token request's samples, issue 22;
 * docs/decisions/0023).
 */
export function requestHistogram(registry: Registry) {
  const series = new Map<string, RequestSeries>();
  const name = 'gatehouse_http_request_duration_seconds';
  const values = () => {
    const out: {
      labels: Record<string, string | number>;
      sharedLabels: Record<string, string>;
      value: number;
      metricName: string;
      exemplar: null | undefined;
    }[] = [];
    for (const s of series.values()) {
      let acc = 0;
      for (let i = 0; i < REQUEST_BUCKETS.length; i++) {
        acc += s.counts[i]!;
        out.push({
          labels: { le: REQUEST_BUCKETS[i]! },
          sharedLabels: s.labels,
          value: acc,
          metricName: `${name}_bucket`,
          exemplar: null,
        });
      }
      const shared = { sharedLabels: s.labels };
      out.push({ labels: { le: '+Inf' }, ...shared, value: s.count, metricName: `${name}_bucket`, exemplar: null });
      out.push({ labels: {}, ...shared, value: s.sum, metricName: `${name}_sum`, exemplar: undefined });
      out.push({ labels: {}, ...shared, value: s.count, metricName: `${name}_count`, exemplar: undefined });
    }
    return out;
  };
  const metric = {
    name,
    help: 'HTTP requests by method, route template and status, with their latency',
    type: 'histogram',
    aggregator: 'sum',
    getForPromString: async () => ({
      name,
      help: metric.help,
      type: metric.type,
      values: values(),
      aggregator: metric.aggregator,
    }),
    /** The JSON form (registry.getMetricsAsJSON) has the labels merged, as prom-client gives them. */
    get: async () => ({
      name,
      help: metric.help,
      type: metric.type,
      values: values().map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
      aggregator: metric.aggregator,
    }),
    reset: () => series.clear(),
    observe(method: string, route: string, status: number, seconds: number) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (s === undefined) {
        s = {
          labels: { method, route, status: String(status) },
          counts: new Array(REQUEST_BUCKETS.length + 1).fill(0),
          sum: 0,
          count: 0,
        };
        series.set(key, s);
      }
      let b = 0;
      while (b < REQUEST_BUCKETS.length && seconds > REQUEST_BUCKETS[b]!) b++;
      s.counts[b]!++;
      s.sum += seconds;
      s.count++;
    },
  };
  registry.registerMetric(metric as never);
  return metric;
}
