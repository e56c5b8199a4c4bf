/**
 * The one way SAML code in Gatehouse turns untrusted text into a DOM (`parseXml`), plus the small,
 * namespace-exact DOM helpers the rest of `saml/` reads documents with. Nothing else may call
 * `new DOMParser()` on untrusted input.
 *
 * What `parseXml` enforces, before and after xmldom sees the text:
 * - a byte-size limit (`XML_LIMITS`: 256 KB for protocol messages, 1 MB for metadata), checked before
 *   parsing so an oversized document costs nothing;
 * - no DTD at all: any `<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST` or `<!NOTATION` is refused, and
 *   the parsed tree may hold no DocumentType, Entity, EntityReference or Notation node — no
 *   billion-laughs expansion, no external entities (XXE), no entity-hidden content;
 * - no processing instructions except the XML declaration (which must declare UTF-8 if it declares
 *   an encoding);
 * - exactly one root element and nothing but comments and whitespace around it (xmldom
 *   CVE-2022-39353: several roots let a verifier and a reader look at different elements);
 * - every xmldom `warning`, `error` and `fatalError` is fatal (xmldom CVE-2022-39299 class: a
 *   lenient parse of a malformed document is a document the signer never produced);
 * - XML 1.0 line-end normalisation only (xmldom's default also rewrites U+2028/U+2029/U+0085, which
 *   would change signed text), no C0 control characters, no bare `&` (xmldom would keep it as text),
 *   a nesting limit (the canonicaliser recurses).
 *
 * All failures are `SamlError`s with codes `document.*`.
 */
import { createRequire } from 'node:module';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { SamlError } from './errors.ts';

/*
 * xmldom, and xml-crypto with xpath, are loaded on the first document parsed or signed, not at
 * start-up (together about 3 % of a cold start and 5 MB of idle memory; docs/benchmarks.md, issue 22).
 */
const require = createRequire(import.meta.url);
let xmldom: typeof import('@xmldom/xmldom') | null = null;
let xmlCryptoModule: typeof import('xml-crypto') | null = null;
const domParser = () => {
  xmldom ??= require('@xmldom/xmldom') as typeof import('@xmldom/xmldom');
  return xmldom.DOMParser;
};
/** xml-crypto (SignedXml, ExclusiveCanonicalization), loaded on first use. */
export const xmlCrypto = () => (xmlCryptoModule ??= require('xml-crypto') as typeof import('xml-crypto'));

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  ec: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

/** Byte limits per kind of document. */
export const XML_LIMITS = {
  /** A SAML protocol message (Response, AuthnRequest, LogoutRequest/Response). */
  message: 256 * 1024,
  /** An IdP metadata document (Entra ID metadata with its WS-Federation noise is ~25 KB). */
  metadata: 1024 * 1024,
} as const;

/** Deeper than any real SAML document (< 15); xml-crypto's canonicaliser recurses per level. */
const MAX_DEPTH = 64;

const NODE = {
  element: 1,
  text: 3,
  cdata: 4,
  entityReference: 5,
  entity: 6,
  processingInstruction: 7,
  comment: 8,
  documentType: 10,
  notation: 12,
} as const;

