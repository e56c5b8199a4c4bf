/**
 * Admin → Troubleshooting → Audit Viewer in Chromium: change an OAuth client, find the event by
 * Service → Entity Type → Action, and read its before/after (@see issue 4, Console).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { consoleAsAdmin, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('Audit Viewer in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    t = await startApp('sqlite');
    ({ browser, page } = await consoleAsAdmin(t.url, t.demo.adminEmail, ADMIN_PASSWORD));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds the change to an OAuth client and shows its before and after', async () => {
    const token = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token });
    const home = await t.api('/api/v2/authorization/divisions/home', { token });
    const body = {
      name: 'Report Bot',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }],
    };
    const made = await t.api('/api/v2/oauth/clients', { method: 'POST', token, body });
    await t.api(`/api/v2/oauth/clients/${made.body.id}`, {
      method: 'PUT',
      token,
      body: { ...body, name: 'Report Bot (renamed)', accessTokenValiditySeconds: 3600 },
    });

    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Audit Viewer', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Audit Viewer' }).waitFor();
    await page.getByText('Choose dates and filters, then Refresh.').waitFor();
    await page.getByLabel('Service').selectOption('OAuth');
    await page.getByLabel('Entity Type').selectOption('OAuthClient');
    await page.getByLabel('Action').selectOption('Update');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.getByRole('table', { name: 'Audits' }).getByRole('row');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    await rows.nth(1).getByRole('button').click();

    const details = page.getByRole('region', { name: 'Audit details' });
    await details.getByText('Demo Service Account (user)').waitFor();
    await details.getByText('127.0.0.1').waitFor();
    const changes = details.getByRole('table', { name: 'Property changes' });
    await changes.getByRole('row', { name: /name Report Bot Report Bot \(renamed\)/ }).waitFor();
    await changes.getByRole('row', { name: /accessTokenValiditySeconds 86400 3600/ }).waitFor();
    await details.getByRole('button', { name: 'See related audits' }).click();
    await details.getByRole('list', { name: 'Related audits' }).waitFor();

    // The entity filter narrows to this client: its Create and Update.
    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Entity ID').fill(made.body.id);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('Page 1 of 1 · 2 in all').waitFor();
  });

  it('refuses more than 14 days with the server message', async () => {
    await page.getByLabel('From (UTC day)').fill('2026-01-01');
    await page.getByLabel('To (UTC day', { exact: false }).fill('2026-02-01');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('POST /api/v2/audits/query').waitFor();
  });

  it('shows the latest audits of what the page manages in the footer, linking to the viewer', async () => {
    await t.api('/api/v2/users', {
      method: 'POST',
      token: await t.token(),
      body: { name: 'Footer Person', email: 'footer@example.com' },
    });
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(await page.getByRole('region', { name: 'Recent audits' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show audits footer' }).click();
    const footer = page.getByRole('region', { name: 'Recent audits' });
    await footer.getByText(/Create Footer Person by Demo Service Account/).waitFor();
    await footer.getByRole('link', { name: 'Open in Audit Viewer' }).click();
    await page.getByRole('heading', { name: 'Audit Viewer' }).waitFor();
    await expect.poll(() => page.getByLabel('Service').inputValue()).toBe('Directory');
    await expect.poll(() => page.getByLabel('Entity Type').inputValue()).toBe('User');
    // The choice is remembered across pages.
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('button', { name: 'Hide audits footer' }).waitFor();
  });

  it('shows the events of Audit Streams and Single Sign-On in their footers (review finding 4)', async () => {
    const token = await t.token();
    expect(
      (
        await t.api('/api/v2/audits/streams', {
          method: 'POST',
          token,
          body: { name: 'Footer SIEM', type: 'webhook', url: 'https://siem.example/in' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.api('/api/v2/identityproviders/settings', {
          method: 'PUT',
          token,
          body: { redirectAllowList: ['https://footer.example.com/home'] },
        })
      ).status,
    ).toBe(200);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    const footer = page.getByRole('region', { name: 'Recent audits' });

    await nav.getByRole('link', { name: 'Audit Streams', exact: true }).click();
    // The footer stays open from the previous page (the toggle is remembered).
    await page.getByRole('button', { name: 'Hide audits footer' }).waitFor();
    await footer.getByText(/Create Footer SIEM by Demo Service Account/).waitFor();
    expect(await footer.getByText('This page has no audited entities.').count()).toBe(0);

    await nav.getByRole('link', { name: 'Single Sign-On', exact: true }).click();
    await footer.getByText(/Update SSO settings by Demo Service Account/).waitFor();
    expect(await footer.getByText(/Footer SIEM/).count()).toBe(0);
    // A provider's own page (named by type, e.g. okta) belongs to Single Sign-On too.
    await page.goto(`${t.url}/admin/integrations/sso/okta`);
    await page.getByRole('button', { name: 'Hide audits footer' }).waitFor();
    // On failure, say what the footer showed instead (it failed once in a loaded CI run).
    await footer
      .getByText(/Update SSO settings by Demo Service Account/)
      .waitFor()
      .catch(async (err: Error) => {
        throw new Error(
          `${err.message}\nfooter at ${page.url()}: ${await footer.textContent().catch(() => '(no footer)')}`,
        );
      });
  });
});
