/**
 * A request changes only the person it is about: identifiers two people share never widen it,
 * a customer who shares a user's name is someone else, and erasing someone also clears the
 * earlier requests about them, whatever values those named (review findings 1–3, 7).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { waitForRequest } from './fixtures.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.each(DIALECTS)("the scope of a data subject's requests on %s", (dialect) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const scimUser = async (userName: string, displayName: string, phone: string) => {
    const res = await t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/scim+json' },
      body: {
        schemas: [USER],
        userName,
        displayName,
        emails: [{ value: userName, type: 'work', primary: true }],
        phoneNumbers: [{ value: phone, type: 'work' }],
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const submit = async (body: unknown, query = '') => {
    const res = await t.api(`/api/v2/gdpr/requests${query}`, { method: 'POST', token: admin, body });
    expect(res.status, res.text).toBe(200);
    return waitForRequest(t, admin, res.body.id);
  };
  const user = async (id: string) => (await t.api(`/api/v2/users/${id}?state=any`, { token: admin })).body;

  it('erases only the subject the search found, though another user shares their phone number', async () => {
    const ann = await scimUser('ann.alpha@scope.example', 'Ann Alpha', '+15550100100');
    const ben = await scimUser('ben.beta@scope.example', 'Ben Beta', '+1 555 010 0100');
    const customer = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'chat',
        participants: [
          { purpose: 'customer', name: 'Ann Alpha' },
          { purpose: 'agent', name: 'Ann Alpha', userId: ann },
        ],
      },
    });
    const found = await t.api('/api/v2/gdpr/subjects?searchType=EMAIL&searchValue=ann.alpha@scope.example', {
      token: admin,
    });
    expect(found.body.entities).toHaveLength(1);
    const subject = found.body.entities[0];
    expect(subject.phoneNumbers).toEqual(['+15550100100']);

    // The phone alone names two people: the request says so and changes nothing.
    const ambiguous = await submit(
      { requestType: 'GDPR_DELETE', subject: { phoneNumbers: ['+15550100100'] } },
      '?deleteConfirmed=true',
    );
    expect(ambiguous.status).toBe('ERROR');
    expect((await t.api(ambiguous.resultsUrl, { token: admin })).body.error).toMatch(/belong to 2 users.*userId/);
    expect((await user(ann)).name).toBe('Ann Alpha');

    // The subject as the search answered it, phone included, is Ann and only Ann.
    const done = await submit({ requestType: 'GDPR_DELETE', subject }, '?deleteConfirmed=true');
    expect(done.status).toBe('COMPLETED');
    expect((await user(ann)).name).toBe('Anonymized user');
    expect(await user(ben)).toMatchObject({ name: 'Ben Beta', email: 'ben.beta@scope.example', state: 'active' });
    const scimBen = await t.api(`/api/v2/scim/v2/Users/${ben}`, { token: admin });
    expect(scimBen.body.phoneNumbers.map((p: { value: string }) => p.value)).toEqual(['+15550100100']);
    // Her own agent leg is anonymized; the customer who shares her name is someone else.
    const after = await t.api(`/api/v2/conversations/${customer.body.id}`, { token: admin });
    const names = Object.fromEntries(
      after.body.participants.map((p: { purpose: string; name: string }) => [p.purpose, p.name]),
    );
    expect(names).toEqual({ customer: 'Ann Alpha', agent: 'Anonymized user' });
  });

  it('erases a name as a whole word: erasing the customer "Lee" leaves "Kathleen Lees" alone', async () => {
    const kathleen = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Kathleen Lees', email: 'kathleen@scope.example' },
    });
    expect(kathleen.status).toBe(200);
    const chat = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'chat',
        participants: [{ purpose: 'customer', name: 'Lee' }],
        notes: 'Lee asked for Kathleen.',
      },
    });
    expect(chat.status, chat.text).toBe(200);
    const done = await submit({ requestType: 'GDPR_DELETE', subject: { name: 'Lee' } }, '?deleteConfirmed=true');
    expect(done.status).toBe('COMPLETED');
    const after = await t.api(`/api/v2/conversations/${chat.body.id}`, { token: admin });
    expect(after.body.participants[0].name).toBe('Anonymized customer');
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['entity_name', 'changes'])
      .where('entity_id', '=', kathleen.body.id)
      .execute();
    expect(events[0]!.entity_name).toBe('Kathleen Lees');
    expect(events[0]!.changes).toContain('Kathleen Lees');
    expect((await user(kathleen.body.id)).name).toBe('Kathleen Lees');
  });

  it("erasing a customer leaves the requests about a user who shares the name, and finds the customer's former name", async () => {
    const carl = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Carl Cross', email: 'carl.cross@scope.example' },
    });
    const chat = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'chat',
        participants: [
          { purpose: 'customer', name: 'Dora Delta' },
          { purpose: 'customer', name: 'Carl Cross' },
        ],
      },
    });
    expect(chat.status, chat.text).toBe(200);
    const carlExport = await submit({
      requestType: 'GDPR_EXPORT',
      subject: { userId: carl.body.id, name: 'Carl Cross' },
    });
    const renamed = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { name: 'Dora Delta' },
      replacementTerms: [{ type: 'NAME', existingValue: 'Dora Delta', updatedValue: 'Dora Epsilon' }],
    });
    expect(renamed.status).toBe('COMPLETED');
    // The customer Carl Cross is someone else than the user Carl Cross.
    expect(
      (await submit({ requestType: 'GDPR_DELETE', subject: { name: 'Carl Cross' } }, '?deleteConfirmed=true')).status,
    ).toBe('COMPLETED');
    const kept = await t.api(`/api/v2/gdpr/requests/${carlExport.id}`, { token: admin });
    expect(kept.body.subject).toEqual({ userId: carl.body.id, name: 'Carl Cross' });
    expect(JSON.stringify((await t.api(carlExport.resultsUrl, { token: admin })).body.data)).toContain(
      'carl.cross@scope.example',
    );
    expect((await user(carl.body.id)).name).toBe('Carl Cross');

    // Dora, erased by her new name, is gone under her former name too.
    expect(
      (await submit({ requestType: 'GDPR_DELETE', subject: { name: 'Dora Epsilon' } }, '?deleteConfirmed=true')).status,
    ).toBe('COMPLETED');
    const update = await t.api(`/api/v2/gdpr/requests/${renamed.id}`, { token: admin });
    expect(JSON.stringify(update.body)).not.toMatch(/Dora/);
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['entity_name', 'changes', 'context'])
      .where('entity_id', '=', chat.body.id)
      .execute();
    expect(JSON.stringify(events)).not.toMatch(/Dora/);
  });

  it('clears every earlier request about the subject, including those naming a value since rectified', async () => {
    const made = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Olga Oldmail', email: 'olga.old@scope.example', title: 'CFO' },
    });
    expect(made.status).toBe(200);
    const olga = made.body.id as string;
    const exported = await submit({
      name: 'Export for Olga Oldmail (ticket 9)',
      requestType: 'GDPR_EXPORT',
      subject: { emailAddresses: ['olga.old@scope.example'] },
    });
    expect(JSON.stringify((await t.api(exported.resultsUrl, { token: admin })).body)).toContain('CFO');
    const taken = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Someone', email: 'olga.private@scope.example' },
    });
    expect(taken.status).toBe(200);
    const refused = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { userId: olga },
      replacementTerms: [
        { type: 'EMAIL', existingValue: 'olga.old@scope.example', updatedValue: 'olga.private@scope.example' },
      ],
    });
    expect(refused.status).toBe('ERROR');
    const renamed = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { emailAddresses: ['olga.old@scope.example'] },
      replacementTerms: [
        { type: 'EMAIL', existingValue: 'olga.old@scope.example', updatedValue: 'olga.new@scope.example' },
      ],
    });
    expect(renamed.status).toBe('COMPLETED');
    expect((await user(olga)).email).toBe('olga.new@scope.example');

    const erased = await submit({ requestType: 'GDPR_DELETE', subject: { userId: olga } }, '?deleteConfirmed=true');
    expect(erased.status).toBe('COMPLETED');
    expect((await t.api(erased.resultsUrl, { token: admin })).body.outcome.requests).toEqual({ requests: 4 });
    const list = await t.api('/api/v2/gdpr/requests?pageSize=100', { token: admin });
    const hers = list.body.entities.filter((r: { id: string }) =>
      [exported.id, refused.id, renamed.id, erased.id].includes(r.id),
    );
    expect(hers).toHaveLength(4);
    expect(JSON.stringify(hers)).not.toMatch(/olga|ticket 9/i);
    expect(hers.find((r: { id: string }) => r.id === exported.id).name).toBe('[erased]');
    const oldExport = (await t.api(exported.resultsUrl, { token: admin })).body;
    expect(oldExport.data).toEqual({});
    expect(JSON.stringify(oldExport)).not.toMatch(/olga|CFO/i);
    expect(JSON.stringify((await t.api(refused.resultsUrl, { token: admin })).body)).not.toMatch(/olga/i);
  });
});
