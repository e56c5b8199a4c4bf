/**
 * Request and response schemas: upstream's ExternalContact, ExternalOrganization, their listings
 * and the merge requests (derived from the API definition's shapes; only the fields Gatehouse
 * stores).
 */
import { type Static, Type } from '@sinclair/typebox';
import { PagingQuery, QueryList } from '../../platform/schemas.ts';

const NO_NUL = '^[^\\u0000]*$';
const Opt = Type.Optional;
const Str = (maxLength = 255) => Type.String({ maxLength, pattern: NO_NUL });

export const PhoneNumber = Type.Object({
  display: Opt(Str(64)),
  extension: Opt(Type.Integer({ minimum: 0 })),
  acceptsSMS: Opt(Type.Boolean()),
  normalizationCountryCode: Opt(Str(2)),
  userInput: Opt(Str(64)),
  e164: Opt(Str(32)),
  countryCode: Opt(Str(2)),
});
export type PhoneNumberBody = Static<typeof PhoneNumber>;

export const ContactAddress = Type.Object({
  address1: Opt(Str()),
  address2: Opt(Str()),
  city: Opt(Str()),
  state: Opt(Str()),
  postalCode: Opt(Str(32)),
  countryCode: Opt(Str(8)),
});
export type ContactAddressBody = Static<typeof ContactAddress>;

export const TwitterId = Type.Object({
  id: Opt(Str(64)),
  name: Opt(Str()),
  screenName: Opt(Str(64)),
  verified: Opt(Type.Boolean()),
  profileUrl: Opt(Type.String()),
});
const ScopedIds = Type.Array(Type.Object({ scopedId: Str(255) }), { maxItems: 50 });
export const FacebookId = Type.Object({ ids: ScopedIds, displayName: Opt(Str()) });
export const InstagramId = Type.Object({ ids: ScopedIds, displayName: Opt(Str()), handle: Opt(Str(64)) });
export const AppleOpaqueId = Type.Object({ value: Opt(Str(512)) });
export const WhatsAppId = Type.Object({ phoneNumber: PhoneNumber, displayName: Opt(Str()) });
export const LineId = Type.Object({
  ids: Type.Array(Type.Object({ userId: Str(255) }), { maxItems: 50 }),
  displayName: Opt(Str()),
});
export const ExternalId = Type.Object({
  externalSource: Type.Object({ id: Opt(Str(64)), name: Opt(Str()) }),
  value: Str(),
});

const Ref = Type.Object({ id: Type.String(), name: Opt(Type.String()), selfUri: Opt(Type.String()) });
const ContactRef = Type.Object({ id: Type.String(), selfUri: Opt(Type.String()) });

/** The fields a client writes (create, replace, a merge's valueOverride). */
const writable = {
  division: Opt(Type.Object({ id: Opt(Str(64)), name: Opt(Str()), selfUri: Opt(Type.String()) })),
  firstName: Opt(Str()),
  middleName: Opt(Str()),
  lastName: Opt(Str()),
  salutation: Opt(Str()),
  title: Opt(Str()),
  workPhone: Opt(PhoneNumber),
  cellPhone: Opt(PhoneNumber),
  homePhone: Opt(PhoneNumber),
  otherPhone: Opt(PhoneNumber),
  workEmail: Opt(Str()),
  personalEmail: Opt(Str()),
  otherEmail: Opt(Str()),
  address: Opt(ContactAddress),
  twitterId: Opt(TwitterId),
  lineId: Opt(LineId),
  whatsAppId: Opt(WhatsAppId),
  facebookId: Opt(FacebookId),
  instagramId: Opt(InstagramId),
  appleOpaqueIds: Opt(Type.Array(AppleOpaqueId, { maxItems: 50 })),
  externalIds: Opt(Type.Array(ExternalId, { maxItems: 50 })),
  externalOrganization: Opt(Type.Object({ id: Opt(Str(64)), name: Opt(Str()), selfUri: Opt(Type.String()) })),
  surveyOptOut: Opt(Type.Boolean()),
  externalSystemUrl: Opt(Str(1024)),
};

export const ExternalContactBody = Type.Object({ id: Opt(Str(64)), ...writable });
export type ExternalContactInput = Static<typeof ExternalContactBody>;

