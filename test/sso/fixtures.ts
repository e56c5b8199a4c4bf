/**
 * A test identity provider for the SAML tests: committed throw-away keys (test/sso/keys/README.md),
 * builders for Response/Assertion XML, signing with xml-crypto's `SignedXml` (an independent
 * implementation from the verifier under test) and encryption with the `xml-encryption` package.
 * The clock is fixed at NOW; nothing here reads the wall clock.
 */
import { createHash, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { expect } from 'vitest';
import xmlenc from 'xml-encryption';
import { SamlError, type SamlErrorCode } from '../../src/domains/sso/saml/errors.ts';
import type { ValidateOptions } from '../../src/domains/sso/saml/response.ts';

const keyDir = join(import.meta.dirname, 'keys');
const read = (name: string) => readFileSync(join(keyDir, name), 'utf8');
export interface KeyPair {
  key: string;
  cert: string;
}
const pair = (name: string): KeyPair => ({ key: read(`${name}.key`), cert: read(`${name}.crt`) });

export const KEYS = {
  idp: pair('idp'),
  idp2: pair('idp2'),
  expired: pair('idp-expired'),
  attacker: pair('attacker'),
  sp: pair('sp'),
};

export const NOW = new Date('2030-01-01T12:00:00Z');
export const IDP_ENTITY = 'https://idp.example.com/saml2/metadata';
export const SP_ENTITY = 'https://gatehouse.example.com/saml/metadata';
export const ACS_URL = 'https://gatehouse.example.com/saml/acs';
export const REQUEST_ID = '_5f2b9c4e0a1d4c6f8e7b3a2d1c0b9a8f';

export const NS_SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
export const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const iso = (d: Date) => d.toISOString();

export interface AssertionSpec {
  id: string;
  issuer: string;
  issueInstant: Date;
  /** Raw XML content of NameID (so a test can put a comment inside). */
  nameIdXml: string;
  nameIdFormat: string | null;
  recipient: string | null;
  scdInResponseTo: string | null;
  scdNotOnOrAfter: Date | null;
  scdNotBefore: Date | null;
  notBefore: Date | null;
  notOnOrAfter: Date | null;
  audience: string;
  sessionIndex: string;
  attributes: Record<string, string[]>;
}

export interface ResponseSpec {
  id: string;
  issuer: string | null;
  destination: string | null;
  inResponseTo: string | null;
  statusCode: string;
}

export function assertionXml(spec: Partial<AssertionSpec> = {}): string {
  const s: AssertionSpec = {
    id: '_a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
    issuer: IDP_ENTITY,
    issueInstant: NOW,
    nameIdXml: 'alice@example.com',
    nameIdFormat: EMAIL_FORMAT,
    recipient: ACS_URL,
    scdInResponseTo: REQUEST_ID,
    scdNotOnOrAfter: at(300),
    scdNotBefore: null,
    notBefore: at(-60),
    notOnOrAfter: at(300),
    audience: SP_ENTITY,
    sessionIndex: '_session-7f3a',
    attributes: {
      email: ['alice@example.com'],
      givenName: ['Alice'],
      groups: ['engineering', 'admins'],
    },
    ...spec,
  };
  const optionalAttr = (name: string, value: string | Date | null) =>
    value === null ? '' : ` ${name}="${value instanceof Date ? iso(value) : value}"`;
  const attributes = Object.entries(s.attributes)
    .map(
      ([name, values]) =>
        `      <saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">\n` +
        values.map((v) => `        <saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>\n`).join('') +
        '      </saml:Attribute>\n',
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="${NS_SAML}" xmlns:xs="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${s.id}" Version="2.0" IssueInstant="${iso(s.issueInstant)}">\n` +
    `    <saml:Issuer>${s.issuer}</saml:Issuer>\n` +
    '    <saml:Subject>\n' +
    `      <saml:NameID${optionalAttr('Format', s.nameIdFormat)}>${s.nameIdXml}</saml:NameID>\n` +
    '      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\n' +
    `        <saml:SubjectConfirmationData${optionalAttr('InResponseTo', s.scdInResponseTo)}${optionalAttr('NotBefore', s.scdNotBefore)}` +
    `${optionalAttr('NotOnOrAfter', s.scdNotOnOrAfter)}${optionalAttr('Recipient', s.recipient)}/>\n` +
    '      </saml:SubjectConfirmation>\n' +
    '    </saml:Subject>\n' +
    `    <saml:Conditions${optionalAttr('NotBefore', s.notBefore)}${optionalAttr('NotOnOrAfter', s.notOnOrAfter)}>\n` +
    `      <saml:AudienceRestriction><saml:Audience>${s.audience}</saml:Audience></saml:AudienceRestriction>\n` +
    '    </saml:Conditions>\n' +
    `    <saml:AuthnStatement AuthnInstant="${iso(at(-5))}" SessionIndex="${s.sessionIndex}">\n` +
    '      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' +
    '</saml:AuthnContextClassRef></saml:AuthnContext>\n' +
    '    </saml:AuthnStatement>\n' +
    `    <saml:AttributeStatement>\n${attributes}    </saml:AttributeStatement>\n` +
    '  </saml:Assertion>'
  );
}

export function responseXml(assertion: string, spec: Partial<ResponseSpec> = {}): string {
  const s: ResponseSpec = {
    id: '_r9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c',
    issuer: IDP_ENTITY,
    destination: ACS_URL,
    inResponseTo: REQUEST_ID,
    statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
    ...spec,
  };
  return (
    `<samlp:Response xmlns:samlp="${NS_SAMLP}" xmlns:saml="${NS_SAML}" ID="${s.id}" Version="2.0" IssueInstant="${iso(NOW)}"` +
    `${s.destination === null ? '' : ` Destination="${s.destination}"`}` +
    `${s.inResponseTo === null ? '' : ` InResponseTo="${s.inResponseTo}"`}>\n` +
    (s.issuer === null ? '' : `  <saml:Issuer>${s.issuer}</saml:Issuer>\n`) +
    `  <samlp:Status><samlp:StatusCode Value="${s.statusCode}"/></samlp:Status>\n` +
    `  ${assertion}\n` +
    '</samlp:Response>'
  );
}

export interface SignOptions {
  keyPair?: KeyPair;
  /** Put the signer's certificate in KeyInfo (the verifier must ignore it). Default true. */
  embedCert?: boolean;
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  /** Signature element prefix; '' for an unprefixed ds default namespace (Entra ID style). Default 'ds'. */
  prefix?: string;
  /** InclusiveNamespaces PrefixList on the reference's exclusive c14n transform (Shibboleth style). */
  inclusiveNamespaces?: string[];
  /** Sign a second element too, in the same SignedInfo (CVE-2025-29774/29775 shape). */
  extraReference?: string;
}

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** Signs the (first) Response or Assertion element with an enveloped signature placed after its Issuer. */
export function sign(xml: string, which: 'Response' | 'Assertion', opts: SignOptions = {}): string {
  const { keyPair = KEYS.idp, embedCert = true, prefix = 'ds' } = opts;
  const ns = which === 'Response' ? NS_SAMLP : NS_SAML;
  const target = `//*[local-name(.)='${which}' and namespace-uri(.)='${ns}']`;
  const signer = new SignedXml({
    privateKey: keyPair.key,
    publicCert: embedCert ? keyPair.cert : undefined,
    signatureAlgorithm: opts.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signer.addReference({
    xpath: target,
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: opts.digestAlgorithm ?? SHA256,
    inclusiveNamespacesPrefixList: opts.inclusiveNamespaces,
  });
  if (opts.extraReference)
    signer.addReference({ xpath: opts.extraReference, transforms: [EXC_C14N], digestAlgorithm: SHA256 });
  signer.computeSignature(xml, {
    prefix: prefix === '' ? undefined : prefix,
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/**
 * Signs like Shibboleth IdP does: `<ec:InclusiveNamespaces PrefixList=…>` under the exclusive c14n
 * transform only. (xml-crypto's signer also puts one under enveloped-signature, which our verifier
 * refuses as an unexpected transform parameter.) Hand-rolled with node:crypto over xml-crypto's
 * canonicaliser; the tests cross-check the result with xml-crypto's own verifier.
 */
export function signShibbolethStyle(
  xml: string,
  which: 'Response' | 'Assertion',
  prefixList: string[],
  keyPair = KEYS.idp,
): string {
  const doc = dom.parse(xml);
  const target = dom.byName(doc, which === 'Response' ? NS_SAMLP : NS_SAML, which)[0];
  const c14n = new ExclusiveCanonicalization();
  // Namespaces declared on ancestors: InclusiveNamespaces may need them (Okta declares xs on the Response only).
  const ancestorNamespaces: { prefix: string; namespaceURI: string }[] = [];
  for (let n = target.parentNode as Element | null; n && n.nodeType === 1; n = n.parentNode as Element | null) {
    for (const a of Array.from(n.attributes))
      if (a.prefix === 'xmlns') ancestorNamespaces.push({ prefix: a.localName!, namespaceURI: a.value });
  }
  const canonical = c14n.process(target.cloneNode(true) as unknown as globalThis.Element, {
    inclusiveNamespacesPrefixList: prefixList,
    ancestorNamespaces,
  });
  const digest = createHash('sha256').update(canonical).digest('base64');
  const signatureXml =
    `<ds:Signature xmlns:ds="${NS_DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"/><ds:Reference URI="#${target.getAttribute('ID')}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${ENVELOPED}"/><ds:Transform Algorithm="${EXC_C14N}">` +
    `<ec:InclusiveNamespaces xmlns:ec="${EXC_C14N}" PrefixList="${prefixList.join(' ')}"/></ds:Transform></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>` +
    '<ds:SignatureValue/></ds:Signature>';
  const signature = doc.importNode(dom.parse(signatureXml).documentElement!, true);
  const issuer = dom.directChild(target, NS_SAML, 'Issuer');
  target.insertBefore(signature, issuer.nextSibling);
  const signedInfo = dom.directChild(signature, NS_DS, 'SignedInfo');
  const value = createSign('RSA-SHA256')
    .update(c14n.process(signedInfo.cloneNode(true) as unknown as globalThis.Element, {}))
    .sign(keyPair.key, 'base64');
  dom.directChild(signature, NS_DS, 'SignatureValue').appendChild(doc.createTextNode(value));
  return dom.serialize(doc);
}

export type ContentEncryption = 'aes256-cbc' | 'aes128-gcm';
const CONTENT_ALGORITHMS = {
  'aes256-cbc': 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'aes128-gcm': 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
} as const;

/** `<saml:EncryptedAssertion>` holding `plaintext` encrypted for `recipientCert` with RSA-OAEP. */
export async function encryptedAssertionXml(
  plaintext: string,
  algorithm: ContentEncryption,
  recipientCert = KEYS.sp.cert,
): Promise<string> {
  const encryptedData = await new Promise<string>((resolve, reject) =>
    xmlenc.encrypt(
      plaintext,
      {
        rsa_pub: recipientCert,
        pem: recipientCert,
        encryptionAlgorithm: CONTENT_ALGORITHMS[algorithm],
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
  return `<saml:EncryptedAssertion>${encryptedData}</saml:EncryptedAssertion>`;
}

/** Replaces the (first, outermost) saml:Assertion of `xml` by a saml:EncryptedAssertion for the SP's certificate. */
export async function encryptAssertion(
  xml: string,
  algorithm: ContentEncryption,
  recipientCert = KEYS.sp.cert,
): Promise<string> {
  const start = xml.indexOf('<saml:Assertion');
  const end = xml.lastIndexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
  return `${xml.slice(0, start)}${await encryptedAssertionXml(xml.slice(start, end), algorithm, recipientCert)}${xml.slice(end)}`;
}

export interface MakeResponseOptions extends SignOptions {
  sign: 'response' | 'assertion' | 'both' | 'none';
  encrypt?: ContentEncryption;
  assertion?: Partial<AssertionSpec>;
  response?: Partial<ResponseSpec>;
}

/** A complete IdP response: assertion (signed?) → response → (encrypted?) → (response signed?). */
export async function makeResponse(opts: MakeResponseOptions): Promise<string> {
  let assertion = assertionXml(opts.assertion);
  if (opts.sign === 'assertion' || opts.sign === 'both') assertion = sign(assertion, 'Assertion', opts);
  let xml = responseXml(assertion, opts.response);
  if (opts.encrypt) xml = await encryptAssertion(xml, opts.encrypt);
  if (opts.sign === 'response' || opts.sign === 'both') xml = sign(xml, 'Response', opts);
  return xml;
}

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** A replay store like the one the route handler will use: first use wins. */
export function memoryReplayStore() {
  const seen = new Map<string, Date>();
  return {
    seen,
    markAssertionUsed: async (id: string, notOnOrAfter: Date) => {
      if (seen.has(id)) return false;
      seen.set(id, notOnOrAfter);
      return true;
    },
  };
}

/** Validation options for the test IdP/SP at NOW, SP-initiated with REQUEST_ID, fresh replay store. */
export function validateOptions(overrides: Partial<ValidateOptions> = {}): ValidateOptions {
  return {
    idp: { entityId: IDP_ENTITY, certificates: [KEYS.idp.cert] },
    sp: { entityId: SP_ENTITY, acsUrl: ACS_URL, decryptionKeyPem: KEYS.sp.key },
    now: NOW,
    expectedInResponseTo: REQUEST_ID,
    allowIdpInitiated: false,
    markAssertionUsed: memoryReplayStore().markAssertionUsed,
    ...overrides,
  };
}

// DOM surgery for the wrapping tests (test code only; the server never parses with a bare DOMParser).
export const dom = {
  parse: (xml: string): Document => new DOMParser().parseFromString(xml, 'application/xml'),
  serialize: (doc: Document | Element): string => new XMLSerializer().serializeToString(doc),
  byName(doc: Document | Element, ns: string, localName: string): Element[] {
    return Array.from(doc.getElementsByTagNameNS(ns, localName));
  },
  one(doc: Document | Element, ns: string, localName: string): Element {
    const found = Array.from(doc.getElementsByTagNameNS(ns, localName));
    if (found.length !== 1) throw new Error(`expected one ${localName}, found ${found.length}`);
    return found[0];
  },
  directChild(el: Element, ns: string, localName: string): Element {
    const found = Array.from(el.childNodes).filter(
      (n): n is Element =>
        n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName,
    );
    if (found.length !== 1) throw new Error(`expected one child ${localName}, found ${found.length}`);
    return found[0];
  },
  /** Sets the text of the first NameID under `el`. */
  setNameId(el: Element, value: string) {
    const nameId = el.getElementsByTagNameNS(NS_SAML, 'NameID')[0];
    while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
    nameId.appendChild(nameId.ownerDocument!.createTextNode(value));
  },
};

/** Awaits `promise`, expects it to reject with a SamlError of `code`, and returns the error. */
export async function expectSamlError(promise: Promise<unknown>, code: SamlErrorCode): Promise<SamlError> {
  const error = await promise.then(
    (value) => new Error(`expected a SamlError '${code}', got a result: ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  if (!(error instanceof SamlError)) throw error;
  expect({ code: error.code, detail: error.detail }).toMatchObject({ code });
  return error;
}

/** `fn()` must throw a SamlError of `code`; returns the error. */
export function expectSamlThrow(fn: () => unknown, code: SamlErrorCode): SamlError {
  let error: unknown = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof SamlError)) throw error ?? new Error(`expected a SamlError '${code}', nothing was thrown`);
  expect({ code: error.code, detail: error.detail }).toMatchObject({ code });
  return error;
}
