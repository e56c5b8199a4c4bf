/**
 * A route answering objects reused across requests (the service's cached views) serializes each
 * one once, with the route's own 200 response schema (`reply.serialize`), and sends its bytes
 * (kept encoded: nothing is converted to UTF-8 again per request).
 * One instance per route: the same object may be shaped differently by another route's schema.
 */
import type { FastifyReply } from 'fastify';

const JSON_TYPE = 'application/json; charset=utf-8';

export function serializedOnce() {
  const bodies = new WeakMap<object, Buffer>();
  return (reply: FastifyReply, payload: object) => {
    let body = bodies.get(payload);
    if (body === undefined) {
      body = Buffer.from(reply.serialize(payload) as string);
      bodies.set(payload, body);
    }
    return reply.type(JSON_TYPE).send(body);
  };
}
