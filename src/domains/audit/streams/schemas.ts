/** Shapes of the audit stream API (beyond upstream: Gatehouse's EventBridge counterpart). */
import { type Static, Type } from '@sinclair/typebox';
import { EntityListing } from '../../../platform/schemas.ts';

export const AuditStreamRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 255 })),
    type: Type.Optional(Type.String({ maxLength: 16 })),
    url: Type.Optional(Type.String({ maxLength: 4096 })),
    subject: Type.Optional(Type.String({ maxLength: 255 })),
    state: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: false },
);
export type AuditStreamRequest = Static<typeof AuditStreamRequest>;

export const AuditStream = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  url: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  state: Type.String(),
  pendingEvents: Type.Integer(),
  deliveredEvents: Type.Integer(),
  lastDeliveredDate: Type.Optional(Type.String()),
  lastError: Type.Optional(Type.String()),
  lastErrorDate: Type.Optional(Type.String()),
  dateCreated: Type.String(),
  dateModified: Type.String(),
  selfUri: Type.String(),
  /** Only in the answers to create and regenerate. */
  secret: Type.Optional(Type.String()),
});

export const AuditStreamListing = EntityListing(AuditStream);
