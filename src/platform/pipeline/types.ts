import type { PermissionRequirement } from '../permissions.ts';
import type { Caller, Principal } from '../principal.ts';

/** What a route declares about itself, read by the pipeline steps. */
export interface RouteAccess {
  /** No authentication at all (token endpoint, health, console login). */
  public?: boolean;
  /** The permission the caller needs: one string, or an ANY/ALL requirement as upstream writes it. */
  permission?: string | PermissionRequirement;
  /** Which per-client limit the route counts against: `scim` for the SCIM paths, else `client`. */
  rateLimit?: 'scim';
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyRequest {
    principal: Principal | null;
    /** The principal with the request's origin; set on every authenticated request. */
    caller: Caller;
  }
}
