/**
 * Admin → Integrations → Audit Streams in Chromium: add a webhook stream, copy its secret once,
 * see a change arrive at the receiver signed with that secret and counted as delivered, disable
 * the stream, then delete it (@see issue 4, Streaming; docs/audit-streams.md).
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { adminConsoleSuite, hasChromium } from '../helpers/browser.ts';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.ts';

describe.skipIf(!hasChromium)('Audit Streams in Chromium', { timeout: 60_000 }, () => {
  let t: TestApp;
  let page: Page;
  let receiver: Receiver;
  adminConsoleSuite(
    async (s) => {
      ({ t, page } = s);
    },
    {
      start: { env: { GATEHOUSE_AUDIT_STREAM_ALLOW_PRIVATE: 'true' } },
      prepare: async () => {
        receiver = await startReceiver();
      },
    },
  );
  afterAll(async () => {
    await receiver?.close();
  });

  it('adds a webhook stream, shows its secret once, and counts what it delivered', async () => {
    await page
      .getByRole('navigation', { name: 'Admin' })
      .getByRole('link', { name: 'Audit Streams', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Audit Streams' }).waitFor();
    await page.getByText('No audit streams yet.').waitFor();

    await page.getByRole('button', { name: 'Add Stream' }).click();
    const form = page.getByRole('form', { name: 'Add stream' });
    await form.getByLabel('Name').fill('SIEM');
    await form.getByLabel('URL').fill('ftp://siem.example.com/in');
    await form.getByRole('button', { name: 'Save' }).click();
    // The server's refusal is shown, and nothing was made.
    await form.getByRole('alert').waitFor();
    expect((await t.api('/api/v2/audits/streams', { token: await t.token() })).body.total).toBe(0);

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Save' }).click();
    const secret = (await page.getByTestId('stream-secret').textContent())!;
    expect(secret.length).toBeGreaterThan(20);
    const row = page.getByRole('row', { name: /SIEM/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Active');

    // A change in the organization reaches the receiver, signed with the secret shown.
    const token = await t.token();
    const role = await t.api('/api/v2/authorization/roles', {
      method: 'POST',
      token,
      body: { name: 'Streamed Role', permissionPolicies: [] },
    });
    expect(role.status).toBe(200);
    await receiver.waitFor(() =>
      receiver.received.some((r) => r.body.events.some((e) => e.entityType === 'Role' && e.action === 'Create')),
    );
    const delivery = receiver.received.find((r) => r.body.events.some((e) => e.entityType === 'Role'))!;
    expect(receiver.verify(delivery, secret)).toBe(true);

    // Refresh shows the delivery; the secret is not shown again.
    await page.getByRole('button', { name: 'Done' }).click();
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await row.waitFor();
          return (await row.getByRole('cell').nth(5).textContent())?.trim();
        },
        { timeout: 10_000 },
      )
      .not.toBe('0');
    expect(await page.getByTestId('stream-secret').count()).toBe(0);
  });

  it('disables and deletes the stream after confirmation', async () => {
    const row = page.getByRole('row', { name: /SIEM/ });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await row.textContent()).toContain('Disabled');
    const token = await t.token();
    expect((await t.api('/api/v2/audits/streams', { token })).body.entities[0].state).toBe('disabled');

    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No audit streams yet.').waitFor();
    expect((await t.api('/api/v2/audits/streams', { token })).body.total).toBe(0);
  });
});
