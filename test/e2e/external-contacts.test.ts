/**
 * Directory → External Contacts in Chromium: the list and its search, a contact opened with its
 * identities and the interactions its customer had, two contacts merged (the merge set then shows
 * on the canonical contact and on each member), and a GDPR request for the canonical contact made
 * on the Data Subject Requests page, which fans out into related requests each with its own status;
 * also the error state of a contact that cannot be opened, and paging.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { seriousViolations } from '../helpers/axe.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('External Contacts in Chromium', { timeout: 90_000 }, () => {
  let t: TestApp;
  let page: Page;
  let admin: string;
  const ids: Record<string, string> = {};

  const list = () => page.getByRole('table', { name: 'External contacts' });
  const row = (text: string) => list().getByRole('row').filter({ hasText: text });
  const contact = (name: string) => page.getByRole('region', { name: `Contact ${name}` });

  async function create(key: string, body: Record<string, unknown>) {
    const res = await t.api('/api/v2/externalcontacts/contacts', { method: 'POST', token: admin, body });
    expect(res.status, res.text).toBe(200);
    ids[key] = res.body.id;
  }

  async function search(text: string) {
    await page.getByRole('textbox', { name: 'Search contacts' }).fill(text);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
  }

  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'External Contacts' }).click();
      await page.getByRole('heading', { name: 'External Contacts', level: 1 }).waitFor();
    },
    {
      prepare: async (app) => {
        t = app;
        admin = await t.token();
        await create('ada', {
          firstName: 'Ada',
          lastName: 'Okafor',
          workEmail: 'ada.okafor@customer.example',
          cellPhone: { userInput: '(415) 555-0101' },
          twitterId: { screenName: '@AdaShops' },
        });
        await create('adaOld', { firstName: 'Ada', lastName: 'Okafor', personalEmail: 'ada@old-mail.example' });
        await create('bruno', { firstName: 'Bruno', lastName: 'Castell', workEmail: 'bruno@customer.example' });
        const conv = await t.api('/api/v2/gatehouse/conversations', {
          method: 'POST',
          token: admin,
          body: {
            mediaType: 'message',
            participants: [
              { purpose: 'customer', name: 'Ada Okafor', externalContactId: ids.adaOld },
              { purpose: 'agent', name: 'Agent Smith' },
            ],
          },
        });
        expect(conv.status, conv.text).toBe(200);
        ids.conversation = conv.body.id;
      },
    },
  );

  it('lists the contacts, and finds one by a phone number typed in another format', async () => {
    await row('bruno@customer.example').waitFor();
    expect(await list().getByRole('row').count()).toBe(4); // the header and three contacts
    await search('+1 415-555-0101');
    await row('ada.okafor@customer.example').waitFor();
    await list().getByRole('row').nth(2).waitFor({ state: 'detached' });
    expect(await row('Bruno').count()).toBe(0);
    await search('nobody-here');
    await page.getByText('No contact matches “nobody-here”.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Clear search' }).click();
    await row('bruno@customer.example').waitFor();
  });

  it('opens a contact with its identities, and the interactions of its customer', async () => {
    await row('ada@old-mail.example').getByRole('button', { name: 'Ada Okafor', exact: true }).click();
    const view = contact('Ada Okafor');
    await view.getByText('ada@old-mail.example').waitFor();
    await view.getByText('Home', { exact: true }).waitFor(); // the division, by name
    await view.getByText('Not merged: this contact is its own canonical contact.').waitFor();
    const interactions = view.getByRole('table', { name: 'Interactions of the contact' });
    await interactions.getByRole('row').filter({ hasText: ids.conversation! }).getByText('message').waitFor();

    await page.getByRole('button', { name: 'Close contact' }).click();
    await row('ada.okafor@customer.example').getByRole('button', { name: 'Ada Okafor', exact: true }).click();
    await contact('Ada Okafor').getByText('@AdaShops').waitFor();
    await contact('Ada Okafor').getByText('No interactions with this customer in the last 31 days.').waitFor();
    await page.getByRole('button', { name: 'Close contact' }).click();
  });

  it('merges two contacts into a new canonical contact whose merge set shows on every member', async () => {
    const merge = page.getByRole('button', { name: /^Merge selected/ });
    expect(await merge.isDisabled()).toBe(true);
    await row('ada.okafor@customer.example').getByRole('checkbox').check();
    await row('ada@old-mail.example').getByRole('checkbox').check();
    await merge.click();
    const dialog = page.getByRole('dialog', { name: 'Merge contacts' });
    await dialog.getByText('cannot be undone', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();

    // The new canonical contact opens, with the set of three; the list holds one row for the set.
    const view = contact('Ada Okafor');
    const set = view.getByRole('table', { name: 'Merge set' });
    await set.getByRole('row').nth(3).waitFor();
    expect(await set.getByRole('row').filter({ hasText: 'Canonical' }).count()).toBe(1);
    expect(await set.getByRole('row').filter({ hasText: 'Merged' }).count()).toBe(2);
    await row('3 contacts').waitFor();
    expect(await list().getByRole('row').count()).toBe(3); // the header, the set and Bruno
    const canonical = new URL(page.url()).searchParams.get('contact')!;
    expect([ids.ada, ids.adaOld]).not.toContain(canonical);
    ids.canonical = canonical;
    // The set's interactions: the old contact's message shows on the canonical contact.
    await view.getByRole('row').filter({ hasText: ids.conversation! }).waitFor();

    // A member shows the same set, and that it was merged into the canonical contact.
    await set.getByRole('row').filter({ hasText: 'ada@old-mail.example' }).getByRole('button').click();
    await page.waitForURL((u) => u.searchParams.get('contact') === ids.adaOld);
    const member = contact('Ada Okafor');
    await member.getByText(ids.adaOld!).first().waitFor();
    await member.getByText('merged into the canonical contact', { exact: false }).waitFor();
    const memberSet = member.getByRole('table', { name: 'Merge set' });
    await memberSet.getByRole('row').filter({ hasText: canonical }).getByText('Canonical').waitFor();
    expect(await memberSet.getByRole('row').count()).toBe(4);

    // The open contact, its merge set and interactions pass axe (serious and critical).
    expect(await seriousViolations(page)).toEqual([]);

    // What the page showed is what the API holds.
    const got = await t.api(`/api/v2/externalcontacts/contacts/${ids.ada}`, { token: admin });
    expect(got.body.canonicalContact.id).toBe(canonical);
    expect(got.body.mergeSet.map((m: { id: string }) => m.id).sort()).toEqual([canonical, ids.ada, ids.adaOld].sort());
  });

  it('says when a contact cannot be opened, and offers to retry', async () => {
    await page.goto(`${t.url}/admin/directory/external-contacts?contact=00000000-0000-4000-8000-000000000000`);
    const alert = page.getByRole('alert').filter({ hasText: 'The contact could not be loaded' });
    await alert.getByText('not found', { exact: false }).waitFor();
    await alert.getByRole('button', { name: 'Retry' }).waitFor();
    await alert.getByRole('button', { name: 'Close' }).click();
    await alert.waitFor({ state: 'detached' });
    await row('3 contacts').waitFor();
  });

  it('submits a GDPR export for the canonical contact; each contact of the set gets its own request', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Data Subject Requests' }).click();
    await page.getByRole('button', { name: 'New request' }).click();
    const form = page.getByRole('region', { name: 'New request' });
    await form.getByLabel('Search type').selectOption({ label: 'Twitter' });
    await form.getByLabel('Search value').fill('@adashops');
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    const subjects = form.getByRole('table', { name: 'Matching subjects' });
    // The search answers the contact that holds the handle, and names its merge set.
    const found = subjects.getByRole('row').filter({ hasText: ids.ada! });
    await found.getByText(`merge set ${ids.canonical}`, { exact: false }).waitFor();
    const head = subjects.getByRole('row').filter({ hasText: ids.canonical! });
    await head.getByText('canonical contact of a merge set', { exact: false }).waitFor();
    // The request goes to the canonical contact of the set.
    await found.getByRole('button', { name: 'Request for the merge set' }).click();
    await form.getByText(`contact ${ids.canonical}`, { exact: false }).first().waitFor();
    await form.getByLabel('Request name (optional)').fill('Ada set export');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await form.getByRole('status').filter({ hasText: 'request submitted' }).waitFor();

    const requests = page.getByRole('table', { name: 'Data subject requests' });
    const parent = requests.getByRole('row').filter({ hasText: `contact ${ids.canonical}` });
    await parent.getByText('2 related requests').waitFor();
    for (const member of [ids.ada!, ids.adaOld!]) {
      const related = requests.getByRole('row').filter({ hasText: `contact ${member}` });
      await related.getByText('Related to', { exact: false }).waitFor();
      await related.getByText('Completed', { exact: true }).waitFor({ timeout: 20_000 });
    }
    await parent.getByText('Completed', { exact: true }).waitFor({ timeout: 20_000 });
    // Three requests in the API too, each with its own status.
    const listed = await t.api('/api/v2/gdpr/requests?pageSize=100', { token: admin });
    const mine = listed.body.entities.filter((r: { name?: string }) => r.name === 'Ada set export');
    expect(mine.map((r: { status: string }) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  });

  it('pages a long search result, 25 contacts a page', async () => {
    for (let i = 1; i <= 27; i++)
      await create(`pager${i}`, { firstName: `P${String(i).padStart(2, '0')}`, lastName: 'Pagerow' });
    await page.goto(`${t.url}/admin/directory/external-contacts?q=pagerow`);
    await page.getByText('Page 1 of 2 · 27 contacts').waitFor();
    expect(await list().getByRole('row').count()).toBe(26);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2 · 27 contacts').waitFor();
    await row('P27 Pagerow').waitFor();
    expect(await list().getByRole('row').count()).toBe(3);
  });
});
