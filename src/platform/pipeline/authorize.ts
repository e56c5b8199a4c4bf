/** Pipeline step 3: authorize. The route's declared permission against the principal's. */
import type { FastifyRequest } from 'fastify';
import { authenticationRequired, missingAnyPermissions, missingPermissions as missingError } from '../errors/index.ts';
import { missingPermissions, type PermissionRequirement } from '../permissions.ts';

export async function authorize(request: FastifyRequest) {
  // Fail closed: a guarded route never runs without a principal, whatever happened before.
  if (!request.principal) {
    if (request.routeOptions.config?.public || request.is404) return;
    throw authenticationRequired();
  }
  const declared = request.routeOptions.config?.permission;
  if (!declared) return;
  const req: PermissionRequirement = typeof declared === 'string' ? { type: 'ALL', list: [declared] } : declared;
  const missing = missingPermissions(request.principal.permissions, req);
  if (missing.length === 0) return;
  throw req.type === 'ANY' && req.list.length > 1 ? missingAnyPermissions(missing) : missingError(missing);
}
