import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { describe, expect, it, vi } from 'vitest';
import type { SamlErrorCode } from '../../src/domains/sso/saml/errors.ts';
import { type ValidateOptions, validateSamlResponse } from '../../src/domains/sso/saml/response.ts';
import { pemBody } from '../../src/domains/sso/saml/xml.ts';
import {
  ACS_URL,
  at,
  b64,
  dom,
  EMAIL_FORMAT,
  encryptAssertion,
  encryptedAssertionXml,
  expectSamlError,
  IDP_ENTITY,
  KEYS,
  type MakeResponseOptions,
  makeResponse,
  memoryReplayStore,
  NOW,
  NS_DS,
  NS_SAML,
  NS_SAMLP,
  REQUEST_ID,
  SP_ENTITY,
  sign,
  signShibbolethStyle,
  assertionXml,
  responseXml,
  validateOptions,
} from './fixtures.ts';

/** `outer` with `<saml:Advice>inner</saml:Advice>` after its Conditions. */
const withAdvice = (outer: string, inner: string) =>
  outer.replace('    <saml:AuthnStatement', `    <saml:Advice>${inner}</saml:Advice>\n    <saml:AuthnStatement`);

const validate = (xml: string, overrides: Partial<ValidateOptions> = {}) =>
  validateSamlResponse(b64(xml), validateOptions(overrides));
/** Builds a response with `opts`, validates it, and expects the refusal `code`. */
const refused = async (opts: MakeResponseOptions, code: SamlErrorCode, overrides: Partial<ValidateOptions> = {}) =>
  expectSamlError(validate(await makeResponse(opts), overrides), code);
const TO_MALLORY = ['>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>'] as const;

describe('happy paths', () => {
  it.each([
    ['the Response', 'response'],
    ['the Assertion', 'assertion'],
    ['both the Response and the Assertion', 'both'],
  ] as const)('accepts a response in which %s is signed', async (_, sign) => {
    const login = await validate(await makeResponse({ sign }));
    expect(login).toEqual({
      issuer: IDP_ENTITY,
      nameId: 'alice@example.com',
      nameIdFormat: EMAIL_FORMAT,
      sessionIndex: '_session-7f3a',
      assertionId: '_a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
      inResponseTo: REQUEST_ID,
      attributes: { email: ['alice@example.com'], givenName: ['Alice'], groups: ['engineering', 'admins'] },
      email: 'alice@example.com',
    });
  });

  it.each([
    ['aes256-cbc', 'response'],
    ['aes256-cbc', 'assertion'],
    ['aes128-gcm', 'response'],
    ['aes128-gcm', 'assertion'],
    ['aes128-gcm', 'both'],
  ] as const)('accepts an encrypted assertion (%s + RSA-OAEP), signed: %s', async (encrypt, sign) => {
    const xml = await makeResponse({ sign, encrypt });
    expect(xml).toContain('<saml:EncryptedAssertion>');
    expect(xml).not.toContain('alice@example.com');
    const login = await validate(xml);
    expect(login.nameId).toBe('alice@example.com');
    expect(login.attributes.groups).toEqual(['engineering', 'admins']);
  });

  it('accepts an Entra-ID-shaped response: default namespaces, unprefixed ds:Signature, 7-digit fractional seconds', async () => {
    const assertion = assertionXml()
      .replace(/<(\/?)saml:/g, '<$1')
      .replace(`xmlns:saml="${NS_SAML}"`, `xmlns="${NS_SAML}"`)
      .replace(/(\d{2}:\d{2}:\d{2})\.(\d{3})Z/g, '$1.$20000Z');
    const signed = sign(assertion, 'Assertion', { prefix: '' });
    expect(signed).toContain(`<Signature xmlns="${NS_DS}">`);
    const login = await validate(responseXml(signed));
    expect(login.nameId).toBe('alice@example.com');
  });

  it('accepts an InclusiveNamespaces PrefixList on the exclusive c14n transform (Shibboleth style)', async () => {
    const xml = responseXml(signShibbolethStyle(assertionXml(), 'Assertion', ['xs']));
    expect(xml).toContain('PrefixList="xs"');
    // Cross-check with an independent verifier.
    const checker = new SignedXml({ publicCert: KEYS.idp.cert });
    checker.loadSignature(dom.one(dom.parse(xml), NS_DS, 'Signature') as unknown as globalThis.Node);
    expect(checker.checkSignature(xml)).toBe(true);
    expect((await validate(xml)).nameId).toBe('alice@example.com');
  });

  it('accepts an Okta-shaped response: both signed, xs declared on the Response only, InclusiveNamespaces "xs"', async () => {
    const assertion = assertionXml().replace(' xmlns:xs="http://www.w3.org/2001/XMLSchema"', '');
    const response = responseXml(assertion).replace(
      '<samlp:Response ',
      '<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema" ',
    );
    const xml = signShibbolethStyle(signShibbolethStyle(response, 'Assertion', ['xs']), 'Response', ['xs']);
    for (const signature of dom.byName(dom.parse(xml), NS_DS, 'Signature')) {
      const checker = new SignedXml({ publicCert: KEYS.idp.cert });
      checker.loadSignature(signature as unknown as globalThis.Node);
      expect(checker.checkSignature(xml)).toBe(true);
    }
    expect((await validate(xml)).attributes.groups).toEqual(['engineering', 'admins']);
  });

  it('takes the email from the attributes when the NameID is not an email (claim URI)', async () => {
    const claim = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
    const xml = await makeResponse({
      sign: 'assertion',
      assertion: {
        nameIdXml: 'AAAAAAAAAAAAAAAAAAAAAFk2bxO8aWxu',
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        attributes: { [claim]: ['bob@example.com'], displayName: ['Bob'] },
      },
    });
    const login = await validate(xml);
    expect(login.nameId).toBe('AAAAAAAAAAAAAAAAAAAAAFk2bxO8aWxu');
    expect(login.email).toBe('bob@example.com');
  });

  it('returns email null when neither the NameID nor the attributes hold one', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      assertion: { nameIdXml: 'bob', nameIdFormat: null, attributes: {} },
    });
    const login = await validate(xml);
    expect(login).toMatchObject({ nameId: 'bob', nameIdFormat: null, email: null, attributes: {} });
  });

  it('keeps an attribute named __proto__ as plain data', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      assertion: { attributes: JSON.parse('{"__proto__":["x"],"a":["b"]}') },
    });
    const login = await validate(xml);
    expect(Object.getPrototypeOf(login.attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(login.attributes, '__proto__')).toBe(true);
  });
});

