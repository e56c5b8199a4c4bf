/** The external contacts domain: customers, their organizations and merge sets, and their personal data. */
export { createContactMergeSets, createExternalContactPersonalData } from './personal-data.ts';
export { createExternalOrganizationsService, type ExternalOrganizationsService } from './organizations.ts';
export { registerExternalContactRoutes } from './routes.ts';
export {
  AUDIT_ENTITY as EXTERNAL_CONTACT_AUDIT_ENTITY,
  AUDIT_SERVICE as EXTERNAL_CONTACTS_AUDIT_SERVICE,
  createExternalContactsService,
  type ExternalContactsService,
} from './service.ts';
