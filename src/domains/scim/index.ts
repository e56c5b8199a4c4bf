/** The SCIM domain: /api/v2/scim/v2/ (RFC 7643/7644) over the directory's users and groups. */
export { registerScimRoutes, type ScimDeps } from './routes.ts';
