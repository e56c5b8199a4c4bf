/**
 * A data subject's requests end to end over HTTP, as the seed's best practice runs them: find
 * the subject first, then export (Art. 15), rectify (Art. 16) and erase (Art. 17), across the
 * directory, SCIM, interactions and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otherOrganization } from '../conversations/fixtures.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { waitForRequest } from './fixtures.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.each(DIALECTS)("a data subject's requests on %s", (dialect) => {
  let t: TestApp;
  let admin: string;
  let jane: { id: string };
  let call: { id: string };
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    const made = await t.api('/api/v2/scim/v2/Users', {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/scim+json' },
      body: {
        schemas: [USER],
        userName: 'jane.login@example.com',
        displayName: 'Jane Roe',
        name: { givenName: 'Jane', familyName: 'Roe' },
        externalId: 'okta-jane',
        emails: [{ value: 'jane.roe@example.com', type: 'work', primary: true }],
        phoneNumbers: [{ value: '+1 555 010 0777', type: 'work', primary: true }],
      },
    });
    expect(made.status, made.text).toBe(201);
    jane = made.body;
    // What a SAML login and the console's saved settings leave behind (their own flows are tested
    // in test/sso and test/usage): a session keyed by her NameID, and a preference.
    const now = new Date().toISOString();
    await t.gh.storage.db
      .insertInto('sso_sessions')
      .values({
        token_id: '00000000-0000-4000-8000-00000000a11c',
        org_id: t.demo.orgId,
        user_id: jane.id,
        provider_id: '00000000-0000-4000-8000-00000000b0b0',
        name_id: 'jane.roe@example.com',
        name_id_format: null,
        session_index: '_s1',
        authorized_client_ids: null,
        created_at: now,
        expires_at: '2999-01-01T00:00:00.000Z',
      })
      .execute();
    await t.gh.storage.db
      .insertInto('user_preferences')
      .values({ user_id: jane.id, key: 'apiUsage.clientSettings', value: '{"clients":["a"]}', modified_at: now })
      .execute();
    // An interaction Jane answered, with a customer who is a data subject too.
    const created = await t.api('/api/v2/gatehouse/conversations', {
      method: 'POST',
      token: admin,
      body: {
        mediaType: 'call',
        queueName: 'Support',
        participants: [
          { purpose: 'customer', name: 'Max Mustermann' },
          { purpose: 'agent', name: 'Jane Roe', userId: jane.id },
        ],
      },
    });
    expect(created.status).toBe(200);
    call = created.body;
  });
  afterAll(() => t?.close());

  const search = (type: string, value: string, token = admin) =>
    t.api(`/api/v2/gdpr/subjects?searchType=${type}&searchValue=${encodeURIComponent(value)}`, { token });
  const submit = async (body: unknown, query = '') => {
    const res = await t.api(`/api/v2/gdpr/requests${query}`, { method: 'POST', token: admin, body });
    expect(res.status, res.text).toBe(200);
    return waitForRequest(t, admin, res.body.id);
  };
  const results = async (request: { resultsUrl: string }) => (await t.api(request.resultsUrl, { token: admin })).body;

  it('finds the subject by email (any case), phone (national format), external id and name; a customer by name', async () => {
    for (const [type, value] of [
      ['EMAIL', 'JANE.ROE@example.com'],
      ['EMAIL', 'jane.login@example.com'],
      ['PHONE', '(555) 010-0777'],
      ['EXTERNAL_ID', 'okta-jane'],
      ['NAME', 'jane roe'],
    ]) {
      const res = await search(type!, value!);
      expect(res.status).toBe(200);
      validateShape('GDPRSubjectEntityListing', res.body);
      expect(res.body.entities, `${type} ${value}`).toHaveLength(1);
      expect(res.body.entities[0]).toMatchObject({ userId: jane.id, name: 'Jane Roe' });
      expect(res.body.entities[0].emailAddresses).toContain('jane.roe@example.com');
      expect(res.body.entities[0].phoneNumbers).toContain('+15550100777');
    }
    const customer = await search('NAME', 'MAX MUSTERMANN');
    expect(customer.body.entities).toEqual([{ name: 'Max Mustermann' }]);
    expect((await search('EMAIL', 'nobody@example.com')).body.entities).toEqual([]);
  });

  it("never finds another organization's people", async () => {
    const other = await otherOrganization(t, 'Other GDPR Org');
    for (const [type, value] of [
      ['EMAIL', 'jane.roe@example.com'],
      ['NAME', 'Jane Roe'],
      ['NAME', 'Max Mustermann'],
      ['PHONE', '+15550100777'],
    ]) {
      const res = await search(type!, value!, other.token);
      expect(res.status).toBe(200);
      expect(res.body.entities, `${type} ${value}`).toEqual([]);
    }
  });

  it('exports what Gatehouse holds about the subject: directory, SCIM, interactions and audit trail, never a password hash', async () => {
    const done = await submit({ requestType: 'GDPR_EXPORT', subject: { emailAddresses: ['jane.roe@example.com'] } });
    expect(done.status).toBe('COMPLETED');
    const doc = await results(done);
    const text = JSON.stringify(doc.data);
    expect(text).toContain(jane.id);
    expect(text).toContain('jane.login@example.com');
    expect(text).toContain('+15550100777');
    expect(text).toContain(call.id);
    expect(doc.data.sso.sessions[0]).toMatchObject({ nameId: 'jane.roe@example.com' });
    expect(doc.data.console.preferences[0]).toMatchObject({
      key: 'apiUsage.clientSettings',
      value: { clients: ['a'] },
    });
    expect(text).not.toMatch(/\$argon2|password_hash|passwordHash/);
    // Her creation is on the audit trail, and so in the export.
    expect(text).toMatch(/"action":\s*"Create"/);
  });

  it('rectifies a name and a phone number in one request, audited as caused by the request', async () => {
    const done = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { userId: jane.id },
      replacementTerms: [
        { type: 'NAME', existingValue: 'Jane Roe', updatedValue: 'Jane Doe' },
        { type: 'PHONE', existingValue: '+15550100777', updatedValue: '+15550100888' },
      ],
    });
    expect(done.status).toBe('COMPLETED');
    const user = await t.api(`/api/v2/users/${jane.id}`, { token: admin });
    expect(user.body.name).toBe('Jane Doe');
    const scim = await t.api(`/api/v2/scim/v2/Users/${jane.id}`, { token: admin });
    expect(scim.body.phoneNumbers.map((p: { value: string }) => p.value)).toEqual(['+15550100888']);
    const conversation = await t.api(`/api/v2/conversations/${call.id}`, { token: admin });
    expect(conversation.body.participants.find((p: { purpose: string }) => p.purpose === 'agent').name).toBe(
      'Jane Doe',
    );
    const processed = await t.gh.storage.db
      .selectFrom('audit_events')
      .select('id')
      .where('entity_id', '=', done.id)
      .where('action', '=', 'Process')
      .executeTakeFirstOrThrow();
    const caused = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['service_name', 'entity_id'])
      .where('cause_event_id', '=', processed.id)
      .execute();
    expect(caused).toContainEqual({ service_name: 'Directory', entity_id: jane.id });
  });

  it("fails a rectification that would take another user's email, with the reason, and changes nothing", async () => {
    const other = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Taken Address', email: 'taken@example.com' },
    });
    expect(other.status).toBe(200);
    const done = await submit({
      requestType: 'GDPR_UPDATE',
      subject: { userId: jane.id },
      replacementTerms: [
        { type: 'NAME', existingValue: 'Jane Doe', updatedValue: 'Should Not Stick' },
        { type: 'EMAIL', existingValue: 'jane.login@example.com', updatedValue: 'taken@example.com' },
      ],
    });
    expect(done.status).toBe('ERROR');
    expect(done.resultsUrl).toBeDefined();
    expect((await results(done)).error).toMatch(/taken@example\.com/);
    const user = await t.api(`/api/v2/users/${jane.id}`, { token: admin });
    expect(user.body).toMatchObject({ name: 'Jane Doe', email: 'jane.login@example.com' });
  });

  it('erases the subject everywhere once confirmed: directory, SCIM, interactions and the audit trail', async () => {
    const unconfirmed = await t.api('/api/v2/gdpr/requests', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_DELETE', subject: { userId: jane.id } },
    });
    expect(unconfirmed.status).toBe(400);
    expect((await t.api(`/api/v2/users/${jane.id}`, { token: admin })).body.name).toBe('Jane Doe');

    const done = await submit({ requestType: 'GDPR_DELETE', subject: { userId: jane.id } }, '?deleteConfirmed=true');
    expect(done.status).toBe('COMPLETED');
    const outcome = (await results(done)).outcome;
    expect(Object.keys(outcome).length).toBeGreaterThan(0);

    const user = await t.api(`/api/v2/users/${jane.id}?state=any`, { token: admin });
    expect(user.body.name).toBe('Anonymized user');
    expect(user.body.email).not.toMatch(/jane/i);
    expect(user.body.state).toBe('deleted');
    const conversation = await t.api(`/api/v2/conversations/${call.id}`, { token: admin });
    expect(conversation.body.participants.find((p: { purpose: string }) => p.purpose === 'agent')).toMatchObject({
      name: 'Anonymized user',
      userId: jane.id,
    });
    // Nothing on the trail names her any more, including the events the erasure itself wrote.
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['entity_name', 'changes', 'context'])
      .execute();
    expect(JSON.stringify(events)).not.toMatch(
      /jane\.roe|jane\.login|Jane Roe|Jane Doe|okta-jane|\+1555010077|\+1555010088/i,
    );
    // And she is no longer found.
    for (const [type, value] of [
      ['EMAIL', 'jane.roe@example.com'],
      ['NAME', 'Jane Doe'],
      ['PHONE', '+15550100888'],
      ['EXTERNAL_ID', 'okta-jane'],
    ]) {
      expect((await search(type!, value!)).body.entities, `${type} ${value}`).toEqual([]);
    }
    // The requests about her keep that they were made and what they did, not whom they were about;
    // the earlier export's data is gone.
    const list = await t.api('/api/v2/gdpr/requests?pageSize=100', { token: admin });
    expect(list.body.total).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(list.body)).not.toMatch(/jane\.roe|jane\.login|Jane Roe|Jane Doe|\+1555010077|\+1555010088/i);
    const exported = list.body.entities.find((r: { requestType: string }) => r.requestType === 'GDPR_EXPORT');
    expect(exported.subject.emailAddresses).toEqual(['[erased]']);
    const old = await results(exported);
    expect(old.data).toEqual({});
    expect(old.redacted).toMatch(/erased/);
    expect(outcome.requests).toEqual({ requests: 4 });
    expect(outcome.sso).toEqual({ sessions: 1 });
    expect(outcome.console).toEqual({ preferences: 1 });
    expect(
      await t.gh.storage.db.selectFrom('sso_sessions').select('token_id').where('user_id', '=', jane.id).execute(),
    ).toEqual([]);
    expect(
      await t.gh.storage.db.selectFrom('user_preferences').select('key').where('user_id', '=', jane.id).execute(),
    ).toEqual([]);
    // Her address is free for someone else.
    const again = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'New Jane', email: 'jane.login@example.com' },
    });
    expect(again.status).toBe(200);
  });

  it('erases a customer who is no user: their name on interactions', async () => {
    const done = await submit(
      { requestType: 'GDPR_DELETE', subject: { name: 'Max Mustermann' } },
      '?deleteConfirmed=true',
    );
    expect(done.status).toBe('COMPLETED');
    const conversation = await t.api(`/api/v2/conversations/${call.id}`, { token: admin });
    const customer = conversation.body.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    expect(customer.name).not.toMatch(/Max|Mustermann/);
    expect((await search('NAME', 'Max Mustermann')).body.entities).toEqual([]);
  });
});
