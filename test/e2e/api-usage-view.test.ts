/**
 * Admin → Platform Usage → API Usage View in Chromium, over seeded history: the counts and
 * percentages of the OAuth Clients and API Requests tables equal the API's, clicking a row
 * cross-filters the other table with a "Filtered %" column (one filter at a time, a second click
 * clears it), Save keeps the filter and dates across a reload, and the CSV export carries the
 * same figures (@see issue 6, seeds/000 "API Usage", the API Usage view).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { seedClientUsage, type UsagePattern, usageRows } from '../usage/helpers.ts';

const DAY = 86_400_000;
const today = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()));
const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;

describe.skipIf(!hasChromium)('API Usage View in Chromium', { timeout: 60_000 }, () => {
  let page: Page;
  let rows: Record<string, any>[] = [];

  adminConsoleSuite(
    async (s) => {
      ({ page } = s);
    },
    {
      prepare: async (t) => {
        const seed = (name: string, patterns: UsagePattern[]) =>
          seedClientUsage(t, name, patterns, { today, days: 4, offsetMs: 7_200_000 });
        await seed('Polling Dashboard', [
          ['GET', '/api/v2/users', 200, 60],
          ['GET', '/api/v2/users/{userId}', 200, 20],
        ]);
        await seed('Nightly Sync', [
          ['GET', '/api/v2/users', 200, 15],
          ['POST', '/api/v2/users', 400, 5],
        ]);
        await seed('Queue Watcher', [
          ['GET', '/api/v2/routing/queues', 200, 30],
          ['GET', '/api/v2/users/{userId}', 404, 10],
        ]);
        // Today's requests never show.
        t.gh.meter.record({
          orgId: t.demo.orgId,
          clientId: 'today',
          clientName: 'Today Only',
          userId: null,
          method: 'GET',
          urlTemplate: '/api/v2/users',
          status: 200,
          at: new Date(),
        });
        await t.gh.meter.flush();
        const interval = `${new Date(today.getTime() - 7 * DAY).toISOString()}/${today.toISOString()}`;
        ({ rows } = await usageRows(t, await t.token(), {
          interval,
          granularity: 'Month',
          groupBy: ['OAuthClientId', 'TemplateUri', 'HttpMethod'],
        }));
      },
    },
  );

  const table = (name: string) => page.getByRole('table', { name });
  /** Each body row's text cells: name, count, % of total [, filtered %]. */
  const cells = async (name: string) => {
    const out: string[][] = [];
    const trs = table(name).getByRole('row');
    for (let i = 1; i < (await trs.count()); i++)
      out.push((await trs.nth(i).getByRole('cell').allTextContents()).filter((c) => c !== ''));
    return out;
  };

  it('shows counts and percentages equal to the API for the previous 7 days', async () => {
    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'API Usage View', exact: true })
      .click();
    await page.getByRole('heading', { name: 'API Usage View' }).waitFor();
    await page.getByTestId('view-total').waitFor();
    const total = rows.reduce((n, r) => n + r.requests, 0);
    expect(total).toBe(60 + 20 + 15 + 5 + 30 + 10);
    expect(await page.getByTestId('view-total').textContent()).toBe(String(total));
    expect(await page.getByTestId('range').textContent()).toContain('UTC');

    const byClient = new Map<string, number>();
    const byRequest = new Map<string, number>();
    for (const r of rows) {
      byClient.set(r.clientName, (byClient.get(r.clientName) ?? 0) + r.requests);
      byRequest.set(
        `${r.httpMethod} ${r.templateUri}`,
        (byRequest.get(`${r.httpMethod} ${r.templateUri}`) ?? 0) + r.requests,
      );
    }
    const expected = (m: Map<string, number>) =>
      [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, v]) => [k, String(v), pct(v, total)]);
    expect(await cells('OAuth Clients')).toEqual(expected(byClient));
    expect(await cells('API Requests')).toEqual(expected(byRequest));
    // Spot check against hand-counted figures: 80 of 140 requests came from the dashboard.
    expect((await cells('OAuth Clients'))[0]).toEqual(['Polling Dashboard', '80', '57.1%']);
    expect((await cells('API Requests'))[0]).toEqual(['GET /api/v2/users', '75', '53.6%']);
  });

  it('cross-filters the other table with a Filtered % column, one filter at a time', async () => {
    await table('OAuth Clients').getByRole('button', { name: 'Nightly Sync' }).click();
    await expect
      .poll(() => cells('API Requests'))
      .toEqual([
        ['GET /api/v2/users', '15', pct(15, 140), pct(15, 20)],
        ['POST /api/v2/users', '5', pct(5, 140), pct(5, 20)],
      ]);
    expect(await table('API Requests').getByRole('columnheader', { name: 'Filtered %' }).count()).toBe(1);
    // The filtered table itself keeps every row and gets no Filtered % column.
    expect((await cells('OAuth Clients')).length).toBe(3);
    expect(await table('OAuth Clients').getByRole('columnheader', { name: 'Filtered %' }).count()).toBe(0);
    expect(await page.getByTestId('filter').textContent()).toContain('Nightly Sync');

    // Clicking a request switches the filter to it: the clients table is now the filtered one.
    await table('API Requests').getByRole('button', { name: 'GET /api/v2/users' }).click();
    await expect
      .poll(() => cells('OAuth Clients'))
      .toEqual([
        ['Polling Dashboard', '60', pct(60, 140), pct(60, 75)],
        ['Nightly Sync', '15', pct(15, 140), pct(15, 75)],
      ]);
    expect((await cells('API Requests')).length).toBe(4);
    // Clicking the same row again clears it.
    await table('API Requests').getByRole('button', { name: 'GET /api/v2/users', exact: true }).click();
    await expect.poll(async () => (await cells('OAuth Clients')).length).toBe(3);
    expect(await page.getByTestId('filter').count()).toBe(0);
    expect((await cells('OAuth Clients'))[0]).toHaveLength(3);
  });

  it('exports the figures on screen as CSV', async () => {
    await table('OAuth Clients').getByRole('button', { name: 'Queue Watcher' }).click();
    await expect.poll(async () => (await cells('API Requests')).length).toBe(2);
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = decodeURIComponent(href!.slice(href!.indexOf(',') + 1))
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe('table,name,count,percentOfTotal,filteredPercent');
    for (const row of await cells('API Requests')) expect(csv).toContain(['API Requests', ...row].join(','));
    for (const row of await cells('OAuth Clients'))
      expect(csv).toContain(['OAuth Clients', ...row, pct(Number(row[1]), 40)].join(','));
    await table('OAuth Clients').getByRole('button', { name: 'Queue Watcher' }).click();
  });

  it('keeps the saved filter and dates across a reload', async () => {
    await page.getByLabel('Date range').selectOption('Previous 30 days');
    await page.getByTestId('view-total').waitFor();
    await table('OAuth Clients').getByRole('button', { name: 'Polling Dashboard' }).click();
    await expect.poll(async () => (await cells('API Requests')).length).toBe(2);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.reload();
    await page.getByTestId('view-total').waitFor();
    expect(await page.getByLabel('Date range').inputValue()).toBe('Previous 30 days');
    expect(await page.getByTestId('filter').textContent()).toContain('Polling Dashboard');
    expect(await cells('API Requests')).toEqual([
      ['GET /api/v2/users', '60', pct(60, 140), pct(60, 80)],
      ['GET /api/v2/users/{userId}', '20', pct(20, 140), pct(20, 80)],
    ]);
    expect(
      await table('OAuth Clients').getByRole('button', { name: 'Polling Dashboard' }).getAttribute('aria-pressed'),
    ).toBe('true');
  });

  it('draws requests per day for a multi-day range, highlights the filter, and no graph for one day', async () => {
    await page.getByLabel('Date range').selectOption('Previous 7 days');
    await page.getByTestId('view-total').waitFor();
    // The previous test saved a filter: clear it first.
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await page.getByRole('img', { name: /^Requests per UTC day\. / }).waitFor();
    await table('OAuth Clients').getByRole('button', { name: 'Nightly Sync' }).click();
    await page.getByRole('img', { name: /^Requests per UTC day, Nightly Sync highlighted/ }).waitFor();
    await table('OAuth Clients').getByRole('button', { name: 'Nightly Sync' }).click();
    await page.getByLabel('Date range').selectOption('Single day');
    await page.getByTestId('no-graph').waitFor();
    expect(await page.getByRole('img', { name: /^Requests per UTC day/ }).count()).toBe(0);
  });

  it('says so when a period has no requests, and shows an error for an impossible range', async () => {
    await page.getByLabel('Date range').selectOption('Custom');
    const old = new Date(today.getTime() - 200 * DAY).toISOString().slice(0, 10);
    await page.getByLabel('From', { exact: true }).fill(old);
    await page.getByLabel('To', { exact: true }).fill(old);
    await page.getByText('No API requests in this period.').waitFor();
    await page.getByLabel('From', { exact: true }).fill(new Date(today.getTime() - 2 * DAY).toISOString().slice(0, 10));
    await page.getByLabel('To', { exact: true }).fill(new Date(today.getTime() - 5 * DAY).toISOString().slice(0, 10));
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('must end after it starts');
  });
});
