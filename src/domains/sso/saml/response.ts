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
 */
import {
  constants,
  createDecipheriv,
  createHash,
  verify as cryptoVerify,
  createPrivateKey,
  type KeyObject,
  privateDecrypt,
  timingSafeEqual,
} from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { SamlError } from './errors.ts';
import { parseCertificate } from './metadata.ts';
import {
  allElements,
  attr,
  childrenNamed,
  decodeBase64Text,
  descendantsNamed,
  elementChildren,
  is,
  NS,
  optionalChild,
  parseXml,
  simpleText,
  textOf,
  XML_LIMITS,
} from './xml.ts';

export interface SamlIdpTrust {
  /** The IdP's entity ID: the Issuer of its responses and assertions. */
  entityId: string;
  /** Signing certificates, PEM or bare base64 DER. Expired ones are ignored. */
  certificates: string[];
}

export interface SamlSpConfig {
  /** Our entity ID: the Audience the assertion must name. */
  entityId: string;
  /** Our Assertion Consumer Service URL: the Destination and Recipient the response must name. */
  acsUrl: string;
  /** PKCS#8/PKCS#1 PEM private key for EncryptedAssertion. */
  decryptionKeyPem?: string;
}

export interface ValidateOptions {
  idp: SamlIdpTrust;
  sp: SamlSpConfig;
  now: Date;
  /** Allowed clock difference, in seconds, for every time check. Default 10. */
  skewSeconds?: number;
  /** SP-initiated: the id of the AuthnRequest we sent (and still remember); null/undefined for IdP-initiated */
  expectedInResponseTo?: string | null;
  allowIdpInitiated: boolean;
  /**
   * One-time use: returns false if this assertion id was already seen (and records it until notOnOrAfter).
   * Assertion IDs are meant to be globally unique; a store shared by several IdPs may prefix them with the issuer.
   */
  markAssertionUsed(id: string, notOnOrAfter: Date): Promise<boolean>;
}

export interface SamlLogin {
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  sessionIndex: string | null;
  assertionId: string;
  inResponseTo: string | null;
  attributes: Record<string, string[]>;
  /** From NameID if it is an email, else attributes 'email'/'mail'/common claim URIs */
  email: string | null;
}

const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
} as const;

