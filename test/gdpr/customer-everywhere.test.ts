/**
 * Issue 23, "the test that matters": one customer seeded across every store (a contact with every
 * identity kind, a merge set of three contacts and their canonical contact, interactions linked to
 * the contact and naming them in notes, the audit events all of this wrote), then:
 * - an export of the merge set holds every seeded item;
 * - an update with the old terms leaves them nowhere but in the request that records it;
 * - a delete leaves nothing: no table holds the name, a phone in any format, an email or a handle
 *   (except anonymized), and on SQLite neither do the raw bytes of the store files (on PostgreSQL
 *   the relation files, with --gdpr-vacuum-full).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { FULL_CONTACT } from '../externalcontacts/fixtures.ts';
import { waitForRequest } from './fixtures.ts';
import { findInTables, needlesInFiles } from './store-scan.ts';

const NEEDLES = [
  'Marisol',
  'Quintanilla',
  '+14155550142',
  '(415) 555-0142',
  '415-555-0142',
  '4155550142',
  '+1 415-555-0142',
  '+442079460958',
  '20 7946 0958',
  '4155550143',
  '4155550144',
  'Marisol.Q@Example.com',
  'marisol@home.example',
  'MarisolQ',
  '908172635',
  'Marisol.Grams',
  'ig-scoped-5511',
  'fb-scoped-7734',
  'AQAAY-opaque-9921',
  'crm-marisol-001',
  '12 Harbour Lane',
];

describe.each(DIALECTS)('one customer in every store of %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  const seeded = { contacts: [] as string[], canonical: '', conversations: [] as string[] };
  beforeAll(async () => {
    t = await startApp(dialect, dialect === 'postgres' ? { env: { GATEHOUSE_GDPR_VACUUM_FULL: 'true' } } : {});
    admin = await t.token();
    const create = async (body: unknown) => {
      const res = await t.api('/api/v2/externalcontacts/contacts', { method: 'POST', token: admin, body });
      expect(res.status, res.text).toBe(200);
      return res.body.id as string;
    };
    seeded.contacts.push(await create(FULL_CONTACT));
    seeded.contacts.push(
      await create({ firstName: 'Marisol', lastName: 'Quintanilla', cellPhone: { userInput: '+1 415-555-0142' } }),
    );
    seeded.contacts.push(
      await create({ firstName: 'M.', lastName: 'Quintanilla', otherEmail: 'marisol@home.example' }),
    );
    const merged = await t.api('/api/v2/externalcontacts/contacts/merge', {
      method: 'POST',
      token: admin,
      body: { contactIds: seeded.contacts },
    });
    expect(merged.status, merged.text).toBe(200);
    seeded.canonical = merged.body.id;
    for (const [mediaType, contact] of [
      ['message', seeded.contacts[0]],
      ['email', seeded.contacts[1]],
    ] as const) {
      const c = await t.api('/api/v2/gatehouse/conversations', {
        method: 'POST',
        token: admin,
        body: {
          mediaType,
          participants: [
            { purpose: 'customer', name: 'Marisol Quintanilla', externalContactId: contact },
            { purpose: 'agent', name: 'Agent Smith' },
          ],
          notes: 'Marisol asked us to call +14155550142 or write to Marisol.Q@Example.com; she is @MarisolQ.',
        },
      });
      expect(c.status, c.text).toBe(200);
      seeded.conversations.push(c.body.id);
      const file = await t.api(`/api/v2/gatehouse/conversations/${c.body.id}/attachments`, {
        method: 'POST',
        token: admin,
        body: {
          fileName: 'passport-scan.txt',
          contentType: 'text/plain',
          content: Buffer.from('Passport of Marisol Quintanilla, +14155550142').toString('base64'),
        },
      });
      expect(file.status, file.text).toBe(200);
      const down = await fetch(t.url + file.body.selfUri, { headers: { authorization: `Bearer ${admin}` } });
      expect(await down.text()).toContain('Passport of Marisol');
    }
  });
  afterAll(() => t?.close());

  const submit = async (body: unknown, query = '') => {
    const res = await t.api(`/api/v2/gdpr/requests${query}`, { method: 'POST', token: admin, body });
    expect(res.status, res.text).toBe(200);
    const all = [await waitForRequest(t, admin, res.body.id)];
    for (const r of res.body.relatedRequests ?? []) all.push(await waitForRequest(t, admin, r.id));
    return all;
  };

  it('exports every seeded item through the merge set', async () => {
    const done = await submit({ requestType: 'GDPR_EXPORT', subject: { externalContactId: seeded.canonical } });
    expect(done.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const docs = [];
    for (const r of done) docs.push((await t.api(r.resultsUrl, { token: admin })).body.data);
    const text = JSON.stringify(docs);
    const contacts = docs.flatMap((d) => d.externalContacts?.contacts ?? []);
    expect(contacts.map((c: { id: string }) => c.id).sort()).toEqual([...seeded.contacts, seeded.canonical].sort());
    for (const c of contacts) expect(c.mergeSet).toHaveLength(4);
    const interactions = docs.flatMap((d) => d.conversations?.interactions ?? []);
    expect(new Set(interactions.map((i: { conversationId: string }) => i.conversationId))).toEqual(
      new Set(seeded.conversations),
    );
    for (const needle of ['908172635', 'ig-scoped-5511', 'fb-scoped-7734', 'AQAAY-opaque-9921', '+14155550144'])
      expect(text).toContain(needle);
    expect(interactions.flatMap((i: { attachments?: unknown[] }) => i.attachments ?? []).length).toBeGreaterThan(0);
    // The audit context: the events about the contacts and the interactions.
    expect(docs.some((d) => d.audit?.events?.length)).toBe(true);
  });

  it('rectifies an email and a phone everywhere: only the requests keep the old terms', async () => {
    const old = ['marisol@home.example', '+14155550142', '4155550142', '415-555-0142'];
    const done = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { externalContactId: seeded.canonical },
      replacementTerms: [
        { type: 'EMAIL', existingValue: 'marisol@home.example', updatedValue: 'mq@renamed.example' },
        { type: 'PHONE', existingValue: '(415) 555-0142', updatedValue: '+1 415 555 0100' },
      ],
    });
    expect(done.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    // Only the requests keep them: this one's replacement terms, and the earlier export's document.
    const found = await findInTables(t.gh.storage, old);
    expect(found.filter((f) => !f.startsWith('gdpr_requests: '))).toEqual([]);
    const contact = (await t.api(`/api/v2/externalcontacts/contacts/${seeded.contacts[0]}`, { token: admin })).body;
    expect(contact).toMatchObject({ personalEmail: 'mq@renamed.example', workPhone: { e164: '+14155550100' } });
    // The notes name the new number.
    const c = (await t.api(`/api/v2/conversations/${seeded.conversations[0]}`, { token: admin })).body;
    expect(JSON.stringify(c)).not.toContain('+14155550142');
    // The contacts are found under the new values, not the old ones.
    const search = async (type: string, value: string) =>
      (
        await t.api(`/api/v2/gdpr/subjects?searchType=${type}&searchValue=${encodeURIComponent(value)}`, {
          token: admin,
        })
      ).body.entities.length;
    expect(await search('EMAIL', 'marisol@home.example')).toBe(0);
    expect(await search('PHONE', '415 555 0100')).toBeGreaterThan(0);
  });

  it('deletes the customer so that no table and no store file holds them', async () => {
    const done = await submit(
      { requestType: 'GDPR_DELETE', subject: { externalContactId: seeded.canonical } },
      '?deleteConfirmed=true',
    );
    expect(done.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await findInTables(t.gh.storage, NEEDLES)).toEqual([]);
    expect(await needlesInFiles(t.gh.storage, t.gh.config.databaseUrl, NEEDLES)).toEqual([]);
    // Every attachment of the customer's interactions is gone, whatever it held.
    const files = await t.gh.storage.db.selectFrom('conversation_attachments').select('id').execute();
    expect(files).toEqual([]);
    // What stays is the anonymized form.
    for (const id of seeded.conversations) {
      const c = (await t.api(`/api/v2/conversations/${id}`, { token: admin })).body;
      expect(c.participants.find((p: { purpose: string }) => p.purpose === 'customer').name).toBe(
        'Anonymized customer',
      );
    }
  });
});
