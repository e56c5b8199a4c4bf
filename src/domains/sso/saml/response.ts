/**
 * Validation of a SAML 2.0 `<samlp:Response>` received on our Assertion Consumer Service with the
 * HTTP-POST binding (SAML Bindings §3.5; Web Browser SSO profile, SAML Profiles §4.1).
 *
 * `validateSamlResponse` returns who signed in only when every rule below holds; otherwise it
 * throws a `SamlError` whose `code` names the broken rule. The clock is `opts.now`, never
 * `Date.now()`. We do not use node-saml's `validatePostResponseAsync`: it reads the wall clock and
 * its history (CVE-2025-54369/54419) is exactly the "verified one node, read another" class this
 * file is built to exclude. Signatures are verified here, with node:crypto, over xml-crypto's
 * exclusive canonicaliser; decryption is done here, with node:crypto.
 *
 * 1. Parsing (xml.ts): size limit, no DTD/entities (xmldom CVE-2022-39299/39353 class), no PIs, one root.
 * 2. Shape, before any signature is looked at — XML signature wrapping (XSW1–XSW8, Somorovsky et
 *    al. 2012): the root is the only `samlp:Response` in the document; the document holds exactly
 *    one `saml:Assertion` or `saml:EncryptedAssertion` (anywhere — Extensions, Advice, Object,
 *    inside another assertion all count), and it is a direct child of the root; ID attributes are
 *    unique; every `ds:Signature` is a direct child of the Response or of that Assertion, at most
 *    one each.
 * 3. Signatures: a Signature must have exactly SignedInfo, SignatureValue and optionally KeyInfo
 *    (no Object); SignedInfo exactly CanonicalizationMethod (exclusive c14n), SignatureMethod
 *    (RSA/ECDSA with SHA-256/384/512) and ONE Reference (CVE-2025-29774/29775); the Reference URI is
 *    `#` + the ID of the Signature's own parent, and its transforms are exactly enveloped-signature
 *    then exclusive c14n. The SignatureValue must verify with one of the configured, unexpired
 *    certificates; KeyInfo is never read, so an embedded attacker certificate is never trusted
 *    (xml-crypto CVE-2024-32962). Every Signature present must verify, not just one.
 * 4. What was verified is what is read: the exact canonical bytes whose digest matched are parsed
 *    again (through xml.ts) and every value — Issuer, Subject, Conditions, attributes — is read
 *    from that re-parsed copy, never from the received tree (node-saml CVE-2025-54369/54419).
 *    Text is read as all text/CDATA children with comments skipped, so `a@x.com<!---->.evil.com` is
 *    read whole, as it was hashed (CVE-2017-11427 class). Response-level fields are read from the
 *    verified Response when the Response is signed, else from the received one (they then only
 *    add refusals).
 * 5. EncryptedAssertion (AES-128/256-CBC, AES-128/256-GCM; key transport RSA-OAEP) is decrypted with
 *    `sp.decryptionKeyPem`; the plaintext must be exactly one Assertion, and must carry its own
 *    valid signature unless the Response around it was signed and verified.
 * 6. Status Success (checked first, so a refusal by the IdP reads as one); Issuer = idp.entityId on
 *    the Assertion (and on the Response if present); Destination = acsUrl when present, and
 *    required when the Response is signed; a bearer SubjectConfirmation whose Recipient = acsUrl;
 *    AudienceRestriction with sp.entityId; only understood Conditions.
 * 7. InResponseTo: equals `expectedInResponseTo` (on the Response, and on SubjectConfirmationData
 *    when present — required there when the Response itself is unsigned) for SP-initiated logins;
 *    absent everywhere for unsolicited ones, which are accepted only when `allowIdpInitiated`.
 * 8. Time: Conditions NotBefore/NotOnOrAfter, SubjectConfirmationData NotBefore/NotOnOrAfter
 *    (NotOnOrAfter required) and AuthnStatement SessionNotOnOrAfter, each with `skewSeconds` (10).
 * 9. One-time use: `markAssertionUsed(assertionId, until)` is called last; false → 'assertion.replayed'.
 *
 * This file runs the steps in order; each rule lives in its own file: shape.ts (2), signature.ts
 * (3–4), decrypt.ts (5), assertion.ts (6–8); options.ts holds the shapes (docs/decisions/0010).
 */