/** SHA-1 is refused (signature and digest): every mainstream IdP signs with SHA-256 today. */
const SIGNATURE_METHODS: Record<string, { hash: string; keyType: 'rsa' | 'ec' }> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { hash: 'sha256', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { hash: 'sha384', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { hash: 'sha512', keyType: 'rsa' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { hash: 'sha256', keyType: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { hash: 'sha384', keyType: 'ec' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { hash: 'sha512', keyType: 'ec' },
};

const DIGEST_METHODS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

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
// Shape

interface ResponseShape {
  responseSignature: Element | null;
  /** The single top-level plain Assertion, if the assertion is not encrypted. */
  assertion: Element | null;
  assertionSignature: Element | null;
  encrypted: Element | null;
}

/** The children samlp:ResponseType allows (SAML Core §3.2.2, §3.3.3). */
const RESPONSE_CHILDREN = new Set(['Issuer', 'Signature', 'Extensions', 'Status', 'Assertion', 'EncryptedAssertion']);

function inspectResponse(root: Element): ResponseShape {
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
function inspectDecryptedAssertion(assertion: Element): Element | null {
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
function singleAssertionOf(response: Element, localName: 'Assertion' | 'EncryptedAssertion'): Element {
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

function checkVersion(el: Element, what: string) {
  const version = attr(el, 'Version');
  if (version !== '2.0')
    throw new SamlError('document.unsupported-version', `${what} Version is "${version}", not 2.0`);
}

function checkStatus(response: Element) {
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

// ---------------------------------------------------------------------------------------------
// Signatures

interface TrustedKey {
  key: KeyObject;
  subject: string;
}

/** Configured certificates that are valid now (not expired, not before notBefore); KeyInfo in the document is never consulted (CVE-2024-32962). */
function trustedKeys(certificates: string[], now: Date): TrustedKey[] {
  const keys: TrustedKey[] = [];
  const skipped: string[] = [];
  for (const pem of certificates) {
    let cert: ReturnType<typeof parseCertificate>;
    try {
      cert = parseCertificate(pem);
    } catch {
      skipped.push('an unreadable certificate');
      continue;
    }
    const notAfter = Date.parse(cert.validTo);
    if (!(notAfter >= now.getTime())) {
      skipped.push(`"${cert.subject.replace(/\n/g, ', ')}" (expired ${cert.validTo})`);
      continue;
    }
    // As for logout messages (flows/messages.ts): a certificate is not trusted before its notBefore.
    const notBefore = Date.parse(cert.validFrom);
    if (!(notBefore <= now.getTime())) {
      skipped.push(`"${cert.subject.replace(/\n/g, ', ')}" (not yet valid, from ${cert.validFrom})`);
      continue;
    }
    keys.push({ key: cert.publicKey, subject: cert.subject });
  }
  if (keys.length === 0) {
    const detail = `no configured IdP certificate is valid at ${now.toISOString()}: ${skipped.join('; ') || 'none configured'}`;
    throw new SamlError('certificate.none-valid', detail);
  }
  return keys;
}

/**
 * Verifies the enveloped `signature` (a child of `target`) and returns the canonical bytes of
 * `target` that its Reference digests — the only bytes the caller may read from.
 */
function verifyEnvelopedSignature(target: Element, signature: Element, keys: TrustedKey[], what: string): string {
  const unsupported = (why: string) => new SamlError('signature.unsupported', `${what} Signature: ${why}`);
  const parts = elementChildren(signature);
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !is(parts[0], NS.ds, 'SignedInfo') ||
    !is(parts[1], NS.ds, 'SignatureValue') ||
    (parts.length === 3 && !is(parts[2], NS.ds, 'KeyInfo'))
  ) {
    throw unsupported('must hold exactly SignedInfo, SignatureValue and optionally KeyInfo (no Object)');
  }
  const [signedInfo, signatureValue] = parts;
  const info = elementChildren(signedInfo);
  if (
    info.length !== 3 ||
    !is(info[0], NS.ds, 'CanonicalizationMethod') ||
    !is(info[1], NS.ds, 'SignatureMethod') ||
    !is(info[2], NS.ds, 'Reference')
  ) {
    throw unsupported('SignedInfo must hold exactly CanonicalizationMethod, SignatureMethod and one Reference');
  }
  const [c14nMethod, signatureMethod, reference] = info;
  const signedInfoPrefixes = excC14nPrefixes(c14nMethod, unsupported);
  const method = SIGNATURE_METHODS[attr(signatureMethod, 'Algorithm') ?? ''];
  if (!method || elementChildren(signatureMethod).length > 0)
    throw unsupported(`signature method ${attr(signatureMethod, 'Algorithm')}`);

  const id = attr(target, 'ID');
  if (!id) throw new SamlError('signature.invalid', `the signed ${what} has no ID`);
  if (attr(reference, 'URI') !== `#${id}`) {
    throw new SamlError(
      'signature.invalid',
      `the ${what} Signature references "${attr(reference, 'URI')}", not its own ${what} "#${id}"`,
    );
  }
  const ref = elementChildren(reference);
  if (
    ref.length !== 3 ||
    !is(ref[0], NS.ds, 'Transforms') ||
    !is(ref[1], NS.ds, 'DigestMethod') ||
    !is(ref[2], NS.ds, 'DigestValue')
  ) {
    throw unsupported('Reference must hold exactly Transforms, DigestMethod and DigestValue');
  }
  const transforms = elementChildren(ref[0]);
  if (
    transforms.length !== 2 ||
    !transforms.every((t) => is(t, NS.ds, 'Transform')) ||
    attr(transforms[0], 'Algorithm') !== ALG.enveloped ||
    elementChildren(transforms[0]).length > 0
  ) {
    throw unsupported('the transforms must be exactly enveloped-signature then exclusive c14n');
  }
  const referencePrefixes = excC14nPrefixes(transforms[1], unsupported);
  const digestAlgorithm = DIGEST_METHODS[attr(ref[1], 'Algorithm') ?? ''];
  if (!digestAlgorithm) throw unsupported(`digest method ${attr(ref[1], 'Algorithm')}`);
  const expectedDigest = strictBase64(textOf(ref[2]), `${what} DigestValue`);

  // Stage 1: SignedInfo is signed by a trusted key.
  const canonicalSignedInfo = canonicalize(signedInfo, signedInfoPrefixes, null);
  const signatureBytes = strictBase64(textOf(signatureValue), `${what} SignatureValue`);
  const data = Buffer.from(canonicalSignedInfo, 'utf8');
  if (!keys.some((k) => verifyWith(k.key, method, data, signatureBytes))) {
    throw new SamlError('signature.invalid', `the ${what} signature was not made by any configured certificate`);
  }
  // Stage 2: the referenced element (our parent, by construction) hashes to the signed digest.
  const canonicalTarget = canonicalize(target, referencePrefixes, signature);
  const digest = createHash(digestAlgorithm).update(canonicalTarget, 'utf8').digest();
  if (digest.length !== expectedDigest.length || !timingSafeEqual(digest, expectedDigest)) {
    throw new SamlError('signature.invalid', `the ${what} content does not match its signed digest`);
  }
  return canonicalTarget;
}

/** Checks an exclusive-c14n algorithm element and returns its InclusiveNamespaces PrefixList. */
function excC14nPrefixes(el: Element, unsupported: (why: string) => SamlError): string[] {
  const algorithm = attr(el, 'Algorithm');
  if (algorithm !== ALG.excC14n)
    throw unsupported(`canonicalization ${algorithm} (only exclusive c14n without comments)`);
  const kids = elementChildren(el);
  if (kids.length === 0) return [];
  if (kids.length > 1 || !is(kids[0], NS.ec, 'InclusiveNamespaces'))
    throw unsupported('unexpected content in a c14n algorithm element');
  return (attr(kids[0], 'PrefixList') ?? '').split(/\s+/).filter((p) => p.length > 0 && p !== '#default');
}

/** Exclusive c14n (no comments) of a copy of `el`, without `exclude` (the enveloped Signature). */
function canonicalize(el: Element, inclusivePrefixes: string[], exclude: Element | null): string {
  const copy = el.cloneNode(true) as Element;
  if (exclude) {
    const index = Array.from(el.childNodes).indexOf(exclude);
    if (index < 0) throw new SamlError('signature.invalid', 'the Signature is not a child of the signed element');
    copy.removeChild(copy.childNodes[index]);
  }
  // InclusiveNamespaces may name prefixes declared on ancestors of `el`; the copy has none.
  const ancestorNamespaces: { prefix: string; namespaceURI: string }[] = [];
  if (inclusivePrefixes.length > 0) {
    const seen = new Set<string>();
    for (let n: Node | null = el.parentNode; n && n.nodeType === 1; n = n.parentNode) {
      for (const a of Array.from((n as Element).attributes)) {
        if (a.prefix === 'xmlns' && !seen.has(a.localName!)) {
          seen.add(a.localName!);
          ancestorNamespaces.push({ prefix: a.localName!, namespaceURI: a.value });
        }
      }
    }
  }
  try {
    return new ExclusiveCanonicalization().process(copy as unknown as globalThis.Element, {
      inclusiveNamespacesPrefixList: inclusivePrefixes,
      ancestorNamespaces,
      defaultNsForPrefix: { ds: NS.ds },
    });
  } catch (e) {
    throw new SamlError('signature.invalid', `the signed element cannot be canonicalized: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function verifyWith(
  key: KeyObject,
  method: { hash: string; keyType: 'rsa' | 'ec' },
  data: Buffer,
  signature: Buffer,
): boolean {
  if (key.asymmetricKeyType !== method.keyType) return false;
  try {
    return cryptoVerify(
      method.hash,
      data,
      method.keyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      signature,
    );
  } catch {
    return false;
  }
}

function strictBase64(value: string, what: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new SamlError('signature.invalid', `${what} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Parses verified canonical bytes; this copy is the only one values are read from. Exclusive c14n
 * repeats namespace declarations on every element that uses them (xmlns:xsi on each AttributeValue),
 * so the canonical form of a document near the size limit may be larger than the document.
 */
function reparse(canonical: string, label: string): Element {
  return parseXml(canonical, { maxBytes: XML_LIMITS.message * 4, label }).documentElement!;
}

// ---------------------------------------------------------------------------------------------
// Encryption

const DATA_ALGORITHMS: Record<
  string,
  { cipher: 'aes-128-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm'; keyLength: number }
> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': { cipher: 'aes-128-cbc', keyLength: 16 },
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': { cipher: 'aes-256-cbc', keyLength: 32 },
  'http://www.w3.org/2009/xmlenc11#aes128-gcm': { cipher: 'aes-128-gcm', keyLength: 16 },
  'http://www.w3.org/2009/xmlenc11#aes256-gcm': { cipher: 'aes-256-gcm', keyLength: 32 },
};
const KEY_TRANSPORT = new Set([
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep',
]);
const OAEP_DIGESTS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
  // As written by the xml-encryption package.
  'http://www.w3.org/2000/09/xmldsig#sha256': 'sha256',
  'http://www.w3.org/2000/09/xmldsig#sha512': 'sha512',
};
const XENC11 = 'http://www.w3.org/2009/xmlenc11#';

/**
 * Decrypts `<saml:EncryptedAssertion>` into a parsed Assertion. Every failure up to a well-formed
 * Assertion has the same code and message (no padding/decryption oracle for the caller to leak); the
 * reason is only in `detail`. With CBC and an unsigned Response, timing remains an oracle: prefer GCM.
 */
function decryptAssertion(encrypted: Element, keyPem: string | undefined): Element {
  if (!keyPem)
    throw new SamlError('decryption.not-configured', 'the assertion is encrypted and sp.decryptionKeyPem is not set');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    throw new SamlError('decryption.not-configured', 'sp.decryptionKeyPem is not a readable private key', { cause: e });
  }
  const fail = (why: string, cause?: unknown) =>
    new SamlError('decryption.failed', `EncryptedAssertion: ${why}`, { cause });

  const data = childrenNamed(encrypted, NS.xenc, 'EncryptedData');
  const siblingKeys = childrenNamed(encrypted, NS.xenc, 'EncryptedKey');
  if (data.length !== 1 || elementChildren(encrypted).length !== 1 + siblingKeys.length) {
    throw fail('must hold exactly one EncryptedData and optionally EncryptedKey elements');
  }
  const encryptedData = data[0];
  const type = attr(encryptedData, 'Type');
  if (type !== null && type !== 'http://www.w3.org/2001/04/xmlenc#Element') throw fail(`EncryptedData Type ${type}`);
  const method = optionalChild(encryptedData, NS.xenc, 'EncryptionMethod');
  const algorithm = DATA_ALGORITHMS[(method && attr(method, 'Algorithm')) ?? ''];
  if (!algorithm) throw fail(`unsupported content encryption ${method && attr(method, 'Algorithm')}`);
  const cipherData = optionalChild(encryptedData, NS.xenc, 'CipherData');
  const cipherValue = cipherData && optionalChild(cipherData, NS.xenc, 'CipherValue');
  if (!cipherValue) throw fail('EncryptedData has no CipherData/CipherValue');

  const keyInfo = optionalChild(encryptedData, NS.ds, 'KeyInfo');
  const candidates = [...(keyInfo ? childrenNamed(keyInfo, NS.xenc, 'EncryptedKey') : []), ...siblingKeys];
  if (candidates.length === 0) throw fail('no EncryptedKey');

  let symmetricKey: Buffer | null = null;
  for (const encryptedKey of candidates) {
    symmetricKey = unwrapKey(encryptedKey, key, algorithm.keyLength);
    if (symmetricKey) break;
  }
  if (!symmetricKey) throw fail('no EncryptedKey could be decrypted with our key');

  let plaintext: string;
  try {
    const bytes = Buffer.from(textOf(cipherValue).replace(/\s+/g, ''), 'base64');
    let clear: Buffer;
    if (algorithm.cipher.endsWith('gcm')) {
      const iv = bytes.subarray(0, 12);
      const tag = bytes.subarray(bytes.length - 16);
      const decipher = createDecipheriv(algorithm.cipher as 'aes-128-gcm', symmetricKey, iv);
      decipher.setAuthTag(tag);
      clear = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    } else {
      const iv = bytes.subarray(0, 16);
      const body = bytes.subarray(16);
      if (body.length === 0 || body.length % 16 !== 0) throw new Error('ciphertext is not whole blocks');
      const decipher = createDecipheriv(algorithm.cipher, symmetricKey, iv);
      decipher.setAutoPadding(false);
      const padded = Buffer.concat([decipher.update(body), decipher.final()]);
      // XML Encryption padding: the last byte is the pad length (1..16); the other pad bytes are arbitrary.
      const pad = padded[padded.length - 1];
      if (pad < 1 || pad > 16) throw new Error('bad padding');
      clear = padded.subarray(0, padded.length - pad);
    }
    plaintext = new TextDecoder('utf-8', { fatal: true }).decode(clear);
  } catch (e) {
    throw fail('the content could not be decrypted', e);
  }

  // A plaintext that does not parse is reported as a decryption failure too: a distinct code for "the
  // padding was right but the XML was not" would be a CBC padding oracle (Jager & Somorovsky 2011).
  let doc: Document;
  try {
    const inheritedNamespaces = inScopeNamespaces(encrypted);
    doc = parseXml(plaintext, { maxBytes: XML_LIMITS.message, label: 'decrypted assertion', inheritedNamespaces });
  } catch (e) {
    throw fail(`the decrypted content is not well-formed: ${e instanceof SamlError ? e.detail : String(e)}`, e);
  }
  const assertion = doc.documentElement!;
  if (!is(assertion, NS.saml, 'Assertion')) throw fail('the decrypted content is not a saml:Assertion');
  return assertion;
}

function unwrapKey(encryptedKey: Element, key: KeyObject, keyLength: number): Buffer | null {
  const method = optionalChild(encryptedKey, NS.xenc, 'EncryptionMethod');
  const algorithm = method && attr(method, 'Algorithm');
  if (!method || !algorithm || !KEY_TRANSPORT.has(algorithm)) return null; // RSA 1.5 is never accepted.
  const digestMethod = optionalChild(method, NS.ds, 'DigestMethod');
  const oaepHash = digestMethod ? OAEP_DIGESTS[attr(digestMethod, 'Algorithm') ?? ''] : 'sha1';
  if (!oaepHash) return null;
  if (algorithm.startsWith(XENC11)) {
    // Node uses one hash for OAEP and MGF1; refuse keys wrapped with two different ones.
    const mgf = optionalChild(method, XENC11, 'MGF');
    const mgfHash = mgf ? /#mgf1(sha\d+)$/.exec(attr(mgf, 'Algorithm') ?? '')?.[1] : 'sha1';
    if (mgfHash !== oaepHash) return null;
  }
  const cipherData = optionalChild(encryptedKey, NS.xenc, 'CipherData');
  const cipherValue = cipherData && optionalChild(cipherData, NS.xenc, 'CipherValue');
  if (!cipherValue) return null;
  try {
    const unwrapped = privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
      Buffer.from(textOf(cipherValue).replace(/\s+/g, ''), 'base64'),
    );
    return unwrapped.length === keyLength ? unwrapped : null;
  } catch {
    return null;
  }
}

/** Prefix → namespace declarations in scope at `el`, so a decrypted fragment may use its context's prefixes. */
function inScopeNamespaces(el: Element): Record<string, string> {
  const found: Record<string, string> = {};
  for (let n: Node | null = el; n && n.nodeType === 1; n = n.parentNode) {
    for (const a of Array.from((n as Element).attributes)) {
      if (a.prefix === 'xmlns' && !(a.localName! in found)) found[a.localName!] = a.value;
      if (a.name === 'xmlns' && !('' in found)) found[''] = a.value;
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// What the verified message says

function checkEnvelope(envelope: Element, opts: ValidateOptions, signed: boolean) {
  const issuer = optionalChild(envelope, NS.saml, 'Issuer');
  if (issuer && textOf(issuer) !== opts.idp.entityId) {
    throw new SamlError(
      'issuer.mismatch',
      `the Response Issuer is "${textOf(issuer)}", expected "${opts.idp.entityId}"`,
    );
  }
  const destination = attr(envelope, 'Destination');
  if (destination === null && signed) {
    throw new SamlError('destination.missing', 'a signed Response must name its Destination (SAML Bindings §3.5.5.2)');
  }
  if (destination !== null && destination !== opts.sp.acsUrl) {
    throw new SamlError(
      'destination.mismatch',
      `the Response Destination is "${destination}", expected "${opts.sp.acsUrl}"`,
    );
  }
  checkInResponseTo(attr(envelope, 'InResponseTo'), opts, 'Response');
}

function checkInResponseTo(value: string | null, opts: ValidateOptions, where: string) {
  const expected = opts.expectedInResponseTo ?? null;
  if (expected !== null) {
    if (value !== expected) {
      const got = value === null ? 'absent' : `"${value}"`;
      throw new SamlError('in-response-to.mismatch', `the ${where} InResponseTo is ${got}, expected "${expected}"`);
    }
    return;
  }
  if (value !== null) {
    throw new SamlError(
      'in-response-to.unexpected',
      `the ${where} answers request "${value}", but no request is pending`,
    );
  }
  if (!opts.allowIdpInitiated)
    throw new SamlError('unsolicited.not-allowed', 'IdP-initiated (unsolicited) responses are not allowed');
}

interface Clock {
  now: number;
  skew: number;
}

/** xs:dateTime with a zone (SAML requires UTC); fractions beyond milliseconds (AD FS writes 7 digits) are truncated. */
function instant(el: Element, name: string): number | null {
  const value = attr(el, name);
  if (value === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  const t = m ? Date.parse(`${m[1]}${m[2] ? m[2].slice(0, 4) : ''}${m[3]}`) : Number.NaN;
  if (Number.isNaN(t))
    throw new SamlError('document.malformed', `${el.localName} ${name}="${value}" is not a UTC date-time`);
  return t;
}

function checkWindow(el: Element, clock: Clock, what: string, notOnOrAfterName = 'NotOnOrAfter'): number | null {
  const notBefore = instant(el, 'NotBefore');
  const notOnOrAfter = instant(el, notOnOrAfterName);
  if (notBefore !== null && clock.now + clock.skew < notBefore) {
    throw new SamlError(
      'assertion.not-yet-valid',
      `${what} NotBefore ${new Date(notBefore).toISOString()} is in the future`,
    );
  }
  if (notOnOrAfter !== null && clock.now - clock.skew >= notOnOrAfter) {
    throw new SamlError(
      'assertion.expired',
      `${what} ${notOnOrAfterName} ${new Date(notOnOrAfter).toISOString()} has passed`,
    );
  }
  return notOnOrAfter;
}

const KNOWN_CONDITIONS = new Set(['AudienceRestriction', 'OneTimeUse', 'ProxyRestriction']);

function readAssertion(
  a: Element,
  opts: ValidateOptions,
  responseInResponseTo: string | null,
  responseSigned: boolean,
): SamlLogin & { replayUntil: Date } {
  const clock: Clock = { now: opts.now.getTime(), skew: (opts.skewSeconds ?? 10) * 1000 };
  checkVersion(a, 'Assertion');
  const assertionId = attr(a, 'ID');
  if (!assertionId) throw new SamlError('document.malformed', 'the Assertion has no ID');

  const issuerEl = optionalChild(a, NS.saml, 'Issuer');
  const issuer = issuerEl ? textOf(issuerEl) : null;
  if (issuer !== opts.idp.entityId) {
    throw new SamlError('issuer.mismatch', `the Assertion Issuer is "${issuer}", expected "${opts.idp.entityId}"`);
  }

  // Subject
  const subject = optionalChild(a, NS.saml, 'Subject');
  const nameIdEl = subject ? optionalChild(subject, NS.saml, 'NameID') : null;
  if (!subject || !nameIdEl) {
    throw new SamlError(
      'subject.missing',
      'the Assertion has no Subject/NameID (EncryptedID and BaseID are not supported)',
    );
  }
  const nameId = textOf(nameIdEl);
  if (nameId === '') throw new SamlError('subject.missing', 'the NameID is empty');
  const nameIdFormat = attr(nameIdEl, 'Format');

  // A bearer SubjectConfirmation that holds for this ACS, now, and this request.
  const bearers = childrenNamed(subject, NS.saml, 'SubjectConfirmation').filter((sc) => attr(sc, 'Method') === BEARER);
  if (bearers.length === 0) throw new SamlError('subject.unconfirmed', 'the Subject has no bearer SubjectConfirmation');
  let confirmedUntil: number | null = null;
  let firstError: unknown = null;
  for (const sc of bearers) {
    try {
      const data = optionalChild(sc, NS.saml, 'SubjectConfirmationData');
      if (!data)
        throw new SamlError('subject.unconfirmed', 'the bearer SubjectConfirmation has no SubjectConfirmationData');
      const recipient = attr(data, 'Recipient');
      if (recipient !== opts.sp.acsUrl) {
        throw new SamlError(
          'recipient.mismatch',
          `SubjectConfirmationData Recipient is "${recipient}", expected "${opts.sp.acsUrl}"`,
        );
      }
      const until = checkWindow(data, clock, 'SubjectConfirmationData');
      if (until === null) throw new SamlError('subject.unconfirmed', 'SubjectConfirmationData has no NotOnOrAfter');
      const inResponseTo = attr(data, 'InResponseTo');
      if (inResponseTo === null && opts.expectedInResponseTo != null && !responseSigned) {
        // Only the assertion is signed, so only its InResponseTo ties it to our request: without it, an
        // unsolicited assertion could be wrapped in a forged Response answering the victim's request.
        throw new SamlError(
          'in-response-to.mismatch',
          'the signed assertion has no InResponseTo and the Response is not signed',
        );
      }
      if (inResponseTo !== null || opts.expectedInResponseTo == null)
        checkInResponseTo(inResponseTo, opts, 'SubjectConfirmationData');
      confirmedUntil = until;
      break;
    } catch (e) {
      firstError ??= e;
    }
  }
  if (confirmedUntil === null) throw firstError;

  // Conditions
  const conditions = optionalChild(a, NS.saml, 'Conditions');
  if (!conditions)
    throw new SamlError('audience.mismatch', 'the Assertion has no Conditions, so no AudienceRestriction');
  const conditionsUntil = checkWindow(conditions, clock, 'Conditions');
  const restrictions = childrenNamed(conditions, NS.saml, 'AudienceRestriction');
  for (const c of elementChildren(conditions)) {
    if (c.namespaceURI !== NS.saml || !KNOWN_CONDITIONS.has(c.localName ?? '')) {
      throw new SamlError('assertion.unsupported-condition', `unsupported condition {${c.namespaceURI}}${c.localName}`);
    }
  }
  if (restrictions.length === 0) throw new SamlError('audience.mismatch', 'the Assertion has no AudienceRestriction');
  for (const r of restrictions) {
    const audiences = childrenNamed(r, NS.saml, 'Audience').map((el) => textOf(el));
    if (!audiences.includes(opts.sp.entityId)) {
      const named = audiences.map((x) => `"${x}"`).join(', ') || 'no audience';
      throw new SamlError('audience.mismatch', `the Assertion is for ${named}, not "${opts.sp.entityId}"`);
    }
  }

  // AuthnStatement
  const authn = childrenNamed(a, NS.saml, 'AuthnStatement');
  if (authn.length === 0) throw new SamlError('authn-statement.missing', 'the Assertion has no AuthnStatement');
  for (const s of authn) checkWindow(s, clock, 'AuthnStatement', 'SessionNotOnOrAfter');
  const sessionIndex = attr(authn[0], 'SessionIndex');

  const attributes = readAttributes(a);
  const until = Math.max(confirmedUntil, conditionsUntil ?? 0) + clock.skew;
  return {
    issuer,
    nameId,
    nameIdFormat,
    sessionIndex,
    assertionId,
    inResponseTo: responseInResponseTo,
    attributes,
    email: emailOf(nameId, attributes),
    replayUntil: new Date(until),
  };
}

function readAttributes(a: Element): Record<string, string[]> {
  const map = new Map<string, string[]>();
  for (const statement of childrenNamed(a, NS.saml, 'AttributeStatement')) {
    for (const attribute of childrenNamed(statement, NS.saml, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (!name) continue;
      const values = map.get(name) ?? [];
      for (const v of childrenNamed(attribute, NS.saml, 'AttributeValue')) {
        if (v.getAttributeNS(NS.xsi, 'nil') === 'true') continue;
        const text = simpleText(v);
        if (text !== null) values.push(text.trim());
      }
      map.set(name, values);
    }
  }
  // Object.fromEntries defines own properties: an attribute named "__proto__" stays data.
  return Object.fromEntries(map);
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailaddress',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'http://schemas.xmlsoap.org/claims/emailaddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'user.email',
];

/** Length-bounded first: the pattern backtracks quadratically on long dotted strings. */
const isEmail = (value: string) => value.length <= 254 && EMAIL.test(value);

function emailOf(nameId: string, attributes: Record<string, string[]>): string | null {
  if (isEmail(nameId)) return nameId;
  const byName = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of EMAIL_ATTRIBUTES) {
    const value = byName.get(name)?.find(isEmail);
    if (value) return value;
  }
  return null;
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
