/**
 * The request histogram behind /metrics is counted without prom-client's Histogram (issue 22):
 * its exposition must stay line for line what prom-client's gives for the same observations.
 */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { requestHistogram } from '../../src/platform/metrics.ts';

const observations: [string, string, number, number][] = [
  ['GET', '/api/v2/users/me', 200, 0.0004],
  ['GET', '/api/v2/users/me', 200, 0.001],
  ['POST', '/oauth/token', 200, 0.0031],
  ['GET', '/api/v2/users/me', 200, 0.7],
  ['POST', '/oauth/token', 401, 12],
  ['GET', 'unmatched', 404, 0.0025],
  ['GET', '/api/v2/users/:userId', 200, 5],
  ['GET', '/api/v2/users/me', 429, 0.02],
];

describe('request histogram', () => {
  it('exposes what prom-client exposes for the same observations', async () => {
    const theirs = new Registry();
    const histogram = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status, with their latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [theirs],
    });
    const ours = new Registry();
    const fast = requestHistogram(ours);
    for (const [method, route, status, seconds] of observations) {
      histogram.observe({ method, route, status: String(status) }, seconds);
      fast.observe(method, route, status, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
