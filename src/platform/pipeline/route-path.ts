import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';

/** What the pipeline reads about the matched route: its pattern and its declared config. */
export interface RouteFacts {
  /** The registered pattern (`/api/v2/users/:userId`), or undefined when no route matched. */
  url: string | undefined;
  config: FastifyContextConfig | undefined;
}

const ROUTE = Symbol('gatehouse.route');
type WithRoute = FastifyRequest & { [ROUTE]?: RouteFacts | null };

/**
 * Declares the per-request slot as a request decorator, so Fastify sets it in the request's
 * constructor and every request keeps one shape (a property added later changes it).
 */
export function declareRouteFacts(app: FastifyInstance) {
  app.decorateRequest(ROUTE as never, null as never);
}

/**
 * The matched route's facts, read once per request: Fastify's `request.routeOptions` builds a new
 * object (and asks the router about version constraints) on every access, and the pipeline's
 * steps, the meter and the metrics asked for it about eight times per request (issue 22).
 */
export function routeOf(request: FastifyRequest): RouteFacts {
  const r = request as WithRoute;
  let facts = r[ROUTE];
  if (facts == null) {
    const o = request.routeOptions;
    facts = { url: o.url, config: o.config };
    r[ROUTE] = facts;
  }
  return facts;
}

/**
 * The path the router matched: the registered pattern (`/api/v2/users/:userId`) when a route
 * matched, else the raw URL. Guards must decide on this, not on `request.url`: the router
 * percent-decodes, so `/%61pi/v2/users` reaches the `/api/v2/users` route while its raw URL does
 * not start with `/api/`.
 */
export const routePath = (request: FastifyRequest): string => routeOf(request).url ?? request.url;
