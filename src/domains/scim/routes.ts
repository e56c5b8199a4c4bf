/** SCIM 2.0 routes under /api/v2/scim/v2/ (wired by the composition root). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DirectoryService } from '../directory/index.ts';
import type { OAuthService } from '../oauth/index.ts';

export interface ScimDeps {
  db: unknown;
  clock: Clock;
  directory: DirectoryService;
  oauth: OAuthService;
  config: Config;
}

export function registerScimRoutes(_app: FastifyInstance, _deps: ScimDeps): void {}
