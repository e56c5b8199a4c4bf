/**
 * OAuth clients in Chromium, as the seed's administrator works: deactivate then delete (the API
 * refuses to delete an active client); Save from the Roles tab with a bad Token Duration shows
 * the error beside the field, on its tab; a Code client needs a scope; Implicit is not offered
 * to new clients and its deprecation is said; confirm dialogs start on Cancel
 * (@see issue 20, OAuth defects).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('OAuth client lifecycle in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  adminConsoleSuite((s) => {
    ({ t, page } = s);
  });

  it('deactivates, then deletes a client; Delete waits for inactive; the dialog starts on Cancel', async () => {
    const { id } = await t.clientWithRole('Retired Bot');
    await page.goto(`${t.url}/admin/integrations/oauth/${id}`);
    await page.getByRole('heading', { name: 'Retired Bot' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    await page.getByText('Deactivate the client before deleting it.').waitFor();

    await page.getByRole('button', { name: 'Deactivate' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('the tokens it holds stop working').waitFor();
    // Enter on the focused button cancels: nothing changes.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('client-state').textContent()).toBe('active');

    await page.getByRole('button', { name: 'Deactivate' }).click();
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Deactivated: its tokens no longer work.').waitFor();
    expect(await page.getByTestId('client-state').textContent()).toBe('inactive');
    const token = await t.token();
    expect((await t.api(`/api/v2/oauth/clients/${id}`, { token })).body.state).toBe('inactive');

    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByText('cannot be undone').waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted Retired Bot.').waitFor();
    await page.getByRole('heading', { name: 'OAuth' }).waitFor();
    expect((await t.api(`/api/v2/oauth/clients/${id}`, { token })).status).toBe(404);
  });

  it('deactivates a service-account client too (the PUT resends only what the API takes)', async () => {
    const token = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token });
    const home = await t.api('/api/v2/authorization/divisions/home', { token });
    const made = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: {
        name: 'Robot Account',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        serviceAccount: true,
        roleDivisions: [{ roleId: roles.body.entities[0].id, divisionId: home.body.id }],
      },
    });
    expect(made.status, made.text).toBe(200);
    await page.goto(`${t.url}/admin/integrations/oauth/${made.body.id}`);
    await page.getByRole('button', { name: 'Deactivate' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Deactivated: its tokens no longer work.').waitFor();
    expect((await t.api(`/api/v2/oauth/clients/${made.body.id}`, { token })).body.state).toBe('inactive');
  });

  it('shows a bad Token Duration beside its field when Save is pressed on the Roles tab', async () => {
    await page.goto(`${t.url}/admin/integrations/oauth/new`);
    await page.getByLabel('App Name').fill('Short Lived');
    await page.getByLabel('Token Duration', { exact: false }).fill('10');
    await page.getByLabel('Client Credentials').check();
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByLabel('Employee').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#ttl-error', { hasText: 'from 300 to 172,800' }).waitFor();
    expect(await page.getByRole('tab', { name: /Client Details/ }).getAttribute('aria-selected')).toBe('true');
    const ttl = page.getByLabel('Token Duration', { exact: false });
    expect(await ttl.getAttribute('aria-invalid')).toBe('true');
    await page.waitForFunction(() => document.activeElement?.id === 'ttl');
    expect((await t.api('/api/v2/oauth/clients', { token: await t.token() })).text).not.toContain('Short Lived');
  });

  it('moves between tabs with the arrow keys', async () => {
    const details = page.getByRole('tab', { name: /Client Details/ });
    await details.focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.activeElement?.textContent === 'Roles');
    expect(await page.getByRole('tab', { name: 'Roles' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await details.getAttribute('aria-selected')).toBe('true');
  });

  it('refuses a Code client without scopes, beside the Scope list', async () => {
    await page.goto(`${t.url}/admin/integrations/oauth/new`);
    await page.getByLabel('App Name').fill('Scopeless Portal');
    await page.getByLabel('Code Authorization').check();
    await page.getByLabel('Authorized redirect URIs', { exact: false }).fill('https://portal.example/cb');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#scope-list-error', { hasText: 'Pick at least one scope' }).waitFor();
    expect(await page.getByRole('tab', { name: /Scope/ }).getAttribute('aria-selected')).toBe('true');
    // Scope descriptions are shown beside their ids.
    await page.getByRole('tabpanel', { name: 'Scope' }).getByText('users:readonly').first().waitFor();
    expect((await t.api('/api/v2/oauth/clients', { token: await t.token() })).text).not.toContain('Scopeless');
  });

  it('does not offer Implicit to a new client, and says why', async () => {
    await page.goto(`${t.url}/admin/integrations/oauth/new`);
    await page.getByLabel('Client Credentials').waitFor();
    expect(await page.getByLabel('Token Implicit Grant (Browser)').count()).toBe(0);
    await page
      .getByText(/no longer offered for new clients \(removed May 2026; existing implicit clients stop/)
      .waitFor();
  });
});
