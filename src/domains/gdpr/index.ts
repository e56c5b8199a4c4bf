/** The GDPR domain: data-subject requests run through every domain's personal data. */
export { registerGdprRoutes } from './routes.ts';
export {
  AUDIT_ENTITY as GDPR_AUDIT_ENTITY,
  AUDIT_SERVICE as GDPR_AUDIT_SERVICE,
  createGdprService,
  type GdprService,
} from './service.ts';
