/**
 * The console in a real browser: log in, see the admin navigation of the seeds, list users and
 * roles from the API, reach a page of a later issue, log out (@see issue 2, point 4).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';

const NAV = {
  Integrations: ['OAuth', 'Authorized Applications', 'Single Sign-On', 'Audit Streams'],
  'Platform Usage': ['API Usage'],
  Troubleshooting: ['Audit Viewer'],
  Routing: ['Disconnect Interactions'],
  'People & Permissions': ['Users', 'Roles'],
  Privacy: ['Data Subject Requests'],
};

describe.skipIf(!hasChromium)('console in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await startApp('sqlite');
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a visitor to the login page and refuses a wrong password', async () => {
    await page.goto(`${t.url}/admin/people/users`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Email').fill(t.demo.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Invalid login credentials.').waitFor();
  });

  it('logs in and shows the navigation tree of the seeds', async () => {
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin/);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    for (const [group, items] of Object.entries(NAV)) {
      await nav.getByText(group, { exact: true }).waitFor();
      for (const item of items) await nav.getByRole('link', { name: item, exact: true }).waitFor();
    }
    await page.getByText('Gatehouse Demo').first().waitFor();
  });

  it('lists real users and roles', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('cell', { name: 'admin@demo.gatehouse.local' }).waitFor();
    await page.getByRole('cell', { name: 'service-account@demo.gatehouse.local' }).waitFor();
    // A user created through the API appears on the page: the list is live data.
    const token = await t.token();
    await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Browser Visible', email: 'visible@example.com' },
    });
    await page.reload();
    await page.getByRole('cell', { name: 'visible@example.com' }).waitFor();

    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('heading', { name: 'Roles' }).waitFor();
    await page.getByRole('cell', { name: 'Master Admin' }).waitFor();
    await page.getByRole('cell', { name: 'Employee' }).waitFor();
  });

  it('opens Disconnect Interactions as a working page, no longer a placeholder (@see issue 4)', async () => {
    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Disconnect Interactions', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Disconnect Interactions' }).waitFor();
    await page.getByLabel('Interaction ID').waitFor();
    expect(await page.getByText('Not yet available in this version.').count()).toBe(0);
  });

  it('logs out and is sent back to the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${t.url}/admin`);
    await page.waitForURL(/\/login/);
    const status = await page.evaluate(async () => (await fetch('/api/v2/users')).status);
    expect(status).toBe(401);
  });
});
