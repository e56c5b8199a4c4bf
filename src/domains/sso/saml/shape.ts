/**
 * The shape of a received Response, checked before any signature is looked at (rules 1–2 of
 * response.ts): XML signature wrapping (XSW1–XSW8) cannot put a second Response, Assertion or
 * misplaced Signature where a reader would look.
 */
import type { Element } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import {
  allElements,
  attr,
  childrenNamed,
  descendantsNamed,
  elementChildren,
  NS,
  optionalChild,
  simpleText,
} from './xml.ts';

const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

export interface ResponseShape {
  responseSignature: Element | null;
  /** The single top-level plain Assertion, if the assertion is not encrypted. */
  assertion: Element | null;
  assertionSignature: Element | null;
  encrypted: Element | null;
}

/** The children samlp:ResponseType allows (SAML Core §3.2.2, §3.3.3). */
const RESPONSE_CHILDREN = new Set(['Issuer', 'Signature', 'Extensions', 'Status', 'Assertion', 'EncryptedAssertion']);

export function inspectResponse(root: Element): ResponseShape {
  if (descendantsNamed(root, NS.samlp, 'Response').length > 0) {
    throw new SamlError(
      'document.multiple-responses',
      'a samlp:Response is nested inside the Response (XSW1/XSW2 shape)',
    );
  }
  checkUniqueIds(root);

  for (const child of elementChildren(root)) {
    const name = child.localName ?? '';
    const expectedNs =
      name === 'Signature' ? NS.ds : name === 'Issuer' || name.endsWith('Assertion') ? NS.saml : NS.samlp;
    if (!RESPONSE_CHILDREN.has(name) || child.namespaceURI !== expectedNs) {
      throw new SamlError(
        'document.malformed',
        `unexpected element {${child.namespaceURI}}${child.localName} in the Response`,
      );
    }
  }

  const plain = descendantsNamed(root, NS.saml, 'Assertion');
  const encrypted = descendantsNamed(root, NS.saml, 'EncryptedAssertion');
  const count = plain.length + encrypted.length;
  if (count === 0)
    throw new SamlError('document.no-assertion', 'the Response holds no Assertion or EncryptedAssertion');
  if (count > 1) {
    const detail = `the document holds ${plain.length} Assertion and ${encrypted.length} EncryptedAssertion elements`;
    throw new SamlError('document.multiple-assertions', detail);
  }
  const only = plain[0] ?? encrypted[0];
  if (only.parentNode !== root)
    throw new SamlError('document.malformed', 'the assertion is not a direct child of the Response');

  const assertion = plain[0] ?? null;
  const signatures = descendantsNamed(root, NS.ds, 'Signature');
  for (const s of signatures) {
    if (s.parentNode !== root && s.parentNode !== assertion) {
      const parent = (s.parentNode as Element).localName;
      throw new SamlError(
        'signature.misplaced',
        `a Signature inside <${parent}> is neither the Response's nor the Assertion's`,
      );
    }
  }
  const responseSignatures = childrenNamed(root, NS.ds, 'Signature');
  const assertionSignatures = assertion ? childrenNamed(assertion, NS.ds, 'Signature') : [];
  if (responseSignatures.length > 1 || assertionSignatures.length > 1) {
    throw new SamlError('signature.misplaced', 'an element carries more than one Signature');
  }
  return {
    responseSignature: responseSignatures[0] ?? null,
    assertion,
    assertionSignature: assertionSignatures[0] ?? null,
    encrypted: encrypted[0] ?? null,
  };
}

/** The decrypted Assertion must be alone, with unique IDs and at most its own Signature. */
export function inspectDecryptedAssertion(assertion: Element): Element | null {
  if (
    descendantsNamed(assertion, NS.saml, 'Assertion').length +
      descendantsNamed(assertion, NS.saml, 'EncryptedAssertion').length >
    0
  ) {
    throw new SamlError('document.multiple-assertions', 'the decrypted Assertion contains another assertion');
  }
  checkUniqueIds(assertion);
  const signatures = descendantsNamed(assertion, NS.ds, 'Signature');
  if (signatures.some((s) => s.parentNode !== assertion) || signatures.length > 1) {
    throw new SamlError(
      'signature.misplaced',
      'the decrypted Assertion has a Signature that is not its own, or several',
    );
  }
  return signatures[0] ?? null;
}

/** The single {saml}localName child of a verified Response (the shape was checked on the received tree). */
export function singleAssertionOf(response: Element, localName: 'Assertion' | 'EncryptedAssertion'): Element {
  const found = childrenNamed(response, NS.saml, localName);
  if (found.length !== 1 || descendantsNamed(response, NS.saml, localName).length !== 1) {
    throw new SamlError(
      'document.multiple-assertions',
      `the signed Response holds ${found.length} ${localName} children`,
    );
  }
  return found[0];
}

/** ID, Id and id attributes (any namespace, e.g. wsu:Id) are unique: a reference resolves to one element. */
function checkUniqueIds(root: Element) {
  const seen = new Set<string>();
  for (const el of allElements(root)) {
    for (const a of Array.from(el.attributes)) {
      if (a.localName !== 'ID' && a.localName !== 'Id' && a.localName !== 'id') continue;
      if (seen.has(a.value)) throw new SamlError('document.duplicate-id', `the ID "${a.value}" occurs more than once`);
      seen.add(a.value);
    }
  }
}

export function checkVersion(el: Element, what: string) {
  const version = attr(el, 'Version');
  if (version !== '2.0')
    throw new SamlError('document.unsupported-version', `${what} Version is "${version}", not 2.0`);
}

export function checkStatus(response: Element) {
  const status = optionalChild(response, NS.samlp, 'Status');
  const code = status ? optionalChild(status, NS.samlp, 'StatusCode') : null;
  const value = code ? attr(code, 'Value') : null;
  if (!status || !code || !value) throw new SamlError('document.malformed', 'the Response has no Status/StatusCode');
  if (value !== STATUS_SUCCESS) {
    const second = optionalChild(code, NS.samlp, 'StatusCode');
    const message = optionalChild(status, NS.samlp, 'StatusMessage');
    const detail = [value, second ? attr(second, 'Value') : null, message ? simpleText(message) : null]
      .filter(Boolean)
      .join(' / ');
    throw new SamlError('status.not-success', `the IdP answered ${detail}`);
  }
}
