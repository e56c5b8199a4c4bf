/**
 * Identity-provider logos: SVG only, at most 25 KB, sanitized with DOMPurify over jsdom before
 * they are stored (they are shown on the login page). Scripts, event handlers, <style>, foreign
 * objects, images, <use> and every href that is not a same-document fragment are removed.
 *
 * Accepted input (upstream `logoImageData`): the SVG text, a `data:image/svg+xml;base64,` URI, or
 * bare base64 of the SVG.
 */
import createDOMPurify, { type DOMPurify } from 'dompurify';
import { JSDOM } from 'jsdom';
import { invalidValue } from '../../platform/errors/index.ts';

export const MAX_LOGO_BYTES = 25 * 1024;
const FIELD = 'logoImageData';

let purifier: DOMPurify | null = null;
function purify(): DOMPurify {
  if (purifier) return purifier;
  const { window } = new JSDOM('');
  const p = createDOMPurify(window as unknown as Parameters<typeof createDOMPurify>[0]);
  p.addHook('uponSanitizeAttribute', (_node, data) => {
    const name = data.attrName.toLowerCase();
    const value = data.attrValue.trim();
    // Only same-document references: no http(s), data:, javascript: or relative external URLs.
    if ((name === 'href' || name === 'xlink:href' || name.endsWith(':href')) && !value.startsWith('#')) data.keepAttr = false;
    if (/url\s*\(\s*['"]?(?!#)/i.test(value)) data.keepAttr = false;
    if (name.startsWith('on')) data.keepAttr = false;
  });
  purifier = p;
  return p;
}

/** The SVG text of an upload, or a 400 naming logoImageData. */
export function decodeLogo(input: string): string {
  const raw = input.trim();
  let text: string;
  const dataUri = /^data:image\/svg\+xml(;charset=[\w-]+)?(;base64)?,(.*)$/is.exec(raw);
  if (dataUri) text = dataUri[2] ? Buffer.from(dataUri[3], 'base64').toString('utf8') : decodeURIComponent(dataUri[3]);
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
  if (bytes > MAX_LOGO_BYTES) throw invalidValue(FIELD, `The logo is ${bytes} bytes; at most ${MAX_LOGO_BYTES} bytes (25 KB) are allowed.`);
  const body = text.replace(/^\uFEFF/, '').replace(/^\s*<\?xml[^>]*\?>/i, '').replace(/^\s*(<!--[\s\S]*?-->\s*)*/, '').trimStart();
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw invalidValue(FIELD, 'The logo must not contain a DOCTYPE or entity declarations.');
  if (!/^<svg[\s>]/i.test(body)) throw invalidValue(FIELD, 'The logo must be an SVG image (its root element must be <svg>).');
  const clean = purify().sanitize(body, {
    USE_PROFILES: { svg: true, svgFilters: true },
    FORBID_TAGS: ['script', 'style', 'foreignObject', 'image', 'use', 'a', 'iframe', 'object', 'embed', 'animate', 'set', 'animateTransform', 'animateMotion'],
    FORBID_ATTR: ['style'],
  });
  if (!/^<svg[\s>]/i.test(clean.trim())) throw invalidValue(FIELD, 'The logo is not a usable SVG image.');
  return clean.trim();
}
