/**
 * GDPR over external contacts (issue 23): the subjects search finds a contact by every search
 * type (phones in any format, handles ignoring case) and says which merge set it belongs to; a
 * request for a canonical contact fans out into related requests that succeed or fail on their
 * own; a request for another member, or naming several identifiers, is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { FULL_CONTACT } from '../externalcontacts/fixtures.ts';
import { waitForRequest } from './fixtures.ts';

describe.each(DIALECTS)('GDPR requests about external contacts on %s', (dialect) => {
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
    return res.body.id as string;
  };
  const subjects = async (type: string, value: string) => {
    const res = await t.api(`/api/v2/gdpr/subjects?searchType=${type}&searchValue=${encodeURIComponent(value)}`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(200);
    return res.body.entities as { externalContactId?: string; canonicalContactId?: string; name?: string }[];
  };

  it('finds a contact by every search type, phones in any format and handles in any case', async () => {
    const id = await create(FULL_CONTACT);
    const searches: [string, string][] = [
      ['NAME', 'marisol quintanilla'],
      ['PHONE', '(415) 555-0142'],
      ['PHONE', '+1 415 555 0143'],
      ['PHONE', '+442079460958'],
      ['EMAIL', 'MARISOL.Q@example.COM'],
      ['ADDRESS', '12 harbour lane'],
      ['TWITTER', '@marisolq'],
      ['TWITTER', '908172635'],
      ['INSTAGRAM', 'MARISOL.GRAMS'],
      ['INSTAGRAM', 'ig-scoped-5511'],
      ['FACEBOOK', 'fb-scoped-7734'],
      ['APPLE_MESSAGES', 'urn:mbid:AQAAY-opaque-9921'],
      ['WHATSAPP', '415-555-0144'],
      ['EXTERNAL_ID', 'crm-marisol-001'],
    ];
    for (const [type, value] of searches) {
      const found = await subjects(type, value);
      expect(
        found.map((s) => s.externalContactId),
        `${type} ${value}`,
      ).toEqual([id]);
      expect(found[0]).toMatchObject({ canonicalContactId: id, name: 'Marisol Quintanilla' });
    }
    // Scoped and opaque ids are exact: another case is another id.
    expect(await subjects('FACEBOOK', 'FB-SCOPED-7734')).toEqual([]);
  });

  it('fans a canonical contact request out to its merge set; each related request stands on its own', async () => {
    const a = await create({ firstName: 'Set', lastName: 'Member', workEmail: 'set.a@fanout.example' });
    const b = await create({ firstName: 'Set', lastName: 'Member', workEmail: 'set.b@fanout.example' });
    const merged = await t.api('/api/v2/externalcontacts/contacts/merge', {
      method: 'POST',
      token: admin,
      body: { contactIds: [a, b] },
    });
    const canonical = merged.body.id as string;
    // The search answers each contact of the set, and says which set.
    const found = await subjects('NAME', 'Set Member');
    expect(found.map((s) => s.externalContactId).sort()).toEqual([a, b, canonical].sort());
    expect(new Set(found.map((s) => s.canonicalContactId))).toEqual(new Set([canonical]));

    // A request for a member that is not canonical is refused, naming the canonical contact.
    const member = await t.api('/api/v2/gdpr/requests', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_EXPORT', subject: { externalContactId: a } },
    });
    expect(member.status).toBe(400);
    expect(member.body.message).toContain(canonical);

    // Hold the job queue so that one member can disappear before its request runs.
    let release!: () => void;
    t.gh.jobs.enqueue('hold', () => new Promise<void>((r) => (release = r)));
    const res = await t.api('/api/v2/gdpr/requests?deleteConfirmed=true', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_DELETE', subject: { externalContactId: canonical } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.relatedRequests).toHaveLength(2);
    await t.gh.storage.db.deleteFrom('external_contact_identifiers').where('contact_id', '=', b).execute();
    await t.gh.storage.db.deleteFrom('external_contacts').where('id', '=', b).execute();
    while (!release) await new Promise((r) => setImmediate(r));
    release();

    const parent = await waitForRequest(t, admin, res.body.id);
    expect(parent.status).toBe('COMPLETED');
    const related = [];
    for (const r of res.body.relatedRequests) related.push(await waitForRequest(t, admin, r.id));
    expect(related.map((r) => r.parentRequest.id)).toEqual([res.body.id, res.body.id]);
    const byContact = Object.fromEntries(related.map((r) => [r.subject.externalContactId, r.status]));
    expect(byContact).toEqual({ [a]: 'COMPLETED', [b]: 'ERROR' });
    const failed = related.find((r) => r.status === 'ERROR');
    expect((await t.api(failed.resultsUrl, { token: admin })).body.error).toMatch(/no longer exists/);
    for (const id of [a, canonical])
      expect((await t.api(`/api/v2/externalcontacts/contacts/${id}`, { token: admin })).status).toBe(404);
  });

  it('exports a contact with its merge set, and rectifies its phone and email', async () => {
    const id = await create({
      firstName: 'Exported',
      lastName: 'Customer',
      workEmail: 'old.address@rectify.example',
      cellPhone: { userInput: '415 555 0188' },
    });
    const exported = await t.api('/api/v2/gdpr/requests', {
      method: 'POST',
      token: admin,
      body: { requestType: 'GDPR_EXPORT', subject: { externalContactId: id } },
    });
    const done = await waitForRequest(t, admin, exported.body.id);
    const data = (await t.api(done.resultsUrl, { token: admin })).body.data;
    expect(data.externalContacts.contacts[0]).toMatchObject({
      id,
      workEmail: 'old.address@rectify.example',
      cellPhone: { e164: '+14155550188' },
      canonicalContact: { id },
    });
    const update = await t.api('/api/v2/gdpr/requests', {
      method: 'POST',
      token: admin,
      body: {
        requestType: 'GDPR_UPDATE',
        subject: { externalContactId: id },
        replacementTerms: [
          { type: 'PHONE', existingValue: '(415) 555-0188', updatedValue: '+1 415 555 0199' },
          { type: 'EMAIL', existingValue: 'old.address@rectify.example', updatedValue: 'new@rectify.example' },
        ],
      },
    });
    expect((await waitForRequest(t, admin, update.body.id)).status).toBe('COMPLETED');
    const after = (await t.api(`/api/v2/externalcontacts/contacts/${id}`, { token: admin })).body;
    expect(after).toMatchObject({ workEmail: 'new@rectify.example', cellPhone: { e164: '+14155550199' } });
    expect(await subjects('PHONE', '4155550188')).toEqual([]);
  });
});
