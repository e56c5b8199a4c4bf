/** Upstream shapes of the usage API (ApiUsage…Query, UsageExecutionResult, ApiUsageQueryResult). */
import { Type } from '@sinclair/typebox';

const Strings = Type.Array(Type.String({ maxLength: 512 }), { maxItems: 500 });

export const ApiUsageQuery = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  granularity: Type.Optional(Type.String({ maxLength: 16 })),
  metrics: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
  groupBy: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
});

export const ApiUsageSimpleSearch = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  metrics: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 20 })),
  oauthClientNames: Type.Optional(Strings),
  httpMethods: Type.Optional(Strings),
  templateUris: Type.Optional(Strings),
});

export const UsageExecutionResult = Type.Object({ executionId: Type.String(), resultsUri: Type.String() });

const Count = Type.Optional(Type.Integer());
export const ApiUsageRow = Type.Object({
  clientId: Type.Optional(Type.String()),
  clientName: Type.Optional(Type.String()),
  organizationId: Type.Optional(Type.String()),
  userId: Type.Optional(Type.String()),
  templateUri: Type.Optional(Type.String()),
  httpMethod: Type.Optional(Type.String()),
  status200: Count,
  status300: Count,
  status400: Count,
  status500: Count,
  status429: Count,
  requests: Count,
  date: Type.String(),
});

export const ApiUsageQueryResult = Type.Object({
  results: Type.Array(ApiUsageRow),
  queryStatus: Type.String(),
  cursors: Type.Optional(Type.Object({ before: Type.Optional(Type.String()), after: Type.Optional(Type.String()) })),
});

const Methods = Type.Array(Type.Union(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => Type.Literal(m))), {
  maxItems: 6,
});
const Metrics = Type.Array(
  Type.Union(['Requests', 'Status200', 'Status300', 'Status400', 'Status429', 'Status500'].map((m) => Type.Literal(m))),
  { maxItems: 6 },
);
const SortBy = Type.Array(
  Type.Object({
    fieldName: Type.Optional(Type.String({ maxLength: 32 })),
    order: Type.Optional(Type.Union([Type.Literal('Asc'), Type.Literal('Desc')])),
  }),
  { maxItems: 5 },
);
const Granularity = Type.Optional(Type.Union([Type.Literal('Day'), Type.Literal('Week'), Type.Literal('Month')]));

/** OrganizationPublicApiUsageQueryRequest */
export const OrganizationAggregatesRequest = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  granularity: Granularity,
  sortBy: Type.Optional(SortBy),
  metrics: Type.Optional(Metrics),
  templateUris: Type.Optional(Strings),
  httpMethods: Type.Optional(Methods),
  platforms: Type.Optional(Strings),
  groupBy: Type.Optional(
    Type.Array(
      Type.Union(
        ['OauthClientName', 'OauthClientId', 'UserId', 'HttpMethod', 'TemplateUri', 'Platform'].map((g) =>
          Type.Literal(g),
        ),
      ),
      { maxItems: 6 },
    ),
  ),
  userIds: Type.Optional(Strings),
  oauthClientIds: Type.Optional(Strings),
});

/** ClientPublicApiUsageQueryRequest */
export const ClientAggregatesRequest = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  granularity: Granularity,
  sortBy: Type.Optional(SortBy),
  metrics: Type.Optional(Metrics),
  templateUris: Type.Optional(Strings),
  httpMethods: Type.Optional(Methods),
  platforms: Type.Optional(Strings),
  groupBy: Type.Optional(
    Type.Array(Type.Union(['OrganizationId', 'HttpMethod', 'TemplateUri', 'Platform'].map((g) => Type.Literal(g))), {
      maxItems: 4,
    }),
  ),
  organizationIds: Type.Optional(Strings),
});

/** OrganizationUsageQueryResponse / ClientUsageQueryResponse */
export const UsageQueryResponse = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  resultsUri: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
});

const CountsOf = {
  date: Type.Optional(Type.String()),
  platform: Type.Optional(Type.String()),
  httpMethod: Type.Optional(Type.String()),
  templateUri: Type.Optional(Type.String()),
  requestCount: Count,
  status200: Count,
  status300: Count,
  status400: Count,
  status429: Count,
  status500: Count,
};
const Ref = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
});

const ResultsOf = (entity: ReturnType<typeof Type.Object>) =>
  Type.Object({
    name: Type.Optional(Type.String()),
    queryStatus: Type.String(),
    errorBody: Type.Optional(Type.Object({ status: Type.Integer(), code: Type.String(), message: Type.String() })),
    nextUri: Type.Optional(Type.String()),
    entities: Type.Optional(Type.Array(entity)),
    selfUri: Type.Optional(Type.String()),
  });

/** OrganizationPublicApiUsageResultsResponse */
export const OrganizationAggregatesResults = ResultsOf(
  Type.Object({ ...CountsOf, oauthClient: Type.Optional(Ref), user: Type.Optional(Ref) }),
);
/** ClientPublicApiUsageResultsResponse */
export const ClientAggregatesResults = ResultsOf(
  Type.Object({ ...CountsOf, organizationId: Type.Optional(Type.String()) }),
);