describe('rule 1 — a signature by a configured certificate over the element that is read', () => {
  it('refuses a response in which nothing is signed', async () => {
    await expectSamlError(validate(await makeResponse({ sign: 'none' })), 'signature.missing');
  });

  it('refuses a signed assertion whose NameID was changed after signing', async () => {
    const xml = (await makeResponse({ sign: 'assertion' })).replace(...TO_MALLORY);
    const e = await expectSamlError(validate(xml), 'signature.invalid');
    expect(e.detail).toMatch(/digest/);
  });

  it('refuses a signed Response whose assertion was changed after signing', async () => {
    const xml = (await makeResponse({ sign: 'response' })).replace('xs:string">admins<', 'xs:string">root<');
    await expectSamlError(validate(xml), 'signature.invalid');
  });

  it('refuses a signature whose Reference points at another element than its parent', async () => {
    const doc = dom.parse(await makeResponse({ sign: 'response' }));
    const reference = dom.one(doc, NS_DS, 'Reference');
    reference.setAttribute('URI', '#_a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5');
    const e = await expectSamlError(validate(dom.serialize(doc)), 'signature.invalid');
    expect(e.detail).toMatch(/references/);
  });

  it('refuses an assertion signature moved up to the Response', async () => {
    const doc = dom.parse(await makeResponse({ sign: 'assertion' }));
    const response = doc.documentElement!;
    const signature = dom.one(doc, NS_DS, 'Signature');
    response.insertBefore(signature, dom.directChild(response, NS_SAMLP, 'Status'));
    await expectSamlError(validate(dom.serialize(doc)), 'signature.invalid');
  });

  it('refuses SHA-1 signatures and digests', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
    });
    await expectSamlError(validate(xml), 'signature.unsupported');
  });

  it('refuses canonicalization with comments and additional transforms', async () => {
    const withComments = (await makeResponse({ sign: 'assertion' })).replace(
      'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"',
      'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"',
    );
    await expectSamlError(validate(withComments), 'signature.unsupported');

    const doc = dom.parse(await makeResponse({ sign: 'assertion' }));
    const transforms = dom.one(doc, NS_DS, 'Transforms');
    const xpath = doc.createElementNS(NS_DS, 'ds:Transform');
    xpath.setAttribute('Algorithm', 'http://www.w3.org/TR/1999/REC-xpath-19991116');
    transforms.appendChild(xpath);
    await expectSamlError(validate(dom.serialize(doc)), 'signature.unsupported');
  });
});

