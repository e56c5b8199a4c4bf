/**
 * Admin → Privacy → Data Subject Requests in Chromium: the empty list, a search that matches
 * nobody, then for a directory user found by email an export (downloaded, showing the email),
 * an update renaming them, and a delete that needs the confirmation and anonymizes them, after
 * which the export's data is gone (GDPR Art. 15, 16, 17; seed "always use the subjects endpoint
 * first"). A new search or a submitted delete clears the selected subject.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';

const EMAIL = 'dana.subject@demo.gatehouse.local';

describe.skipIf(!hasChromium)('Data Subject Requests in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  let userId: string;

  const requests = () => page.getByRole('table', { name: 'Data subject requests' });
  const row = (name: string) => requests().getByRole('row').filter({ hasText: name });
  const newRequest = () => page.getByRole('region', { name: 'New request' });
  const stepTwo = () => newRequest().getByRole('heading', { name: '2. Choose the request' });

  /** Waits, without reloading the page, until the request's row shows Completed. */
  async function completed(name: string): Promise<Locator> {
    const r = row(name);
    await r.getByText('Completed', { exact: true }).waitFor({ timeout: 15_000 });
    return r;
  }

  async function findByEmail() {
    const form = newRequest();
    await form.getByLabel('Search type').selectOption({ label: 'Email' });
    await form.getByLabel('Search value').fill(EMAIL);
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    const subjects = form.getByRole('table', { name: 'Matching subjects' });
    const found = subjects.getByRole('row').filter({ hasText: EMAIL });
    await found.waitFor();
    return found;
  }

  async function requestId(name: string): Promise<string> {
    const list = await t.api('/api/v2/gdpr/requests?pageSize=100', { token: await t.token() });
    return list.body.entities.find((r: { name?: string }) => r.name === name).id;
  }

  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Data Subject Requests', exact: true })
        .click();
      await page.getByRole('heading', { name: 'Data Subject Requests', level: 1 }).waitFor();
    },
    {
      prepare: async (t) => {
        const created = await t.api('/api/v2/users', {
          method: 'POST',
          token: await t.token(),
          body: { name: 'Dana Subject', email: EMAIL },
        });
        expect(created.status).toBe(200);
        userId = created.body.id;
      },
    },
  );

  it('says there are no requests yet in a fresh organization', async () => {
    await page.getByText('No data subject requests yet.').waitFor();
    expect(await page.getByText('Not yet available in this version.').count()).toBe(0);
  });

  it('searches first, and says when no subject matches', async () => {
    await page.getByRole('button', { name: 'New request' }).click();
    const form = newRequest();
    await form.getByLabel('Search type').selectOption({ label: 'Email' });
    await form.getByLabel('Search value').fill('nobody-at-all@nowhere.example');
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    await form.getByText('No subjects match.').waitFor();
    expect(await form.getByRole('table', { name: 'Matching subjects' }).count()).toBe(0);
  });

  it('exports the user found by email, and shows and downloads the export once it completes', async () => {
    const found = await findByEmail();
    await found.getByText('Dana Subject').waitFor();
    await found.getByText(userId).waitFor();
    await found.getByRole('button', { name: /^Select/ }).click();
    const form = newRequest();
    expect(await form.getByRole('radio', { name: 'Export (Art. 15 access)' }).isChecked()).toBe(true);
    await form.getByLabel('Request name (optional)').fill('DSR export');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await form.getByRole('status').filter({ hasText: 'request submitted' }).waitFor();

    const r = await completed('DSR export');
    await r.getByText('Export (Art. 15 access)').waitFor();
    await r.getByText(EMAIL).waitFor();
    await r.getByRole('button', { name: /^Results/ }).click();
    const results = page.getByRole('region', { name: 'Request results' });
    await results.getByText(EMAIL).first().waitFor();

    const id = await requestId('DSR export');
    const link = results.getByRole('link', { name: 'Download export (JSON)' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(`gdpr-export-${id}.json`);
    const doc = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(doc.requestId).toBe(id);
    expect(JSON.stringify(doc.data)).toContain(EMAIL);
    await results.getByRole('button', { name: 'Close results' }).click();
  });

  it('shows the API refusing an update, then renames the user with a NAME replacement', async () => {
    const form = newRequest();
    await form.getByRole('radio', { name: 'Update (Art. 16 rectification)' }).check();
    // The existing value is prefilled from the subject the search found.
    expect(await form.getByLabel('Term 1 type').inputValue()).toBe('NAME');
    expect(await form.getByLabel('Term 1 existing value').inputValue()).toBe('Dana Subject');
    await form.getByLabel('Term 1 new value').fill('Dana Subject');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await form.getByRole('alert').filter({ hasText: 'The request was refused' }).waitFor();

    await form.getByLabel('Request name (optional)').fill('DSR update');
    await form.getByLabel('Term 1 new value').fill('Dana Renamed');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await form.getByRole('status').filter({ hasText: 'request submitted' }).waitFor();
    const r = await completed('DSR update');
    await r.getByText('Update (Art. 16 rectification)').waitFor();
    const user = await t.api(`/api/v2/users/${userId}`, { token: await t.token() });
    expect(user.body.name).toBe('Dana Renamed');

    await r.getByRole('button', { name: /^Results/ }).click();
    await page
      .getByRole('region', { name: 'Request results' })
      .getByRole('table', { name: 'Values changed' })
      .waitFor();
    await page.getByRole('region', { name: 'Request results' }).getByRole('button', { name: 'Close results' }).click();
  });

  it('forgets the selected subject when a new search runs, even one that finds nobody', async () => {
    const form = newRequest();
    expect(await stepTwo().count()).toBe(1);
    await form.getByLabel('Search value').fill('nobody-at-all@nowhere.example');
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    await form.getByText('No subjects match.').waitFor();
    expect(await stepTwo().count()).toBe(0);
    expect(await form.getByRole('button', { name: 'Submit request' }).count()).toBe(0);
    await form.getByText('Select a subject from the search results to choose the request.').waitFor();
  });

  it('deletes only once the erasure is confirmed, and the user is anonymized', async () => {
    // Search again: the subject is now known by its new name; nothing is selected until chosen.
    const found = await findByEmail();
    await found.getByText('Dana Renamed').waitFor();
    expect(await stepTwo().count()).toBe(0);
    await found.getByRole('button', { name: /^Select/ }).click();
    await stepTwo().waitFor();
    const form = newRequest();
    const del = form.getByRole('radio', { name: 'Delete (Art. 17 erasure)' });
    await del.check();
    await form.getByLabel('Request name (optional)').fill('DSR delete');
    const submit = form.getByRole('button', { name: 'Submit request' });
    expect(await submit.isDisabled()).toBe(true);
    const understood = form.getByRole('checkbox', { name: /I understand this erases/ });
    await understood.check();
    expect(await submit.isEnabled()).toBe(true);
    // Changing the request type withdraws the confirmation: Delete → Export → Delete starts unticked.
    await form.getByRole('radio', { name: 'Export (Art. 15 access)' }).check();
    expect(await understood.count()).toBe(0);
    await del.check();
    expect(await understood.isChecked()).toBe(false);
    expect(await submit.isDisabled()).toBe(true);
    await understood.check();
    expect(await submit.isEnabled()).toBe(true);
    await submit.click();
    await form.getByRole('status').filter({ hasText: 'request submitted' }).waitFor();
    // The subject is being erased: the form is gone, so nothing more can be submitted for it.
    expect(await stepTwo().count()).toBe(0);
    expect(await form.getByRole('button', { name: 'Submit request' }).count()).toBe(0);
    expect(await form.getByText(/^Subject:/).count()).toBe(0);

    const r = await completed('DSR delete');
    await r.getByText('Delete (Art. 17 erasure)').waitFor();
    const listed = await t.api(`/api/v2/users?state=any&id=${userId}`, { token: await t.token() });
    const user =
      listed.body.entities.find((u: { id: string }) => u.id === userId) ??
      (await t.api(`/api/v2/users/${userId}`, { token: await t.token() })).body;
    expect(user.name).toBe('Anonymized user');
    expect(JSON.stringify(user)).not.toContain(EMAIL);
    // Three requests, newest first.
    const names = await requests().locator('tbody tr td:nth-child(2)').allTextContents();
    expect(names).toEqual(['DSR delete', 'DSR update', 'DSR export']);
  });

  it('says the earlier export’s data was deleted with the subject, and offers no download', async () => {
    const r = row('DSR export');
    await r.getByText('[erased]').first().waitFor();
    await r.getByRole('button', { name: /^Results/ }).click();
    const results = page.getByRole('region', { name: 'Request results' });
    await results.getByText('The exported data was deleted when the subject was erased.').waitFor();
    expect(await results.getByRole('link', { name: 'Download export (JSON)' }).count()).toBe(0);
    expect(await results.getByText('Exported data (JSON)').count()).toBe(0);
    expect(await results.getByText('Gatehouse holds no personal data about this subject.').count()).toBe(0);
    expect(await results.getByText(EMAIL).count()).toBe(0);
    await results.getByRole('button', { name: 'Close results' }).click();
  });

  it('shows the requests in the audits footer, naming the request and never the subject', async () => {
    await page.getByRole('button', { name: 'Show audits footer' }).click();
    const footer = page.getByRole('region', { name: 'Recent audits' });
    // Loaded once the list (or a message) replaces "Loading…"; on failure, say what it showed
    // (it timed out once in a loaded CI run).
    await footer.locator('ul, .empty, [role="alert"]').first().waitFor();
    const shown = (await footer.textContent()) ?? '';
    expect(shown, `the footer showed: ${shown}`).toMatch(/Create DSR delete by Demo Admin/);
    expect(shown, `the footer showed: ${shown}`).toMatch(/Process DSR update/);
    expect(shown).not.toContain(EMAIL);
    await page.getByRole('button', { name: 'Hide audits footer' }).click();
  });
});