const DTD_MARKUP = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
/** An `&` that does not start a character or entity reference (xmldom silently keeps it as text). */
const BARE_AMPERSAND = /&(?![A-Za-z_][\w.-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export interface ParseXmlOptions {
  /** Refuse documents larger than this many UTF-8 bytes. */
  maxBytes: number;
  /** What the document is, for error details ('SAML response', 'IdP metadata'). */
  label?: string;
  /** Namespace bindings in scope around a fragment (e.g. a decrypted assertion); '' is the default namespace. */
  inheritedNamespaces?: Record<string, string>;
}

/** Parses untrusted XML with every rule in the file comment; throws `SamlError` ('document.*'). */
export function parseXml(xml: string, opts: ParseXmlOptions): Document {
  const label = opts.label ?? 'XML document';
  if (typeof xml !== 'string') throw new SamlError('document.malformed', `${label}: not a string`);
  if (xml.length > opts.maxBytes || Buffer.byteLength(xml, 'utf8') > opts.maxBytes) {
    throw new SamlError('document.too-large', `${label} is larger than ${opts.maxBytes} bytes`);
  }
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (DTD_MARKUP.test(text))
    throw new SamlError('document.dtd', `${label} contains a DTD declaration (DOCTYPE/ENTITY)`);
  if (CONTROL_CHARS.test(text)) throw new SamlError('document.malformed', `${label} contains control characters`);
  if (BARE_AMPERSAND.test(withoutCommentsAndCdata(text))) {
    throw new SamlError('document.malformed', `${label} contains an unescaped '&'`);
  }

  let doc: Document;
  try {
    const DOMParser = domParser();
    const parser = new DOMParser({
      locator: false,
      xmlns: opts.inheritedNamespaces ?? {},
      normalizeLineEndings: (s: string) => s.replace(/\r\n?/g, '\n'),
      onError: (level, message) => {
        throw new Error(`${level}: ${message}`);
      },
    });
    doc = parser.parseFromString(text, 'application/xml');
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    if (/only one element|extra content/i.test(reason)) {
      throw new SamlError('document.multiple-roots', `${label}: ${reason}`, { cause: e });
    }
    if (/entity/i.test(reason)) throw new SamlError('document.dtd', `${label}: ${reason}`, { cause: e });
    throw new SamlError('document.malformed', `${label} is not well-formed XML: ${reason}`, { cause: e });
  }
  checkTree(doc, label);
  return doc;
}

/** `text` without comments and CDATA sections, where a bare `&` is legal. Linear (indexOf, no backtracking regex). */
function withoutCommentsAndCdata(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const comment = text.indexOf('<!--', at);
    const cdata = text.indexOf('<![CDATA[', at);
    if (comment < 0 && cdata < 0) return out + text.slice(at);
    const isComment = cdata < 0 || (comment >= 0 && comment < cdata);
    const start = isComment ? comment : cdata;
    const end = text.indexOf(isComment ? '-->' : ']]>', start + (isComment ? 4 : 9));
    out += text.slice(at, start);
    if (end < 0) return out; // unterminated: the parser refuses the document anyway
    at = end + 3;
  }
}

function checkTree(doc: Document, label: string) {
  if (doc.doctype) throw new SamlError('document.dtd', `${label} has a DOCTYPE`);
  let roots = 0;
  const top = Array.from(doc.childNodes);
  top.forEach((node, index) => {
    switch (node.nodeType) {
      case NODE.element:
        roots++;
        break;
      case NODE.comment:
        break;
      case NODE.text:
        if ((node.nodeValue ?? '').trim() !== '')
          throw new SamlError('document.multiple-roots', `${label} has text outside its root`);
        break;
      case NODE.processingInstruction:
        if (index !== 0 || node.nodeName !== 'xml') {
          throw new SamlError(
            'document.processing-instruction',
            `${label} has a processing instruction <?${node.nodeName}?>`,
          );
        }
        checkDeclaration(node.nodeValue ?? '', label);
        break;
      case NODE.documentType:
      case NODE.entity:
      case NODE.entityReference:
      case NODE.notation:
        throw new SamlError('document.dtd', `${label} has DTD content (node type ${node.nodeType})`);
      default:
        throw new SamlError(
          'document.malformed',
          `${label} has an unexpected node of type ${node.nodeType} at top level`,
        );
    }
  });
  if (roots !== 1 || !doc.documentElement)
    throw new SamlError('document.multiple-roots', `${label} has ${roots} root elements`);

  // Iterative walk: no recursion on attacker-controlled depth.
  const stack: Array<{ node: Node; depth: number }> = [{ node: doc.documentElement, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > MAX_DEPTH)
      throw new SamlError('document.malformed', `${label} is nested deeper than ${MAX_DEPTH} levels`);
    switch (node.nodeType) {
      case NODE.element:
        for (const child of Array.from(node.childNodes)) stack.push({ node: child, depth: depth + 1 });
        break;
      case NODE.text:
      case NODE.cdata:
      case NODE.comment:
        break;
      case NODE.processingInstruction:
        throw new SamlError(
          'document.processing-instruction',
          `${label} has a processing instruction <?${node.nodeName}?>`,
        );
      case NODE.entityReference:
      case NODE.entity:
      case NODE.documentType:
      case NODE.notation:
        throw new SamlError('document.dtd', `${label} has DTD content (node type ${node.nodeType})`);
      default:
        throw new SamlError('document.malformed', `${label} has an unexpected node of type ${node.nodeType}`);
    }
  }
}

function checkDeclaration(data: string, label: string) {
  const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(data)?.[1];
  if (encoding !== undefined && !/^(utf-?8|us-ascii)$/i.test(encoding)) {
    throw new SamlError('document.malformed', `${label} declares encoding "${encoding}"; only UTF-8 is accepted`);
  }
}

/**
 * Strict base64 (RFC 4648 §4 alphabet, padding required, line breaks tolerated) decoded as fatal
 * UTF-8 text. `maxBytes` bounds the decoded size, checked before decoding.
 */
export function decodeBase64Text(value: string, maxBytes: number, label: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new SamlError('document.malformed', `${label} is empty`);
  if (value.length > Math.ceil(maxBytes / 3) * 4 * 1.1 + 1024) {
    throw new SamlError('document.too-large', `${label} is larger than ${maxBytes} bytes`);
  }
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new SamlError('document.malformed', `${label} is not valid base64`);
  }
  if ((compact.length / 4) * 3 > maxBytes + 2)
    throw new SamlError('document.too-large', `${label} is larger than ${maxBytes} bytes`);
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) throw new SamlError('document.too-large', `${label} is larger than ${maxBytes} bytes`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new SamlError('document.malformed', `${label} is not UTF-8 text`, { cause: e });
  }
}

