/** The SCIM domain's public surface. */
export { registerScimRoutes } from './routes.ts';
export { createScimService, type ScimService } from './service.ts';
export { scimClientErrorResponse } from './client-error.ts';
