/** Request and response schemas: upstream's GDPRRequest, GDPRSubject and their listings. */
import { type Static, Type } from '@sinclair/typebox';
import { SEARCH_TYPES } from '../../platform/personal-data.ts';
import { EntityListing, PagingQuery } from '../../platform/schemas.ts';

/** No NUL character: PostgreSQL cannot store one in text, and no name, address or id holds one. */
const NO_NUL = '^[^\\u0000]*$';
const Str = Type.String({ maxLength: 1024, pattern: NO_NUL });
const Opt = Type.Optional;
const Strings = Type.Array(Str, { maxItems: 50 });

export const REQUEST_TYPES = ['GDPR_EXPORT', 'GDPR_UPDATE', 'GDPR_DELETE'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const STATUSES = ['INITIATED', 'SEARCHING', 'UPDATING', 'DELETING', 'COMPLETED', 'ERROR', 'FINALIZING'] as const;
export type Status = (typeof STATUSES)[number];

export const SearchType = Type.Union(SEARCH_TYPES.map((t) => Type.Literal(t)));

export const GdprSubject = Type.Object({
  name: Opt(Str),
  userId: Opt(Str),
  externalContactId: Opt(Str),
  dialerContactId: Opt(Type.Object({ id: Opt(Str), contactListId: Opt(Str) })),
  journeyCustomer: Opt(Type.Object({ id: Opt(Str), type: Opt(Str) })),
  socialHandle: Opt(Type.Object({ type: Opt(Str), value: Opt(Str) })),
  /** Beyond upstream, in search results: the canonical contact of an external contact's merge set. */
  canonicalContactId: Opt(Str),
  externalId: Opt(Str),
  addresses: Opt(Strings),
  phoneNumbers: Opt(Strings),
  emailAddresses: Opt(Strings),
});
export type GdprSubjectBody = Static<typeof GdprSubject>;

export const ReplacementTerm = Type.Object({ type: SearchType, existingValue: Str, updatedValue: Str });

export const GdprRequestBody = Type.Object({
  name: Opt(Type.String({ maxLength: 255, pattern: NO_NUL })),
  requestType: Type.Union(REQUEST_TYPES.map((t) => Type.Literal(t))),
  subject: GdprSubject,
  replacementTerms: Opt(Type.Array(ReplacementTerm, { maxItems: 50 })),
});
export type GdprRequestInput = Static<typeof GdprRequestBody>;

export const GdprRequest = Type.Object({
  id: Type.String(),
  name: Opt(Type.String()),
  createdBy: Type.Object({ id: Type.String(), selfUri: Opt(Type.String()) }),
  replacementTerms: Opt(Type.Array(ReplacementTerm)),
  requestType: Type.String(),
  createdDate: Type.String(),
  status: Type.String(),
  subject: GdprSubject,
  resultsUrl: Opt(Type.String()),
  resultsUrls: Opt(Type.Array(Type.String())),
  parentRequest: Opt(Type.Object({ id: Type.String(), selfUri: Type.String() })),
  relatedRequests: Opt(Type.Array(Type.Object({ id: Type.String(), selfUri: Type.String() }))),
  selfUri: Type.String(),
});

export const GdprRequestListing = EntityListing(GdprRequest);
export const GdprSubjectListing = EntityListing(GdprSubject);

export const CreateQuery = Type.Object({ deleteConfirmed: Opt(Type.Boolean()) });
export const ListQuery = Type.Object(PagingQuery);
export const SubjectsQuery = Type.Object({
  searchType: SearchType,
  searchValue: Type.String({ minLength: 1, maxLength: 1024, pattern: NO_NUL }),
  ...PagingQuery,
});
export const RequestParams = Type.Object({ requestId: Type.String({ minLength: 1, maxLength: 64, pattern: NO_NUL }) });

/** The results document of a finished request (GET …/results; beyond upstream). */
export const GdprResults = Type.Object({
  requestId: Type.String(),
  requestType: Type.String(),
  status: Type.Union([Type.Literal('COMPLETED'), Type.Literal('ERROR')]),
  completedDate: Type.String(),
  error: Opt(Type.String()),
  /** Values changed (update) or erased (delete), by source then kind. */
  outcome: Opt(Type.Record(Type.String(), Type.Record(Type.String(), Type.Number()))),
  /** The export, by source (`{}` once `redacted`). */
  data: Opt(Type.Record(Type.String(), Type.Unknown())),
  /** Why `data` is empty: the subject was erased after the export. */
  redacted: Opt(Type.String()),
});
