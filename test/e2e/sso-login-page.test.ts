/**
 * The console login page in Chromium with single sign-on (@see issue 5, "Single Sign-On"):
 * provider buttons (6, the rest under "More sign-in options") above the password form, and in
 * SSO-only mode only the buttons, the password form folded for the break-glass administrator.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { CERT, ISSUER, SSO_URL } from '../sso/providers-fixtures.ts';

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#e8452c"/></svg>';

describe.skipIf(!hasChromium)('SSO on the console login page in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let admin: string;

  beforeAll(async () => {
    t = await startApp('sqlite');
    admin = await t.token();
    for (let i = 1; i <= 7; i++) {
      const res = await t.api('/api/v2/identityproviders', {
        method: 'POST',
        token: admin,
        body: {
          name: `Company IdP ${i}`,
          issuerURI: `${ISSUER}/${i}`,
          ssoTargetURI: SSO_URL,
          certificates: [CERT.idp],
          ...(i === 1 ? { logoImageData: LOGO } : {}),
        },
      });
      expect(res.status, res.text).toBe(200);
    }
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const providers = () => page.getByRole('navigation', { name: 'Single sign-on' });

  it('shows 6 provider buttons with logo and the 7th under "More sign-in options", above the password form', async () => {
    await page.goto(`${t.url}/login`);
    await providers().getByRole('link', { name: 'Company IdP 1' }).waitFor();
    const visible = providers().getByRole('link').filter({ visible: true });
    await expect(visible.count()).resolves.toBe(6);
    const first = providers().getByRole('link', { name: 'Company IdP 1' });
    const href = new URL((await first.getAttribute('href'))!, t.url);
    expect(href.pathname).toMatch(new RegExp(`^/saml/${t.demo.orgId}/login/[0-9a-f-]{36}$`));
    expect(href.searchParams.get('returnTo')).toBe('/admin');
    // The sanitized logo is displayed (decoded by the browser).
    await expect(
      first.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);

    const seventh = providers().getByRole('link', { name: 'Company IdP 7' });
    await expect(seventh.isVisible()).resolves.toBe(false);
    await page.getByText('More sign-in options').click();
    await expect(seventh.isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
  });

  it('in SSO-only mode shows only the buttons; the break-glass admin unfolds the form and signs in', async () => {
    const adminUser = (await t.api('/api/v2/users?pageSize=100', { token: admin })).body.entities.find(
      (u: { email: string }) => u.email === t.demo.adminEmail,
    );
    const saved = await t.api('/api/v2/identityproviders/settings', {
      method: 'PUT',
      token: admin,
      body: { ssoOnly: true, breakGlassUserId: adminUser.id },
    });
    expect(saved.status, saved.text).toBe(200);

    await page.goto(`${t.url}/login`);
    await providers().getByRole('link', { name: 'Company IdP 1' }).waitFor();
    await page.getByText('signs in with single sign-on').waitFor();
    await expect(page.getByLabel('Password').count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Log in' }).count()).resolves.toBe(0);

    await page.getByRole('button', { name: 'Break-glass administrator sign-in' }).click();
    await page.getByLabel('Email').fill(t.demo.adminEmail);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin/);
  });

  it('shows the SSO-only refusal to anyone else who uses the break-glass form', async () => {
    await t.gh.directory.users.create(t.demo.orgId, null, {
      name: 'Agent',
      email: 'agent@demo.gatehouse.local',
      password: 'another long passphrase',
    });
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(`${t.url}/login`);
    await other.getByRole('button', { name: 'Break-glass administrator sign-in' }).click();
    await other.getByLabel('Email').fill('agent@demo.gatehouse.local');
    await other.getByLabel('Password').fill('another long passphrase');
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.getByRole('alert').getByText('This organization signs in with single sign-on').waitFor();
    expect(other.url()).toMatch(/\/login$/);
    await context.close();
  });
});
