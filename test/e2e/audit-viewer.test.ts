/**
 * Admin → Troubleshooting → Audit Viewer in Chromium: change an OAuth client, find the event by
 * Service → Entity Type → Action, and read its before/after (@see issue 4, Console); filter by a
 * user's name with suggestions, read a certificate change without the page widening, and the
 * footer's 14-day interval (@see issue 20). Every wait is for a state on the page, never a time.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { CERT } from '../sso/providers-fixtures.ts';

/** Waits until a form control shows the value (the page sets it once its data arrives). */
const hasValue = (page: Page, selector: string, value: string) =>
  page.waitForFunction(
    ([sel, v]) => (document.querySelector(sel!) as HTMLInputElement | HTMLSelectElement | null)?.value === v,
    [selector, value],
  );

describe.skipIf(!hasChromium)('Audit Viewer in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  adminConsoleSuite((s) => {
    ({ t, page } = s);
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
    // The cascade: Entity Type waits for a Service, Action for an Entity Type.
    expect(await page.getByLabel('Entity Type').isDisabled()).toBe(true);
    expect(await page.getByLabel('Action').isDisabled()).toBe(true);
    await page.getByLabel('Service').selectOption('OAuth');
    const types = await page.getByLabel('Entity Type').locator('option').allTextContents();
    expect(types).toContain('OAuthClient');
    expect(types).not.toContain('User');
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
    await hasValue(page, '#service', 'Directory');
    await hasValue(page, '#entity-type', 'User');
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
  it('filters by a user typed by name, with suggestions, and says when the name matches no one', async () => {
    await page.goto(`${t.url}/admin/troubleshooting/audit-viewer`);
    await page.getByRole('heading', { name: 'Audit Viewer' }).waitFor();
    const user = page.getByRole('combobox', { name: 'User' });
    await user.fill('demo serv');
    const suggestions = page.getByRole('listbox', { name: 'User suggestions' });
    await suggestions.getByRole('option', { name: /Demo Service Account/ }).waitFor();
    await user.press('ArrowDown');
    await user.press('Enter');
    await hasValue(page, '#user', 'Demo Service Account');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.getByRole('table', { name: 'Audits' }).getByRole('row');
    await rows.nth(1).waitFor();
    const changedBy = await rows.locator('td:nth-child(6)').allTextContents();
    expect(changedBy.length).toBeGreaterThan(0);
    expect(new Set(changedBy)).toEqual(new Set(['Demo Service Account']));

    // The console's own admin made no change today: a name typed in full filters to nothing.
    await user.fill('Demo Admin');
    await user.press('Escape');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('No audits match.').waitFor();
    await user.fill('Nobody Of That Name');
    await user.press('Escape');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('No user is named "Nobody Of That Name": pick one from the suggestions.').waitFor();
    expect(await user.getAttribute('aria-invalid')).toBe('true');
  });

  it('shows a certificate change cut short, the page no wider than the window, the details in view', async () => {
    const token = await t.token();
    const put = await t.api('/api/v2/identityproviders/okta', {
      method: 'PUT',
      token,
      body: {
        name: 'Wide Cert',
        issuerURI: 'https://wide.example/okta',
        ssoTargetURI: 'https://wide.example/sso',
        certificate: CERT.idp2,
      },
    });
    expect(put.status, put.text).toBe(200);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${t.url}/admin/troubleshooting/audit-viewer?service=Integrations&entityType=IdentityProvider`);
    await hasValue(page, '#entity-type', 'IdentityProvider');
    await page.getByLabel('User', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.getByRole('table', { name: 'Audits' }).getByRole('row');
    await rows.nth(1).waitFor();
    await rows.nth(1).getByRole('button').click();
    const details = page.getByRole('region', { name: 'Audit details' });
    await details.getByRole('table', { name: 'Property changes' }).waitFor();
    // In view, and focused on its heading.
    await page
      .waitForFunction(() => {
        const r = document.querySelector('.audit-details')!.getBoundingClientRect();
        return r.top > -2 && r.top < window.innerHeight;
      })
      .catch(async (err: Error) => {
        const seen = await page.evaluate(() => ({
          top: document.querySelector('.audit-details')?.getBoundingClientRect().top,
          scrollY: window.scrollY,
          height: window.innerHeight,
          doc: document.documentElement.scrollHeight,
        }));
        throw new Error(`${err.message}\nthe details panel: ${JSON.stringify(seen)}`);
      });
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H2');
    // The certificate is one short line until asked for, and never widens the page.
    await details
      .getByText(/certificate \(PEM\)/)
      .first()
      .waitFor();
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    expect(await width()).toBeLessThanOrEqual(1280);
    await details
      .getByText(/show all [\d,]+ characters/)
      .first()
      .click();
    await details.locator('pre').first().waitFor();
    expect(await width()).toBeLessThanOrEqual(1280);
  });

  it('asks the footer for exactly 14 days', async () => {
    const intervals: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v2/audits/query/realtime') && r.method() === 'POST')
        intervals.push((r.postDataJSON() as { interval: string }).interval);
    });
    await page.goto(`${t.url}/admin/people/users`);
    const footer = page.getByRole('region', { name: 'Recent audits' });
    await footer.getByRole('link', { name: 'Open in Audit Viewer' }).waitFor();
    await footer.getByText(/Create Footer Person/).waitFor();
    expect(intervals.length).toBeGreaterThan(0);
    for (const i of intervals) {
      const [from, to] = i.split('/');
      expect(Date.parse(to!) - Date.parse(from!)).toBe(14 * 86_400_000);
    }
  });
});
