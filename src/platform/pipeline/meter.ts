/** Pipeline step 4: after the response, count the request (not the console's own, not health). */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Meter } from '../meter.ts';
import { routeOf } from './route-path.ts';

/** Fastify writes `:userId`; upstream templates write `{userId}`. */
export const toUrlTemplate = (routeUrl: string) => routeUrl.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Route patterns are few and fixed: each is converted once. */
const templates = new Map<string, string>();
const templateOf = (routeUrl: string) => {
  let t = templates.get(routeUrl);
  if (t === undefined) {
    t = toUrlTemplate(routeUrl);
    templates.set(routeUrl, t);
  }
  return t;
};

export function meterStep(meter: Meter, clock: Clock) {
  return function meterResponse(request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const p = request.principal;
    const url = routeOf(request).url;
    if (!p || p.internal || !url?.startsWith('/api/v2/')) return done();
    meter.record({
      orgId: p.orgId,
      clientId: p.clientId,
      clientName: p.clientName,
      userId: p.userId,
      method: request.method,
      urlTemplate: templateOf(url),
      status: reply.statusCode,
      at: clock.now(),
    });
    done();
  };
}