export const ExternalOrganizationBody = Type.Object({
  id: Opt(Str(64)),
  name: Str(),
  companyType: Opt(Str()),
  industry: Opt(Str()),
  address: Opt(ContactAddress),
  phoneNumber: Opt(PhoneNumber),
  faxNumber: Opt(PhoneNumber),
  employeeCount: Opt(Type.Integer({ minimum: 0 })),
  revenue: Opt(Type.Integer({ minimum: 0 })),
  tags: Opt(Type.Array(Str(), { maxItems: 100 })),
  websites: Opt(Type.Array(Str(1024), { maxItems: 100 })),
  externalSystemUrl: Opt(Str(1024)),
});
export type ExternalOrganizationInput = Static<typeof ExternalOrganizationBody>;
export const ExternalOrganization = Type.Object({
  ...ExternalOrganizationBody.properties,
  id: Type.String(),
  division: Opt(Ref),
  createDate: Opt(Type.String()),
  modifyDate: Opt(Type.String()),
  selfUri: Type.String(),
});

export const ExternalContact = Type.Object({
  id: Type.String(),
  ...writable,
  division: Opt(Ref),
  /** A reference (id, name), or the whole organization with expand=externalOrganization. */
  externalOrganization: Opt(Type.Object({ ...ExternalOrganization.properties, selfUri: Opt(Type.String()) })),
  createDate: Opt(Type.String()),
  modifyDate: Opt(Type.String()),
  type: Opt(Type.String()),
  canonicalContact: Opt(ContactRef),
  mergeSet: Opt(Type.Array(ContactRef)),
  mergedFrom: Opt(Type.Array(ContactRef)),
  mergedTo: Opt(ContactRef),
  selfUri: Type.String(),
});
export type ExternalContactView = Static<typeof ExternalContact>;

export const ContactListing = Type.Object({
  entities: Type.Array(ExternalContact),
  pageSize: Type.Integer(),
  pageNumber: Type.Integer(),
  total: Type.Integer(),
  partialResults: Opt(Type.Boolean()),
  firstUri: Opt(Type.String()),
  nextUri: Opt(Type.String()),
  previousUri: Opt(Type.String()),
  lastUri: Opt(Type.String()),
  selfUri: Opt(Type.String()),
  pageCount: Type.Integer(),
});

export const ContactsQuery = Type.Object({
  ...PagingQuery,
  q: Opt(Type.String({ maxLength: 255, pattern: NO_NUL })),
  sortOrder: Opt(Type.String({ maxLength: 64 })),
  expand: Opt(QueryList),
  divisionIds: Opt(QueryList),
});
/** Upstream's ExternalContactsPatchRequest (ContactsPatchChange: a JSONPath field, a value, an action). */
export const ExternalContactsPatchRequest = Type.Object({
  changes: Type.Array(
    Type.Object({
      field: Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL }),
      value: Opt(Type.Unknown()),
      action: Type.Union(
        ['UpdateIfEmpty', 'UpdateIfExists', 'Update', 'AppendToCollection', 'Remove', 'RemoveFromCollection'].map((a) =>
          Type.Literal(a),
        ),
      ),
    }),
    { minItems: 1, maxItems: 100 },
  ),
});
export const ContactQuery = Type.Object({ expand: Opt(QueryList) });
export const ContactParams = Type.Object({ contactId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }) });

/** Upstream's merge of up to 25 contacts into a new one. */
export const MergeContactsRequest = Type.Object({
  contactIds: Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }), { minItems: 1, maxItems: 25 }),
  valueOverride: Opt(ExternalContactBody),
});
export type MergeContactsInput = Static<typeof MergeContactsRequest>;
/** Upstream's older merge of one contact into another (deprecated upstream, still in the SDKs). */
export const MergeRequest = Type.Object({
  sourceContactId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
  targetContactId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
});

export const ExternalOrganizationListing = Type.Object({
  ...ContactListing.properties,
  entities: Type.Array(ExternalOrganization),
});
export const OrganizationsQuery = Type.Object({
  ...PagingQuery,
  q: Opt(Type.String({ maxLength: 255, pattern: NO_NUL })),
});
export const OrganizationParams = Type.Object({
  externalOrganizationId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }),
});
