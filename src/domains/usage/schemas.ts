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
