/**
 * A route answering objects reused across requests (the service's cached views) serializes each
 * one once, with the route's own 200 response schema (`reply.serialize`), and sends the text.
 * One instance per route: the same object may be shaped differently by another route's schema.
 */
import type { FastifyReply } from 'fastify';

const JSON_TYPE = 'application/json; charset=utf-8';

export function serializedOnce() {
  const bodies = new WeakMap<object, string>();
  return (reply: FastifyReply, payload: object) => {
    let body = bodies.get(payload);
    if (body === undefined) {
      body = reply.serialize(payload) as string;
      bodies.set(payload, body);
    }
    return reply.type(JSON_TYPE).send(body);
  };
}
