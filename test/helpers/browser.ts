/** Debian's Chromium driven by playwright-core: no browser download, no network beyond loopback. */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from './app.ts';

export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Chromium with the demo admin signed in to the console at /admin. */
export async function consoleAsAdmin(
  url: string,
  email: string,
  password: string,
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/admin/);
  return { browser, page };
}

/** What a console suite holds: the app, and Chromium signed in to its console as the demo admin. */
export interface ConsoleSuite {
  t: TestApp;
  browser: Browser;
  page: Page;
}

export interface ConsoleSuiteOptions {
  /** How the app starts (on SQLite). */
  start?: Parameters<typeof startApp>[1];
  /** Runs on the started app before Chromium signs in (seed data here). */
  prepare?: (t: TestApp) => Promise<void>;
}

/**
 * For the enclosing describe: an app on SQLite and Chromium signed in to its console as the demo
 * admin. `use` receives both once they are ready (keep them, open a first page); Chromium and the
 * app are closed after the block.
 */
export function adminConsoleSuite(
  use: (s: ConsoleSuite) => void | Promise<void>,
  opts: ConsoleSuiteOptions = {},
): void {
  let s: Partial<ConsoleSuite> = {};
  beforeAll(async () => {
    const t = await startApp('sqlite', opts.start);
    s.t = t;
    await opts.prepare?.(t);
    s = { t, ...(await consoleAsAdmin(t.url, t.demo.adminEmail, ADMIN_PASSWORD)) };
    await use(s as ConsoleSuite);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.t?.close();
  });
}
