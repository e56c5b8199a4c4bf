/**
 * The division picker beside each role on a client's Roles tab, in Chromium (@see issue 15,
 * seed 000: "Divisions — assign alongside each role").
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('division picker in Chromium', { timeout: 90_000 }, () => {
  let t: TestApp;
  let page: Page;
  adminConsoleSuite((s) => {
    ({ t, page } = s);
  });

  it('grants a role in the division picked beside it', async () => {
    const token = await t.token();
    const sales = await t.api('/api/v2/authorization/divisions', {
      method: 'POST',
      token,
      body: { name: 'Sales' },
    });
    expect(sales.status).toBe(200);
    await page.goto(`${t.url}/admin/integrations/oauth/new`);
    await page.getByLabel('App Name').fill('Sales Bot');
    await page.getByLabel('Client Credentials').check();
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByLabel('Employee').check();
    const picker = page.getByLabel('Division of Employee');
    expect(await picker.inputValue()).toBe((await t.api('/api/v2/authorization/divisions/home', { token })).body.id);
    await picker.selectOption({ label: 'Sales' });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => {
        const list = await t.api('/api/v2/oauth/clients?pageSize=100', { token });
        return list.body.entities.find((c: { name: string }) => c.name === 'Sales Bot')?.roleDivisions;
      })
      .toEqual([expect.objectContaining({ divisionId: sales.body.id })]);
  });

  it('shows a grant in all divisions as such and keeps it when the client is saved', async () => {
    const token = await t.token();
    const roles = await t.api('/api/v2/authorization/roles?name=Employee', { token });
    const created = await t.api('/api/v2/oauth/clients', {
      method: 'POST',
      token,
      body: {
        name: 'Everywhere Bot',
        authorizedGrantType: 'CLIENT-CREDENTIALS',
        roleDivisions: [{ roleId: roles.body.entities[0].id, divisionId: '*' }],
      },
    });
    expect(created.status, created.text).toBe(200);
    await page.goto(`${t.url}/admin/integrations/oauth/${created.body.id}`);
    await page.getByLabel('Description').fill('Edited with its grant in all divisions');
    await page.getByRole('tab', { name: 'Roles' }).click();
    const picker = page.getByLabel('Division of Employee');
    expect(await picker.inputValue()).toBe('*');
    expect(await picker.locator('option:checked').textContent()).toBe('All divisions');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const after = await t.api(`/api/v2/oauth/clients/${created.body.id}`, { token });
    expect(after.body.description).toBe('Edited with its grant in all divisions');
    expect(after.body.roleDivisions).toEqual([expect.objectContaining({ divisionId: '*' })]);
  });

  it('adds a division on the Divisions page, shows what it holds, and deletes an empty one', async () => {
    await page.goto(`${t.url}/admin/people/divisions`);
    await page.getByRole('heading', { name: 'Divisions' }).waitFor();
    await page.getByRole('cell', { name: 'Home (home)' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Support');
    await page.getByRole('button', { name: 'Add division' }).click();
    await page.getByText('Added Support.').waitFor();
    await page.getByRole('cell', { name: 'Support', exact: true }).waitFor();
    // Support holds no object (grants are not objects), so it can be deleted.
    await page.getByRole('button', { name: 'Delete Support' }).click();
    await page.getByText('Deleted Support.').waitFor();
    const token = await t.token();
    const list = await t.api('/api/v2/authorization/divisions?name=Support', { token });
    expect(list.body.entities).toEqual([]);
  });

  it('gives a user a role in a picked division from the Users page, and removes it', async () => {
    const token = await t.token();
    const sales = (await t.api('/api/v2/authorization/divisions?name=Sales', { token })).body.entities[0].id;
    const user = await t.api('/api/v2/users', {
      method: 'POST',
      token,
      body: { name: 'Rita Roles', email: 'rita.roles@example.com' },
    });
    await page.goto(`${t.url}/admin/people/users`);
    await page.getByRole('button', { name: 'Roles of Rita Roles' }).click();
    const panel = page.getByRole('region', { name: 'Roles of Rita Roles' });
    await panel.getByLabel('Role', { exact: true }).selectOption({ label: 'Employee' });
    await panel.getByLabel('Division', { exact: true }).selectOption({ label: 'Sales' });
    await panel.getByRole('button', { name: 'Add role' }).click();
    await panel.getByText('Employee in Sales').waitFor();
    const subject = async () => (await t.api(`/api/v2/authorization/subjects/${user.body.id}`, { token })).body;
    expect((await subject()).grants).toEqual([
      expect.objectContaining({ division: expect.objectContaining({ id: sales }) }),
    ]);
    await panel.getByRole('button', { name: 'Remove Employee in Sales' }).click();
    await expect.poll(async () => (await subject()).grants).toEqual([]);
  });
});
