/**
 * XML Signature Wrapping: the eight classic variants of Somorovsky et al., "On Breaking SAML: Be
 * Whoever You Want to Be" (USENIX Security 2012), as SAML Raider generates them, each built by
 * mutating a validly signed response so that the signature still verifies over the original
 * element while an evil one (NameID mallory@example.com) sits where a naive reader looks.
 * XSW1–2 attack a Response signature, XSW3–8 an Assertion signature.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateSamlResponse } from '../../src/domains/sso/saml/response.ts';
import { EVIL, makeEvil, mutate, withoutSignature, wrappingBases, XSW_VARIANTS } from './corpus.ts';
import { b64, dom, expectSamlError, NS_DS, NS_SAML, NS_SAMLP, validateOptions } from './fixtures.ts';

const validate = (xml: string) => validateSamlResponse(b64(xml), validateOptions());

let responseSigned: string;
let assertionSigned: string;
beforeAll(async () => {
  ({ responseSigned, assertionSigned } = await wrappingBases());
  // Both bases are valid: every refusal below is caused by the wrapping.
  expect((await validate(responseSigned)).nameId).toBe('alice@example.com');
  expect((await validate(assertionSigned)).nameId).toBe('alice@example.com');
});

describe('XML signature wrapping XSW1–XSW8 (Somorovsky et al.)', () => {
  it.each(XSW_VARIANTS)('%s → refused', async (_name, build, code) => {
    await expectSamlError(validate(build({ responseSigned, assertionSigned })), code);
  });
});

describe('each layer of the defence holds on its own', () => {
  it('an evil copy that keeps the original ID is refused for the duplicate ID', async () => {
    const xml = mutate(assertionSigned, (_doc, root) => {
      const original = dom.directChild(root, NS_SAML, 'Assertion');
      const evil = withoutSignature(original);
      dom.setNameId(evil, EVIL);
      root.insertBefore(evil, original);
    });
    await expectSamlError(validate(xml), 'document.duplicate-id');
  });

  it('a Signature moved into Extensions is refused as misplaced', async () => {
    const xml = mutate(assertionSigned, (doc, root) => {
      const assertion = dom.directChild(root, NS_SAML, 'Assertion');
      const extensions = doc.createElementNS(NS_SAMLP, 'samlp:Extensions');
      extensions.appendChild(dom.directChild(assertion, NS_DS, 'Signature'));
      root.insertBefore(extensions, dom.directChild(root, NS_SAMLP, 'Status'));
      dom.setNameId(assertion, EVIL);
    });
    await expectSamlError(validate(xml), 'signature.misplaced');
  });

  it('XSW8 without the wrapped copy: a ds:Object in the Signature is refused before any digest', async () => {
    const xml = mutate(assertionSigned, (doc, root) => {
      const assertion = dom.directChild(root, NS_SAML, 'Assertion');
      dom.setNameId(assertion, EVIL);
      dom.directChild(assertion, NS_DS, 'Signature').appendChild(doc.createElementNS(NS_DS, 'ds:Object'));
    });
    await expectSamlError(validate(xml), 'signature.unsupported');
  });

  it('XSW5 without the copy: the evil assertion keeps a signature over an ID it no longer has', async () => {
    const xml = mutate(assertionSigned, (_doc, root) => makeEvil(dom.directChild(root, NS_SAML, 'Assertion'), '_evil'));
    await expectSamlError(validate(xml), 'signature.invalid');
  });

  it('an assertion signed inside the Advice of an evil assertion is refused', async () => {
    const xml = mutate(assertionSigned, (doc, root) => {
      const original = dom.directChild(root, NS_SAML, 'Assertion');
      const evil = withoutSignature(original);
      makeEvil(evil, '_evil');
      root.replaceChild(evil, original);
      const advice = doc.createElementNS(NS_SAML, 'saml:Advice');
      advice.appendChild(original);
      evil.insertBefore(advice, dom.directChild(evil, NS_SAML, 'AuthnStatement'));
    });
    await expectSamlError(validate(xml), 'document.multiple-assertions');
  });
});

/** One closure per attribute value and non-blank text node of the signed element (its Signature excluded). */
function mutationPoints(doc: Document, signed: 'assertion' | 'response'): Array<() => void> {
  const target = signed === 'assertion' ? dom.one(doc, NS_SAML, 'Assertion') : doc.documentElement!;
  const signature = dom.directChild(target, NS_DS, 'Signature');
  const points: Array<() => void> = [];
  const walk = (el: Element) => {
    if (el === signature) return;
    for (const a of Array.from(el.attributes)) {
      if (a.name !== 'xmlns' && a.prefix !== 'xmlns') points.push(() => el.setAttribute(a.name, `${a.value}x`));
    }
    for (const child of Array.from(el.childNodes)) {
      if (child.nodeType === 1) walk(child as Element);
      else if (child.nodeType === 3 && child.nodeValue!.trim() !== '')
        points.push(() => (child.nodeValue = `${child.nodeValue}x`));
    }
  };
  walk(target);
  return points;
}

describe('every signed value is covered', () => {
  it.each(['assertion', 'response'] as const)(
    'changing any attribute or text of the %s-signed content is refused',
    async (signed) => {
      const base = signed === 'assertion' ? assertionSigned : responseSigned;
      const count = mutationPoints(dom.parse(base), signed).length;
      expect(count).toBeGreaterThanOrEqual(25);
      for (let i = 0; i < count; i++) {
        const doc = dom.parse(base);
        mutationPoints(doc, signed)[i]();
        const result = await validate(dom.serialize(doc)).then(
          () => 'accepted',
          (e: { code?: string }) => e.code ?? 'not a SamlError',
        );
        expect.soft(result, `mutation #${i}`).not.toBe('accepted');
        expect.soft(result, `mutation #${i}`).not.toBe('not a SamlError');
      }
    },
  );
});
