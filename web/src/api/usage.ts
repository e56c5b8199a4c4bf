import type { Static } from '@sinclair/typebox';
import type { ApiUsageQueryResult, ApiUsageRow, UsageExecutionResult } from '../../../src/domains/usage/schemas.ts';
import { request } from './client.ts';

type Counts = 'requests' | 'status200' | 'status300' | 'status400' | 'status429' | 'status500';
/** A row of the console's queries: they ask for every metric, so every count is there. */
export type UsageRow = Static<typeof ApiUsageRow> & Required<Pick<Static<typeof ApiUsageRow>, Counts>>;

export interface UsageResult {
  executionId: string;
  rows: UsageRow[];
}

/** Submits an upstream usage query and waits for its rows (the query runs as a server job). */
export async function runUsage(body: {
  interval: string;
  granularity?: string;
  groupBy?: string[];
}): Promise<UsageResult> {
  const { executionId, resultsUri } = await request<Static<typeof UsageExecutionResult>>('/api/v2/usage/query', {
    method: 'POST',
    body,
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    const r = await request<Static<typeof ApiUsageQueryResult>>(resultsUri);
    if (r.queryStatus === 'Complete') return { executionId, rows: r.results as UsageRow[] };
    if (r.queryStatus === 'Failed') throw new Error('The usage query failed.');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('The usage query takes too long; try a shorter range.');
}

export const preferences = {
  get: <T>(key: string) =>
    request<{ key: string; value: T | null }>(`/api/v2/console/preferences/${key}`).then((r) => r.value),
  put: <T>(key: string, value: T) => request(`/api/v2/console/preferences/${key}`, { method: 'PUT', body: { value } }),
  reset: (key: string) => request<void>(`/api/v2/console/preferences/${key}`, { method: 'DELETE' }),
};

export const exportUri = (executionId: string) => `/api/v2/usage/query/${executionId}/results/export`;
