/**
 * Analytics request and response shapes (upstream ConversationQuery, AsyncConversationQuery,
 * QueueObservationQuery and their responses). Dimensions and metrics are plain strings here:
 * query.ts checks them, so an unknown one is a 400 that names it and lists the known ones.
 */
import { type Static, Type } from '@sinclair/typebox';

const Str = Type.String();
const Opt = Type.Optional;

const Predicate = Type.Object({
  type: Opt(Str),
  dimension: Opt(Str),
  metric: Opt(Str),
  property: Opt(Str),
  propertyType: Opt(Str),
  operator: Opt(Str),
  value: Opt(Str),
  range: Opt(Type.Object({}, { additionalProperties: true })),
});
export type Predicate = Static<typeof Predicate>;

const Filter = Type.Object({
  type: Str,
  predicates: Opt(Type.Array(Predicate, { maxItems: 100 })),
  clauses: Opt(
    Type.Array(Type.Object({ type: Str, predicates: Type.Array(Predicate, { maxItems: 100 }) }), { maxItems: 50 }),
  ),
});
export type Filter = Static<typeof Filter>;

const common = {
  interval: Str,
  conversationFilters: Opt(Type.Array(Filter, { maxItems: 50 })),
  segmentFilters: Opt(Type.Array(Filter, { maxItems: 50 })),
  evaluationFilters: Opt(Type.Array(Filter)),
  surveyFilters: Opt(Type.Array(Filter)),
  resolutionFilters: Opt(Type.Array(Filter)),
  order: Opt(Str),
  orderBy: Opt(Str),
};

export const ConversationQuery = Type.Object({
  ...common,
  paging: Opt(Type.Object({ pageSize: Opt(Type.Integer()), pageNumber: Opt(Type.Integer()) })),
  aggregations: Opt(Type.Array(Type.Unknown())),
});
export type ConversationQuery = Static<typeof ConversationQuery>;

export const AsyncConversationQuery = Type.Object({
  ...common,
  limit: Opt(Type.Integer()),
  startOfDayIntervalMatching: Opt(Type.Boolean()),
});
export type AsyncConversationQuery = Static<typeof AsyncConversationQuery>;

const Metric = Type.Object({ name: Str, value: Type.Integer(), emitDate: Opt(Str) });
const Segment = Type.Object({
  segmentStart: Str,
  segmentEnd: Opt(Str),
  segmentType: Str,
  queueId: Opt(Str),
  wrapUpCode: Opt(Str),
  wrapUpNote: Opt(Str),
  disconnectType: Opt(Str),
  conference: Opt(Type.Boolean()),
});
const Session = Type.Object({
  sessionId: Str,
  mediaType: Str,
  direction: Opt(Str),
  addressFrom: Opt(Str),
  addressTo: Opt(Str),
  ani: Opt(Str),
  dnis: Opt(Str),
  requestedRoutings: Opt(Type.Array(Str)),
  usedRouting: Opt(Str),
  segments: Type.Array(Segment),
  metrics: Opt(Type.Array(Metric)),
});
const Participant = Type.Object({
  participantId: Str,
  participantName: Opt(Str),
  purpose: Str,
  userId: Opt(Str),
  externalContactId: Opt(Str),
  sessions: Type.Array(Session),
});
export const AnalyticsConversation = Type.Object({
  conversationId: Str,
  conversationStart: Str,
  conversationEnd: Opt(Str),
  originatingDirection: Opt(Str),
  divisionIds: Type.Array(Str),
  participants: Type.Array(Participant),
});

export const AnalyticsConversationQueryResponse = Type.Object({
  conversations: Opt(Type.Array(AnalyticsConversation)),
  totalHits: Type.Integer(),
});

export const AsyncQueryResponse = Type.Object({ jobId: Str });
export const AsyncQueryStatus = Type.Object({
  state: Str,
  errorMessage: Opt(Str),
  expirationDate: Opt(Str),
  submissionDate: Opt(Str),
  completionDate: Opt(Str),
});
export const DataAvailabilityResponse = Type.Object({ dataAvailabilityDate: Str });
export const AsyncResults = Type.Object({
  conversations: Opt(Type.Array(AnalyticsConversation)),
  cursor: Opt(Str),
  dataAvailabilityDate: Opt(Str),
});
export const JobParams = Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) });
export const ResultsQuery = Type.Object({
  cursor: Opt(Type.String({ maxLength: 512 })),
  pageSize: Opt(Type.Integer()),
});

export const QueueObservationQuery = Type.Object({
  filter: Filter,
  metrics: Type.Array(Str, { maxItems: 20 }),
  detailMetrics: Opt(Type.Array(Str, { maxItems: 20 })),
});
export type QueueObservationQuery = Static<typeof QueueObservationQuery>;

const ObservationValue = Type.Object({
  observationDate: Str,
  conversationId: Opt(Str),
  sessionId: Opt(Str),
  userId: Opt(Str),
  direction: Opt(Str),
  participantName: Opt(Str),
  ani: Opt(Str),
  dnis: Opt(Str),
});
export const QueueObservationQueryResponse = Type.Object({
  systemToOrganizationMappings: Opt(Type.Object({}, { additionalProperties: true })),
  results: Type.Array(
    Type.Object({
      group: Type.Record(Str, Str),
      data: Type.Array(
        Type.Object({
          metric: Str,
          qualifier: Opt(Str),
          stats: Type.Object({ count: Opt(Type.Integer()), max: Opt(Type.Number()) }),
          truncated: Opt(Type.Boolean()),
          observations: Opt(Type.Array(ObservationValue)),
        }),
      ),
    }),
  ),
});
