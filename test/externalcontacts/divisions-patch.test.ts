/**
 * The rest of upstream's contact API (issue 23): contacts live in divisions (lists filter to the
 * caller's reach and `divisionIds`, reads and changes elsewhere answer 404, nobody places a contact
 * where they lack the permission), PATCH with upstream's JSONPath changes, `expand`, and an
 * interaction naming a contact that does not exist is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

describe.each(DIALECTS)('external contact divisions, PATCH and expand on %s', (dialect) => {
  let t: TestApp;
  let admin: string;
  let east: string;
  let west: string;
  beforeAll(async () => {
    t = await startApp(dialect);
    admin = await t.token();
    east = (await post('/api/v2/authorization/divisions', { name: 'East' })).body.id;
    west = (await post('/api/v2/authorization/divisions', { name: 'West' })).body.id;
    // The admin client holds Master Admin in the home division only: the operator adds the new ones.
    const rows = await t.gh.directory.roles.grantRowsOf(t.demo.orgId, t.demo.clientId);
    const grants = rows.map((g) => ({ roleId: g.role_id, divisionId: g.division_id }));
    await t.gh.directory.roles.replaceGrants(
      t.demo.orgId,
      null,
      { type: 'client', id: t.demo.clientId, name: 'demo' },
      [...grants, ...[east, west].map((divisionId) => ({ roleId: grants[0]!.roleId, divisionId }))],
    );
    admin = await t.token();
  });
  afterAll(() => t?.close());

  const base = '/api/v2/externalcontacts/contacts';
  function post(path: string, body: unknown, token = admin) {
    return t.api(path, { method: 'POST', token, body });
  }
  async function create(body: Record<string, unknown>, token = admin) {
    const res = await post(base, body, token);
    expect(res.status, res.text).toBe(200);
    return res.body;
  }
  async function clientWith(name: string, permissions: string[], divisionId: string) {
    const role = await post('/api/v2/authorization/roles', { name: `${name} role`, permissions });
    expect(role.status, role.text).toBe(200);
    const res = await post('/api/v2/oauth/clients', {
      name,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: role.body.id, divisionId }],
    });
    expect(res.status, res.text).toBe(200);
    return t.token(res.body.id, res.body.secret);
  }
  const patch = (id: string, changes: unknown[], token = admin) =>
    t.api(`/api/v2/externalcontacts/contacts/${id}`, { method: 'PATCH', token, body: { changes } });

  it('keeps contacts to their division: lists filter, reads and changes elsewhere answer 404', async () => {
    const e = await create({ firstName: 'Erin', lastName: 'Eastside', division: { id: east } });
    const w = await create({ firstName: 'Wes', lastName: 'Westside', division: { id: west } });
    const home = await create({ firstName: 'Hana', lastName: 'Homeside' });
    expect(e.division.id).toBe(east);
    expect(home.division.id).toBe((await t.gh.directory.organizations.homeDivision(t.demo.orgId)).id);

    const bot = await clientWith(
      'East contacts bot',
      [
        'externalContacts:contact:view',
        'externalContacts:contact:edit',
        'externalContacts:contact:add',
        'externalContacts:contact:delete',
      ],
      east,
    );
    const list = await t.api(`${base}?q=side`, { token: bot });
    expect(list.status, list.text).toBe(200);
    expect(list.body.entities.map((c: { id: string }) => c.id)).toEqual([e.id]);
    expect(list.body.total).toBe(1);
    expect((await t.api(`${base}/${e.id}`, { token: bot })).status).toBe(200);
    const other = await t.api(`${base}/${w.id}`, { token: bot });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ status: 404, code: 'not.found' });
    expect(JSON.stringify(other.body)).not.toContain('Westside');
    for (const [method, body] of [
      ['PUT', { firstName: 'Taken' }],
      ['PATCH', { changes: [{ field: '$.firstName', value: 'Taken', action: 'Update' }] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await t.api(`${base}/${w.id}`, { method, token: bot, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${res.text}`).toBe(404);
    }
    const merge = await post(`${base}/merge`, { contactIds: [e.id, w.id] }, bot);
    expect(merge.status).toBe(404);
    expect((await t.api(`${base}/${w.id}`, { token: admin })).body.firstName).toBe('Wes');

    // Nobody places a contact where they lack the permission; a division that does not exist is a 400.
    const placed = await post(base, { firstName: 'Pia', division: { id: west } }, bot);
    expect(placed.status).toBe(403);
    expect(placed.body.message).toContain('externalContacts:contact:add');
    const homeless = await post(base, { firstName: 'Pia' }, bot);
    expect(homeless.status).toBe(403);
    expect(homeless.body.message).toContain(home.division.id);
    expect((await post(base, { firstName: 'Pia', division: { id: east } }, bot)).status).toBe(200);
    const moved = await t.api(`${base}/${e.id}`, {
      method: 'PUT',
      token: bot,
      body: { firstName: 'Erin', division: { id: west } },
    });
    expect(moved.status).toBe(403);
    const nowhere = await post(base, { firstName: 'Nia', division: { id: '00000000-0000-4000-8000-000000000000' } });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body).toMatchObject({ code: 'invalid.value', details: [{ fieldName: 'division.id' }] });

    // divisionIds narrows a listing (within the caller's reach), up to 50.
    const westOnly = await t.api(`${base}?q=side&divisionIds=${west}`, { token: admin });
    expect(westOnly.body.entities.map((c: { id: string }) => c.id)).toEqual([w.id]);
    const both = await t.api(`${base}?q=side&divisionIds=${west}&divisionIds=${east}`, { token: admin });
    expect(both.body.entities.map((c: { id: string }) => c.id).sort()).toEqual([e.id, w.id].sort());
    const notMine = await t.api(`${base}?q=side&divisionIds=${west}`, { token: bot });
    expect(notMine.body.entities).toEqual([]);
    const tooMany = Array.from({ length: 51 }, (_, i) => `divisionIds=d${i}`).join('&');
    expect((await t.api(`${base}?${tooMany}`, { token: admin })).status).toBe(400);

    // A division holding contacts cannot be deleted.
    const del = await t.api(`/api/v2/authorization/divisions/${west}`, { method: 'DELETE', token: admin });
    expect(del.status).toBe(409);
  });

  it('expands the organization and the division on request, and refuses an unknown expand', async () => {
    const org = await post('/api/v2/externalcontacts/organizations', { name: 'Quayside Traders', industry: 'Retail' });
    expect(org.status, org.text).toBe(200);
    const c = await create({ firstName: 'Ola', externalOrganization: { id: org.body.id }, division: { id: east } });
    expect(c.externalOrganization).toEqual({ id: org.body.id, name: 'Quayside Traders', selfUri: expect.any(String) });
    expect(c.division.name).toBeUndefined();
    const got = await t.api(`${base}/${c.id}?expand=externalOrganization&expand=division`, { token: admin });
    expect(got.body.externalOrganization).toMatchObject({
      id: org.body.id,
      name: 'Quayside Traders',
      industry: 'Retail',
    });
    expect(got.body.division).toMatchObject({ id: east, name: 'East' });
    const listed = await t.api(`${base}?q=ola&expand=externalOrganization`, { token: admin });
    expect(listed.body.entities[0].externalOrganization.industry).toBe('Retail');
    const bad = await t.api(`${base}/${c.id}?expand=everything`, { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid.value', details: [{ fieldName: 'expand' }] });
  });

  it('sorts a listing by first or last name, either way, and refuses another sortOrder', async () => {
    for (const [firstName, lastName] of [
      ['Zoe', 'Sortby'],
      ['Abe', 'Sortby'],
      ['Mia', 'Asortby'],
    ])
      await create({ firstName, lastName });
    const names = async (sortOrder?: string) => {
      const res = await t.api(`${base}?q=sortby${sortOrder ? `&sortOrder=${sortOrder}` : ''}`, { token: admin });
      expect(res.status, res.text).toBe(200);
      return res.body.entities.map((c: { firstName: string }) => c.firstName);
    };
    expect(await names()).toEqual(['Mia', 'Abe', 'Zoe']);
    expect(await names('firstName')).toEqual(['Abe', 'Mia', 'Zoe']);
    expect(await names('firstName:desc')).toEqual(['Zoe', 'Mia', 'Abe']);
    expect(await names('lastName:desc')).toEqual(['Zoe', 'Abe', 'Mia']);
    for (const sortOrder of ['title', 'constructor', 'lastName:sideways']) {
      const bad = await t.api(`${base}?sortOrder=${sortOrder}`, { token: admin });
      expect(bad.status, sortOrder).toBe(400);
      expect(bad.body).toMatchObject({ code: 'invalid.value', details: [{ fieldName: 'sortOrder' }] });
    }
  });

  it('patches fields with upstream actions, re-normalizing phones and re-indexing identifiers', async () => {
    const c = await create({
      firstName: 'Pat',
      lastName: 'Patchwork',
      workEmail: 'pat@patch.example',
      address: { address1: '1 Mill Road', city: 'Leeds' },
      externalIds: [{ externalSource: { name: 'CRM' }, value: 'crm-pat-1' }],
    });
    const res = await patch(c.id, [
      { field: '$.lastName', value: 'Patched', action: 'Update' },
      { field: '$.title', value: 'Buyer', action: 'UpdateIfEmpty' },
      { field: '$.firstName', value: 'Ignored', action: 'UpdateIfEmpty' },
      { field: '$.middleName', value: 'Ignored', action: 'UpdateIfExists' },
      { field: '$.address.city', value: 'York', action: 'Update' },
      { field: '$.cellPhone', value: { userInput: '(415) 555-0177' }, action: 'Update' },
      { field: '$.workEmail', action: 'Remove' },
      {
        field: '$.externalIds',
        value: [{ externalSource: { name: 'ERP' }, value: 'erp-pat-2' }],
        action: 'AppendToCollection',
      },
    ]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      firstName: 'Pat',
      lastName: 'Patched',
      title: 'Buyer',
      address: { address1: '1 Mill Road', city: 'York' },
      cellPhone: { e164: '+14155550177' },
    });
    expect(res.body.middleName).toBeUndefined();
    expect(res.body.workEmail).toBeUndefined();
    expect(res.body.externalIds.map((x: { value: string }) => x.value)).toEqual(['crm-pat-1', 'erp-pat-2']);
    // What search finds follows the patch.
    const byPhone = await t.api(`${base}?q=${encodeURIComponent('415-555-0177')}`, { token: admin });
    expect(byPhone.body.entities.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await t.api(`${base}?q=pat%40patch.example`, { token: admin })).body.total).toBe(0);
    const removed = await patch(c.id, [
      {
        field: '$.externalIds',
        value: { externalSource: { name: 'CRM' }, value: 'crm-pat-1' },
        action: 'RemoveFromCollection',
      },
    ]);
    expect(removed.body.externalIds.map((x: { value: string }) => x.value)).toEqual(['erp-pat-2']);
    // Audited as an update naming the properties, never the values.
    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .select(['action', 'changes'])
      .where('entity_id', '=', c.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['Create', 'Update', 'Update']);
    expect(events[1]!.changes).toContain('cellPhone');
    expect(events[1]!.changes).not.toContain('York');
  });

  it('refuses a bad patch in the upstream shape, changing nothing', async () => {
    const c = await create({ firstName: 'Rae', address: { city: 'Bath' } });
    const cases: [unknown[], number, string][] = [
      [[{ field: 'firstName', value: 'X', action: 'Update' }], 400, 'changes[0].field'],
      [[{ field: '$.nickname', value: 'X', action: 'Update' }], 400, 'changes[0].field'],
      [[{ field: '$.address.planet', value: 'X', action: 'Update' }], 400, 'changes[0].field'],
      [[{ field: '$.firstName', action: 'Update' }], 400, 'changes[0].value'],
      [[{ field: '$.firstName', value: 7, action: 'Update' }], 400, 'firstName'],
      [[{ field: '$.workPhone', value: { userInput: 'not a phone' }, action: 'Update' }], 400, 'workPhone'],
      [[{ field: '$.firstName', value: ['X'], action: 'AppendToCollection' }], 400, 'changes[0].field'],
    ];
    for (const [changes, status, field] of cases) {
      const res = await patch(c.id, changes);
      expect(res.status, JSON.stringify(changes)).toBe(status);
      expect(res.body).toMatchObject({ status, code: 'invalid.value', details: [{ fieldName: field }] });
    }
    const both = await patch(c.id, [
      { field: '$.address', value: { city: 'Wells' }, action: 'Update' },
      { field: '$.address.city', value: 'Frome', action: 'Update' },
    ]);
    expect(both.status).toBe(409);
    expect(both.body.status).toBe(409);
    const unknownAction = await patch(c.id, [{ field: '$.firstName', value: 'X', action: 'Replace' }]);
    expect(unknownAction.status).toBe(400);
    const missing = await patch('00000000-0000-4000-8000-000000000000', [
      { field: '$.firstName', value: 'X', action: 'Update' },
    ]);
    expect(missing.status).toBe(404);
    const after = await t.api(`${base}/${c.id}`, { token: admin });
    expect(after.body).toMatchObject({ firstName: 'Rae', address: { city: 'Bath' } });
    // PATCH needs externalContacts:contact:edit (upstream names no relate permission for it).
    const relate = await clientWith('Relate editor', ['relate:contact:edit', 'relate:contact:view'], east);
    const denied = await patch(c.id, [{ field: '$.firstName', value: 'X', action: 'Update' }], relate);
    expect(denied.status).toBe(403);
  });

  it('refuses an interaction naming an external contact the organization does not hold', async () => {
    const c = await create({ firstName: 'Ivy', lastName: 'Interaction' });
    const conversation = (externalContactId: string) =>
      post('/api/v2/gatehouse/conversations', {
        mediaType: 'message',
        participants: [
          { purpose: 'customer', name: 'Ivy', externalContactId },
          { purpose: 'agent', name: 'Agent' },
        ],
      });
    const ok = await conversation(c.id);
    expect(ok.status, ok.text).toBe(200);
    const bad = await conversation('not-a-contact-of-ours');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      status: 400,
      code: 'invalid.value',
      details: [{ fieldName: 'participants[0].externalContactId' }],
    });
    expect(bad.body.message).toContain('not-a-contact-of-ours');
  });
});
