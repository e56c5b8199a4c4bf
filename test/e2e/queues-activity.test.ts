/**
 * Seed 000 end to end in Chromium: find a stuck interaction in the real-time Queues Activity
 * view, copy its Interaction ID from the details panel, disconnect it in Disconnect
 * Interactions, see it in the audit trail, then see it gone from the live view and from the
 * queue's figures (@see issue 18).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { simulateTraffic } from '../../src/contact-center.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('Queues Activity and Disconnect in Chromium', { timeout: 90_000 }, () => {
  let t: TestApp;
  let page: Page;
  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
    },
    {
      prepare: async (t) => {
        await simulateTraffic({ ...t.gh, clock: systemClock }, t.demo.orgId, { days: 1, peakPerHour: 10, seed: 11 });
      },
    },
  );

  it('finds a stuck interaction, copies its ID, disconnects it, and sees it gone and audited', async () => {
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await nav.getByRole('link', { name: 'Queues Activity', exact: true }).click();
    await page.getByRole('heading', { name: 'Queues Activity' }).waitFor();
    await page.getByLabel(/Only those that look stuck/).check();
    const active = page.getByRole('table', { name: 'Active interactions' });
    const stuckRow = active.getByRole('row').filter({ hasText: 'Stuck: In queue with no active parties' });
    await stuckRow.waitFor();
    const queueName = (await stuckRow.getByRole('cell').nth(1).textContent())!;
    const queues = page.getByRole('table', { name: 'Queues' });
    const waitingCell = queues.locator(`tr[data-queue="${queueName}"] td[data-metric="waiting"]`);
    // Waited for, not read once: the figures refresh every few seconds. (Two full runs read 0 here: the
    // stuck copy of a transferred interaction waited in its first queue; test/analytics/stuck-in-queue.test.ts.)
    let waitingBefore = 0;
    await expect
      .poll(async () => {
        waitingBefore = Number(await waitingCell.textContent());
        return waitingBefore;
      })
      .toBeGreaterThan(0);

    await stuckRow.getByRole('button', { name: 'Details' }).click();
    const panel = page.getByRole('region', { name: 'Interaction details panel' });
    await panel.getByText('In queue with no active parties').waitFor();
    await panel.getByRole('table', { name: 'Segments' }).getByRole('row').nth(1).waitFor();
    const shownId = (await panel.getByTestId('interaction-id').textContent())!;
    await panel.getByRole('button', { name: 'Copy Interaction ID' }).click();
    await panel.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(shownId);

    // Admin → Routing → Disconnect Interactions, paste the ID, disconnect.
    await nav.getByRole('link', { name: 'Disconnect Interactions', exact: true }).click();
    await page.getByLabel('Interaction ID').fill(copied);
    await page.getByRole('button', { name: 'Look Up', exact: true }).click();
    const details = page.getByRole('region', { name: 'Interaction details' });
    await details.getByText(copied).waitFor();
    await details.getByRole('button', { name: 'Disconnect Interaction' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect Interaction' }).click();
    await page.getByRole('status').filter({ hasText: 'Interaction disconnected' }).waitFor();

    // The system logs the disconnection: it is in the interaction's audit trail.
    await details.getByRole('tab', { name: 'Audit Trail' }).click();
    await details.getByRole('button', { name: 'Load All Audits' }).click();
    const audits = details.getByRole('table', { name: 'Interaction audits' });
    await audits.getByRole('row').filter({ hasText: 'Disconnect' }).getByText('Demo Admin (user)').waitFor();

    // Verify in the real-time view: gone from the active list and from the queue's waiting figure.
    await page.getByRole('link', { name: 'Queues Activity' }).last().click();
    await page.getByRole('heading', { name: 'Queues Activity' }).waitFor();
    await page.locator(`tr[data-queue="${queueName}"] td[data-metric="waiting"]`).waitFor();
    await page
      .locator(`tr[data-queue="${queueName}"] td[data-metric="waiting"]`)
      .filter({ hasText: new RegExp(`^${waitingBefore - 1}$`) })
      .waitFor();
    await page.getByRole('table', { name: 'Active interactions' }).getByRole('row').nth(1).waitFor();
    expect(await page.locator(`tr[data-interaction="${copied}"]`).count()).toBe(0);
  });

  it('searches the Interaction Details report by queue and opens one', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Interaction Details' }).click();
    await page.getByRole('heading', { name: 'Interaction Details' }).waitFor();
    await page.getByLabel('Queue').selectOption({ label: 'Support' });
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.getByRole('table', { name: 'Interactions' });
    await table.getByRole('row').nth(1).waitFor();
    const status = await page.getByRole('status').filter({ hasText: 'interactions' }).textContent();
    expect(Number.parseInt(status!, 10)).toBeGreaterThan(0);
    await table.getByRole('row').nth(1).getByRole('button').click();
    const panel = page.getByRole('region', { name: 'Interaction details panel' });
    await panel.getByRole('table', { name: 'Segments' }).getByText('interact').first().waitFor();
  });
});
