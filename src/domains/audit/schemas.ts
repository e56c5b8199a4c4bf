import { Type } from '@sinclair/typebox';

const Ref = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
});

export const AuditLogMessage = Type.Object({
  id: Type.String(),
  userHomeOrgId: Type.String(),
  user: Type.Optional(Ref),
  client: Type.Optional(Type.Object({ id: Type.String(), selfUri: Type.Optional(Type.String()) })),
  remoteIp: Type.Array(Type.String()),
  serviceName: Type.String(),
  level: Type.String(),
  eventDate: Type.String(),
  action: Type.String(),
  entity: Ref,
  entityType: Type.String(),
  status: Type.String(),
  initiatingAction: Type.Optional(
    Type.Object({ transactionId: Type.Optional(Type.String()), actionContext: Type.Optional(Type.String()) }),
  ),
  transactionInitiator: Type.Boolean(),
  propertyChanges: Type.Array(
    Type.Object({
      property: Type.String(),
      oldValues: Type.Array(Type.String()),
      newValues: Type.Array(Type.String()),
    }),
  ),
  context: Type.Record(Type.String(), Type.String()),
});

const Filter = Type.Object({ property: Type.String(), value: Type.String({ maxLength: 255 }) });
const Sort = Type.Object({ name: Type.String(), sortOrder: Type.String() });

export const RealtimeQueryBody = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  serviceName: Type.Optional(Type.String({ maxLength: 64 })),
  filters: Type.Optional(Type.Array(Filter, { maxItems: 10 })),
  sort: Type.Optional(Type.Array(Sort, { maxItems: 1 })),
  pageNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export const RealtimeResults = Type.Object({
  entities: Type.Array(AuditLogMessage),
  pageSize: Type.Integer(),
  pageNumber: Type.Integer(),
  total: Type.Integer(),
  pageCount: Type.Integer(),
});

export const RelatedBody = Type.Object({
  auditId: Type.String({ maxLength: 64 }),
  sort: Type.Optional(Type.Array(Sort, { maxItems: 1 })),
  trustorOrgId: Type.Optional(Type.String()),
});
export const RelatedResults = Type.Object({ entities: Type.Array(AuditLogMessage) });

export const ServiceMapping = Type.Object({
  services: Type.Array(
    Type.Object({
      name: Type.String(),
      entities: Type.Array(Type.Object({ name: Type.String(), actions: Type.Array(Type.String()) })),
    }),
  ),
});

export const AsyncQueryBodySchema = Type.Object({
  interval: Type.String({ maxLength: 100 }),
  serviceName: Type.Optional(Type.String({ maxLength: 64 })),
  filters: Type.Optional(Type.Array(Filter, { maxItems: 10 })),
  sort: Type.Optional(Type.Array(Sort, { maxItems: 1 })),
});

export const QueryStatus = Type.Object({
  id: Type.String(),
  state: Type.String(),
  startDate: Type.String(),
  interval: Type.String(),
  serviceName: Type.Optional(Type.String()),
  filters: Type.Array(Filter),
  sort: Type.Array(Sort),
});

export const QueryResults = Type.Object({
  id: Type.String(),
  pageSize: Type.Integer(),
  cursor: Type.Optional(Type.String()),
  entities: Type.Array(AuditLogMessage),
});
