/**
 * The console marks SCIM-managed users (Admin → People → Users), from the users API's
 * beyond-upstream `expand=scim` flag; without the expand the upstream shape is unchanged.
 * @see issue #7 ("the console marks SCIM-managed users")
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAsAdmin, hasChromium } from '../helpers/browser.ts';
import { validateShape } from '../helpers/shape.ts';
import { oktaUser, type ScimApp, startScimApp } from './helpers.ts';

describe('SCIM-managed users in the users API and the console', { timeout: 60_000 }, () => {
  let s: ScimApp;
  let browser: Browser | undefined;
  let page: Page;
  beforeAll(async () => {
    s = await startScimApp('sqlite');
    await s.scim('POST', '/Users', oktaUser('okta.managed@example.com', { displayName: 'Okta Managed' }));
    if (hasChromium) ({ browser, page } = await consoleAsAdmin(s.t.url, s.t.demo.adminEmail, s.t.demo.adminPassword));
  });
  afterAll(async () => {
    await browser?.close();
    await s?.t.close();
  });

  it('answers scimManaged only with expand=scim', async () => {
    const admin = await s.t.token();
    const plain = await s.t.api('/api/v2/users?state=any', { token: admin });
    validateShape('UserEntityListing', plain.body);
    expect(plain.body.entities.some((u: Record<string, unknown>) => 'scimManaged' in u)).toBe(false);
    const expanded = await s.t.api('/api/v2/users?state=any&expand=scim', { token: admin });
    const flags = Object.fromEntries(
      expanded.body.entities.map((u: { email: string; scimManaged: boolean }) => [u.email, u.scimManaged]),
    );
    expect(flags['okta.managed@example.com']).toBe(true);
    expect(flags[s.t.demo.adminEmail]).toBe(false);
  });

  describe.skipIf(!hasChromium)('in Chromium', () => {
    it('shows a SCIM badge beside SCIM-managed users only', async () => {
      await page.goto(`${s.t.url}/admin/people/users`);
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      const managed = page.getByRole('row').filter({ hasText: 'okta.managed@example.com' });
      await managed.getByText('SCIM', { exact: true }).waitFor();
      const admin = page.getByRole('row').filter({ hasText: s.t.demo.adminEmail });
      await admin.waitFor();
      expect(await admin.getByText('SCIM', { exact: true }).count()).toBe(0);
      // The fields the identity provider sets are marked on its users only.
      expect(await managed.getByText('(from SCIM)').count()).toBe(3);
      expect(await admin.getByText('(from SCIM)').count()).toBe(0);
    });
  });
});
