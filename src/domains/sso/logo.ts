/**
 * Identity-provider logos: SVG only, at most 25 KB, sanitized with DOMPurify over jsdom before
 * they are stored (they are shown on the login page). Scripts, event handlers, <style>, foreign
 * objects, images, <use> and every href that is not a same-document fragment are removed. The
 * result is serialized as XML and must parse as well-formed XML (it is served as image/svg+xml).
 *
 * Accepted input (upstream `logoImageData`): the SVG text, a `data:image/svg+xml;base64,` URI, or
 * bare base64 of the SVG.
 */
import { createRequire } from 'node:module';
import type { DOMPurify } from 'dompurify';
import type { JSDOM } from 'jsdom';
import { invalidValue } from '../../platform/errors/index.ts';
import { isSamlError } from './saml/errors.ts';
import { parseXml } from './saml/xml.ts';

export const MAX_LOGO_BYTES = 25 * 1024;
const FIELD = 'logoImageData';

const SVG_NS = 'http://www.w3.org/2000/svg';

let purifier: DOMPurify | null = null;
let jsdomWindow: JSDOM['window'] | null = null;
// jsdom, and DOMPurify with it, are loaded on the first logo, not at start-up: jsdom is the largest
// module the server uses (about 1 s and 55 MB of a cold start; docs/benchmarks.md, issue 22).
const require = createRequire(import.meta.url);
const purifierWindow = () => {
  jsdomWindow ??= new (require('jsdom') as typeof import('jsdom')).JSDOM('').window;
  return jsdomWindow;
};
function purify(): DOMPurify {
  if (purifier) return purifier;
  const createDOMPurify = require('dompurify') as typeof import('dompurify').default;
  const p = createDOMPurify(purifierWindow() as unknown as Parameters<typeof createDOMPurify>[0]);
  p.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    const value = data.attrValue.trim();
    // Only same-document references: no http(s), data:, javascript: or relative external URLs.
    if ((name === 'href' || name === 'xlink:href' || name.endsWith(':href')) && !value.startsWith('#'))
      data.keepAttr = false;
    if (/url\s*\(\s*['"]?(?!#)/i.test(value)) data.keepAttr = false;
    if (name.startsWith('on')) data.keepAttr = false;
  });
  purifier = p;
  return p;
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw invalidValue(FIELD, 'The logo data URI is not validly percent-encoded.');
  }
}

/** The SVG text of an upload, or a 400 naming logoImageData. */
export function decodeLogo(input: string): string {
  const raw = input.trim();
  let text: string;
  const dataUri = /^data:image\/svg\+xml(;charset=[\w-]+)?(;base64)?,(.*)$/is.exec(raw);
  if (dataUri) text = dataUri[2] ? Buffer.from(dataUri[3], 'base64').toString('utf8') : percentDecoded(dataUri[3]);
  else if (raw.startsWith('<')) text = raw;
  else if (/^data:/i.test(raw)) throw invalidValue(FIELD, 'The logo must be an SVG image (image/svg+xml).');
  else if (/^[A-Za-z0-9+/=\s]+$/.test(raw)) text = Buffer.from(raw, 'base64').toString('utf8');
  else throw invalidValue(FIELD, 'The logo must be an SVG image, as SVG text or base64.');
  return text;
}

/** Sanitized SVG for an uploaded logo; 400 when it is not SVG or larger than 25 KB. */
export function sanitizeLogo(input: string): string {
  const text = decodeLogo(input);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_LOGO_BYTES)
    throw invalidValue(FIELD, `The logo is ${bytes} bytes; at most ${MAX_LOGO_BYTES} bytes (25 KB) are allowed.`);
  const body = text
    .replace(/^\uFEFF/, '')
    .replace(/^\s*<\?xml[^>]*\?>/i, '')
    .replace(/^\s*(<!--[\s\S]*?-->\s*)*/, '')
    .trimStart();
  if (/<!DOCTYPE|<!ENTITY/i.test(body))
    throw invalidValue(FIELD, 'The logo must not contain a DOCTYPE or entity declarations.');
  if (!/^<svg[\s>]/i.test(body))
    throw invalidValue(FIELD, 'The logo must be an SVG image (its root element must be <svg>).');
  const fragment = purify().sanitize(body, {
    USE_PROFILES: { svg: true, svgFilters: true },
    FORBID_TAGS: [
      'script',
      'style',
      'foreignObject',
      'image',
      'use',
      'a',
      'iframe',
      'object',
      'embed',
      'animate',
      'set',
      'animateTransform',
      'animateMotion',
    ],
    FORBID_ATTR: ['style'],
    RETURN_DOM_FRAGMENT: true,
  });
  const root = fragment.firstElementChild;
  if (root?.localName !== 'svg' || root.namespaceURI !== SVG_NS)
    throw invalidValue(FIELD, 'The logo is not a usable SVG image.');
  // DOMPurify parses as HTML; the stored logo is served as image/svg+xml, so it is serialized as
  // XML (e.g. &nbsp; becomes the character itself) and must then parse as well-formed XML.
  const xml = new (purifierWindow().XMLSerializer)().serializeToString(root).trim();
  try {
    parseXml(xml, { maxBytes: 4 * MAX_LOGO_BYTES, label: 'The sanitized logo' });
  } catch (e) {
    if (isSamlError(e)) throw invalidValue(FIELD, 'The logo is not a usable SVG image (it is not well-formed XML).');
    throw e;
  }
  return xml;
}
