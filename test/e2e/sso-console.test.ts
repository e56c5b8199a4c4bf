/**
 * Admin → Integrations → Single Sign-On in Chromium: add an identity provider by uploading its
 * SAML metadata, review what it filled in, save, and see it listed with its certificates'
 * expiry (one expiring soon, flagged); download Gatehouse's certificate (@see issue 5, Console).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { ISSUER, oktaMetadata, SSO_URL } from '../sso/providers-fixtures.ts';

describe.skipIf(!hasChromium)('SSO console in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;

  // 14 days before the test "expired" certificate's notAfter (2026-11-24): it is flagged as expiring soon.
  adminConsoleSuite(
    (s) => {
      ({ t, page } = s);
    },
    { start: { clock: manualClock(new Date('2026-11-10T12:00:00Z')) } },
  );

  it('adds a provider from uploaded metadata, after review, and lists it with its certificate expiry', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Single Sign-On' }).click();
    await page.getByText('No identity providers yet').waitFor();
    await page.getByRole('link', { name: 'Add Identity Provider' }).click();
    await page.getByLabel('Identity Provider Type').selectOption('okta');
    expect(await page.getByLabel('Identity Provider Name').inputValue()).toBe('Okta');
    await page.getByLabel('Identity Provider Name').fill('Company Okta');
    await page
      .getByLabel('SAML Metadata File')
      .setInputFiles({ name: 'okta-metadata.xml', mimeType: 'application/xml', buffer: Buffer.from(oktaMetadata()) });

    // Review: the metadata filled the form; nothing is saved yet.
    await page.getByText('Read okta-metadata.xml: review the values below').waitFor();
    expect(await page.getByLabel('Issuer URI', { exact: false }).inputValue()).toBe(ISSUER);
    expect(await page.getByLabel('SSO URL').inputValue()).toBe(SSO_URL);
    const certs = page.getByRole('list', { name: 'Certificates' }).getByRole('listitem');
    await expect(certs.count()).resolves.toBe(2);
    await expect(certs.nth(0).textContent()).resolves.toMatch(/CN=idp\.gatehouse\.test.*Expires 2126/);
    await expect(certs.nth(1).textContent()).resolves.toMatch(/⚠ Expires 2026-11-24 \(soon\)/);
    expect((await t.api('/api/v2/identityproviders', { token: await t.token() })).body.total).toBe(0);

    await page.getByRole('button', { name: 'Save' }).click();
    const row = page.getByRole('row', { name: /Company Okta/ });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(2).textContent()).resolves.toBe('Okta');
    await expect(row.getByRole('cell').nth(5).textContent()).resolves.toMatch(
      /Expires 2126.*⚠ Expires 2026-11-24 \(soon\)/,
    );

    // Add Identity Provider creates a new provider (POST), of the type chosen.
    const list = await t.api('/api/v2/identityproviders', { token: await t.token() });
    expect(list.body.total).toBe(1);
    const saved = list.body.entities[0];
    expect(saved).toMatchObject({
      name: 'Company Okta',
      providerType: 'okta',
      issuerURI: ISSUER,
      ssoTargetURI: SSO_URL,
    });
    expect(saved.certificates).toHaveLength(2);
  });

  it('shows a bad metadata file as an error naming the problem, and downloads the Gatehouse certificate', async () => {
    await page.goto(`${t.url}/admin/integrations/sso/new`);
    await page.getByLabel('SAML Metadata File').setInputFiles({
      name: 'not-metadata.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from('<html><body>login</body></html>'),
    });
    await page.getByRole('alert').getByText('The metadata cannot be used').waitFor();

    await page.goto(`${t.url}/admin/integrations/sso`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download Gatehouse Certificate' }).click(),
    ]);
    const pem = readFileSync((await download.path())!, 'utf8');
    expect(new X509Certificate(pem).subject).toMatch(/Gatehouse SAML signing/);
    expect(pem).not.toContain('PRIVATE');
  });
});
