import type { FastifyRequest } from 'fastify';

/**
 * The path the router matched: the registered pattern (`/api/v2/users/:userId`) when a route
 * matched, else the raw URL. Guards must decide on this, not on `request.url`: the router
 * percent-decodes, so `/%61pi/v2/users` reaches the `/api/v2/users` route while its raw URL does
 * not start with `/api/`.
 */
export const routePath = (request: FastifyRequest): string => request.routeOptions.url ?? request.url;
