/**
 * Errors Node's HTTP parser raises before a request reaches Fastify (a request line or headers
 * over the 16 KB limit, typically an identity provider's long filter URL): on a SCIM path they
 * are answered as an RFC 7644 error, as every other SCIM error is. The raw packet is all there is
 * to tell the path by.
 */
import { scimErrorBody } from './errors.ts';

const SCIM_PATH = /^[A-Z]+ \/api\/v2\/scim(\/|\?|\s)/;

/** The raw HTTP response for a parser error on a SCIM path, or null when the request is not one. */
export function scimClientErrorResponse(err: Error & { code?: string; rawPacket?: unknown }): string | null {
  const raw = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : undefined;
  const head = raw?.subarray(0, 64).toString('latin1') ?? '';
  if (!SCIM_PATH.test(head)) return null;
  const overflow = err.code === 'HPE_HEADER_OVERFLOW';
  // A request line that does not end within the packet, or holds most of it, is a too-long URL.
  const lineEnd = raw?.indexOf('\r\n') ?? -1;
  const longUrl = overflow && (lineEnd === -1 || lineEnd > 8 * 1024);
  const status = longUrl ? 414 : overflow ? 431 : 400;
  const detail = longUrl
    ? 'The request URL is too long (at most 16 KB); filters are limited to 4,096 characters.'
    : overflow
      ? 'The request headers are too large (at most 16 KB).'
      : 'The request is not valid HTTP.';
  const filtered = longUrl && raw?.includes('filter=');
  const body = JSON.stringify(scimErrorBody(status, detail, filtered ? 'invalidFilter' : undefined));
  const reason = { 400: 'Bad Request', 414: 'URI Too Long', 431: 'Request Header Fields Too Large' }[status];
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/scim+json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
