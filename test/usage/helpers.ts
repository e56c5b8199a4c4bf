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
