/**
 * /api/v2/externalcontacts: contacts (CRUD, `q` search, merge) and external organizations, with
 * upstream's permissions (either the externalContacts or the older relate permission).
 */
import type { FastifyInstance } from 'fastify';
import { parsePage } from '../../platform/paging.ts';
import type { ExternalOrganizationsService } from './organizations.ts';
import {
  ContactListing,
  ContactParams,
  ContactQuery,
  ContactsQuery,
  ExternalContact,
  ExternalContactBody,
  ExternalContactsPatchRequest,
  type ExternalContactInput,
  ExternalOrganization,
  ExternalOrganizationBody,
  type ExternalOrganizationInput,
  ExternalOrganizationListing,
  MergeContactsRequest,
  type MergeContactsInput,
  MergeRequest,
  OrganizationParams,
  OrganizationsQuery,
} from './schemas.ts';
import type { PatchChange } from './patch.ts';
import { type ExternalContactsService, expandOf } from './service.ts';

const ANY = (...list: string[]) => ({ type: 'ANY' as const, list });
const contact = (action: string) => ANY(`relate:contact:${action}`, `externalContacts:contact:${action}`);
const organization = (action: string) =>
  ANY(`externalContacts:externalOrganization:${action}`, `relate:externalOrganization:${action}`);
/** Upstream's default page size for contact listings. */
const CONTACT_PAGE = 20;

type Paging = { pageSize?: number; pageNumber?: number; q?: string };
type ContactsPaging = Paging & { sortOrder?: string; expand?: string[]; divisionIds?: string[] };
type ContactId = { Params: { contactId: string } };
type OrgId = { Params: { externalOrganizationId: string } };

export function registerExternalContactRoutes(
  app: FastifyInstance,
  { contacts, organizations }: { contacts: ExternalContactsService; organizations: ExternalOrganizationsService },
) {
  const base = '/api/v2/externalcontacts/contacts';
  app.get<{ Querystring: ContactsPaging }>(
    base,
    {
      schema: { querystring: ContactsQuery, response: { 200: ContactListing } },
      config: { permission: contact('view') },
    },
    async (request) => contacts.list(request.caller, parsePage(request.query, CONTACT_PAGE), request.query),
  );
  app.post<{ Body: ExternalContactInput }>(
    base,
    {
      schema: { body: ExternalContactBody, response: { 200: ExternalContact } },
      config: { permission: contact('add') },
    },
    async (request) => contacts.create(request.caller, request.body),
  );
  // Before /:contactId, so that "merge" is never taken for an id.
  app.post<{ Body: MergeContactsInput }>(
    `${base}/merge`,
    {
      schema: { body: MergeContactsRequest, response: { 200: ExternalContact } },
      config: { permission: ANY('externalContacts:contact:edit') },
    },
    async (request) => contacts.merge(request.caller, request.body),
  );
  app.post<{ Body: { sourceContactId: string; targetContactId: string } }>(
    '/api/v2/externalcontacts/merge/contacts',
    {
      schema: { body: MergeRequest, response: { 200: ExternalContact } },
      config: { permission: ANY('externalContacts:contact:edit') },
    },
    async (request) =>
      contacts.merge(request.caller, { contactIds: [request.body.targetContactId, request.body.sourceContactId] }),
  );
  app.get<ContactId & { Querystring: { expand?: string[] } }>(
    `${base}/:contactId`,
    {
      schema: { params: ContactParams, querystring: ContactQuery, response: { 200: ExternalContact } },
      config: { permission: contact('view') },
    },
    async (request) => contacts.get(request.caller, request.params.contactId, expandOf(request.query.expand)),
  );
  app.patch<ContactId & { Body: { changes: PatchChange[] } }>(
    `${base}/:contactId`,
    {
      schema: { params: ContactParams, body: ExternalContactsPatchRequest, response: { 200: ExternalContact } },
      config: { permission: ANY('externalContacts:contact:edit') },
    },
    async (request) => contacts.patch(request.caller, request.params.contactId, request.body.changes),
  );
  app.put<ContactId & { Body: ExternalContactInput }>(
    `${base}/:contactId`,
    {
      schema: { params: ContactParams, body: ExternalContactBody, response: { 200: ExternalContact } },
      config: { permission: contact('edit') },
    },
    async (request) => contacts.replace(request.caller, request.params.contactId, request.body),
  );
  app.delete<ContactId>(
    `${base}/:contactId`,
    { schema: { params: ContactParams }, config: { permission: contact('delete') } },
    async (request) => {
      await contacts.remove(request.caller, request.params.contactId);
      return {};
    },
  );

  const orgs = '/api/v2/externalcontacts/organizations';
  app.get<{ Querystring: Paging }>(
    orgs,
    {
      schema: { querystring: OrganizationsQuery, response: { 200: ExternalOrganizationListing } },
      config: { permission: organization('view') },
    },
    async (request) =>
      organizations.list(request.caller, parsePage(request.query, CONTACT_PAGE), request.query.q, request.query),
  );
  app.post<{ Body: ExternalOrganizationInput }>(
    orgs,
    {
      schema: { body: ExternalOrganizationBody, response: { 200: ExternalOrganization } },
      config: { permission: organization('add') },
    },
    async (request) => organizations.create(request.caller, request.body),
  );
  app.get<OrgId>(
    `${orgs}/:externalOrganizationId`,
    {
      schema: { params: OrganizationParams, response: { 200: ExternalOrganization } },
      config: { permission: organization('view') },
    },
    async (request) => organizations.get(request.caller, request.params.externalOrganizationId),
  );
  app.put<OrgId & { Body: ExternalOrganizationInput }>(
    `${orgs}/:externalOrganizationId`,
    {
      schema: { params: OrganizationParams, body: ExternalOrganizationBody, response: { 200: ExternalOrganization } },
      config: { permission: organization('edit') },
    },
    async (request) => organizations.replace(request.caller, request.params.externalOrganizationId, request.body),
  );
  app.delete<OrgId>(
    `${orgs}/:externalOrganizationId`,
    { schema: { params: OrganizationParams }, config: { permission: organization('delete') } },
    async (request) => {
      await organizations.remove(request.caller, request.params.externalOrganizationId);
      return {};
    },
  );
}
