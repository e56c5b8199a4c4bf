/** The directory domain's public surface. */
import type { FastifyInstance } from 'fastify';
import { registerAuthorizationRoutes } from './authorization-routes.ts';
import { registerDivisionRoutes } from './divisions-routes.ts';
import { registerSubjectRoutes } from './subjects-routes.ts';
import type { DirectoryService } from './service.ts';
import { registerUserRoutes } from './users-routes.ts';

export { ADMIN_ROLE, createDirectoryService, type DirectoryService, EMPLOYEE_ROLE } from './service.ts';
export { ALL_PERMISSIONS, isKnownPermission } from './permission-catalogue.ts';
export type { RoleGrant } from './roles.ts';
export type { DivisionObjectType } from './divisions.ts';
export type { ClientSubjectResolver, Subject } from './subjects.ts';
export { heldIn, missingForGrants } from './escalation.ts';
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
  registerDivisionRoutes(app, deps);
  registerSubjectRoutes(app, deps);
}
