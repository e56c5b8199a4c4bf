/**
 * Erasing a customer from simulated interactions also removes the phone number or email
 * address their sessions carried (ANI, from, to), not only the participant's name; the
 * organization's own DNIS stays (@see issue 18).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTraffic } from '../../src/contact-center.ts';
import { createConversationPersonalData } from '../../src/domains/conversations/index.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { withTransaction } from '../../src/storage/db.ts';
import { startApp, type TestApp } from '../helpers/app.ts';

describe('erasing a simulated customer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('sqlite');
    await simulateTraffic({ ...t.gh, clock: systemClock }, t.demo.orgId, { days: 1, peakPerHour: 5, seed: 5 });
  });
  afterAll(() => t?.close());

  it("removes the customer's addresses with the name", async () => {
    const row = await t.gh.storage.db
      .selectFrom('conversations')
      .select(['id', 'participants'])
      .where('org_id', '=', t.demo.orgId)
      .where('participants', 'like', '%"ani":"tel:%')
      .executeTakeFirstOrThrow();
    const customer = JSON.parse(row.participants).find((p: { purpose: string }) => p.purpose === 'customer');
    const ani: string = customer.sessions[0].ani;
    const token = await t.token();
    const caller = { principal: (await t.gh.oauth.tokens.resolve(token))!, remoteIp: '127.0.0.1' };
    const source = createConversationPersonalData({ clock: systemClock });
    const subject = {
      userIds: [],
      customerNames: [customer.name],
      names: [customer.name],
      emails: [],
      phones: [ani.slice(4)],
      addresses: [],
      externalIds: [],
    };
    const outcome = await withTransaction(t.gh.storage.db, (trx) =>
      source.erase(trx, t.demo.orgId, subject, caller, randomUUID()),
    );
    expect(outcome.participants).toBeGreaterThanOrEqual(1);
    const after = await t.gh.storage.db
      .selectFrom('conversations')
      .select('participants')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(after.participants).not.toContain(ani);
    const erased = JSON.parse(after.participants).find((p: { purpose: string }) => p.purpose === 'customer');
    expect(erased.name).toBe('Anonymized customer');
    expect(erased.sessions[0].dnis).toBe('tel:+18005550100');
    const detail = await t.api(`/api/v2/gatehouse/interactions/${row.id}`, { token });
    expect(detail.text).not.toContain(ani);
  });
});
