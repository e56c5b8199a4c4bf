/** The official JavaScript SDK's GeneralDataProtectionRegulationApi against Gatehouse. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { validateShape } from '../helpers/shape.ts';

describe.each(DIALECTS)('purecloud-platform-client-v2 GeneralDataProtectionRegulationApi on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  it('finds a subject, submits an export, follows it to COMPLETED and lists it; a DELETE without confirmation is refused', async () => {
    const admin = await t.token();
    const made = await t.api('/api/v2/users', {
      method: 'POST',
      token: admin,
      body: { name: 'Sdk Subject', email: 'sdk.subject@example.com' },
    });
    expect(made.status).toBe(200);
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const api = new platformClient.GeneralDataProtectionRegulationApi();

    const subjects = await api.getGdprSubjects('EMAIL', 'sdk.subject@example.com');
    validateShape('GDPRSubjectEntityListing', subjects);
    expect(subjects.entities).toHaveLength(1);
    expect(subjects.entities[0].userId).toBe(made.body.id);

    const request = await api.postGdprRequests({
      requestType: 'GDPR_EXPORT',
      subject: { userId: subjects.entities[0].userId },
    });
    validateShape('GDPRRequest', request);
    expect(request.status).toBe('INITIATED');
    let current = request;
    for (let i = 0; i < 200 && current.status !== 'COMPLETED' && current.status !== 'ERROR'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      current = await api.getGdprRequest(request.id);
    }
    expect(current.status).toBe('COMPLETED');
    expect(current.resultsUrl).toBe(`/api/v2/gdpr/requests/${request.id}/results`);

    const listed = await api.getGdprRequests({ pageSize: 10, pageNumber: 1 });
    validateShape('GDPRRequestEntityListing', listed);
    expect(listed.entities.map((r: { id: string }) => r.id)).toContain(request.id);

    const refused = await api
      .postGdprRequests({ requestType: 'GDPR_DELETE', subject: { userId: made.body.id } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 'bad.request' });
    const confirmed = await api.postGdprRequests(
      { requestType: 'GDPR_DELETE', subject: { userId: made.body.id } },
      { deleteConfirmed: true },
    );
    expect(confirmed.status).toBe('INITIATED');
  });
});
