import { describe, expect, it } from 'vitest';
import { decodeBase64Text, NS, parseXml, simpleText, textOf, XML_LIMITS } from '../../src/domains/sso/saml/xml.ts';
import { expectSamlThrow } from './fixtures.ts';

const parse = (xml: string, maxBytes: number = XML_LIMITS.message) =>
  parseXml(xml, { maxBytes, label: 'test document' });

describe('parseXml — the one safe XML entry point', () => {
  it('parses a namespaced document with an XML declaration, comments and CDATA', () => {
    const body = `<a:r xmlns:a="${NS.saml}"><a:x><![CDATA[1 < 2 & 3]]></a:x></a:r>`;
    const doc = parse(`<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->${body}<!-- after -->`);
    expect(doc.documentElement!.localName).toBe('r');
    expect(doc.documentElement!.namespaceURI).toBe(NS.saml);
  });

  it('refuses DOCTYPE and every DTD declaration, in any case', () => {
    for (const xml of [
      '<!DOCTYPE r><r/>',
      '<!doctype r><r/>',
      '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>',
      '<!DOCTYPE r SYSTEM "http://evil.example.com/x.dtd"><r/>',
      '<r><!ENTITY e "x"></r>',
      '<r><!ATTLIST r a CDATA "x"></r>',
    ]) {
      expectSamlThrow(() => parse(xml), 'document.dtd');
    }
  });

  it('refuses entity references that no DTD defines', () => {
    expectSamlThrow(() => parse('<r>&nbsp;</r>'), 'document.dtd');
    expect(parse('<r>&lt;&amp;&#65;&#x42;</r>').documentElement!.textContent).toBe('<&AB');
  });

  it('refuses processing instructions, except the XML declaration at the very start', () => {
    expectSamlThrow(() => parse('<?xml-stylesheet href="a.xsl"?><r/>'), 'document.processing-instruction');
    expectSamlThrow(() => parse('<r><?php echo 1; ?></r>'), 'document.processing-instruction');
    expectSamlThrow(() => parse('<r/><?pi after?>'), 'document.processing-instruction');
    expectSamlThrow(() => parse(' <?xml version="1.0"?><r/>'), 'document.malformed');
  });

  it('refuses several roots and trailing content', () => {
    expectSamlThrow(() => parse('<r/><r/>'), 'document.multiple-roots');
    expectSamlThrow(() => parse('<r/>text'), 'document.multiple-roots');
    expectSamlThrow(() => parse(''), 'document.malformed');
  });

  it('treats xmldom warnings and errors as fatal', () => {
    expectSamlThrow(() => parse('<r a=b/>'), 'document.malformed'); // a warning in xmldom
    expectSamlThrow(() => parse('<r a="1"b="2"/>'), 'document.malformed'); // a warning in xmldom
    expectSamlThrow(() => parse('<r><x></r>'), 'document.malformed');
    expectSamlThrow(() => parse('<r><p:x/></r>'), 'document.malformed'); // unbound prefix
    expectSamlThrow(() => parse('<r a="1" a="2"/>'), 'document.malformed');
  });

  it('refuses a bare ampersand (xmldom would keep it), but not inside CDATA or comments', () => {
    expectSamlThrow(() => parse('<r>a & b</r>'), 'document.malformed');
    expect(parse('<r><![CDATA[a & b]]><!-- & --></r>').documentElement!.textContent).toBe('a & b');
  });

  it('refuses control characters and encodings other than UTF-8', () => {
    expectSamlThrow(() => parse('<r>\u0001</r>'), 'document.malformed');
    expectSamlThrow(() => parse('<?xml version="1.0" encoding="ISO-8859-1"?><r/>'), 'document.malformed');
    expect(parse('<?xml version="1.0" encoding="utf-8"?><r/>').documentElement!.localName).toBe('r');
  });

  it('enforces the byte limit on UTF-8 bytes, before parsing', () => {
    expectSamlThrow(() => parse(`<r>${'x'.repeat(1000)}</r>`, 1000), 'document.too-large');
    expectSamlThrow(() => parse(`<r>${'é'.repeat(400)}</r>`, 800), 'document.too-large'); // 807 bytes, 407 chars
    expect(XML_LIMITS).toEqual({ message: 256 * 1024, metadata: 1024 * 1024 });
  });

  it('refuses documents nested deeper than 64 levels', () => {
    expect(parse(`${'<a>'.repeat(64)}${'</a>'.repeat(64)}`).documentElement).toBeTruthy();
    expectSamlThrow(() => parse(`${'<a>'.repeat(65)}${'</a>'.repeat(65)}`), 'document.malformed');
  });

  it('runs its pre-parse scans in linear time (no regex backtracking on unterminated comments or CDATA)', () => {
    const started = performance.now();
    expectSamlThrow(() => parse(`<r>${'<!--'.repeat(60_000)}</r>`, XML_LIMITS.metadata), 'document.malformed');
    expectSamlThrow(() => parse(`<r>${'<![CDATA['.repeat(30_000)}</r>`, XML_LIMITS.metadata), 'document.malformed');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('normalises only XML 1.0 line ends (U+2028 is text, not a line break)', () => {
    const doc = parse('<r>a\r\nb\rc\u2028d</r>');
    expect(doc.documentElement!.textContent).toBe('a\nb\nc\u2028d');
  });
});

describe('simpleText / textOf', () => {
  it('concatenates all text and CDATA children, skipping comments (CVE-2017-11427 class)', () => {
    const el = parse('<n>admin@example.com<!---->.evil.com<![CDATA[!]]></n>').documentElement!;
    expect(simpleText(el)).toBe('admin@example.com.evil.com!');
    expect(textOf(parse('<n>\n  alice\n</n>').documentElement!)).toBe('alice');
  });

  it('refuses element content where a simple value is expected', () => {
    const el = parse('<n>a<b/>c</n>').documentElement!;
    expect(simpleText(el)).toBeNull();
    expectSamlThrow(() => textOf(el), 'document.malformed');
  });
});

describe('decodeBase64Text', () => {
  it('decodes strict base64 with line breaks into UTF-8 text', () => {
    const b64 = Buffer.from('<r>é</r>').toString('base64');
    expect(decodeBase64Text(`${b64.slice(0, 4)}\r\n${b64.slice(4)}`, 1000, 'x')).toBe('<r>é</r>');
  });

  it('refuses non-base64, unpadded and URL-safe input, empty input and invalid UTF-8', () => {
    expectSamlThrow(() => decodeBase64Text('PHI+*', 1000, 'x'), 'document.malformed');
    expectSamlThrow(() => decodeBase64Text('PHI', 1000, 'x'), 'document.malformed');
    expectSamlThrow(() => decodeBase64Text('PHI-_w==', 1000, 'x'), 'document.malformed');
    expectSamlThrow(() => decodeBase64Text('', 1000, 'x'), 'document.malformed');
    expectSamlThrow(
      () => decodeBase64Text(Buffer.from([0xc3, 0x28, 0x41, 0x41]).toString('base64'), 1000, 'x'),
      'document.malformed',
    );
  });

  it('refuses input that decodes to more than the limit', () => {
    expectSamlThrow(() => decodeBase64Text(Buffer.alloc(2000, 65).toString('base64'), 1000, 'x'), 'document.too-large');
  });
});
