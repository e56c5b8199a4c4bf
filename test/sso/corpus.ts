/**
 * The SAML signature corpus: responses whose verdict is about the XML signature — valid ones in
 * the shapes IdPs send, the eight XML Signature Wrapping variants, DTD/XXE, comments, replay,
 * tampering and foreign keys. xsw.test.ts and response.test.ts judge them with Gatehouse's
 * verifier alone; xmlsec1-differential.test.ts judges every one with xmlsec1 too.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { expect } from 'vitest';
import type { SamlErrorCode } from '../../src/domains/sso/saml/errors.ts';
import {
  assertionXml,
  dom,
  KEYS,
  makeResponse,
  NS_DS,
  NS_SAML,
  NS_SAMLP,
  responseXml,
  sign,
  signShibbolethStyle,
} from './fixtures.ts';

export const EVIL = 'mallory@example.com';

/** Two validly signed bases: the Response signed, and the Assertion signed. */
export interface WrappingBases {
  responseSigned: string;
  assertionSigned: string;
}

export async function wrappingBases(): Promise<WrappingBases> {
  return {
    responseSigned: await makeResponse({ sign: 'response' }),
    assertionSigned: await makeResponse({ sign: 'assertion' }),
  };
}

export function withoutSignature(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  copy.removeChild(dom.directChild(copy, NS_DS, 'Signature'));
  return copy;
}

export function makeEvil(el: Element, id: string) {
  el.setAttribute('ID', id);
  dom.setNameId(el, EVIL);
}

export function mutate(xml: string, surgery: (doc: Document, root: Element) => void): string {
  const doc = dom.parse(xml);
  surgery(doc, doc.documentElement!);
  const out = dom.serialize(doc);
  expect(out).toContain(EVIL);
  return out;
}

export const XSW_VARIANTS: Array<[string, (bases: WrappingBases) => string, SamlErrorCode]> = [
  [
    'XSW1: evil Response at the root, the signed original Response moved into its Signature',
    (b) =>
      mutate(b.responseSigned, (_doc, root) => {
        const original = withoutSignature(root);
        makeEvil(root, '_evil-response');
        dom.setNameId(dom.directChild(root, NS_SAML, 'Assertion'), EVIL);
        dom.directChild(root, NS_DS, 'Signature').appendChild(original);
      }),
    'document.multiple-responses',
  ],
  [
    'XSW2: evil Response at the root, the signed original Response placed before its (now detached) Signature',
    (b) =>
      mutate(b.responseSigned, (_doc, root) => {
        const original = withoutSignature(root);
        makeEvil(root, '_evil-response');
        dom.setNameId(dom.directChild(root, NS_SAML, 'Assertion'), EVIL);
        root.insertBefore(original, dom.directChild(root, NS_DS, 'Signature'));
      }),
    'document.multiple-responses',
  ],
  [
    'XSW3: unsigned evil Assertion inserted before the signed original',
    (b) =>
      mutate(b.assertionSigned, (_doc, root) => {
        const original = dom.directChild(root, NS_SAML, 'Assertion');
        const evil = withoutSignature(original);
        makeEvil(evil, '_evil');
        root.insertBefore(evil, original);
      }),
    'document.multiple-assertions',
  ],
  [
    'XSW4: unsigned evil Assertion in place, the signed original moved inside it',
    (b) =>
      mutate(b.assertionSigned, (_doc, root) => {
        const original = dom.directChild(root, NS_SAML, 'Assertion');
        const evil = withoutSignature(original);
        makeEvil(evil, '_evil');
        root.replaceChild(evil, original);
        evil.appendChild(original);
      }),
    'document.multiple-assertions',
  ],
  [
    'XSW5: evil Assertion keeps the Signature, an unsigned copy of the original appended to the Response',
    (b) =>
      mutate(b.assertionSigned, (_doc, root) => {
        const assertion = dom.directChild(root, NS_SAML, 'Assertion');
        const original = withoutSignature(assertion);
        makeEvil(assertion, '_evil');
        root.appendChild(original);
      }),
    'document.multiple-assertions',
  ],
  [
    'XSW6: evil Assertion keeps the Signature, the original copied inside that Signature',
    (b) =>
      mutate(b.assertionSigned, (_doc, root) => {
        const assertion = dom.directChild(root, NS_SAML, 'Assertion');
        const original = withoutSignature(assertion);
        makeEvil(assertion, '_evil');
        dom.directChild(assertion, NS_DS, 'Signature').appendChild(original);
      }),
    'document.multiple-assertions',
  ],
  [
    'XSW7: signed original moved into Response Extensions, unsigned evil Assertion in its place',
    (b) =>
      mutate(b.assertionSigned, (doc, root) => {
        const original = dom.directChild(root, NS_SAML, 'Assertion');
        const evil = withoutSignature(original);
        makeEvil(evil, '_evil');
        root.replaceChild(evil, original);
        const extensions = doc.createElementNS(NS_SAMLP, 'samlp:Extensions');
        extensions.appendChild(original);
        root.insertBefore(extensions, dom.directChild(root, NS_SAMLP, 'Status'));
      }),
    'document.multiple-assertions',
  ],
  [
    'XSW8: evil Assertion keeps the Signature, the original (unsigned copy) in a ds:Object inside it',
    (b) =>
      mutate(b.assertionSigned, (doc, root) => {
        const assertion = dom.directChild(root, NS_SAML, 'Assertion');
        const original = withoutSignature(assertion);
        makeEvil(assertion, '_evil');
        const object = doc.createElementNS(NS_DS, 'ds:Object');
        object.appendChild(original);
        dom.directChild(assertion, NS_DS, 'Signature').appendChild(object);
      }),
    'document.multiple-assertions',
  ],
];

