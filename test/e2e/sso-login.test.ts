/**
 * SAML sign-in in Chromium (@see issue 5, Peers): from the console login page, whose provider
 * button starts Gatehouse's SP-initiated login, through an independent IdP (pysaml2 serving HTTP on
 * another site, localhost vs 127.0.0.1) whose page auto-posts the signed Response cross-site to the
 * ACS, into the console showing the user's name — the SameSite=Strict session cookie survives
 * because the ACS answers a same-site navigation.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemo } from '../../src/demo.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';
import { type FreshDatabase, freshDatabase } from '../helpers/dialects.ts';

const KEYS = join(import.meta.dirname, '..', 'sso', 'keys');
const ISSUER = 'https://idp.browser.test/saml';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe.skipIf(!hasChromium)('SAML sign-in in Chromium', { timeout: 90_000 }, () => {
  let db: FreshDatabase;
  let gh: Gatehouse;
  let base: string;
  let idp: ChildProcess;
  let browser: Browser;
  let orgId: string;
  let providerId: string;

  beforeAll(async () => {
    // The public URL must be the address the browser uses: the ACS URL (Destination) derives from it.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    db = await freshDatabase('sqlite');
    gh = await createGatehouse(
      loadConfig({ port: String(port), 'database-url': db.url, 'log-level': 'silent', 'public-url': base }, {}),
      { logger: false },
    );
    const demo = (await seedDemo(gh.directory, gh.oauth, ADMIN_PASSWORD))!;
    orgId = demo.orgId;
    await gh.app.listen({ host: '127.0.0.1', port });
    await gh.directory.users.create(orgId, null, {
      name: 'Sam L. Person',
      email: 'sam.person@demo.gatehouse.local',
      password: 'a passphrase long enough',
    });

    const token = await (async () => {
      const res = await fetch(`${base}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${demo.clientId}:${demo.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      return ((await res.json()) as { access_token: string }).access_token;
    })();
    const spMetadata = await (
      await fetch(`${base}/api/v2/identityproviders/sp/metadata`, { headers: { authorization: `Bearer ${token}` } })
    ).text();

    idp = spawn('/usr/bin/python3', [join(import.meta.dirname, '..', 'sso', 'idp', 'pysaml2_idp.py')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const idpPort = await new Promise<number>((resolve, reject) => {
      idp.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      idp.once('exit', (code) => reject(new Error(`pysaml2 IdP exited with ${code}`)));
      // localhost is another site than 127.0.0.1: the IdP's POST to the ACS is cross-site, as in production.
      idp.stdin!.end(
        JSON.stringify({
          mode: 'serve',
          issuer: ISSUER,
          key: join(KEYS, 'idp.key'),
          cert: join(KEYS, 'idp.crt'),
          sp_metadata: spMetadata,
          sso_host: 'localhost',
          name_id: 'Sam.Person@demo.gatehouse.local',
        }),
      );
    });
    const created = await fetch(`${base}/api/v2/identityproviders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Browser IdP',
        issuerURI: ISSUER,
        ssoTargetURI: `http://localhost:${idpPort}/sso`,
        ssoBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        sloURI: `http://localhost:${idpPort}/slo`,
        sloBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
        certificates: [await import('node:fs').then((fs) => fs.readFileSync(join(KEYS, 'idp.crt'), 'utf8'))],
      }),
    });
    providerId = ((await created.json()) as { id: string }).id;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    idp?.kill();
    await gh?.close();
    await db?.drop();
  });

  it('goes to the IdP, comes back through the ACS and shows the signed-in user in the console', async () => {
    const page = await browser.newPage();
    const seen: string[] = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest()) seen.push(`${r.method()} ${new URL(r.url()).host}${new URL(r.url()).pathname}`);
    });
    // From the console login page: its provider button starts the SP-initiated login.
    await page.goto(`${base}/login`);
    const button = page.getByRole('navigation', { name: 'Single sign-on' }).getByRole('link', { name: 'Browser IdP' });
    await button.click();
    await page.waitForURL(`${base}/admin`);
    expect(seen[0]).toBe(`GET 127.0.0.1:${new URL(base).port}/login`);
    expect(seen).toContain(`GET 127.0.0.1:${new URL(base).port}/saml/${orgId}/login/${providerId}`);
    await page.locator('.who').getByText('Sam L. Person').waitFor();
    expect(seen.some((s) => s.startsWith('GET localhost:') && s.endsWith('/sso'))).toBe(true);
    expect(seen).toContain(`POST 127.0.0.1:${new URL(base).port}/saml/${orgId}/acs`);
    const session = await page.evaluate(async () => (await fetch('/console/api/session')).json());
    expect(session.user.email).toBe('sam.person@demo.gatehouse.local');

    // Log out in the console: the SSO session logs out through the IdP (a LogoutRequest to its
    // SLO URL), and the Gatehouse session has ended.
    const slo = page.waitForRequest(
      (r) => new URL(r.url()).hostname === 'localhost' && new URL(r.url()).pathname === '/slo',
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    expect(new URL((await slo).url()).searchParams.get('SAMLRequest')).toBeTruthy();
    const after = await fetch(`${base}/console/api/session`, {
      headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(after.status).toBe(401);
    await page.close();
  });
});
