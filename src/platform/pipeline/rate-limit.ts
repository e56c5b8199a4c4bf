/**
 * Pipeline step 2: fair-use rate limits, after authentication (so the 429 is metered against its
 * client) and before authorization. A client-credentials token counts against its client; a
 * user token against the user on that client and the user overall; every request against its
 * organization. The console's own requests count only against the user's overall limit.
 */
import type { FastifyRequest } from 'fastify';
import type { LimitKind, RateLimits } from '../rate-limit.ts';

export function rateLimitStep(limits: RateLimits) {
  return function rateLimit(request: FastifyRequest): Promise<void> | undefined {
    const p = request.principal;
    if (!p) return undefined;
    // The console's own requests count against the person's overall limit only: an organization
    // over its limit can still be administered.
    if (p.internal) return p.userId ? limits.check([['user', p.userId]]) : undefined;
    const hits: [LimitKind, string][] = [['org', p.orgId]];
    if (p.clientCredentials || !p.userId) hits.push(['client', p.clientId]);
    else hits.push(['userClient', `${p.clientId}:${p.userId}`], ['user', p.userId]);
    return limits.check(hits);
  };
}
