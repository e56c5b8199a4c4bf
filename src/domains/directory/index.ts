/** The directory domain's public surface. */
import type { FastifyInstance } from 'fastify';
import { registerAuthorizationRoutes } from './authorization-routes.ts';
import type { DirectoryService } from './service.ts';
import { registerUserRoutes } from './users-routes.ts';

export { ADMIN_ROLE, createDirectoryService, type DirectoryService, EMPLOYEE_ROLE } from './service.ts';
export { ALL_PERMISSIONS, isKnownPermission } from './permission-catalogue.ts';
export type { RoleGrant } from './roles.ts';
export { deletedEmailKey } from './users.ts';
export {
  ANONYMIZED_NAME,
  anonymizedEmail,
  type DirectoryPersonalData,
  type UserDataExtension,
  type UserIdentifiers,
} from './personal-data.ts';

export function registerDirectoryRoutes(app: FastifyInstance, deps: { directory: DirectoryService }) {
  registerUserRoutes(app, deps);
  registerAuthorizationRoutes(app, deps);
}
