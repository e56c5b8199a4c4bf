/** EncryptedAssertion (rule 5 of response.ts): AES-CBC/GCM content, RSA-OAEP key transport, no padding oracle. */
import { constants, createDecipheriv, createPrivateKey, type KeyObject, privateDecrypt } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';
import { attr, childrenNamed, elementChildren, is, NS, optionalChild, parseXml, textOf, XML_LIMITS } from './xml.ts';

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
export function decryptAssertion(encrypted: Element, keyPem: string | undefined): Element {
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
    plaintext = decipherContent(
      algorithm.cipher,
      symmetricKey,
      Buffer.from(textOf(cipherValue).replace(/\s+/g, ''), 'base64'),
    );
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

/** The UTF-8 text of AES content: GCM (IV, ciphertext, tag) or CBC (IV, whole blocks, XML Encryption padding). */
function decipherContent(
  cipher: (typeof DATA_ALGORITHMS)[string]['cipher'],
  symmetricKey: Buffer,
  bytes: Buffer,
): string {
  let clear: Buffer;
  if (cipher.endsWith('gcm')) {
    const iv = bytes.subarray(0, 12);
    const tag = bytes.subarray(bytes.length - 16);
    const decipher = createDecipheriv(cipher as 'aes-128-gcm', symmetricKey, iv);
    decipher.setAuthTag(tag);
    clear = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  } else {
    const iv = bytes.subarray(0, 16);
    const body = bytes.subarray(16);
    if (body.length === 0 || body.length % 16 !== 0) throw new Error('ciphertext is not whole blocks');
    const decipher = createDecipheriv(cipher, symmetricKey, iv);
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(body), decipher.final()]);
    // XML Encryption padding: the last byte is the pad length (1..16); the other pad bytes are arbitrary.
    const pad = padded[padded.length - 1];
    if (pad < 1 || pad > 16) throw new Error('bad padding');
    clear = padded.subarray(0, padded.length - pad);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(clear);
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
