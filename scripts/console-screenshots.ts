/**
 * Screenshots of every console page in three states, so a reviewer sees the whole console at
 * once: `light` (the demo organization, a few objects), `heavy` (hundreds of users, dozens of
 * clients, a month of API usage, many audits) and `error` (every API call answers 503).
 *
 *   npx tsx scripts/console-screenshots.ts [out-dir]      (default: screenshots/)
 *
 * Writes <out-dir>/<state>/<nn>-<page>.png and <out-dir>/index.html (all of them on one page).
 * Needs the console built (npm run build:web; done here when stale) and Chromium
 * (GATEHOUSE_CHROMIUM, default /usr/bin/chromium). Each state runs on its own throwaway SQLite file.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createGatehouse, type Gatehouse, listenOnLoopback } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { type DemoCredentials, seedDemo } from '../src/demo.ts';
import { NAVIGATION } from '../web/src/navigation.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'screenshots'));
const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;
type State = 'light' | 'heavy' | 'error';

interface Running {
  gh: Gatehouse;
  url: string;
  demo: DemoCredentials;
  dir: string;
  /** A merged external contact, for the contact page (set by the seed). */
  contactId?: string;
}

async function boot(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-shots-'));
  const config = loadConfig(
    { port: '0', 'database-url': `sqlite:${join(dir, 'gatehouse.db')}`, 'log-level': 'silent' },
    {},
  );
  const gh = await createGatehouse(config, { logger: false });
  const demo = (await seedDemo(gh.directory, gh.oauth, PASSWORD))!;
  return { gh, url: await listenOnLoopback(gh.app), demo, dir };
}

async function client(r: Running, name: string) {
  const roles = await r.gh.directory.roles.list(
    r.demo.orgId,
    { pageSize: 100, pageNumber: 1, offset: 0 },
    'Employee',
    {},
  );
  const divisionId = (await r.gh.directory.organizations.homeDivision(r.demo.orgId)).id;
  const { client: c } = await r.gh.oauth.clients.create(r.demo.orgId, null, {
    name,
    grantType: 'CLIENT-CREDENTIALS',
    roleDivisions: [{ roleId: roles.entities[0]!.id, divisionId }],
  });
  return c.id;
}

/** A month of metered requests by `clients` clients over a handful of URLs, every status. */
async function usage(r: Running, clients: number, perDay: number) {
  const urls = [
    '/api/v2/users',
    '/api/v2/users/{userId}',
    '/api/v2/routing/queues',
    '/api/v2/analytics/conversations/details/query',
  ];
  const statuses = [200, 200, 200, 200, 301, 400, 429, 500];
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let c = 0; c < clients; c++) {
    const name = `Integration ${String(c + 1).padStart(2, '0')}`;
    const id = await client(r, name);
    for (let d = 1; d <= 30; d++) {
      for (let i = 0; i < perDay * (1 + (c % 4)); i++) {
        r.gh.meter.record({
          orgId: r.demo.orgId,
          clientId: id,
          clientName: name,
          userId: null,
          method: i % 5 === 0 ? 'POST' : 'GET',
          urlTemplate: urls[(i + c) % urls.length]!,
          status: statuses[(i * 7 + c + d) % statuses.length]!,
          at: new Date(today - d * DAY + (i % 24) * 3_600_000),
        });
      }
    }
  }
  await r.gh.meter.flush();
}

