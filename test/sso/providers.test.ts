/**
 * /api/v2/identityproviders: custom and named providers in upstream shapes, metadata import for
 * review, up to 5 certificates with expiry warnings, at most 30 providers per org, permissions,
 * organizations kept apart, every change audited (@see issue 5, admin half).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/platform/clock.ts';
import { selfSignedCertificate } from '../../src/domains/sso/sp-credentials.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { validateShape } from '../helpers/shape.ts';
import { CERT, ISSUER, oktaMetadata, SLO_URL, SSO_URL } from './providers-fixtures.ts';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
// 14 days before the test "expired" certificate's notAfter (2026-11-24).
const START = new Date('2026-11-10T12:00:00Z');

describe.each(DIALECTS)('identity providers API on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  const clock = manualClock(START);
  beforeAll(async () => {
    t = await startApp(dialect, { clock });
    token = await t.token();
  });
  afterAll(() => t?.close());

  const provider = (extra: Record<string, unknown> = {}) => ({
    name: 'Company SSO',
    issuerURI: ISSUER,
    ssoTargetURI: SSO_URL,
    ssoBinding: POST,
    certificates: [CERT.idp],
    ...extra,
  });
  const create = (body: unknown) => t.api('/api/v2/identityproviders', { method: 'POST', token, body });
  const eventsFor = (id: string) =>
    t.gh.storage.db.selectFrom('audit_events').selectAll().where('entity_id', '=', id).orderBy('id').execute();

  it('imports IdP metadata for review without storing anything', async () => {
    const res = await t.api('/api/v2/identityproviders/metadata/parse', {
      method: 'POST',
      token,
      body: { metadata: oktaMetadata() },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issuerURI: ISSUER,
      ssoTargetURI: SSO_URL,
      ssoBinding: REDIRECT,
      sloURI: SLO_URL,
      sloBinding: POST,
      nameIdentifierFormat: EMAIL,
    });
    expect(res.body.certificates).toHaveLength(2);
    expect(res.body.certificateDetails[0]).toMatchObject({
      subject: expect.stringContaining('CN=idp.gatehouse.test'),
      expired: false,
      expiresSoon: false,
    });
    expect(res.body.certificateDetails[1]).toMatchObject({
      notAfter: expect.stringMatching(/^2026-11-24/),
      expiresSoon: true,
      warning: expect.stringMatching(/Expires on 2026-11-24/),
    });
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(0);

    for (const bad of [
      '',
      '<html/>',
      '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      oktaMetadata([]),
    ]) {
      const refused = await t.api('/api/v2/identityproviders/metadata/parse', {
        method: 'POST',
        token,
        body: { metadata: bad },
      });
      expect(refused.status, bad).toBe(400);
      expect(refused.body.details[0].fieldName).toBe('metadata');
      expect(refused.text).not.toContain('root:');
    }
  });

  it('creates, reads, lists, updates and deletes a custom provider, audited', async () => {
    const made = await create(
      provider({
        sloURI: SLO_URL,
        sloBinding: POST,
        nameIdentifierFormat: EMAIL,
        certificates: [CERT.idp, CERT.expired],
      }),
    );
    expect(made.status).toBe(200);
    validateShape('CustomProvider', made.body, { extraProperties: true });
    expect(made.body).toMatchObject({
      name: 'Company SSO',
      issuerURI: ISSUER,
      ssoBinding: POST,
      disabled: false,
      displayOnLogin: true,
      certificate: CERT.idp,
    });
    expect(made.body.certificateWarning).toBe(true);
    const id = made.body.id;

    const got = await t.api(`/api/v2/identityproviders/${id}`, { token });
    validateShape('CustomProvider', got.body, { extraProperties: true });
    expect(got.body.selfUri).toBe(`/api/v2/identityproviders/${id}`);

    const list = await t.api('/api/v2/identityproviders?pageSize=10', { token });
    validateShape('IdentityProviderEntityListing', list.body, { extraProperties: true });
    expect(list.body).toMatchObject({ total: 1, pageSize: 10, pageNumber: 1 });
    expect(list.body.entities[0].certificateDetails.map((c: { expiresSoon: boolean }) => c.expiresSoon)).toEqual([
      false,
      true,
    ]);

    // The expired certificate turns from a warning into "expired" as time passes.
    clock.set(new Date('2026-12-01T00:00:00Z'));
    const later = await t.api(`/api/v2/identityproviders/${id}`, { token: await t.token() });
    expect(later.body.certificateDetails[1]).toMatchObject({
      expired: true,
      warning: expect.stringMatching(/^Expired on 2026-11-24/),
    });
    clock.set(START);

    const updated = await t.api(`/api/v2/identityproviders/${id}`, {
      method: 'PUT',
      token,
      body: { ...got.body, name: 'Okta', certificates: [CERT.idp2], disabled: true },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: 'Okta',
      disabled: true,
      certificates: [CERT.idp2],
      certificateWarning: false,
      sloURI: SLO_URL,
    });

    expect((await t.api(`/api/v2/identityproviders/${id}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await t.api(`/api/v2/identityproviders/${id}`, { token })).status).toBe(404);

    const events = await eventsFor(id);
    expect(events.map((e) => [e.service_name, e.entity_type, e.action])).toEqual([
      ['Integrations', 'IdentityProvider', 'Create'],
      ['Integrations', 'IdentityProvider', 'Update'],
      ['Integrations', 'IdentityProvider', 'Delete'],
    ]);
    const mapping = await t.api('/api/v2/audits/query/servicemapping', { token });
    const integrations = mapping.body.services.find((x: { name: string }) => x.name === 'Integrations');
    expect(integrations.entities).toContainEqual({ name: 'IdentityProvider', actions: ['Create', 'Delete', 'Update'] });
    expect(integrations.entities).toContainEqual({ name: 'SsoSettings', actions: ['Update'] });
    expect(JSON.parse(events[1].changes)).toEqual(
      expect.arrayContaining([
        { property: 'name', oldValues: ['Company SSO'], newValues: ['Okta'] },
        { property: 'disabled', oldValues: ['false'], newValues: ['true'] },
      ]),
    );
  });

  it('refuses bad input with a 400 naming the field, writing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [provider({ name: '  ' }), 'name'],
      [provider({ issuerURI: '' }), 'issuerURI'],
      [provider({ ssoTargetURI: 'javascript:alert(1)' }), 'ssoTargetURI'],
      [provider({ ssoTargetURI: undefined }), 'ssoTargetURI'],
      [provider({ ssoBinding: 'urn:x' }), 'ssoBinding'],
      [provider({ sloURI: 'not a url' }), 'sloURI'],
      [provider({ nameIdentifierFormat: 'email' }), 'nameIdentifierFormat'],
      [provider({ certificates: [CERT.idp, 'MIIBogus'] }), 'certificates[1]'],
      [
        provider({
          logoImageData:
            'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        }),
        'logoImageData',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.status, field).toBe(400);
      expect(res.body.details[0].fieldName, field).toBe(field);
    }
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(0);
  });

  it('imports metadata with more than 5 certificates keeping the unexpired ones first, and names those left out', async () => {
    // Three long-expired certificates listed first, then four valid ones (one expiring soon).
    const old = await Promise.all(
      [2019, 2020, 2021].map(
        async (year) =>
          (await selfSignedCertificate(`old-${year}.gatehouse.test`, new Date(`${year}-01-01T00:00:00Z`), 1))
            .certificatePem,
      ),
    );
    const res = await t.api('/api/v2/identityproviders/metadata/parse', {
      method: 'POST',
      token,
      body: { metadata: oktaMetadata([...old, CERT.idp, CERT.idp2, CERT.attacker, CERT.expired]) },
    });
    expect(res.status, res.text).toBe(200);
    const details = res.body.certificateDetails as { subject: string; notAfter: string; expired: boolean }[];
    expect(details).toHaveLength(5);
    expect(details.slice(0, 4).every((d) => !d.expired)).toBe(true);
    // Latest expiry first; the most recently expired certificate fills the fifth place.
    expect(details[3].notAfter).toMatch(/^2026-11-24/);
    expect(details[4]).toMatchObject({ expired: true, subject: expect.stringContaining('old-2021.gatehouse.test') });
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toMatch(/Only 5 of 7 certificates were kept/);
    expect(res.body.warnings[0]).toContain('old-2019.gatehouse.test');
    expect(res.body.warnings[0]).toContain('old-2020.gatehouse.test');
    expect(res.body.warnings[0]).not.toContain('old-2021.gatehouse.test');
  });

  it('keeps at most 5 certificates per provider', async () => {
    const sixth = (await selfSignedCertificate('sixth.gatehouse.test', START)).certificatePem;
    const five = [CERT.idp, CERT.idp2, CERT.expired, CERT.attacker, CERT.sp];
    const ok = await create(provider({ certificates: five }));
    expect(ok.status).toBe(200);
    expect(ok.body.certificateDetails).toHaveLength(5);
    const refused = await t.api(`/api/v2/identityproviders/${ok.body.id}`, {
      method: 'PUT',
      token,
      body: { ...ok.body, certificates: [...five, sixth] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].fieldName).toBe('certificates');
    expect(refused.body.message).toMatch(/at most 5/);
    expect((await t.api(`/api/v2/identityproviders/${ok.body.id}`, { token })).body.certificates).toHaveLength(5);
    await t.api(`/api/v2/identityproviders/${ok.body.id}`, { method: 'DELETE', token });
  });

  it('manages the named providers at their own paths', async () => {
    expect((await t.api('/api/v2/identityproviders/okta', { token })).status).toBe(404);
    const put = await t.api('/api/v2/identityproviders/okta', {
      method: 'PUT',
      token,
      body: { issuerURI: ISSUER, ssoTargetURI: SSO_URL, certificate: CERT.idp },
    });
    expect(put.status).toBe(200);
    validateShape('Okta', put.body, { extraProperties: true });
    expect(put.body).toMatchObject({
      name: 'Okta',
      providerName: 'Okta',
      providerType: 'okta',
      certificates: [CERT.idp],
      selfUri: '/api/v2/identityproviders/okta',
    });
    const again = await t.api('/api/v2/identityproviders/okta', {
      method: 'PUT',
      token,
      body: { ...put.body, ssoBinding: REDIRECT },
    });
    expect(again.body).toMatchObject({ id: put.body.id, ssoBinding: REDIRECT });
    const adfs = await t.api('/api/v2/identityproviders/adfs', {
      method: 'PUT',
      token,
      body: {
        issuerURI: 'http://adfs.example.com/adfs/services/trust',
        ssoTargetURI: 'https://adfs.example.com/adfs/ls/',
        certificates: [CERT.idp2],
      },
    });
    expect(adfs.status).toBe(200);
    validateShape('ADFS', (await t.api('/api/v2/identityproviders/adfs', { token })).body, { extraProperties: true });
    for (const kind of [
      'gsuite',
      'onelogin',
      'ping',
      'salesforce',
      'generic',
      'purecloud',
      'pureengage',
      'cic',
      'identitynow',
    ]) {
      expect((await t.api(`/api/v2/identityproviders/${kind}`, { token })).status, kind).toBe(404);
    }
    const gsuite = await t.api('/api/v2/identityproviders/gsuite', {
      method: 'PUT',
      token,
      body: {
        issuerURI: 'https://accounts.google.com/o/saml2?idpid=C0abc',
        ssoTargetURI: 'https://accounts.google.com/o/saml2/idp?idpid=C0abc',
        certificates: [CERT.idp],
      },
    });
    expect(gsuite.status).toBe(200);
    const list = await t.api('/api/v2/identityproviders', { token });
    expect(list.body.entities.map((e: { providerType: string }) => e.providerType).sort()).toEqual([
      'adfs',
      'gsuite',
      'okta',
    ]);
    for (const kind of ['okta', 'adfs', 'gsuite']) {
      expect((await t.api(`/api/v2/identityproviders/${kind}`, { method: 'DELETE', token })).status).toBe(200);
    }
    expect((await t.api('/api/v2/identityproviders/okta', { method: 'DELETE', token })).status).toBe(404);
    const events = await eventsFor(put.body.id);
    expect(events.map((e) => e.action)).toEqual(['Create', 'Update', 'Delete']);
  });

  it('answers every named kind at its own path: PUT creates, GET reads, DELETE removes', async () => {
    const body = provider();
    const calls: [string, () => Promise<{ status: number; body: any }>][] = [
      ['okta', () => t.api('/api/v2/identityproviders/okta', { method: 'PUT', token, body })],
      ['adfs', () => t.api('/api/v2/identityproviders/adfs', { method: 'PUT', token, body })],
      ['gsuite', () => t.api('/api/v2/identityproviders/gsuite', { method: 'PUT', token, body })],
      ['onelogin', () => t.api('/api/v2/identityproviders/onelogin', { method: 'PUT', token, body })],
      ['ping', () => t.api('/api/v2/identityproviders/ping', { method: 'PUT', token, body })],
      ['salesforce', () => t.api('/api/v2/identityproviders/salesforce', { method: 'PUT', token, body })],
      ['generic', () => t.api('/api/v2/identityproviders/generic', { method: 'PUT', token, body })],
      ['purecloud', () => t.api('/api/v2/identityproviders/purecloud', { method: 'PUT', token, body })],
      ['pureengage', () => t.api('/api/v2/identityproviders/pureengage', { method: 'PUT', token, body })],
      ['cic', () => t.api('/api/v2/identityproviders/cic', { method: 'PUT', token, body })],
      ['identitynow', () => t.api('/api/v2/identityproviders/identitynow', { method: 'PUT', token, body })],
    ];
    for (const [kind, put] of calls) {
      const res = await put();
      expect(res.status, kind).toBe(200);
      expect(res.body).toMatchObject({ providerType: kind, selfUri: `/api/v2/identityproviders/${kind}` });
    }
    const reads = [
      await t.api('/api/v2/identityproviders/okta', { token }),
      await t.api('/api/v2/identityproviders/adfs', { token }),
      await t.api('/api/v2/identityproviders/gsuite', { token }),
      await t.api('/api/v2/identityproviders/onelogin', { token }),
      await t.api('/api/v2/identityproviders/ping', { token }),
      await t.api('/api/v2/identityproviders/salesforce', { token }),
      await t.api('/api/v2/identityproviders/generic', { token }),
      await t.api('/api/v2/identityproviders/purecloud', { token }),
      await t.api('/api/v2/identityproviders/pureengage', { token }),
      await t.api('/api/v2/identityproviders/cic', { token }),
      await t.api('/api/v2/identityproviders/identitynow', { token }),
    ];
    expect(reads.map((r) => r.body.providerType)).toEqual([
      'okta',
      'adfs',
      'gsuite',
      'onelogin',
      'ping',
      'salesforce',
      'generic',
      'purecloud',
      'pureengage',
      'cic',
      'identitynow',
    ]);
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(11);
    const deletes = [
      await t.api('/api/v2/identityproviders/okta', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/adfs', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/gsuite', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/onelogin', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/ping', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/salesforce', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/generic', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/purecloud', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/pureengage', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/cic', { method: 'DELETE', token }),
      await t.api('/api/v2/identityproviders/identitynow', { method: 'DELETE', token }),
    ];
    expect(deletes.map((r) => r.status)).toEqual(Array(11).fill(200));
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(0);
  });

  it('refuses the 31st provider of an organization', async () => {
    for (let i = 0; i < 30; i++)
      expect((await create(provider({ name: `IdP ${String(i).padStart(2, '0')}` }))).status).toBe(200);
    const refused = await create(provider({ name: 'one too many' }));
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/at most 30 identity providers/);
    const named = await t.api('/api/v2/identityproviders/ping', { method: 'PUT', token, body: provider() });
    expect(named.status).toBe(400);
    const page2 = await t.api('/api/v2/identityproviders?pageSize=25&pageNumber=2', { token });
    expect(page2.body).toMatchObject({ total: 30, pageCount: 2 });
    expect(page2.body.entities).toHaveLength(5);
    for (const e of (await t.api('/api/v2/identityproviders?pageSize=100', { token })).body.entities) {
      await t.api(`/api/v2/identityproviders/${e.id}`, { method: 'DELETE', token });
    }
  });

  it('needs sso:provider:* permissions and keeps organizations apart', async () => {
    const weak = await t.clientWithRole('sso viewer');
    const weakToken = await t.token(weak.id, weak.secret);
    expect((await t.api('/api/v2/identityproviders', { token: weakToken })).body.code).toBe('missing.permissions');
    expect(
      (await t.api('/api/v2/identityproviders', { method: 'POST', token: weakToken, body: provider() })).status,
    ).toBe(403);
    expect(
      (await t.api('/api/v2/identityproviders/okta', { method: 'PUT', token: weakToken, body: provider() })).status,
    ).toBe(403);

    const other = await t.gh.directory.createOrganization('Elsewhere', 'elsewhere.example');
    const client = await t.gh.oauth.clients.create(other.org.id, null, {
      name: 'other admin',
      grantType: 'CLIENT-CREDENTIALS',
      roleDivisions: [{ roleId: other.adminRoleId, divisionId: other.homeDivisionId }],
    });
    const otherToken = await t.token(client.client.id, client.secret);
    const foreign = await t.api('/api/v2/identityproviders', {
      method: 'POST',
      token: otherToken,
      body: provider({ name: 'Foreign' }),
    });
    expect(foreign.status).toBe(200);
    expect((await t.api(`/api/v2/identityproviders/${foreign.body.id}`, { token })).status).toBe(404);
    expect(
      (await t.api(`/api/v2/identityproviders/${foreign.body.id}`, { method: 'PUT', token, body: provider() })).status,
    ).toBe(404);
    expect((await t.api(`/api/v2/identityproviders/${foreign.body.id}`, { method: 'DELETE', token })).status).toBe(404);
    expect((await t.api('/api/v2/identityproviders', { token })).body.total).toBe(0);
    expect((await t.api(`/api/v2/identityproviders/${foreign.body.id}`, { token: otherToken })).status).toBe(200);
  });
});