import type { Element } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import { checkEnvelope, readAssertion } from './assertion.ts';
import { decryptAssertion } from './decrypt.ts';
import type { SamlLogin, SamlSpConfig, ValidateOptions } from './options.ts';
import { checkStatus, checkVersion, inspectDecryptedAssertion, inspectResponse, singleAssertionOf } from './shape.ts';
import { reparse, trustedKeys, verifyEnvelopedSignature } from './signature.ts';
import { attr, decodeBase64Text, is, NS, parseXml, XML_LIMITS } from './xml.ts';

export type { SamlIdpTrust, SamlLogin, SamlSpConfig, ValidateOptions } from './options.ts';

/** Validates a base64 `SAMLResponse` form field. Throws `SamlError`; see the file comment for the rules. */
export async function validateSamlResponse(samlResponseBase64: string, opts: ValidateOptions): Promise<SamlLogin> {
  // A programming error, not a bad response: an invalid clock would make every time check pass.
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime()))
    throw new TypeError('opts.now must be a valid Date');
  const skew = opts.skewSeconds ?? 10;
  if (!Number.isFinite(skew) || skew < 0 || skew > 600)
    throw new TypeError('opts.skewSeconds must be between 0 and 600');
  const label = 'SAML response';
  const xml = decodeBase64Text(samlResponseBase64, XML_LIMITS.message, label);
  const doc = parseXml(xml, { maxBytes: XML_LIMITS.message, label });
  const received = doc.documentElement!;
  if (!is(received, NS.samlp, 'Response')) {
    throw new SamlError(
      'document.malformed',
      `the root element is {${received.namespaceURI}}${received.localName}, not samlp:Response`,
    );
  }
  checkVersion(received, 'Response');
  // The IdP's own refusal (user not assigned, MFA failed…) comes first so it is reported as such.
  // Reading the unsigned Status can only add a refusal.
  checkStatus(received);

  const shape = inspectResponse(received);
  const keys = trustedKeys(opts.idp.certificates, opts.now);

  // The Response, verified — or null when only the assertion is signed.
  let verifiedResponse: Element | null = null;
  if (shape.responseSignature) {
    const canonical = verifyEnvelopedSignature(received, shape.responseSignature, keys, 'Response');
    verifiedResponse = reparse(canonical, 'signed Response');
  }
  const envelope = verifiedResponse ?? received;
  checkEnvelope(envelope, opts, verifiedResponse !== null);

  // The assertion, from verified bytes only.
  let assertion: Element;
  if (shape.encrypted) {
    const encrypted = verifiedResponse ? singleAssertionOf(verifiedResponse, 'EncryptedAssertion') : shape.encrypted;
    const decrypted = decryptAssertion(encrypted, opts.sp.decryptionKeyPem);
    const signature = inspectDecryptedAssertion(decrypted);
    if (signature) {
      assertion = reparse(verifyEnvelopedSignature(decrypted, signature, keys, 'Assertion'), 'signed Assertion');
    } else if (verifiedResponse) {
      assertion = decrypted;
    } else {
      throw new SamlError('signature.missing', 'neither the Response nor the decrypted Assertion is signed');
    }
  } else if (shape.assertionSignature) {
    // Verified in the received tree (its Signature is a child of the single top-level Assertion);
    // when the Response was signed too, both signatures have now been checked.
    assertion = reparse(
      verifyEnvelopedSignature(shape.assertion!, shape.assertionSignature, keys, 'Assertion'),
      'signed Assertion',
    );
  } else if (verifiedResponse) {
    assertion = singleAssertionOf(verifiedResponse, 'Assertion');
  } else {
    throw new SamlError('signature.missing', 'neither the Response nor the Assertion is signed');
  }

  const login = readAssertion(assertion, opts, attr(envelope, 'InResponseTo'), verifiedResponse !== null);
  if (!(await opts.markAssertionUsed(login.assertionId, login.replayUntil))) {
    throw new SamlError('assertion.replayed', `assertion ${login.assertionId} was already used`);
  }
  const { replayUntil: _, ...result } = login;
  return result;
}