/** One response of the corpus and Gatehouse's expected verdict on it. */
export interface CorpusCase {
  name: string;
  xml: string;
  /** Gatehouse accepts it (reading `alice@example.com`), or refuses it with this code. */
  gatehouse: 'accepted' | SamlErrorCode;
  /** Presented a second time with the same replay store (Gatehouse judges the second presentation). */
  replay?: boolean;
}

const TO_MALLORY = ['>alice@example.com</saml:NameID>', `>${EVIL}</saml:NameID>`] as const;

/** Every response of the signature corpus, built fresh. */
export async function signatureCorpus(): Promise<CorpusCase[]> {
  const bases = await wrappingBases();
  const both = await makeResponse({ sign: 'both' });
  const entra = sign(
    assertionXml()
      .replace(/<(\/?)saml:/g, '<$1')
      .replace(`xmlns:saml="${NS_SAML}"`, `xmlns="${NS_SAML}"`)
      .replace(/(\d{2}:\d{2}:\d{2})\.(\d{3})Z/g, '$1.$20000Z'),
    'Assertion',
    { prefix: '' },
  );
  const oktaResponse = responseXml(assertionXml().replace(' xmlns:xs="http://www.w3.org/2001/XMLSchema"', '')).replace(
    '<samlp:Response ',
    '<samlp:Response xmlns:xs="http://www.w3.org/2001/XMLSchema" ',
  );
  const commentSigned = await makeResponse({
    sign: 'assertion',
    assertion: { nameIdXml: 'admin@example.com<!---->.evil.com' },
  });
  const dotted = await makeResponse({ sign: 'response', assertion: { nameIdXml: 'admin@example.com.evil.com' } });
  const movedSignature = dom.parse(bases.assertionSigned);
  movedSignature.documentElement!.insertBefore(
    dom.one(movedSignature, NS_DS, 'Signature'),
    dom.directChild(movedSignature.documentElement!, NS_SAMLP, 'Status'),
  );
  const otherReference = dom.parse(bases.responseSigned);
  dom.one(otherReference, NS_DS, 'Reference').setAttribute('URI', '#_a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5');

  const cases: CorpusCase[] = [
    // Valid, in the shapes IdPs send.
    { name: 'valid: the Response signed', xml: bases.responseSigned, gatehouse: 'accepted' },
    { name: 'valid: the Assertion signed', xml: bases.assertionSigned, gatehouse: 'accepted' },
    { name: 'valid: both signed', xml: both, gatehouse: 'accepted' },
    {
      name: 'valid: Entra ID shape (default namespaces, unprefixed Signature)',
      xml: responseXml(entra),
      gatehouse: 'accepted',
    },
    {
      name: 'valid: Shibboleth shape (InclusiveNamespaces on exclusive c14n)',
      xml: responseXml(signShibbolethStyle(assertionXml(), 'Assertion', ['xs'])),
      gatehouse: 'accepted',
    },
    {
      name: 'valid: Okta shape (both signed, xs declared on the Response only)',
      xml: signShibbolethStyle(signShibbolethStyle(oktaResponse, 'Assertion', ['xs']), 'Response', ['xs']),
      gatehouse: 'accepted',
    },
    {
      name: 'valid: an XML declaration before the Response',
      xml: `<?xml version="1.0" encoding="UTF-8"?>\n${bases.responseSigned}`,
      gatehouse: 'accepted',
    },
    // XML Signature Wrapping.
    ...XSW_VARIANTS.map(([name, build, code]) => ({ name, xml: build(bases), gatehouse: code })),
    {
      name: 'XSW: an evil copy keeping the original ID, before the signed Assertion',
      xml: mutate(bases.assertionSigned, (_doc, root) => {
        const original = dom.directChild(root, NS_SAML, 'Assertion');
        const evil = withoutSignature(original);
        dom.setNameId(evil, EVIL);
        root.insertBefore(evil, original);
      }),
      gatehouse: 'document.duplicate-id',
    },
    {
      name: 'XSW: the evil Assertion keeps a signature over an ID it no longer has',
      xml: mutate(bases.assertionSigned, (_doc, root) =>
        makeEvil(dom.directChild(root, NS_SAML, 'Assertion'), '_evil'),
      ),
      gatehouse: 'signature.invalid',
    },
    {
      name: 'XSW: the signed Assertion inside the Advice of an evil one',
      xml: mutate(bases.assertionSigned, (doc, root) => {
        const original = dom.directChild(root, NS_SAML, 'Assertion');
        const evil = withoutSignature(original);
        makeEvil(evil, '_evil');
        root.replaceChild(evil, original);
        const advice = doc.createElementNS(NS_SAML, 'saml:Advice');
        advice.appendChild(original);
        evil.insertBefore(advice, dom.directChild(evil, NS_SAML, 'AuthnStatement'));
      }),
      gatehouse: 'document.multiple-assertions',
    },
    {
      name: 'an Assertion signature moved up to the Response',
      xml: dom.serialize(movedSignature),
      gatehouse: 'signature.invalid',
    },
    {
      name: 'a Reference to another element than its parent',
      xml: dom.serialize(otherReference),
      gatehouse: 'signature.invalid',
    },
    // DTD and XXE.
    {
      name: 'DTD: an internal entity declared before a valid response',
      xml: `<!DOCTYPE samlp:Response [<!ENTITY who "alice@example.com">]>${bases.responseSigned}`,
      gatehouse: 'document.dtd',
    },
    {
      name: 'DTD: the signed NameID written as an internal entity that expands to the signed text',
      xml: `<!DOCTYPE samlp:Response [<!ENTITY who "alice@example.com">]>${bases.responseSigned.replace('>alice@example.com</saml:NameID>', '>&who;</saml:NameID>')}`,
      gatehouse: 'document.dtd',
    },
    {
      name: 'XXE: an external entity (file:///etc/hostname) in the signed NameID',
      xml: `<!DOCTYPE samlp:Response [<!ENTITY who SYSTEM "file:///etc/hostname">]>${bases.responseSigned.replace('>alice@example.com</saml:NameID>', '>&who;</saml:NameID>')}`,
      gatehouse: 'document.dtd',
    },
    // Comments (CVE-2017-11427 family).
    { name: 'comment: signed by the IdP inside the NameID', xml: commentSigned, gatehouse: 'accepted' },
    {
      name: 'comment: inserted into the signed NameID after signing',
      xml: dotted.replace('admin@example.com.evil.com', 'admin@example.com<!---->.evil.com'),
      gatehouse: 'accepted',
    },
    {
      name: 'comment: inserted into a signed attribute value after signing',
      xml: bases.assertionSigned.replace('>engineering<', '>engi<!-- x -->neering<'),
      gatehouse: 'accepted',
    },
    // Replay.
    {
      name: 'replay: a valid response presented a second time',
      xml: bases.responseSigned,
      gatehouse: 'assertion.replayed',
      replay: true,
    },
    // Tampering and keys.
    { name: 'unsigned', xml: await makeResponse({ sign: 'none' }), gatehouse: 'signature.missing' },
    {
      name: 'tampered: the signed Assertion NameID changed',
      xml: bases.assertionSigned.replace(...TO_MALLORY),
      gatehouse: 'signature.invalid',
    },
    {
      name: 'tampered: the signed Response NameID changed',
      xml: bases.responseSigned.replace(...TO_MALLORY),
      gatehouse: 'signature.invalid',
    },
    {
      name: 'keys: signed by an attacker whose certificate sits in KeyInfo',
      xml: await makeResponse({ sign: 'both', keyPair: KEYS.attacker, embedCert: true }),
      gatehouse: 'signature.invalid',
    },
    {
      name: 'algorithms: canonicalization switched to WithComments after signing',
      xml: bases.assertionSigned.replace(
        'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"',
        'CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"',
      ),
      gatehouse: 'signature.unsupported',
    },
    {
      name: 'algorithms: RSA-SHA1 with a SHA-1 digest',
      xml: await makeResponse({
        sign: 'assertion',
        signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
      }),
      gatehouse: 'signature.unsupported',
    },
    {
      name: 'references: a SignedInfo with two References, genuinely signed',
      xml: await makeResponse({ sign: 'response', extraReference: `//*[local-name(.)='Assertion']` }),
      gatehouse: 'signature.unsupported',
    },
  ];
  return cases;
}
