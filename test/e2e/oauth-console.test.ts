/**
 * Admin → Integrations → OAuth and Authorized Applications in Chromium: the Add Client flow,
 * the secret shown once, regeneration with confirmation, and the authorized-app actions
 * (@see issue 3, Console).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, type TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { AuthorizeSession } from '../helpers/browserless.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe.skipIf(!hasChromium)('OAuth console in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  const tokenStatus = async (id: string, secret: string) =>
    (
      await fetch(`${t.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
    ).status;

  adminConsoleSuite((s) => {
    ({ t, page } = s);
  });

  it('adds a client-credentials client; Roles appear only after the grant is picked; the secret is shown once and works', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'OAuth', exact: true }).click();
    await page.getByRole('cell', { name: 'Demo Service Account' }).waitFor();
    await page.getByRole('link', { name: 'Add Client' }).click();
    await page.getByLabel('App Name').fill('Nightly Export');
    expect(await page.getByLabel('Token Duration', { exact: false }).inputValue()).toBe('64800');
    expect(await page.getByRole('tab', { name: 'Roles' }).count()).toBe(0);
    await page.getByLabel('Client Credentials').check();
    // A client-credentials client may carry its own SCIM limit (@see issue #19).
    await page.getByLabel('SCIM requests per minute', { exact: false }).fill('20000');
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByLabel('Employee').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('It is shown only once').waitFor();
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    const secret = (await page.getByTestId('client-secret').textContent())!;
    const clients = await t.api('/api/v2/oauth/clients', { token: await t.token() });
    const made = clients.body.entities.find((c: { name: string }) => c.name === 'Nightly Export');
    expect(made.accessTokenValiditySeconds).toBe(64800);
    expect(made.scimRequestsPerMinute).toBe(20000);
    expect(await tokenStatus(made.id, secret)).toBe(200);

    // Regenerate, after a confirmation: the old secret stops at once.
    await page.goto(`${t.url}/admin/integrations/oauth/${made.id}`);
    await page.getByRole('button', { name: 'Regenerate Client Secret' }).click();
    await page.getByText('The current secret stops working at once').waitFor();
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    await page.getByTestId('client-secret').waitFor();
    const fresh = (await page.getByTestId('client-secret').textContent())!;
    expect(fresh).not.toBe(secret);
    expect(await tokenStatus(made.id, secret)).toBe(401);
    expect(await tokenStatus(made.id, fresh)).toBe(200);
  });

  it('shows a server error on the form, naming the problem', async () => {
    await page.goto(`${t.url}/admin/integrations/oauth/new`);
    await page.getByLabel('App Name').fill('Bad Web App');
    await page.getByLabel('Code Authorization').check();
    await page.getByLabel('Authorized redirect URIs', { exact: false }).fill('http://app.example.com/cb');
    await page.getByRole('tab', { name: 'Scope' }).click();
    await page.getByRole('checkbox', { name: /^users:readonly View/ }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    // Beside the field it names, back on the Client Details tab.
    const uris = page.getByLabel('Authorized redirect URIs', { exact: false });
    await page.locator('#redirects-error', { hasText: 'must use https' }).waitFor();
    expect(await uris.getAttribute('aria-invalid')).toBe('true');
  });

  it('filters, edits and revokes an authorized application with a warning that it cannot be undone', async () => {
    const token = await t.token();
    const app = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: {
        name: 'Partner Portal',
        authorizedGrantType: 'CODE',
        registeredRedirectUri: ['https://portal.example/cb'],
        scope: ['users:readonly', 'oauth:readonly'],
      },
    });
    await new AuthorizeSession(t).authorize(
      { client_id: app.body.id, redirect_uri: 'https://portal.example/cb', response_type: 'code' },
      { email: t.demo.adminEmail, password: ADMIN_PASSWORD },
    );

    await page.goto(`${t.url}/admin/integrations/authorized-applications`);
    const row = page.getByRole('row', { name: /Partner Portal/ });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(3).textContent()).resolves.toBe('Approved');
    await expect(row.getByRole('cell').nth(2).textContent()).resolves.toBe('0');
    await page.getByLabel('State').selectOption('Pending');
    await page.getByText('No authorized applications in state Pending.').waitFor();
    await page.getByLabel('State').selectOption('');

    // The name opens the app: its scopes with what they allow (@see issue 20).
    await row.getByRole('button', { name: 'Partner Portal', exact: true }).click();
    const details = page.getByRole('region', { name: 'Application details' });
    await details.getByText('View users and their profiles').waitFor();
    await details.getByText('View OAuth clients and authorized applications').waitFor();
    await details.getByRole('button', { name: 'Close' }).click();

    // ⋮ → Edit Authorization, by keyboard: the menu opens on its first item.
    await row.getByRole('button', { name: 'More actions for Partner Portal' }).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Actions for Partner Portal' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['Edit Authorization', 'Revoke Authorization']);
    await page.waitForFunction(() => document.activeElement?.textContent === 'Edit Authorization');
    await page.keyboard.press('Enter');
    const editor = page.getByRole('region', { name: 'Edit Authorization' });
    // Each scope with what it allows.
    await editor.getByText('View and change OAuth clients and authorized applications').waitFor();
    await editor.getByRole('checkbox', { name: /^oauth:readonly View/ }).uncheck();
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'users:readonly', exact: true }).waitFor();

    await row.getByRole('button', { name: 'More actions for Partner Portal' }).click();
    await menu.getByRole('menuitem', { name: 'Revoke Authorization' }).click();
    await page.getByText('cannot be undone').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('row', { name: /Partner Portal/ })
      .getByRole('cell', { name: 'Revoked' })
      .waitFor();
    const after = await t.api(`/api/v2/oauth/authorizations/${app.body.id}`, { token });
    expect(after.body.state).toBe('Revoked');
  });
});