describe('rule 2 — certificates', () => {
  it('accepts a signature by any configured certificate (rollover)', async () => {
    const xml = await makeResponse({ sign: 'response', keyPair: KEYS.idp2 });
    const login = await validate(xml, { idp: { entityId: IDP_ENTITY, certificates: [KEYS.idp.cert, KEYS.idp2.cert] } });
    expect(login.nameId).toBe('alice@example.com');
  });

  it('accepts a certificate configured as bare base64 DER', async () => {
    const xml = await makeResponse({ sign: 'assertion' });
    const login = await validate(xml, { idp: { entityId: IDP_ENTITY, certificates: [pemBody(KEYS.idp.cert)] } });
    expect(login.nameId).toBe('alice@example.com');
  });

  it('skips an expired configured certificate: a response signed only by it fails', async () => {
    const xml = await makeResponse({ sign: 'response', keyPair: KEYS.expired });
    await expectSamlError(
      validate(xml, { idp: { entityId: IDP_ENTITY, certificates: [KEYS.expired.cert] } }),
      'certificate.none-valid',
    );
    await expectSamlError(
      validate(xml, { idp: { entityId: IDP_ENTITY, certificates: [KEYS.expired.cert, KEYS.idp.cert] } }),
      'signature.invalid',
    );
  });

  it('accepts the same expired-certificate signature at a time before the certificate expired (the refusal is about expiry)', async () => {
    const then = new Date('2026-11-23T12:00:00Z');
    const rel = (s: number) => new Date(then.getTime() + s * 1000);
    const xml = await makeResponse({
      sign: 'response',
      keyPair: KEYS.expired,
      assertion: { issueInstant: then, notBefore: rel(-60), notOnOrAfter: rel(300), scdNotOnOrAfter: rel(300) },
    });
    const login = await validate(xml, { now: then, idp: { entityId: IDP_ENTITY, certificates: [KEYS.expired.cert] } });
    expect(login.nameId).toBe('alice@example.com');
  });

  it('skips a configured certificate that is not valid yet (notBefore in the future), as logout does', async () => {
    // A day before the idp certificate's notBefore: it is the only configured one, so nothing verifies.
    const validFrom = Date.parse(new X509Certificate(KEYS.idp.cert).validFrom);
    const responseAt = async (then: Date) => {
      const rel = (s: number) => new Date(then.getTime() + s * 1000);
      const xml = await makeResponse({
        sign: 'response',
        assertion: { issueInstant: then, notBefore: rel(-60), notOnOrAfter: rel(300), scdNotOnOrAfter: rel(300) },
      });
      return validate(xml, { now: then, idp: { entityId: IDP_ENTITY, certificates: [KEYS.idp.cert] } });
    };
    const e = await expectSamlError(responseAt(new Date(validFrom - 86_400_000)), 'certificate.none-valid');
    expect(e.detail).toMatch(/not yet valid/);
    // The refusal is about notBefore: the same kind of response a minute after it is accepted.
    expect((await responseAt(new Date(validFrom + 60_000))).nameId).toBe('alice@example.com');
  });

  it('never trusts a certificate embedded in KeyInfo (xml-crypto CVE-2024-32962)', async () => {
    const xml = await makeResponse({ sign: 'both', keyPair: KEYS.attacker, embedCert: true });
    expect(xml).toContain(pemBody(KEYS.attacker.cert));
    const e = await expectSamlError(validate(xml), 'signature.invalid');
    expect(e.detail).toMatch(/not made by any configured certificate/);
  });

  it('refuses when no configured certificate can be read', async () => {
    await refused({ sign: 'response' }, 'certificate.none-valid', {
      idp: { entityId: IDP_ENTITY, certificates: ['not a cert'] },
    });
  });
});

