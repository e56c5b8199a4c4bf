/**
 * The request pipeline, in order: correlation id → authenticate → rate limit → authorize →
 * handler → meter. Each step is one named function in one file.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { Meter } from '../meter.ts';
import { authenticateStep, type TokenResolver } from './authenticate.ts';
import { authorize } from './authorize.ts';
import { installErrorHandling } from './errors.ts';
import { refuseNulStep } from './input-guard.ts';
import { meterStep } from './meter.ts';
import { rateLimitStep } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';
import { declareRouteFacts, routePath } from './route-path.ts';
import type { RateLimits } from '../rate-limit.ts';
import './types.ts';

const NO_CACHE = 'no-cache, no-store, must-revalidate';

export interface PipelineDeps {
  tokens: TokenResolver;
  meter: Meter;
  clock: Clock;
  bodyLimit: number;
  limits: RateLimits;
  /** Send Strict-Transport-Security (the public URL is https). */
  hsts?: boolean;
}

export function registerPipeline(app: FastifyInstance, deps: PipelineDeps) {
  app.decorateRequest('principal', null);
  app.decorateRequest('caller', null as never);
  declareRouteFacts(app);
  installErrorHandling(app, deps.bodyLimit);
  const authenticate = authenticateStep(deps.tokens);
  const rateLimit = rateLimitStep(deps.limits);
  const headers = securityHeaders({ hsts: deps.hsts ?? false });
  // One callback-style hook runs the steps in order: on the hot paths (the token endpoint,
  // cached bearer tokens) this costs less than one async hook per step. Each step answers
  // synchronously when it can (a cached token, in-process counters), so a cached bearer token
  // with in-process rate limits passes without a promise.
  const afterAuthentication = (request: FastifyRequest) => {
    const limited = rateLimit(request);
    if (limited) return limited.then(() => authorize(request));
    authorize(request);
    return undefined;
  };
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('ININ-Correlation-Id', String(request.id));
    const path = routePath(request);
    headers(reply, path);
    if (!path.startsWith('/api/')) {
      if (path.startsWith('/oauth/')) reply.header('Cache-Control', NO_CACHE);
      return done();
    }
    reply.header('Cache-Control', NO_CACHE);
    let pending: Promise<unknown> | undefined;
    try {
      pending = authenticate(request, reply);
      if (pending) pending = pending.then(() => afterAuthentication(request));
      else pending = afterAuthentication(request);
    } catch (err) {
      return done(err as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
  app.addHook('preValidation', refuseNulStep);
  app.addHook('onResponse', meterStep(deps.meter, deps.clock));
}

export { SESSION_COOKIE, type TokenResolver } from './authenticate.ts';
export { frameworkErrorHandler } from './errors.ts';
export { toUrlTemplate } from './meter.ts';
