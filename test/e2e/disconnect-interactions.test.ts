/**
 * Admin → Routing → Disconnect Interactions in Chromium: look up a demo stuck interaction,
 * disconnect it after the risk confirmation, see it disconnected, and read its audit trail
 * (@see issue 4; seed "Disconnect Interactions" and "Interaction Audit Trail").
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, type TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, consoleAsAdmin, hasChromium } from '../helpers/browser.ts';

describe.skipIf(!hasChromium)('Disconnect Interactions in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  let ghostCallId: string;
  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
      await page
        .getByRole('navigation', { name: 'Admin' })
        .getByRole('link', { name: 'Disconnect Interactions', exact: true })
        .click();
      await page.getByRole('heading', { name: 'Disconnect Interactions' }).waitFor();
    },
    {
      prepare: async (t) => {
        // As a first start does for the demo organization.
        await t.gh.conversations.seedDemo(t.demo.orgId);
        const list = await t.api('/api/v2/gatehouse/conversations?state=connected', { token: await t.token() });
        ghostCallId = list.body.entities.find((c: { stuckReason?: string }) =>
          c.stuckReason?.startsWith('Ghost call'),
        ).id;
      },
    },
  );

  it('refuses an ID that is not a UUID and says when an ID is not found', async () => {
    await page.getByLabel('Interaction ID').fill('12345');
    await page.getByRole('button', { name: 'Look Up', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'The Interaction ID is a UUID' }).waitFor();
    await page.getByLabel('Interaction ID').fill('00000000-0000-4000-8000-000000000000');
    await page.getByRole('button', { name: 'Look Up', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Interaction ID not found' }).waitFor();
    expect(await page.getByRole('region', { name: 'Interaction details' }).count()).toBe(0);
  });

  it('looks up the ghost call, disconnects it after confirming, and shows it disconnected', async () => {
    await page.getByRole('region', { name: 'Practice interactions' }).getByText(ghostCallId).waitFor();
    await page.getByLabel('Interaction ID').fill(ghostCallId);
    await page.getByRole('button', { name: 'Look Up', exact: true }).click();
    const details = page.getByRole('region', { name: 'Interaction details' });
    await details.getByText(ghostCallId).waitFor();
    expect(await details.getByTestId('interaction-state').textContent()).toBe('connected');
    await details.getByText('Support', { exact: true }).first().waitFor();
    const participants = details.getByRole('table', { name: 'Participants' });
    await participants.getByRole('row', { name: /customer .* terminated/ }).waitFor();
    await participants.getByRole('row', { name: /acd Support connected/ }).waitFor();

    await details.getByRole('button', { name: 'Disconnect Interaction' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('will immediately drop it').waitFor();
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.api(`/api/v2/conversations/${ghostCallId}`, { token: await t.token() })).body.state).toBe(
      'connected',
    );

    await details.getByRole('button', { name: 'Disconnect Interaction' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect Interaction' }).click();
    await page.getByRole('status').filter({ hasText: 'Interaction disconnected' }).waitFor();
    await details.getByText('This interaction is disconnected.').waitFor();
    expect(await details.getByTestId('interaction-state').textContent()).toBe('disconnected');
    await participants.getByRole('row', { name: /acd Support disconnected/ }).waitFor();
    expect((await t.api(`/api/v2/conversations/${ghostCallId}`, { token: await t.token() })).body.state).toBe(
      'disconnected',
    );
    // Gone from the practice list of connected interactions.
    expect(await page.getByRole('region', { name: 'Practice interactions' }).getByText(ghostCallId).count()).toBe(0);
  });

  it('loads the audit trail showing who disconnected it, with before and after', async () => {
    const details = page.getByRole('region', { name: 'Interaction details' });
    await details.getByRole('tab', { name: 'Audit Trail' }).click();
    await details.getByRole('button', { name: 'Load All Audits' }).click();
    const audits = details.getByRole('table', { name: 'Interaction audits' });
    const disconnect = audits.getByRole('row').filter({ hasText: 'Disconnect' });
    await disconnect.waitFor();
    await disconnect.getByText('Demo Admin (user)').waitFor();
    await disconnect.getByText('state: connected → disconnected', { exact: true }).waitFor();
    await audits.getByRole('row').filter({ hasText: 'Create' }).getByText('System', { exact: true }).waitFor();
  });

  it('tells an operator without Audits > Interaction Details > View why the trail is hidden, while the disconnect works', async () => {
    const token = await t.token();
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: {
        name: 'Disconnect Operator',
        permissions: ['conversation:communication:view', 'conversation:communication:disconnect'],
      },
    });
    const user = await t.gh.directory.users.create(t.demo.orgId, null, {
      name: 'Ops Operator',
      email: 'ops@demo.gatehouse.local',
      password: ADMIN_PASSWORD,
    });
    const home = await t.gh.directory.organizations.homeDivision(t.demo.orgId);
    await t.gh.directory.roles.replaceGrants(t.demo.orgId, null, { type: 'user', id: user.id, name: user.name }, [
      { roleId: role.body.id, divisionId: home.id },
    ]);
    const list = await t.api('/api/v2/gatehouse/conversations?state=connected', { token });
    const chatId = list.body.entities.find((c: { stuckReason?: string }) => c.stuckReason?.startsWith('Chat held')).id;

    const operator = await consoleAsAdmin(t.url, 'ops@demo.gatehouse.local', ADMIN_PASSWORD);
    try {
      const p = operator.page;
      await p.goto(`${t.url}/admin/routing/disconnect-interactions`);
      await p.getByLabel('Interaction ID').fill(chatId);
      await p.getByRole('button', { name: 'Look Up', exact: true }).click();
      const details = p.getByRole('region', { name: 'Interaction details' });
      await details.getByRole('button', { name: 'Disconnect Interaction' }).click();
      await p.getByRole('dialog').getByRole('button', { name: 'Disconnect Interaction' }).click();
      await p.getByRole('status').filter({ hasText: 'Interaction disconnected' }).waitFor();
      await details.getByRole('tab', { name: 'Audit Trail' }).click();
      await details.getByRole('button', { name: 'Load All Audits' }).click();
      await details.getByRole('alert').filter({ hasText: 'You need Audits > Interaction Details > View' }).waitFor();
      expect(await details.getByRole('table', { name: 'Interaction audits' }).count()).toBe(0);
    } finally {
      await operator.browser.close();
    }
  });
});