describe('rule 3 — comments and SignedInfo references (CVE-2017-11427, CVE-2025-29774/29775)', () => {
  it('reads a NameID the IdP signed with a comment inside as its full text', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      assertion: { nameIdXml: 'admin@example.com<!---->.evil.com' },
    });
    const login = await validate(xml);
    expect(login.nameId).toBe('admin@example.com.evil.com');
    expect(login.email).toBe('admin@example.com.evil.com');
  });

  it('a comment inserted into a signed NameID after signing changes nothing', async () => {
    const signed = await makeResponse({ sign: 'response', assertion: { nameIdXml: 'admin@example.com.evil.com' } });
    const xml = signed.replace('admin@example.com.evil.com', 'admin@example.com<!---->.evil.com');
    expect(xml).toContain('admin@example.com<!---->.evil.com');
    const login = await validate(xml);
    expect(login.nameId).toBe('admin@example.com.evil.com');
  });

  it('comments inserted into signed attribute values change nothing', async () => {
    const xml = (await makeResponse({ sign: 'assertion' })).replace('>engineering<', '>engi<!-- x -->neering<');
    expect((await validate(xml)).attributes.groups).toEqual(['engineering', 'admins']);
  });

  it('refuses a transform parameter under enveloped-signature (as xml-crypto writes InclusiveNamespaces)', async () => {
    const xml = await makeResponse({ sign: 'assertion', inclusiveNamespaces: ['xs'] });
    await expectSamlError(validate(xml), 'signature.unsupported');
  });

  it('refuses a SignedInfo with two References, even when genuinely signed', async () => {
    const xml = await makeResponse({ sign: 'response', extraReference: `//*[local-name(.)='Assertion']` });
    expect(xml.match(/<ds:Reference /g)).toHaveLength(2);
    await expectSamlError(validate(xml), 'signature.unsupported');
  });

  it('refuses a Reference duplicated inside SignedInfo', async () => {
    const doc = dom.parse(await makeResponse({ sign: 'assertion' }));
    const reference = dom.one(doc, NS_DS, 'Reference');
    reference.parentNode!.appendChild(reference.cloneNode(true));
    await expectSamlError(validate(dom.serialize(doc)), 'signature.unsupported');
  });

  it('refuses a signature whose digest covers different content (signature from another assertion)', async () => {
    const mallory = dom.parse(
      await makeResponse({ sign: 'assertion', assertion: { nameIdXml: 'mallory@example.com' } }),
    );
    const alice = dom.parse(await makeResponse({ sign: 'assertion' }));
    const aliceAssertion = dom.one(alice, NS_SAML, 'Assertion');
    // Put Alice's (valid) signature on Mallory's assertion: same ID, SignatureValue verifies, digest does not.
    const malloryAssertion = dom.one(mallory, NS_SAML, 'Assertion');
    const aliceSignature = mallory.importNode(dom.one(aliceAssertion, NS_DS, 'Signature'), true);
    malloryAssertion.replaceChild(aliceSignature, dom.one(malloryAssertion, NS_DS, 'Signature'));
    const e = await expectSamlError(validate(dom.serialize(mallory)), 'signature.invalid');
    expect(e.detail).toMatch(/digest/);
  });
});

