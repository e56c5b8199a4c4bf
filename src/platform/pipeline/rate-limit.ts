/**
 * Pipeline step 2: fair-use rate limits, after authentication (so the 429 is metered against its
 * client) and before authorization. A client-credentials token counts against its client; a
 * user token against the user on that client and the user overall; every request against its
 * organization. On the SCIM paths a client counts against its SCIM limit instead (its own, set on
 * the client, or the server's). The console's own requests count only against the user's overall limit.
 */
import type { FastifyRequest } from 'fastify';
import type { LimitHit, RateLimits } from '../rate-limit.ts';
import { routeOf } from './route-path.ts';

export function rateLimitStep(limits: RateLimits) {
  return function rateLimit(request: FastifyRequest): Promise<void> | undefined {
    const p = request.principal;
    if (!p) return undefined;
    // The console's own requests count against the person's overall limit only: an organization
    // over its limit can still be administered.
    if (p.internal) return p.userId ? limits.check([['user', p.userId]]) : undefined;
    const hits: LimitHit[] = [['org', p.orgId]];
    // An identity provider's SCIM client counts against its own (higher) limit on the SCIM paths.
    if (routeOf(request).config?.rateLimit === 'scim') hits.push(['scim', p.clientId, p.scimRateLimit ?? undefined]);
    else if (p.clientCredentials || !p.userId) hits.push(['client', p.clientId]);
    else hits.push(['userClient', `${p.clientId}:${p.userId}`], ['user', p.userId]);
    return limits.check(hits);
  };
}
