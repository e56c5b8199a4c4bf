/**
 * Operations endpoints (@see issue 21): Prometheus /metrics (protected by a token when asked),
 * /health/live and /health/ready, drain at SIGTERM, and `start --no-migrate`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { BIN, startGatehouse, waitFor } from '../helpers/gatehouse-process.ts';

const apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

describe('operations endpoints', { timeout: 120_000 }, () => {
  it('/metrics counts requests by route template and status, tokens, refusals, and reads the gauges', async () => {
    const t = await startApp('sqlite', { env: { GATEHOUSE_RATE_LIMIT_TOKEN: '2' } });
    apps.push(t);
    const token = await t.token();
    const user = await t.api('/api/v2/users/me', { token });
    expect(user.status).toBe(200);
    await t.token();
    await expect(t.token()).rejects.toThrow(/429/);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /gatehouse_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v2\/users\/me",status="200"\} 1/,
    );
    expect(text).toContain('gatehouse_tokens_issued_total{grant_type="client_credentials"} 2');
    expect(text).toContain('gatehouse_rate_limit_refusals_total{route="/oauth/token"} 1');
    for (const gauge of [
      'gatehouse_store_pool_connections{state="max"}',
      'gatehouse_job_queue_depth',
      'gatehouse_usage_flush_lag_seconds',
      'gatehouse_audit_outbox_backlog',
      'gatehouse_audit_delivery_lag_seconds',
    ])
      expect(text).toContain(gauge);
  });

  it('/metrics needs the token when one is configured', async () => {
    const t = await startApp('sqlite', { env: { GATEHOUSE_METRICS_TOKEN: 'scrape-me' } });
    apps.push(t);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).status).toBe(200);
  });

  it('/health/ready checks the store and turns not-ready when draining; /health/live stays up', async () => {
    const t = await startApp('sqlite');
    apps.push(t);
    const ready = await t.api('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { store: 'ok' } });
    t.gh.health.drain();
    const draining = await t.api('/health/ready');
    expect(draining.status).toBe(503);
    expect(draining.body.status).toBe('draining');
    expect((await t.api('/health/live')).status).toBe(200);
  });

  it('at SIGTERM the process turns not-ready, keeps answering for --drain-seconds, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-drain-'));
    const gh = await startGatehouse(['--port', '0', '--data-dir', dir, '--log-level', 'error', '--drain-seconds', '2']);
    expect((await fetch(`${gh.url}/health/ready`)).status).toBe(200);
    const signalled = Date.now();
    gh.child.kill('SIGTERM');
    await waitFor(async () => (await fetch(`${gh.url}/health/ready`)).status === 503, 'not ready after SIGTERM');
    // Still answering during the drain.
    expect((await fetch(`${gh.url}/health/live`)).status).toBe(200);
    expect(await gh.exited).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(2000);
  });

  it('start --no-migrate refuses a store that lacks migrations, naming the command to run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-nomigrate-'));
    const r = spawnSync(process.execPath, [BIN, 'start', '--no-migrate', '--port', '0', '--data-dir', dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('run `gatehouse migrate` first');
  });
});