describe('rule 4 — unsigned parts are never read (node-saml CVE-2025-54369/54419)', () => {
  it('refuses a signed assertion accompanied by an unsigned second assertion', async () => {
    const signed = await makeResponse({ sign: 'assertion' });
    const evil = assertionXml({ id: '_evil', nameIdXml: 'mallory@example.com' });
    await expectSamlError(
      validate(signed.replace('</samlp:Response>', `${evil}</samlp:Response>`)),
      'document.multiple-assertions',
    );
    await expectSamlError(
      validate(signed.replace('<samlp:Status>', `${evil}<samlp:Status>`)),
      'document.multiple-assertions',
    );
  });

  it('refuses a signed assertion accompanied by an unsigned EncryptedAssertion', async () => {
    const signed = await makeResponse({ sign: 'assertion' });
    const evil = await encryptAssertion(
      responseXml(assertionXml({ id: '_evil', nameIdXml: 'mallory@example.com' })),
      'aes128-gcm',
    );
    const encrypted = evil.slice(
      evil.indexOf('<saml:EncryptedAssertion>'),
      evil.indexOf('</saml:EncryptedAssertion>') + 26,
    );
    await expectSamlError(
      validate(signed.replace('</samlp:Response>', `${encrypted}</samlp:Response>`)),
      'document.multiple-assertions',
    );
  });

  it('does not read attributes placed outside the signed assertion (in unsigned Extensions)', async () => {
    const signed = await makeResponse({ sign: 'assertion' });
    const smuggled =
      '<samlp:Extensions><saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>admin</saml:AttributeValue>' +
      '</saml:Attribute></saml:AttributeStatement></samlp:Extensions>';
    const login = await validate(signed.replace('<samlp:Status>', `${smuggled}<samlp:Status>`));
    expect(login.attributes).not.toHaveProperty('role');
  });

  it('refuses unknown elements added to the Response', async () => {
    const signed = await makeResponse({ sign: 'assertion' });
    const smuggled =
      '<saml:AttributeStatement><saml:Attribute Name="role"><saml:AttributeValue>admin</saml:AttributeValue></saml:Attribute>' +
      '</saml:AttributeStatement>';
    await expectSamlError(
      validate(signed.replace('<samlp:Status>', `${smuggled}<samlp:Status>`)),
      'document.malformed',
    );
  });

  it('reads the assertion of a signed Response from the verified copy', async () => {
    // A signed Response whose unsigned assertion is then edited must fail, not read the edit.
    const xml = (await makeResponse({ sign: 'response' })).replace(...TO_MALLORY);
    await expectSamlError(validate(xml), 'signature.invalid');
  });
});

