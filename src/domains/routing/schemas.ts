/** Routing queues and their members, in upstream shapes (Queue, QueueRequest, QueueMember). */
import { type Static, Type } from '@sinclair/typebox';
import { EntityListing, IdParam, PagingQuery } from '../../platform/schemas.ts';

const Ref = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  selfUri: Type.Optional(Type.String()),
});

export const ACW_PROMPTS = [
  'OPTIONAL',
  'MANDATORY',
  'MANDATORY_TIMEOUT',
  'MANDATORY_FORCED_TIMEOUT',
  'AGENT_REQUESTED',
];

const AcwSettings = Type.Object({
  wrapupPrompt: Type.Optional(Type.String()),
  timeoutMs: Type.Optional(Type.Integer()),
});

const MediaSetting = Type.Object({
  alertingTimeoutSeconds: Type.Optional(Type.Integer()),
  serviceLevel: Type.Optional(Type.Object({ percentage: Type.Number(), durationMs: Type.Integer() })),
});
const MediaSettings = Type.Object({
  call: Type.Optional(MediaSetting),
  callback: Type.Optional(MediaSetting),
  chat: Type.Optional(MediaSetting),
  email: Type.Optional(MediaSetting),
  message: Type.Optional(MediaSetting),
});
export type MediaSettings = Static<typeof MediaSettings>;

export const Queue = Type.Object({
  id: Type.String(),
  name: Type.String(),
  division: Ref,
  description: Type.Optional(Type.String()),
  dateCreated: Type.String(),
  dateModified: Type.String(),
  modifiedBy: Type.Optional(Type.String()),
  createdBy: Type.Optional(Type.String()),
  memberCount: Type.Integer(),
  userMemberCount: Type.Integer(),
  joinedMemberCount: Type.Integer(),
  mediaSettings: MediaSettings,
  acwSettings: AcwSettings,
  selfUri: Type.String(),
});
export type Queue = Static<typeof Queue>;
export const QueueEntityListing = EntityListing(Queue);

export const QueueRequest = Type.Object({
  name: Type.String({ maxLength: 255 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  division: Type.Optional(Type.Object({ id: Type.String() })),
  mediaSettings: Type.Optional(MediaSettings),
  acwSettings: Type.Optional(AcwSettings),
});
export type QueueRequest = Static<typeof QueueRequest>;

export const QueueListQuery = Type.Object({
  ...PagingQuery,
  name: Type.Optional(Type.String({ maxLength: 255 })),
  id: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  sortOrder: Type.Optional(Type.String()),
});

export const QueueParams = IdParam('queueId');
export const MemberParams = Type.Object({
  queueId: Type.String({ minLength: 1, maxLength: 64 }),
  memberId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const QueueMember = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.Object({ id: Type.String(), name: Type.Optional(Type.String()), selfUri: Type.Optional(Type.String()) }),
  ringNumber: Type.Integer(),
  joined: Type.Boolean(),
  memberBy: Type.String(),
  selfUri: Type.String(),
});
export const QueueMemberEntityListing = EntityListing(QueueMember);

export const MemberListQuery = Type.Object({ ...PagingQuery, joined: Type.Optional(Type.Boolean()) });

/** POST /members: users to add, or with ?delete=true to remove (upstream's bulk form, at most 100). */
export const MembersBody = Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), {
  maxItems: 100,
});
export const MembersQuery = Type.Object({ delete: Type.Optional(Type.Boolean()) });

export const MemberPatch = Type.Object({ joined: Type.Optional(Type.Boolean()) });