// ---------------------------------------------------------------------------------------------
// Namespace-exact DOM helpers. They match on (namespaceURI, localName), never on prefixes or on
// local-name() alone, so an element from another namespace is never mistaken for a SAML one.

/** The code a structural helper throws with: protocol messages vs metadata. */
type SimpleCode = 'document.malformed' | 'metadata.invalid';

export const isElement = (node: Node | null | undefined): node is Element => node?.nodeType === NODE.element;

export const is = (el: Element | null | undefined, ns: string, localName: string): boolean =>
  !!el && el.namespaceURI === ns && el.localName === localName;

/** Element children, in document order. */
export const elementChildren = (el: Element | Document): Element[] => Array.from(el.childNodes).filter(isElement);

/** Element children named {ns}localName. */
export const childrenNamed = (el: Element, ns: string, localName: string): Element[] =>
  elementChildren(el).filter((c) => is(c, ns, localName));

/** The single child named {ns}localName, null when absent; `SamlError` when repeated. */
export function optionalChild(
  el: Element,
  ns: string,
  localName: string,
  code: SimpleCode = 'document.malformed',
): Element | null {
  const found = childrenNamed(el, ns, localName);
  if (found.length > 1)
    throw new SamlError(code, `<${el.localName}> has ${found.length} <${localName}> children; at most one is allowed`);
  return found[0] ?? null;
}

/** All descendants (not `root` itself) named {ns}localName, in document order. Iterative. */
export function descendantsNamed(root: Element | Document, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  const stack: Node[] = Array.from(root.childNodes).reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    if (is(node, ns, localName)) found.push(node);
    const kids = Array.from(node.childNodes);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return found;
}

/** Every element of the subtree rooted at `root`, `root` included. Iterative. */
export function allElements(root: Element): Element[] {
  const found: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!isElement(node)) continue;
    found.push(node);
    const kids = Array.from(node.childNodes);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return found;
}

/**
 * The element's character content: all its Text and CDATA children concatenated, comments skipped.
 * `<NameID>admin@example.com<!---->.evil.com</NameID>` reads as `admin@example.com.evil.com` — the
 * same string exclusive c14n hashed (CVE-2017-11427 class: never read only the first text node).
 * Returns null when the element has element children (it is not a simple value).
 */
export function simpleText(el: Element): string | null {
  let text = '';
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === NODE.text || child.nodeType === NODE.cdata) text += child.nodeValue ?? '';
    else if (child.nodeType === NODE.element) return null;
  }
  return text;
}

/** `simpleText`, trimmed; `SamlError` when the element has element children. */
export function textOf(el: Element, code: SimpleCode = 'document.malformed'): string {
  const text = simpleText(el);
  if (text === null) throw new SamlError(code, `<${el.localName}> must contain text only`);
  return text.trim();
}

/** An attribute without namespace; null when absent (xmldom returns '' or null depending on version). */
export const attr = (el: Element, name: string): string | null =>
  el.hasAttribute(name) ? el.getAttribute(name) : null;

/** Escapes text for element content and double-quoted attribute values. */
export const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** A PEM certificate's base64 body, or a bare base64 DER, as one line of base64. */
export const pemBody = (pemOrBase64: string): string =>
  pemOrBase64.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