describe('rule 5 — document shape (xmldom CVE-2022-39299/39353)', () => {
  it('refuses several root elements', async () => {
    const xml = await makeResponse({ sign: 'response' });
    await expectSamlError(validate(`${xml}<samlp:Response xmlns:samlp="${NS_SAMLP}"/>`), 'document.multiple-roots');
    await expectSamlError(validate(`${xml}trailing`), 'document.multiple-roots');
  });

  it('refuses a DOCTYPE and entities', async () => {
    const xml = await makeResponse({ sign: 'response' });
    await expectSamlError(
      validate(`<!DOCTYPE samlp:Response [<!ENTITY who "alice@example.com">]>${xml}`),
      'document.dtd',
    );
    await expectSamlError(
      validate(xml.replace('>alice@example.com</saml:NameID>', '>&who;</saml:NameID>')),
      'document.dtd',
    );
  });

  it('refuses processing instructions other than the XML declaration', async () => {
    const xml = await makeResponse({ sign: 'response' });
    expect((await validate(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`)).nameId).toBe('alice@example.com');
    await expectSamlError(validate(`<?xml-stylesheet href="x.xsl"?>${xml}`), 'document.processing-instruction');
    await expectSamlError(
      validate(xml.replace('<samlp:Status>', '<?evil?><samlp:Status>')),
      'document.processing-instruction',
    );
  });

  it('refuses two assertions, plain or encrypted', async () => {
    const two = responseXml(`${assertionXml()}${assertionXml({ id: '_second' })}`);
    await expectSamlError(validate(sign(two, 'Response')), 'document.multiple-assertions');
    const once = await encryptAssertion(responseXml(assertionXml()), 'aes256-cbc');
    const withSecond = once.replace('</samlp:Response>', `${assertionXml({ id: '_second' })}</samlp:Response>`);
    const twice = await encryptAssertion(withSecond, 'aes256-cbc');
    expect(twice.match(/<saml:EncryptedAssertion>/g)).toHaveLength(2);
    await expectSamlError(validate(sign(twice, 'Response')), 'document.multiple-assertions');
  });

  it('refuses a response without assertion, an oversize document, bad base64 and other roots', async () => {
    await expectSamlError(validate(sign(responseXml(''), 'Response')), 'document.no-assertion');
    const big = (await makeResponse({ sign: 'response' })).replace(
      '<samlp:Status>',
      `<!--${'x'.repeat(300 * 1024)}--><samlp:Status>`,
    );
    await expectSamlError(validate(big), 'document.too-large');
    await expectSamlError(validateSamlResponse('PHNhbWxwOlJlc3BvbnNl*', validateOptions()), 'document.malformed');
    await expectSamlError(
      validate(`<samlp:AuthnRequest xmlns:samlp="${NS_SAMLP}" ID="_x" Version="2.0"/>`),
      'document.malformed',
    );
  });
});

describe('rule 6 — Destination, Recipient, Audience, Issuer, Status', () => {
  it('refuses a Destination other than our ACS URL', async () => {
    const xml = await makeResponse({ sign: 'response', response: { destination: 'https://other.example.com/acs' } });
    await expectSamlError(validate(xml), 'destination.mismatch');
    const unsigned = await makeResponse({
      sign: 'assertion',
      response: { destination: 'https://other.example.com/acs' },
    });
    await expectSamlError(validate(unsigned), 'destination.mismatch');
  });

  it('requires a Destination on a signed Response, not on an unsigned one', async () => {
    await expectSamlError(
      validate(await makeResponse({ sign: 'response', response: { destination: null } })),
      'destination.missing',
    );
    expect((await validate(await makeResponse({ sign: 'assertion', response: { destination: null } }))).nameId).toBe(
      'alice@example.com',
    );
  });

  it('refuses a SubjectConfirmationData Recipient other than our ACS URL, or none', async () => {
    await refused({ sign: 'assertion', assertion: { recipient: `${ACS_URL}/other` } }, 'recipient.mismatch');
    await refused({ sign: 'assertion', assertion: { recipient: null } }, 'recipient.mismatch');
  });

  it('refuses an Audience other than our entity ID', async () => {
    const xml = await makeResponse({ sign: 'assertion', assertion: { audience: 'https://other-sp.example.com' } });
    await expectSamlError(validate(xml), 'audience.mismatch');
  });

  it('refuses an Issuer other than the configured IdP, on the Assertion or on the Response', async () => {
    await refused({ sign: 'both', assertion: { issuer: 'https://evil.example.com' } }, 'issuer.mismatch');
    await refused({ sign: 'assertion', response: { issuer: 'https://evil.example.com' } }, 'issuer.mismatch');
    await refused({ sign: 'response' }, 'issuer.mismatch', {
      idp: { entityId: 'https://other-idp', certificates: [KEYS.idp.cert] },
    });
  });

  it('refuses a non-success Status, even unsigned, before anything else', async () => {
    const xml = responseXml('', { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
    const e = await expectSamlError(validate(xml), 'status.not-success');
    expect(e.message).not.toMatch(/Responder/);
    expect(e.detail).toMatch(/Responder/);
  });
});

describe('rule 7 — InResponseTo', () => {
  it('refuses a Response answering another request', async () => {
    await refused({ sign: 'response', response: { inResponseTo: '_other' } }, 'in-response-to.mismatch');
  });

  it('refuses a SubjectConfirmationData answering another request', async () => {
    await refused({ sign: 'assertion', assertion: { scdInResponseTo: '_other' } }, 'in-response-to.mismatch');
  });

  it('refuses an unsolicited signed assertion wrapped in an unsigned Response that claims to answer our request', async () => {
    await refused({ sign: 'assertion', assertion: { scdInResponseTo: null } }, 'in-response-to.mismatch');
    // With the Response signed, its own InResponseTo is the signed binding.
    expect(
      (await validate(await makeResponse({ sign: 'response', assertion: { scdInResponseTo: null } }))).inResponseTo,
    ).toBe(REQUEST_ID);
  });

  it('refuses an unsolicited response when a request is pending', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      response: { inResponseTo: null },
      assertion: { scdInResponseTo: null },
    });
    await expectSamlError(validate(xml, { allowIdpInitiated: true }), 'in-response-to.mismatch');
  });

  it('accepts an unsolicited response only when IdP-initiated login is allowed', async () => {
    const xml = await makeResponse({
      sign: 'assertion',
      response: { inResponseTo: null },
      assertion: { scdInResponseTo: null },
    });
    const login = await validate(xml, { expectedInResponseTo: null, allowIdpInitiated: true });
    expect(login.inResponseTo).toBeNull();
    await expectSamlError(
      validate(xml, { expectedInResponseTo: undefined, allowIdpInitiated: false }),
      'unsolicited.not-allowed',
    );
  });

  it('refuses a response with InResponseTo when none was expected', async () => {
    const xml = await makeResponse({ sign: 'assertion' });
    await expectSamlError(
      validate(xml, { expectedInResponseTo: null, allowIdpInitiated: true }),
      'in-response-to.unexpected',
    );
    const onlyScd = await makeResponse({ sign: 'assertion', response: { inResponseTo: null } });
    await expectSamlError(
      validate(onlyScd, { expectedInResponseTo: null, allowIdpInitiated: true }),
      'in-response-to.unexpected',
    );
  });
});

describe('rule 8 — time windows with skew (default 10 s), injectable clock', () => {
  const cases = [
    ['Conditions NotOnOrAfter', (s: number) => ({ notOnOrAfter: at(-s) }), 'assertion.expired'],
    ['SubjectConfirmationData NotOnOrAfter', (s: number) => ({ scdNotOnOrAfter: at(-s) }), 'assertion.expired'],
    ['Conditions NotBefore', (s: number) => ({ notBefore: at(s) }), 'assertion.not-yet-valid'],
    ['SubjectConfirmationData NotBefore', (s: number) => ({ scdNotBefore: at(s) }), 'assertion.not-yet-valid'],
  ] as const;

  it.each(cases)('%s: 9 s beyond is accepted, 11 s beyond is refused', async (_, spec, code) => {
    const ok = await makeResponse({ sign: 'assertion', assertion: spec(9) });
    expect((await validate(ok)).nameId).toBe('alice@example.com');
    const late = await makeResponse({ sign: 'assertion', assertion: spec(11) });
    await expectSamlError(validate(late), code);
  });

  it('honours skewSeconds', async () => {
    const xml = await makeResponse({ sign: 'assertion', assertion: { notOnOrAfter: at(-1) } });
    await expectSamlError(validate(xml, { skewSeconds: 0 }), 'assertion.expired');
    expect((await validate(xml, { skewSeconds: 2 })).nameId).toBe('alice@example.com');
  });

  it('refuses to run with an invalid clock or skew', async () => {
    const xml = await makeResponse({ sign: 'assertion' });
    await expect(validate(xml, { now: new Date(Number.NaN) })).rejects.toThrow(TypeError);
    await expect(validate(xml, { skewSeconds: Number.NaN })).rejects.toThrow(TypeError);
    await expect(validate(xml, { skewSeconds: -1 })).rejects.toThrow(TypeError);
  });

  it('requires NotOnOrAfter on the bearer SubjectConfirmationData', async () => {
    await expectSamlError(
      validate(await makeResponse({ sign: 'assertion', assertion: { scdNotOnOrAfter: null } })),
      'subject.unconfirmed',
    );
  });

  it('uses opts.now, not the wall clock', async () => {
    vi.useFakeTimers({ now: new Date('2001-01-01T00:00:00Z') });
    try {
      expect((await validate(await makeResponse({ sign: 'assertion' }))).nameId).toBe('alice@example.com');
    } finally {
      vi.useRealTimers();
    }
    await expectSamlError(validate(await makeResponse({ sign: 'assertion' }), { now: at(3600) }), 'assertion.expired');
  });
});

describe('rule 9 — one-time use', () => {
  it('refuses a replayed assertion', async () => {
    const store = memoryReplayStore();
    const xml = await makeResponse({ sign: 'response' });
    await validate(xml, { markAssertionUsed: store.markAssertionUsed });
    expect(store.seen.get('_a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5')).toEqual(at(310));
    await expectSamlError(validate(xml, { markAssertionUsed: store.markAssertionUsed }), 'assertion.replayed');
  });

  it('does not burn the assertion ID of a response that fails another check', async () => {
    const markAssertionUsed = vi.fn(async () => true);
    await refused({ sign: 'assertion', assertion: { audience: 'x' } }, 'audience.mismatch', { markAssertionUsed });
    expect(markAssertionUsed).not.toHaveBeenCalled();
  });
});

describe('rule 10 — encrypted assertions', () => {
  it('requires a signature on the decrypted assertion or on the Response', async () => {
    await expectSamlError(validate(await makeResponse({ sign: 'none', encrypt: 'aes256-cbc' })), 'signature.missing');
  });

  it('refuses an encrypted assertion when no decryption key is configured', async () => {
    const xml = await makeResponse({ sign: 'response', encrypt: 'aes128-gcm' });
    await expectSamlError(validate(xml, { sp: { entityId: SP_ENTITY, acsUrl: ACS_URL } }), 'decryption.not-configured');
  });

  it('refuses an assertion encrypted for another key', async () => {
    const xml = sign(await encryptAssertion(responseXml(assertionXml()), 'aes256-cbc', KEYS.attacker.cert), 'Response');
    await expectSamlError(validate(xml), 'decryption.failed');
  });

  it('reports garbled CBC plaintext exactly like bad padding (no padding oracle in the code)', async () => {
    const xml = await makeResponse({ sign: 'assertion', encrypt: 'aes256-cbc' });
    const doc = dom.parse(xml);
    const values = dom.byName(doc, 'http://www.w3.org/2001/04/xmlenc#', 'CipherValue');
    const content = values[values.length - 1];
    const bytes = Buffer.from(content.textContent!, 'base64');
    bytes[20] ^= 0x55; // garbles block 1 of the plaintext, leaves the padding valid
    content.textContent = bytes.toString('base64');
    const garbled = await expectSamlError(validate(dom.serialize(doc)), 'decryption.failed');
    bytes[20] ^= 0x55;
    bytes[bytes.length - 17] ^= 0x7f; // the last plaintext byte is the pad length: now out of range
    content.textContent = bytes.toString('base64');
    const badPadding = await expectSamlError(validate(dom.serialize(doc)), 'decryption.failed');
    expect(garbled.message).toBe(badPadding.message);
  });

  it('refuses tampered GCM ciphertext', async () => {
    const xml = await makeResponse({ sign: 'assertion', encrypt: 'aes128-gcm' });
    const doc = dom.parse(xml);
    const values = dom.byName(doc, 'http://www.w3.org/2001/04/xmlenc#', 'CipherValue');
    const content = values[values.length - 1];
    const bytes = Buffer.from(content.textContent!, 'base64');
    bytes[20] ^= 1;
    content.textContent = bytes.toString('base64');
    await expectSamlError(validate(dom.serialize(doc)), 'decryption.failed');
  });

  it('refuses a decrypted assertion signed by an untrusted key', async () => {
    await refused({ sign: 'assertion', encrypt: 'aes128-gcm', keyPair: KEYS.attacker }, 'signature.invalid');
  });

  it('refuses ciphertext holding two assertions, side by side or nested', async () => {
    const sideBySide = await encryptedAssertionXml(`${assertionXml()}${assertionXml({ id: '_second' })}`, 'aes128-gcm');
    const e = await expectSamlError(validate(sign(responseXml(sideBySide), 'Response')), 'decryption.failed');
    expect(e.detail).toMatch(/root elements|Only one element/i);

    const nested = sign(
      withAdvice(assertionXml(), assertionXml({ id: '_inner', nameIdXml: 'mallory@example.com' })),
      'Assertion',
    );
    await expectSamlError(
      validate(responseXml(await encryptedAssertionXml(nested, 'aes256-cbc'))),
      'document.multiple-assertions',
    );
  });
});

describe('the error', () => {
  it('has a stable code, an end-user message and a technical detail', async () => {
    const e = await refused({ sign: 'assertion', assertion: { audience: 'https://other' } }, 'audience.mismatch');
    expect(e.name).toBe('SamlError');
    expect(e.message).toMatch(/different application/);
    expect(e.message).not.toContain('https://other');
    expect(e.detail).toContain('https://other');
  });

  it('uses the fixed NOW in fixtures', () => {
    expect(NOW.toISOString()).toBe('2030-01-01T12:00:00.000Z');
  });
});
