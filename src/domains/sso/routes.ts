/** SSO routes: identity providers, SP metadata, the ACS and SP-initiated login (wired by the composition root). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { OAuthService } from '../oauth/index.ts';

export interface SsoDeps {
  db: unknown;
  clock: Clock;
  directory: DirectoryService;
  oauth: OAuthService;
  config: Config;
  limits: RateLimits;
}

export function registerSsoRoutes(_app: FastifyInstance, _deps: SsoDeps): void {}
