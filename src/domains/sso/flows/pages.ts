/**
 * The HTML pages of the SAML flows: the error page a person sees when a sign-in is refused, and the
 * "continue" page the ACS answers. The session cookie is SameSite=Strict and the IdP's POST to the
 * ACS is cross-site, so the ACS does not 302: its page navigates same-site (meta refresh, which the
 * CSP does not govern, plus a link), and that navigation carries the cookie.
 */
import type { FastifyReply } from 'fastify';

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}';

function page(title: string, body: string, head = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="referrer" content="no-referrer">${head}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body>${body}</body>`,
    '</html>',
    '',
  ].join('\n');
}

/** Sends HTML with a CSP that allows no script; `nonce` opens one inline script (the POST binding's auto-submit). */
export function sendHtml(reply: FastifyReply, status: number, body: string, nonce?: string) {
  const script = nonce ? ` script-src 'nonce-${nonce}';` : '';
  return reply
    .code(status)
    .header('Content-Type', 'text/html; charset=utf-8')
    .header('X-Frame-Options', 'DENY')
    .header(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'unsafe-inline';${script} form-action *; frame-ancestors 'none'`,
    )
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer')
    .send(body);
}

export function errorPage(title: string, message: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(message)}</p><p><a href="/">Back to sign-in</a></p>`,
  );
}

/** The ACS answer: a same-site navigation to `target` (a same-origin path or an allow-listed URL). */
export function continuePage(target: string): string {
  const url = escapeHtml(target);
  return page(
    'Signed in',
    `<h1>Signed in</h1><p><a id="continue" href="${url}">Continue</a></p>`,
    `<meta http-equiv="refresh" content="0;url=${url}">`,
  );
}

/** The IdP-initiated logout answer sent back with the Redirect binding needs no page; SP logout ends here without an IdP. */
export function signedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1><p><a href="/">Sign in again</a></p>');
}