// ---------------------------------------------------------------------------------------------
// RFC 7522 (SAML2-bearer grant): a bare Assertion, or a full Response

/** Options for `validateSamlAssertion`: `sp.acsUrl` is the token endpoint URL (the Recipient RFC 7522 §3 asks for). */
export type AssertionValidateOptions = Omit<ValidateOptions, 'expectedInResponseTo' | 'allowIdpInitiated' | 'sp'> & {
  sp: Omit<SamlSpConfig, 'decryptionKeyPem'>;
};

/**
 * Validates the `assertion` parameter of the SAML2-bearer grant (RFC 7522 §2.1): base64url (or
 * base64) of a signed `saml:Assertion`, or of a whole `samlp:Response` (then validated by
 * `validateSamlResponse`). The same rules hold as for the ACS, with the token endpoint as
 * Recipient (and Destination), no InResponseTo (there is no request), and the assertion itself
 * signed: shape first (the only assertion, unique IDs, its Signature a direct child), then the
 * signature over verified bytes, then what those bytes say, then one-time use.
 */
export async function validateSamlAssertion(
  assertionBase64url: string,
  opts: AssertionValidateOptions,
): Promise<SamlLogin> {
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime()))
    throw new TypeError('opts.now must be a valid Date');
  const skew = opts.skewSeconds ?? 10;
  if (!Number.isFinite(skew) || skew < 0 || skew > 600)
    throw new TypeError('opts.skewSeconds must be between 0 and 600');
  const full: ValidateOptions = {
    ...opts,
    sp: { entityId: opts.sp.entityId, acsUrl: opts.sp.acsUrl },
    expectedInResponseTo: null,
    allowIdpInitiated: true,
  };
  const label = 'SAML assertion';
  const base64 = base64FromBase64url(assertionBase64url);
  const xml = decodeBase64Text(base64, XML_LIMITS.message, label);
  const doc = parseXml(xml, { maxBytes: XML_LIMITS.message, label });
  const root = doc.documentElement!;
  if (is(root, NS.samlp, 'Response')) return validateSamlResponse(base64, full);
  if (!is(root, NS.saml, 'Assertion')) {
    throw new SamlError(
      'document.malformed',
      `the root element is {${root.namespaceURI}}${root.localName}, not saml:Assertion`,
    );
  }
  const signature = inspectDecryptedAssertion(root);
  if (!signature) throw new SamlError('signature.missing', 'the Assertion is not signed');
  const keys = trustedKeys(opts.idp.certificates, opts.now);
  const assertion = reparse(verifyEnvelopedSignature(root, signature, keys, 'Assertion'), 'signed Assertion');
  const login = readAssertion(assertion, full, null, false);
  if (!(await opts.markAssertionUsed(login.assertionId, login.replayUntil))) {
    throw new SamlError('assertion.replayed', `assertion ${login.assertionId} was already used`);
  }
  const { replayUntil: _, ...result } = login;
  return result;
}

/** RFC 7522 §2.1 sends base64url without padding; plain base64 is accepted too. */
function base64FromBase64url(value: string): string {
  if (typeof value !== 'string') return '';
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (!/[-_]/.test(compact) && compact.length % 4 === 0) return compact;
  const b64 = compact.replace(/-/g, '+').replace(/_/g, '/');
  return b64 + '='.repeat((4 - (b64.length % 4)) % 4);
}
