/**
 * The independent verifier of the SAML differential test: Debian's xmlsec1 (libxmlsec1 over
 * libxml2 and OpenSSL), run the way a careful SP runs it (pysaml2 does much the same):
 *
 * - only the configured certificate verifies (`--pubkey-cert-pem`); keys and certificates in
 *   the document's KeyInfo are not read (`--enabled-key-data key-name`);
 * - references only to the same document (`--enabled-reference-uris empty,same-doc`); external
 *   entities are never loaded (xmlsec1's default);
 * - `ID` is the id attribute of Response and Assertion (`--id-attr:ID`).
 *
 * xmlsec1 judges one signature and prints what it covered (`--store-references --print-debug`:
 * the canonical bytes the digest was taken over). The verdict then asks what XML signature alone
 * cannot: is the signed element the one a SAML reader reads (the root Response, or its first
 * Assertion, by ID), and is the NameID it reads there the NameID that was signed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DOMParser, type Element } from '@xmldom/xmldom';

const run = promisify(execFile);
export const XMLSEC1 = '/usr/bin/xmlsec1';
export const xmlsec1Available = () => existsSync(XMLSEC1);

const NS_SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface IndependentVerdict {
  accepted: boolean;
  /** Why it refused, or the NameID it read when it accepted. */
  detail: string;
  nameId?: string;
}

const elementChildren = (el: Element) =>
  Array.from(el.childNodes).filter((n): n is Element => n.nodeType === 1) as Element[];

/** The text of an element as a SAML reader must read it: every text node, comments skipped. */
function fullText(el: Element): string {
  let out = '';
  for (const n of Array.from(el.childNodes)) {
    if (n.nodeType === 3 || n.nodeType === 4) out += n.nodeValue;
    else if (n.nodeType === 1) out += fullText(n as Element);
  }
  return out;
}

const firstNameId = (el: Element) => {
  const found = el.getElementsByTagNameNS(NS_SAML, 'NameID')[0];
  return found ? fullText(found) : null;
};

/** The first reference's pre-digest buffer (the signed, canonical element) in xmlsec1's debug output. */
function signedBytes(output: string): string | null {
  const start = output.indexOf('== PreDigest data - start buffer:\n');
  const end = output.indexOf('\n== PreDigest data - end buffer', start);
  return start < 0 || end < 0 ? null : output.slice(start + '== PreDigest data - start buffer:\n'.length, end);
}

export async function xmlsec1Verdict(xml: string, certificatePem: string): Promise<IndependentVerdict> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-xmlsec1-'));
  try {
    writeFileSync(join(dir, 'response.xml'), xml);
    writeFileSync(join(dir, 'idp.crt'), certificatePem);
    const args = [
      '--verify',
      '--pubkey-cert-pem',
      join(dir, 'idp.crt'),
      '--enabled-key-data',
      'key-name',
      '--enabled-reference-uris',
      'empty,same-doc',
      '--id-attr:ID',
      `${NS_SAMLP}:Response`,
      '--id-attr:ID',
      `${NS_SAML}:Assertion`,
      '--store-references',
      '--print-debug',
      join(dir, 'response.xml'),
    ];
    let output: string;
    try {
      const res = await run(XMLSEC1, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
      output = `${res.stdout}\n${res.stderr}`;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      const why = `${err.stderr ?? ''}`.split('\n').find((l) => /error|fail/i.test(l)) ?? 'verification failed';
      return { accepted: false, detail: `xmlsec1: ${why.slice(0, 300)}` };
    }
    if (!/^OK$/m.test(output)) return { accepted: false, detail: 'xmlsec1: no OK' };

    const signed = signedBytes(output);
    if (!signed) return { accepted: false, detail: 'xmlsec1 printed no signed element' };
    const signedRoot = new DOMParser().parseFromString(signed, 'application/xml').documentElement!;
    const doc = new DOMParser({ onError: () => {} }).parseFromString(xml, 'application/xml');
    const root = doc.documentElement;
    if (!root || root.namespaceURI !== NS_SAMLP || root.localName !== 'Response')
      return { accepted: false, detail: 'the document is not a samlp:Response' };
    const assertion = elementChildren(root).find((e) => e.namespaceURI === NS_SAML && e.localName === 'Assertion');
    if (!assertion) return { accepted: false, detail: 'no Assertion at the reader position' };

    const signedId = signedRoot.getAttribute('ID');
    const coversReader =
      (signedRoot.localName === 'Response' && signedId === root.getAttribute('ID')) ||
      (signedRoot.localName === 'Assertion' && signedId === assertion.getAttribute('ID'));
    if (!coversReader)
      return {
        accepted: false,
        detail: `the signed ${signedRoot.localName} ${signedId} is not the one a reader reads`,
      };
    const read = firstNameId(assertion);
    const covered = firstNameId(signedRoot);
    if (read === null || read !== covered)
      return { accepted: false, detail: `the NameID read (${read}) is not the one signed (${covered})` };
    return { accepted: true, detail: read, nameId: read };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
