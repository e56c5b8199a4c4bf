/**
 * Enveloped XML signatures (rule 3 of response.ts): one Reference to the Signature's own parent,
 * enveloped + exclusive c14n, SHA-256 or better, verified with the configured, currently valid
 * certificates only; the canonical bytes that verified are what the caller reads (rule 4).
 * docs/decisions/0009 says why this is Gatehouse's own code.
 */
import { createHash, verify as cryptoVerify, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { Element, Node } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import { parseCertificate } from './metadata.ts';
import { attr, elementChildren, is, NS, parseXml, textOf, XML_LIMITS, xmlCrypto } from './xml.ts';

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

export interface TrustedKey {
  key: KeyObject;
  subject: string;
}

/** Configured certificates that are valid now (not expired, not before notBefore); KeyInfo in the document is never consulted (CVE-2024-32962). */
export function trustedKeys(certificates: string[], now: Date): TrustedKey[] {
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
export function verifyEnvelopedSignature(
  target: Element,
  signature: Element,
  keys: TrustedKey[],
  what: string,
): string {
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
    const { ExclusiveCanonicalization } = xmlCrypto();
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

export function strictBase64(value: string, what: string): Buffer {
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
export function reparse(canonical: string, label: string): Element {
  return parseXml(canonical, { maxBytes: XML_LIMITS.message * 4, label }).documentElement!;
}
