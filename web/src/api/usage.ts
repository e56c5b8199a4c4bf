import { request } from './client.ts';

export interface UsageRow {
  date: string;
  clientId?: string;
  clientName?: string;
  templateUri?: string;
  httpMethod?: string;
  requests: number;
  status200: number;
  status300: number;
  status400: number;
  status429: number;
  status500: number;
}

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
  const { executionId, resultsUri } = await request<{ executionId: string; resultsUri: string }>(
    '/api/v2/usage/query',
    { method: 'POST', body },
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const r = await request<{ results: UsageRow[]; queryStatus: string }>(resultsUri);
    if (r.queryStatus === 'Complete') return { executionId, rows: r.results };
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
