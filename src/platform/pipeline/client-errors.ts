/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers or URL over 16 KB, bad
 * HTTP, a request timeout). A domain whose paths answer in their own error form (SCIM) gives an
 * answerer that recognises its requests by the raw packet; everything else gets an upstream
 * ErrorBody instead of Fastify's own shape.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { parserError, toErrorBody } from '../errors/index.ts';
import { newId } from '../ids.ts';

/** Node hands the bytes read so far as `rawPacket` (a Buffer; Fastify's types say otherwise). */
export type ClientError = Error & { code?: string; rawPacket?: unknown };
/** A whole raw HTTP response for this error, or null when the request is not the answerer's. */
export type ClientErrorAnswerer = (err: ClientError) => string | null;

function upstreamAnswer(err: ClientError): string {
  const error = parserError(err.code);
  const body = JSON.stringify(toErrorBody(error, newId()));
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function createClientErrorHandler(answerers: ClientErrorAnswerer[]) {
  return (err: ClientError, socket: Socket) => {
    // A reset connection has nothing to answer to.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) {
      const answer = answerers.map((a) => a(err)).find((a) => a !== null) ?? upstreamAnswer(err);
      socket.end(answer);
    }
    socket.destroy();
  };
}
