/** Runs an upstream usage query through the API and waits for its rows. */
import { expect } from 'vitest';
import type { TestApp } from '../helpers/app.ts';

export async function usageRows(t: TestApp, token: string, body: object, path = '/api/v2/usage/query') {
  const submitted = await t.api(path, { method: 'POST', token, body });
  expect(submitted.status, submitted.text).toBe(200);
  await t.gh.usage.idle();
  const results = await t.api(submitted.body.resultsUri, { token });
  expect(results.status).toBe(200);
  expect(results.body.queryStatus).toBe('Complete');
  return {
    rows: results.body.results as Record<string, any>[],
    executionId: submitted.body.executionId as string,
    result: results.body,
  };
}

/** A request pattern: method, URL template, status, how many. */
export type UsagePattern = [method: string, template: string, status: number, count: number];

/**
 * Usage history through the meter, as a new client's requests would leave it: each pattern's
 * requests spread over the `days` days before `today` (UTC), `offsetMs` into each day. Answers the client's id.
 */
export async function seedClientUsage(
  t: TestApp,
  name: string,
  patterns: UsagePattern[],
  at: { today: Date; days: number; offsetMs: number },
): Promise<string> {
  const c = await t.clientWithRole(name, 'Employee');
  for (const [method, template, status, count] of patterns) {
    for (let i = 0; i < count; i++) {
      t.gh.meter.record({
        orgId: t.demo.orgId,
        clientId: c.id,
        clientName: name,
        userId: null,
        method,
        urlTemplate: template,
        status,
        at: new Date(at.today.getTime() - (1 + (i % at.days)) * 86_400_000 + at.offsetMs),
      });
    }
  }
  return c.id;
}
