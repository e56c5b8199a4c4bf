/**
 * API Usage over a range that crosses a month boundary: one row per OAuth client and URL for the
 * whole range (no month buckets splitting a pair in two), and the export bucketed by UTC day
 * (@see issue 20 "API Usage repeats rows").
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { usageRows } from '../usage/helpers.ts';

const DAY = 86_400_000;
const now = new Date();
// The first day of last month, UTC: a boundary wholly in the past, whatever today is.
const boundary = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const day = (offset: number) => new Date(boundary.getTime() + offset * DAY);
const iso = (d: Date) => d.toISOString().slice(0, 10);

describe.skipIf(!hasChromium)('API Usage across a month boundary', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;

  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
    },
    {
      prepare: async (t) => {
        const c = await t.clientWithRole('Nightly Sync', 'Employee');
        // 5 requests three days before the boundary, 7 two days after it, on the same URL.
        for (const [offset, count] of [
          [-3, 5],
          [2, 7],
        ] as const) {
          for (let i = 0; i < count; i++) {
            t.gh.meter.record({
              orgId: t.demo.orgId,
              clientId: c.id,
              clientName: 'Nightly Sync',
              userId: null,
              method: 'GET',
              urlTemplate: '/api/v2/users',
              status: 200,
              at: new Date(day(offset).getTime() + 3_600_000),
            });
          }
        }
        await t.gh.meter.flush();
      },
    },
  );

  it('answers a by-day grouped query with one row per UTC day, and exports it by day (HTTP)', async () => {
    const { rows, executionId } = await usageRows(t, await t.token(), {
      interval: `${iso(day(-5))}T00:00:00.000Z/${iso(day(5))}T00:00:00.000Z`,
      granularity: 'Day',
      groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
    });
    expect(rows.map((r) => [r.date.slice(0, 10), r.requests])).toEqual([
      [iso(day(-3)), 5],
      [iso(day(2)), 7],
    ]);
    const csv = await t.api(`/api/v2/usage/query/${executionId}/results/export`, { token: await t.token() });
    expect(csv.status).toBe(200);
    const dates = csv.text
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.slice(0, 10));
    expect(dates).toEqual([iso(day(-3)), iso(day(2))]);
  });

  it('lists the client and URL once for the range, and its export is by UTC day', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API Usage', exact: true }).click();
    await page.getByRole('heading', { name: 'API Usage', exact: true }).waitFor();
    await page.getByLabel('Date range').selectOption('Custom');
    await page.getByLabel('From', { exact: true }).fill(iso(day(-5)));
    await page.getByLabel('To', { exact: true }).fill(iso(day(4)));
    await expect.poll(() => page.getByTestId('total-requests').textContent()).toBe('12');
    const table = page.getByRole('table', { name: 'Request URL Counts by OAuth Client' });
    const body = table.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
    expect(await body.count()).toBe(1);
    expect(await body.first().getByRole('cell').allTextContents()).toEqual(['Nightly Sync', 'GET /api/v2/users', '12']);

    const href = await page.getByRole('link', { name: 'Export API Usage Data' }).getAttribute('href');
    const res = await page.request.get(`${t.url}${href}`);
    expect(res.status()).toBe(200);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.slice(0, 10))).toEqual([iso(day(-3)), iso(day(2))]);
  });
});
