/** Pipeline step 3: authorize. The route's declared permission against the principal's. */
import type { FastifyRequest } from 'fastify';
import { authenticationRequired, missingAnyPermissions, missingPermissions as missingError } from '../errors/index.ts';
import { missingPermissions, type PermissionRequirement } from '../permissions.ts';
import { routeOf } from './route-path.ts';

/** A route's one-permission requirement, made once per permission rather than per request. */
const single = new Map<string, PermissionRequirement>();
const requirementOf = (declared: string | PermissionRequirement): PermissionRequirement => {
  if (typeof declared !== 'string') return declared;
  let req = single.get(declared);
  if (!req) {
    req = { type: 'ALL', list: [declared] };
    single.set(declared, req);
  }
  return req;
};

/** Throws when the caller may not use the route (synchronous: it needs nothing but the principal). */
export function authorize(request: FastifyRequest): void {
  const route = routeOf(request);
  // Fail closed: a guarded route never runs without a principal, whatever happened before.
  if (!request.principal) {
    if (route.config?.public || request.is404) return;
    throw authenticationRequired();
  }
  const declared = route.config?.permission;
  if (!declared) return;
  const req = requirementOf(declared);
  const missing = missingPermissions(request.principal.permissions, req);
  if (missing.length === 0) return;
  throw req.type === 'ANY' && req.list.length > 1 ? missingAnyPermissions(missing) : missingError(missing);
}