/** `n` external contacts through the API, the first two merged (their canonical contact opens on the contact page). */
async function contacts(r: Running, n: number) {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const basic = Buffer.from(`${r.demo.clientId}:${r.demo.clientSecret}`).toString('base64');
  const tokenRes = await fetch(`${r.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${r.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await post('/api/v2/externalcontacts/contacts', {
      firstName: ['Ada', 'Bruno', 'Chen', 'Dara', 'Emil'][i % 5],
      lastName: `Customer ${String(i + 1).padStart(3, '0')}`,
      workEmail: `customer${i + 1}@example.com`,
      cellPhone: { userInput: `+1 415 555 ${String(1000 + i).slice(-4)}` },
    });
    ids.push(c.id);
  }
  r.contactId = (await post('/api/v2/externalcontacts/contacts/merge', { contactIds: ids.slice(0, 2) })).id;
}

async function seed(r: Running, state: State) {
  if (state === 'light') {
    await client(r, 'Nightly Export');
    await usage(r, 2, 3);
    await contacts(r, 4);
    return;
  }
  if (state !== 'heavy') return;
  for (let i = 0; i < 240; i++) {
    await r.gh.directory.users.create(r.demo.orgId, null, {
      name: `Person ${String(i + 1).padStart(3, '0')}`,
      email: `person${i + 1}@example.com`,
    });
  }
  await usage(r, 24, 12);
  await contacts(r, 120);
}

/** The pages to shoot: every navigation item, then detail pages reached from them. */
function pages(r: Running) {
  const list = NAVIGATION.flatMap((g) => g.items).map((i) => ({ slug: i.path.split('/').pop()!, path: i.path }));
  return [
    { slug: 'home', path: '/admin' },
    ...list,
    { slug: 'oauth-new-client', path: '/admin/integrations/oauth/new' },
    { slug: 'oauth-client-details', path: `/admin/integrations/oauth/${r.demo.clientId}` },
    ...(r.contactId
      ? [{ slug: 'external-contact', path: `/admin/directory/external-contacts?contact=${r.contactId}` }]
      : []),
  ];
}

/** Waits until the page shows its heading and no "Loading" status is left, or 15 s pass. */
async function settle(page: Page) {
  await page
    .locator('main h1')
    .first()
    .waitFor({ timeout: 15_000 })
    .catch(() => {});
  await page
    .waitForFunction(
      () => ![...document.querySelectorAll('[role="status"]')].some((s) => /Loading/.test(s.textContent ?? '')),
      undefined,
      { timeout: 15_000 },
    )
    .catch(() => {});
}

async function shoot(browser: Browser, r: Running, state: State): Promise<string[]> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await page.goto(`${r.url}/login`);
  await page.getByLabel('Email').fill(r.demo.adminEmail);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/admin/);
  if (state === 'error') {
    // Every API call fails as an unavailable server would; the session itself stays.
    await page.route('**/api/v2/**', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          status: 503,
          code: 'service.unavailable',
          message: 'The service is unavailable (screenshot error state).',
        }),
      }),
    );
  }
  const dir = join(OUT, state);
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [i, p] of pages(r).entries()) {
    await page.goto(r.url + p.path);
    await settle(page);
    if (p.slug === 'audit-viewer') {
      await page
        .getByRole('button', { name: 'Refresh' })
        .click()
        .catch(() => {});
      await settle(page);
    }
    const file = `${String(i + 1).padStart(2, '0')}-${p.slug}.png`;
    await page.screenshot({ path: join(dir, file), fullPage: true });
    files.push(`${state}/${file}`);
  }
  await page.close();
  return files;
}

async function main() {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-build.js'), '--web'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the console build failed');
  const browser = await chromium.launch({
    executablePath: process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const shots: string[] = [];
  try {
    for (const state of ['light', 'heavy', 'error'] as const) {
      const r = await boot();
      try {
        await seed(r, state);
        shots.push(...(await shoot(browser, r, state)));
        console.log(`${state}: ${shots.filter((s) => s.startsWith(state)).length} screenshots`);
      } finally {
        await r.gh.close();
        rmSync(r.dir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  const figures = shots
    .map(
      (s) =>
        `<figure><figcaption>${s}</figcaption><a href="${s}"><img src="${s}" alt="${s}" loading="lazy"></a></figure>`,
    )
    .join('\n');
  writeFileSync(
    join(OUT, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>Gatehouse console screenshots</title>
<style>body{font-family:system-ui;margin:1rem}main{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:1rem}
img{width:100%;border:1px solid #ccc}figure{margin:0}</style><h1>Gatehouse console: light, heavy and error states</h1><main>${figures}</main>\n`,
  );
  console.log(`${shots.length} screenshots and index.html in ${OUT}`);
}

await main();
