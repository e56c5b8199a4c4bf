/**
 * The headers every answer carries: no framing (clickjacking), no sniffing, a Referrer-Policy
 * that keeps URLs (codes, states) from other sites, HSTS when the public URL is https, and the
 * console's strict Content-Security-Policy: scripts only from Gatehouse itself, so an injected
 * script cannot run (the console is built by Vite with no inline script).
 */
import type { FastifyReply } from 'fastify';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths served by routes that set their own page policy (login and consent pages, SAML posts) or none (JSON). */
const NOT_CONSOLE = /^\/(api|oauth|saml|console\/api|health|metrics|\.well-known)(\/|$)/;

export function securityHeaders(o: { hsts: boolean }) {
  return (reply: FastifyReply, path: string) => {
    reply.header('X-Frame-Options', 'DENY');
    reply.header('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: browsers then send `Origin: null` on the login form's own POST.
    reply.header('Referrer-Policy', 'same-origin');
    reply.header('Content-Security-Policy', NOT_CONSOLE.test(path) ? "frame-ancestors 'none'" : CONSOLE_CSP);
    if (o.hsts) reply.header('Strict-Transport-Security', 'max-age=31536000');
  };
}
