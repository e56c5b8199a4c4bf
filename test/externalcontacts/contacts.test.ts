/**
 * /api/v2/externalcontacts: contacts in upstream's shape with every identity kind, phones stored
 * in E.164 from any input format, q search, merge sets (canonicalContact and mergeSet on every
 * member), external organizations, permissions, paging and audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { FULL_CONTACT } from './fixtures.ts';

describe.each(DIALECTS)('external contacts on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());
  const create = async (body: unknown) => {
    const res = await t.api('/api/v2/externalcontacts/contacts', { method: 'POST', token: admin, body });
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  it('creates a contact with every identity kind, phones in E.164, and reads it back', async () => {
    const c = await create(FULL_CONTACT);
    expect(c).toMatchObject({
      firstName: 'Marisol',
      workPhone: { e164: '+14155550142' },
      cellPhone: { e164: '+442079460958', countryCode: 'GB' },
      homePhone: { e164: '+14155550143' },
      whatsAppId: { phoneNumber: { e164: '+14155550144' } },
      twitterId: { id: '908172635', screenName: 'MarisolQ' },
      instagramId: { handle: 'Marisol.Grams' },
      canonicalContact: { id: c.id },
      selfUri: `/api/v2/externalcontacts/contacts/${c.id}`,
    });
    expect(c.mergeSet).toBeUndefined();
    const got = await t.api(`/api/v2/externalcontacts/contacts/${c.id}`, { token: admin });
    expect(got.body).toEqual(c);
    // Audited, with the properties that changed and none of the customer's values.
    const events = await t.gh.storage.db.selectFrom('audit_events').selectAll().where('entity_id', '=', c.id).execute();
    expect(events.map((e) => `${e.service_name}/${e.entity_type}/${e.action}`)).toEqual([
      'ExternalContacts/ExternalContact/Create',
    ]);
    expect(events[0]!.changes).toContain('workPhone');
    // What the event says (its ids are left out: a random UUID may hold "555").
    const { entity_name, changes, context } = events[0]!;
    expect(JSON.stringify({ entity_name, changes, context })).not.toMatch(/Marisol|555|example/i);
  });

  it('refuses what is no phone number or email, in the upstream error shape', async () => {
    const res = await t.api('/api/v2/externalcontacts/contacts', {
      method: 'POST',
      token: admin,
      body: { firstName: 'X', workPhone: { userInput: 'call me maybe' } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'invalid.value' });
    expect(res.body.message).toMatch(/workPhone.*not a phone number/);
  });

  it('searches by name, email, handle and phone in any format, paged', async () => {
    await create({ firstName: 'Searchable', lastName: 'Person', workPhone: { userInput: '+1 212 555 0199' } });
    const q = async (text: string) =>
      (await t.api(`/api/v2/externalcontacts/contacts?q=${encodeURIComponent(text)}`, { token: admin })).body;
    expect((await q('quintan')).entities.map((e: { lastName: string }) => e.lastName)).toEqual(['Quintanilla']);
    expect((await q('marisol@home')).total).toBe(1);
    expect((await q('marisolq')).total).toBe(1);
    expect((await q('(212) 555-0199')).entities[0].firstName).toBe('Searchable');
    const page = (await t.api('/api/v2/externalcontacts/contacts?pageSize=1', { token: admin })).body;
    expect(page).toMatchObject({ pageSize: 1, pageNumber: 1, pageCount: 2, total: 2, partialResults: false });
    expect(page.nextUri).toContain('pageNumber=2');
  });

  it('merges contacts into a new canonical contact, visible on every member', async () => {
    const a = await create({ firstName: 'Ada', lastName: 'Merge', workEmail: 'ada@merge.example' });
    const b = await create({ firstName: 'Ada', lastName: 'Merge', cellPhone: { userInput: '415 555 0177' } });
    const c = await create({ firstName: 'A.', lastName: 'Merge', twitterId: { screenName: 'adamerge' } });
    const merged = await t.api('/api/v2/externalcontacts/contacts/merge', {
      method: 'POST',
      token: admin,
      body: { contactIds: [a.id, b.id], valueOverride: { firstName: 'Ada' } },
    });
    expect(merged.status, merged.text).toBe(200);
    const canonical = merged.body;
    expect(canonical).toMatchObject({
      firstName: 'Ada',
      workEmail: 'ada@merge.example',
      cellPhone: { e164: '+14155550177' },
      canonicalContact: { id: canonical.id },
    });
    expect(canonical.mergedFrom.map((r: { id: string }) => r.id).sort()).toEqual([a.id, b.id].sort());
    // Merging a third into the set (through the older API the SDKs still call).
    const again = await t.api('/api/v2/externalcontacts/merge/contacts', {
      method: 'POST',
      token: admin,
      body: { sourceContactId: c.id, targetContactId: canonical.id },
    });
    expect(again.status, again.text).toBe(200);
    const head = again.body.id as string;
    for (const id of [a.id, b.id, c.id, canonical.id, head]) {
      const m = (await t.api(`/api/v2/externalcontacts/contacts/${id}`, { token: admin })).body;
      expect(m.canonicalContact.id).toBe(head);
      expect(m.mergeSet.map((r: { id: string }) => r.id).sort()).toEqual([a.id, b.id, c.id, canonical.id, head].sort());
    }
    // The listing shows one contact per merge set.
    const listed = (await t.api('/api/v2/externalcontacts/contacts?q=merge', { token: admin })).body;
    expect(listed.entities.map((e: { id: string }) => e.id)).toEqual([head]);
  });

  it('keeps contacts to their organization and checks permissions', async () => {
    const c = await create({ firstName: 'Private', lastName: 'Customer' });
    const employee = await t.clientWithRole('employee-only');
    const token = await t.token(employee.id, employee.secret);
    const denied = await t.api(`/api/v2/externalcontacts/contacts/${c.id}`, { token });
    expect(denied.status).toBe(403);
    expect((await t.api('/api/v2/externalcontacts/contacts/not-a-contact', { token: admin })).status).toBe(404);
  });

  it('replaces and deletes a contact; external organizations hold contacts', async () => {
    const org = await t.api('/api/v2/externalcontacts/organizations', {
      method: 'POST',
      token: admin,
      body: { name: 'Harbour Supplies Ltd', phoneNumber: { userInput: '+44 23 9200 0000' } },
    });
    expect(org.status, org.text).toBe(200);
    const c = await create({ firstName: 'Rory', lastName: 'Replace', externalOrganization: { id: org.body.id } });
    // A reference with the name, unless expanded (upstream's expand=externalOrganization: the whole organization).
    expect(c.externalOrganization).toEqual({
      id: org.body.id,
      name: 'Harbour Supplies Ltd',
      selfUri: `/api/v2/externalcontacts/organizations/${org.body.id}`,
    });
    const expanded = await t.api(`/api/v2/externalcontacts/contacts/${c.id}?expand=externalOrganization`, {
      token: admin,
    });
    expect(expanded.body.externalOrganization).toMatchObject({
      id: org.body.id,
      name: 'Harbour Supplies Ltd',
      phoneNumber: { e164: '+442392000000' },
    });
    const put = await t.api(`/api/v2/externalcontacts/contacts/${c.id}`, {
      method: 'PUT',
      token: admin,
      body: { firstName: 'Rory', lastName: 'Replaced' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.lastName).toBe('Replaced');
    const del = await t.api(`/api/v2/externalcontacts/contacts/${c.id}`, { method: 'DELETE', token: admin });
    expect(del.status).toBe(200);
    expect((await t.api(`/api/v2/externalcontacts/contacts/${c.id}`, { token: admin })).status).toBe(404);
    const orgs = (await t.api('/api/v2/externalcontacts/organizations?q=harbour', { token: admin })).body;
    expect(orgs.entities.map((o: { name: string }) => o.name)).toEqual(['Harbour Supplies Ltd']);
  });
});
