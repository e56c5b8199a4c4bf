/**
 * The org's own SAML SP: metadata XML and certificates to download, key pairs created once per
 * org (concurrent first uses agree), private keys sealed at rest and never served; SSO settings
 * (SSO-only with a break-glass user, ServiceName redirect allow-list), audited (@see issue 5).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityProviderStore } from '../../src/domains/sso/index.ts';
import { parseXml } from '../../src/domains/sso/saml/xml.ts';
import { keyMatches } from '../../src/domains/sso/sp-credentials.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

/** Debian's python3-pysaml2 (an independent SAML implementation) and openssl, when installed. */
const PYTHON = '/usr/bin/python3';
const hasPysaml2 =
  existsSync(PYTHON) &&
  (() => {
    try {
      execFileSync(PYTHON, ['-c', 'import saml2.mdstore'], { stdio: 'ignore' });
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
const READ_METADATA = `
import json, sys
from saml2 import config
from saml2.attribute_converter import ac_factory
from saml2.mdstore import MetadataStore
mds = MetadataStore(ac_factory(), config.Config())
mds.load('inline', sys.stdin.read())
eid = list(mds.keys())[0]
cert = lambda c: ''.join((c if isinstance(c, str) else c[1]).split())
print(json.dumps({'entityId': eid, 'signing': [cert(c) for c in mds.certs(eid, 'spsso', 'signing')],
  'encryption': [cert(c) for c in mds.certs(eid, 'spsso', 'encryption')],
  'acs': [a['location'] for a in mds.assertion_consumer_service(eid)]}))
`;

describe.each(DIALECTS)('SP metadata and SSO settings on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect, { env: { GATEHOUSE_PUBLIC_URL: 'https://gatehouse.example.com' } });
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('creates the org SP credentials once, even when first asked concurrently, with sealed private keys', async () => {
    const store = createIdentityProviderStore({ db: t.gh.storage.db, clock: systemClock });
    const creds = await Promise.all(
      [1, 2, 3].map(() => store.spCredentials(t.demo.orgId, 'https://gatehouse.example.com')),
    );
    expect(new Set(creds.map((c) => c.signing.certificatePem)).size).toBe(1);
    expect(new Set(creds.map((c) => c.encryption.privateKeyPem)).size).toBe(1);
    const [c] = creds;
    expect(c.signing.certificatePem).not.toBe(c.encryption.certificatePem);
    expect(keyMatches(c.signing.privateKeyPem, c.signing.certificatePem)).toBe(true);
    expect(keyMatches(c.encryption.privateKeyPem, c.encryption.certificatePem)).toBe(true);
    expect(c).toMatchObject({
      entityId: `https://gatehouse.example.com/saml/${t.demo.orgId}/metadata`,
      acsUrl: `https://gatehouse.example.com/saml/${t.demo.orgId}/acs`,
      sloUrl: `https://gatehouse.example.com/saml/${t.demo.orgId}/slo`,
    });
    const rows = await t.gh.storage.db.selectFrom('sso_sp_credentials').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('PRIVATE KEY');
  });

  it('serves SP metadata and certificates to download, never a private key', async () => {
    const meta = await t.api('/api/v2/identityproviders/sp/metadata', { token });
    expect(meta.status).toBe(200);
    expect(meta.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    expect(meta.headers.get('content-disposition')).toMatch(/attachment/);
    const doc = parseXml(meta.text, { maxBytes: 1_000_000, label: 'SP metadata' });
    expect(doc.documentElement?.getAttribute('entityID')).toBe(
      `https://gatehouse.example.com/saml/${t.demo.orgId}/metadata`,
    );
    expect(meta.text).toContain(`Location="https://gatehouse.example.com/saml/${t.demo.orgId}/acs"`);
    expect(meta.text).not.toContain('PRIVATE');

    const signing = await t.api('/api/v2/identityproviders/sp/certificate', { token });
    expect(signing.status).toBe(200);
    expect(signing.headers.get('content-disposition')).toMatch(/gatehouse-signing\.pem/);
    const cert = new X509Certificate(signing.text);
    expect(meta.text).toContain(signing.text.replace(/-----[^-]+-----|\s/g, '').slice(0, 64));
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 5 * 365 * 86_400_000);
    const encryption = await t.api('/api/v2/identityproviders/sp/certificate?use=encryption', { token });
    expect(encryption.text).not.toBe(signing.text);
    expect(encryption.text).not.toContain('PRIVATE');

    const info = await t.api('/api/v2/identityproviders/sp', { token });
    expect(info.body).toMatchObject({
      entityId: expect.stringContaining('/saml/'),
      signingCertificate: { pem: signing.text, expired: false },
    });
    expect(info.text).not.toContain('PRIVATE');

    const weak = await t.clientWithRole('no sso');
    expect(
      (await t.api('/api/v2/identityproviders/sp/metadata', { token: await t.token(weak.id, weak.secret) })).status,
    ).toBe(403);
  });

  it.runIf(hasPysaml2)('serves metadata and certificates another SAML implementation and openssl accept', async () => {
    const meta = await t.api('/api/v2/identityproviders/sp/metadata', { token });
    const read = JSON.parse(execFileSync(PYTHON, ['-c', READ_METADATA], { input: meta.text, encoding: 'utf8' }));
    const signing = (await t.api('/api/v2/identityproviders/sp/certificate', { token })).text;
    const encryption = (await t.api('/api/v2/identityproviders/sp/certificate?use=encryption', { token })).text;
    const body = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    expect(read).toEqual({
      entityId: `https://gatehouse.example.com/saml/${t.demo.orgId}/metadata`,
      signing: [body(signing)],
      encryption: [body(encryption)],
      acs: [`https://gatehouse.example.com/saml/${t.demo.orgId}/acs`],
    });
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sp-'));
    try {
      writeFileSync(join(dir, 'sp.pem'), signing);
      const verified = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'sp.pem'), join(dir, 'sp.pem')], {
        encoding: 'utf8',
      });
      expect(verified).toMatch(/: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps SSO settings per org, validated and audited', async () => {
    const initial = await t.api('/api/v2/identityproviders/settings', { token });
    expect(initial.body).toMatchObject({ ssoOnly: false, breakGlassUserId: null, redirectAllowList: [] });

    const put = (body: unknown) => t.api('/api/v2/identityproviders/settings', { method: 'PUT', token, body });
    expect((await put({ ssoOnly: true })).body.details[0].fieldName).toBe('breakGlassUserId');
    expect(
      (await put({ ssoOnly: true, breakGlassUserId: '00000000-0000-0000-0000-000000000000' })).body.details[0]
        .fieldName,
    ).toBe('breakGlassUserId');
    expect(
      (await put({ redirectAllowList: ['https://ok.example.com/app', 'http://plain.example.com'] })).body.details[0]
        .fieldName,
    ).toBe('redirectAllowList[1]');

    const admin = (await t.api(`/api/v2/users?pageSize=100`, { token })).body.entities.find(
      (u: { email: string }) => u.email === t.demo.adminEmail,
    );
    const ok = await put({
      ssoOnly: true,
      breakGlassUserId: admin.id,
      redirectAllowList: ['https://app.example.com/home'],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      ssoOnly: true,
      breakGlassUserId: admin.id,
      redirectAllowList: ['https://app.example.com/home'],
    });
    const store = createIdentityProviderStore({ db: t.gh.storage.db, clock: systemClock });
    expect(await store.settings(t.demo.orgId)).toEqual({
      orgId: t.demo.orgId,
      ssoOnly: true,
      breakGlassUserId: admin.id,
      redirectAllowList: ['https://app.example.com/home'],
    });

    const other = await t.gh.directory.createOrganization('Elsewhere', 'elsewhere.example');
    expect((await store.settings(other.org.id)).ssoOnly).toBe(false);

    const events = await t.gh.storage.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_type', '=', 'SsoSettings')
      .execute();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].changes)).toEqual(
      expect.arrayContaining([{ property: 'ssoOnly', oldValues: ['false'], newValues: ['true'] }]),
    );
  });
});
