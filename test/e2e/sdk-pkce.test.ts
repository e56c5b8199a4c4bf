/**
 * The official SDK's PKCE flow with a person in the loop: the SDK makes the verifier and
 * challenge, Chromium signs in and consents on Gatehouse's real pages, the SDK exchanges the
 * code and calls the API (@see issue 3, Peers).
 */
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app.ts';
import { hasChromium, launchChromium } from '../helpers/browser.ts';

const require = createRequire(import.meta.url);
const REDIRECT = 'http://127.0.0.1:9/sdk-callback';

describe.skipIf(!hasChromium)(
  'official SDK code grant with PKCE, through the login page in Chromium',
  { timeout: 60_000 },
  () => {
    let t: TestApp;
    let browser: Browser;
    beforeAll(async () => {
      t = await startApp('sqlite');
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('signs in, consents, and the SDK exchanges the code', async () => {
      const made = await t.api('/api/v2/oauth/clients', {
        method: 'POST',
        token: await t.token(),
        body: {
          name: 'SDK PKCE App',
          authorizedGrantType: 'CODE',
          registeredRedirectUri: [REDIRECT],
          scope: ['users:readonly'],
        },
      });
      const platformClient = require('purecloud-platform-client-v2');
      const client = platformClient.ApiClient.instance;
      const { hostname, port } = new URL(t.url);
      client.setGateway({ host: hostname, protocol: 'http', port: Number(port) });
      const verifier: string = client.generatePKCECodeVerifier(128);
      const challenge: string = await client.computePKCECodeChallenge(verifier);

      const page = await browser.newPage();
      let callback = '';
      await page.route('http://127.0.0.1:9/**', (route) => {
        callback = route.request().url();
        return route.fulfill({ status: 200, contentType: 'text/plain', body: 'back in the app' });
      });
      const query = new URLSearchParams({
        client_id: made.body.id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'sdk-state',
      });
      await page.goto(`${t.url}/oauth/authorize?${query}`);
      await page.getByRole('heading', { name: 'Sign in to continue to SDK PKCE App' }).waitFor();
      await page.getByLabel('Email').fill('admin@demo.gatehouse.local');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Authorize SDK PKCE App?' }).waitFor();
      await page.getByText('users:readonly').waitFor();
      await page.getByRole('button', { name: 'Authorize' }).click();
      await page.getByText('back in the app').waitFor();

      const url = new URL(callback);
      expect(url.searchParams.get('state')).toBe('sdk-state');
      const auth = await client.authorizePKCEGrant(made.body.id, verifier, url.searchParams.get('code')!, REDIRECT);
      expect(auth.accessToken).toBeTruthy();
      const me = await new platformClient.UsersApi().getUsersMe();
      expect(me.email).toBe('admin@demo.gatehouse.local');
    });
  },
);
