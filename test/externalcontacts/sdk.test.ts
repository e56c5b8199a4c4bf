/** The official JavaScript SDK's ExternalContactsApi against Gatehouse: CRUD, PATCH, expand, divisionIds and merge. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('purecloud-platform-client-v2 ExternalContactsApi on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  it('creates, patches, expands, lists by division and merges contacts as the SDK sends them', async () => {
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const api = new platformClient.ExternalContactsApi();

    const org = await api.postExternalcontactsOrganizations({ name: 'Sdk Traders', industry: 'Retail' });
    const a = await api.postExternalcontactsContacts({
      firstName: 'Sdk',
      lastName: 'Customer',
      workEmail: 'sdk.customer@example.com',
      externalOrganization: { id: org.id },
    });
    validateShape('ExternalContact', a);
    expect(a.externalOrganization).toEqual({ id: org.id, name: 'Sdk Traders', selfUri: expect.any(String) });

    const patched = await api.patchExternalcontactsContact(a.id, {
      changes: [
        { field: '$.title', value: 'Buyer', action: 'Update' },
        { field: '$.cellPhone', value: { userInput: '+1 (415) 555-0190' }, action: 'UpdateIfEmpty' },
      ],
    });
    validateShape('ExternalContact', patched);
    expect(patched).toMatchObject({ title: 'Buyer', cellPhone: { e164: '+14155550190' } });

    // The SDK sends array parameters as repeated query parameters.
    const expanded = await api.getExternalcontactsContact(a.id, { expand: ['externalOrganization', 'division'] });
    expect(expanded.externalOrganization).toMatchObject({ name: 'Sdk Traders', industry: 'Retail' });
    expect(expanded.division.name).toBe('Home');
    const listed = await api.getExternalcontactsContacts({
      q: 'sdk.customer',
      expand: ['externalOrganization'],
      divisionIds: [expanded.division.id],
      sortOrder: 'lastName:asc',
    });
    validateShape('ContactListing', listed);
    expect(listed.entities.map((c: { id: string }) => c.id)).toEqual([a.id]);
    expect(listed.entities[0].externalOrganization.industry).toBe('Retail');

    const b = await api.postExternalcontactsContacts({ firstName: 'Sdk', lastName: 'Customer', title: 'Old' });
    const merged = await api.postExternalcontactsContactsMerge({ contactIds: [a.id, b.id] });
    validateShape('ExternalContact', merged);
    expect(merged.mergeSet.map((m: { id: string }) => m.id).sort()).toEqual([a.id, b.id, merged.id].sort());

    const refused = await api
      .patchExternalcontactsContact(a.id, { changes: [{ field: 'title', value: 'X', action: 'Update' }] })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 'invalid.value' });
  });
});
