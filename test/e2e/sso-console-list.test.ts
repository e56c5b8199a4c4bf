/**
 * The Single Sign-On list in Chromium (@see issue 20): a second Okta provider added through the
 * console coexists with the first; the list shows logos, sorts by Name, Identity Provider and
 * Certificate Expiration, and each row's ⋮ menu edits or deletes; an enabled provider without a
 * certificate is refused with the reason shown.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { CERT, ISSUER, oktaMetadata, SSO_URL } from '../sso/providers-fixtures.ts';

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>';

describe.skipIf(!hasChromium)('SSO provider list in Chromium', { timeout: 90_000 }, () => {
  let t: TestApp;
  let page: Page;
  let token: string;

  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
    },
    {
      start: { clock: manualClock(new Date('2026-11-10T12:00:00Z')) },
      prepare: async (t) => {
        token = await t.token();
      },
    },
  );

  const providers = async () =>
    (await t.api('/api/v2/identityproviders?pageSize=100', { token })).body.entities as {
      id: string;
      name: string;
      providerType: string;
      issuerURI: string;
    }[];
  const names = async () =>
    page
      .getByRole('table', { name: 'Identity providers' })
      .getByRole('row')
      .evaluateAll((rows) => rows.slice(1).map((r) => r.querySelectorAll('td')[1]?.textContent ?? ''));

  async function addOkta(name: string, metadataCerts: string[]) {
    await page.goto(`${t.url}/admin/integrations/sso`);
    await page.getByRole('link', { name: 'Add Identity Provider' }).click();
    await page.getByLabel('Identity Provider Type').selectOption('okta');
    await page.getByLabel('Identity Provider Name').fill(name);
    await page.getByLabel('SAML Metadata File').setInputFiles({
      name: 'metadata.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(oktaMetadata(metadataCerts)),
    });
    await page.getByText('Read metadata.xml: review the values below').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: new RegExp(name) }).waitFor();
  }

  it('adds a second Okta provider beside the first instead of overwriting it', async () => {
    await addOkta('Company SSO', [CERT.idp]);
    await addOkta('Partner SSO', [CERT.idp, CERT.expired]);
    const saved = await providers();
    expect(saved.map((p) => [p.name, p.providerType]).sort()).toEqual([
      ['Company SSO', 'okta'],
      ['Partner SSO', 'okta'],
    ]);
    expect(new Set(saved.map((p) => p.id)).size).toBe(2);
    for (const name of ['Company SSO', 'Partner SSO']) {
      await expect(
        page
          .getByRole('row', { name: new RegExp(name) })
          .getByRole('cell')
          .nth(2)
          .textContent(),
      ).resolves.toBe('Okta');
    }
  });

  it('shows each logo and sorts by Name, Identity Provider and Certificate Expiration', async () => {
    const made = await t.api('/api/v2/identityproviders', {
      method: 'POST',
      token,
      body: {
        providerType: 'adfs',
        name: 'Azure Staff',
        issuerURI: `${ISSUER}/adfs`,
        ssoTargetURI: SSO_URL,
        certificates: [CERT.expired],
        logoImageData: LOGO,
      },
    });
    expect(made.status, made.text).toBe(200);
    await page.goto(`${t.url}/admin/integrations/sso`);
    await page.getByRole('columnheader', { name: 'Logo' }).waitFor();
    await page.getByRole('img', { name: 'Azure Staff logo' }).waitFor();
    expect(await page.getByRole('img', { name: /logo$/ }).count()).toBe(1);

    // Default: by name, ascending.
    await expect.poll(names).toEqual(['Azure Staff', 'Company SSO', 'Partner SSO']);
    const nameHeader = page.getByRole('columnheader', { name: /Name/ });
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await nameHeader.getByRole('button').click();
    await expect.poll(() => nameHeader.getAttribute('aria-sort')).toBe('descending');
    await expect.poll(names).toEqual(['Partner SSO', 'Company SSO', 'Azure Staff']);

    // Identity Provider: "ADFS / Microsoft Entra ID" before "Okta"; then by name.
    await page
      .getByRole('columnheader', { name: /Identity Provider/ })
      .getByRole('button')
      .click();
    await expect.poll(names).toEqual(['Azure Staff', 'Company SSO', 'Partner SSO']);
    await page
      .getByRole('columnheader', { name: /Identity Provider/ })
      .getByRole('button')
      .click();
    await expect.poll(names).toEqual(['Partner SSO', 'Company SSO', 'Azure Staff']);

    // Certificate Expiration: the certificate that expires first decides (2026-11-24 before 2126).
    const expiry = page.getByRole('columnheader', { name: /Certificate Expiration/ });
    await expiry.getByRole('button').click();
    await expect.poll(() => expiry.getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(names).toEqual(['Azure Staff', 'Partner SSO', 'Company SSO']);
    await expiry.getByRole('button').click();
    await expect.poll(names).toEqual(['Company SSO', 'Partner SSO', 'Azure Staff']);
  });

  it('edits and deletes from the ⋮ menu', async () => {
    await page.goto(`${t.url}/admin/integrations/sso`);
    await page.getByRole('button', { name: 'Actions for Partner SSO' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for Partner SSO' });
    await menu.waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Actions for Partner SSO' }).click();
    await menu.getByRole('menuitem', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Partner SSO' }).waitFor();
    await page.getByLabel('Identity Provider Name').fill('Partner SSO (EU)');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: /Partner SSO \(EU\)/ }).waitFor();
    expect((await providers()).map((p) => p.name).sort()).toEqual(['Azure Staff', 'Company SSO', 'Partner SSO (EU)']);

    await page.getByRole('button', { name: 'Actions for Azure Staff' }).click();
    await page.getByRole('menu', { name: 'Actions for Azure Staff' }).getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete identity provider' });
    await dialog.getByText('People can no longer sign in through Azure Staff.').waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('row', { name: /Azure Staff/ }).waitFor({ state: 'detached' });
    expect((await providers()).map((p) => p.name).sort()).toEqual(['Company SSO', 'Partner SSO (EU)']);
  });

  it('refuses to save an enabled provider without a certificate, saying why', async () => {
    await page.goto(`${t.url}/admin/integrations/sso/new`);
    await page.getByLabel('Identity Provider Name').fill('No certificate');
    await page.getByLabel('Issuer URI', { exact: false }).fill(`${ISSUER}/none`);
    await page.getByLabel('SSO URL').fill(SSO_URL);
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .getByText(/enabled identity provider needs at least one certificate/)
      .waitFor();
    expect((await providers()).map((p) => p.name)).not.toContain('No certificate');
    // Saved disabled, it waits for its certificate and stays off the login page.
    await page.getByLabel('Disabled').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: /No certificate/ }).waitFor();
    const login = await t.api('/saml/providers');
    expect(login.body.providers.map((p: { name: string }) => p.name)).not.toContain('No certificate');
  });
});
