/**
 * Every page of the admin navigation (and the sign-in page) checked by axe-core in Chromium: no
 * serious or critical violation. Also the keyboard basics of issue 20: a skip link to the main
 * content, a document title per page, and no favicon request that 404s (@see issue 20).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { NAVIGATION } from '../../web/src/navigation.ts';
import type { TestApp } from '../helpers/app.ts';
import { seriousViolations } from '../helpers/axe.ts';
import { adminConsoleSuite, hasChromium, launchChromium } from '../helpers/browser.ts';

const PAGES = NAVIGATION.flatMap((g) => g.items);

/** Waits until the page has settled: its heading shown and no loading status left. */
async function settled(page: Page) {
  await page.locator('main h1').first().waitFor();
  await page.waitForFunction(
    () => ![...document.querySelectorAll('[role="status"]')].some((s) => /Loading/.test(s.textContent ?? '')),
  );
}

describe.skipIf(!hasChromium)('accessibility of every console page in Chromium', { timeout: 120_000 }, () => {
  let t: TestApp;
  let page: Page;
  const notFound: string[] = [];
  adminConsoleSuite(async (s) => {
    ({ t, page } = s);
    page.on('response', (r) => {
      if (r.status() === 404 && !r.url().includes('/api/')) notFound.push(r.url());
    });
  });

  it('has no serious or critical axe violation on the sign-in page', async () => {
    const other = await launchChromium();
    try {
      const p = await other.newPage();
      await p.goto(`${t.url}/login`);
      await p.getByRole('button', { name: 'Log in' }).waitFor();
      expect(await p.title()).toBe('Sign in · Gatehouse');
      expect(await seriousViolations(p)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  for (const item of PAGES) {
    it(`has no serious or critical axe violation on ${item.label}, and its own title`, async () => {
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: item.label, exact: true })
        .click();
      await page.waitForURL(`**${item.path}`);
      await settled(page);
      await page.waitForFunction((label) => document.title === `${label} · Gatehouse`, item.label);
      expect(await seriousViolations(page)).toEqual([]);
    });
  }

  it('has no serious or critical axe violation on the pages reached from the list pages', async () => {
    const checks: [string, () => Promise<unknown>][] = [
      ['/admin/integrations/oauth/new', () => page.getByLabel('App Name').waitFor()],
      [`/admin/integrations/oauth/${t.demo.clientId}`, () => page.getByRole('button', { name: 'Delete' }).waitFor()],
    ];
    for (const [path, ready] of checks) {
      await page.goto(t.url + path);
      await ready();
      await settled(page);
      expect(await seriousViolations(page), path).toEqual([]);
    }
    // The Audit Viewer with results and an event's details open.
    await page.goto(`${t.url}/admin/troubleshooting/audit-viewer`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.getByRole('table', { name: 'Audits' }).getByRole('row');
    await rows.nth(1).waitFor();
    await rows.nth(1).getByRole('button').click();
    await page.getByRole('region', { name: 'Audit details' }).waitFor();
    expect(await seriousViolations(page), 'audit details').toEqual([]);
  });

  it('catches a violation when there is one (the check itself works)', async () => {
    await page.evaluate(() => document.querySelector('main')!.append(document.createElement('button')));
    expect((await seriousViolations(page)).join('\n')).toMatch(/^button-name \(critical\)/m);
  });

  it('offers a skip link first in the tab order, landing on the main content', async () => {
    await page.goto(`${t.url}/admin/people/users`);
    await settled(page);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
  });

  it('loaded no page asset that 404s (a favicon among them)', () => {
    expect(notFound).toEqual([]);
  });
});
