/**
 * Request and response schemas: upstream's Conversation / ConversationEntityListing (a minimal
 * subset of their fields) and Gatehouse's practice-interaction shapes (beyond upstream).
 */
import { type Static, Type } from '@sinclair/typebox';
import { EntityListing, PagingQuery } from '../../platform/schemas.ts';
import {
  MEDIA_TYPES,
  type MediaType,
  PARTICIPANT_STATES,
  type ParticipantState,
  PURPOSES,
  type Purpose,
} from './model.ts';

const Str = Type.String();
const Opt = Type.Optional;

const MediaSession = Type.Object({
  id: Str,
  state: Str,
  disconnectedTime: Opt(Str),
  disconnectType: Opt(Str),
});

const Wrapup = Type.Object({ code: Str, name: Str, endTime: Opt(Str) });

export const Participant = Type.Object({
  id: Str,
  name: Opt(Str),
  purpose: Opt(Str),
  startTime: Opt(Str),
  endTime: Opt(Str),
  userId: Opt(Str),
  userUri: Opt(Str),
  externalContactId: Opt(Str),
  queueName: Opt(Str),
  wrapupRequired: Opt(Type.Boolean()),
  wrapup: Opt(Wrapup),
  calls: Opt(Type.Array(MediaSession)),
  callbacks: Opt(Type.Array(MediaSession)),
  chats: Opt(Type.Array(MediaSession)),
  emails: Opt(Type.Array(MediaSession)),
  messages: Opt(Type.Array(MediaSession)),
});

export const Conversation = Type.Object({
  id: Str,
  startTime: Str,
  endTime: Opt(Str),
  state: Opt(Str),
  participants: Type.Array(Participant),
  divisions: Type.Array(
    Type.Object({
      division: Type.Object({ id: Str, selfUri: Opt(Str) }),
      entities: Type.Array(Type.Object({ id: Str, selfUri: Opt(Str) })),
    }),
  ),
  selfUri: Str,
});

export const ConversationEntityListing = EntityListing(Conversation);

export const ConversationParams = Type.Object({ conversationId: Type.String({ minLength: 1, maxLength: 64 }) });

export const MyConversationsQuery = Type.Object({ communicationType: Opt(Str) });

/** Gatehouse's practice interaction (beyond upstream). */
export const PracticeInteraction = Type.Object({
  id: Str,
  mediaType: Str,
  state: Str,
  queueName: Opt(Str),
  startTime: Str,
  endTime: Opt(Str),
  stuckReason: Opt(Str),
  notes: Opt(Str),
  participants: Type.Array(
    Type.Object({
      id: Str,
      purpose: Str,
      name: Str,
      userId: Opt(Str),
      externalContactId: Opt(Str),
      state: Str,
      wrapupRequired: Type.Boolean(),
      wrapup: Opt(Wrapup),
    }),
  ),
  dateCreated: Str,
  dateModified: Str,
  selfUri: Str,
  conversationUri: Str,
});

export const PracticeInteractionListing = EntityListing(PracticeInteraction);

export const PracticeListQuery = Type.Object({
  ...PagingQuery,
  state: Opt(Type.Union([Type.Literal('connected'), Type.Literal('disconnected')])),
});

const lit = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const CreatePracticeInteraction = Type.Object(
  {
    mediaType: lit(MEDIA_TYPES),
    queueName: Opt(Type.String({ maxLength: 255 })),
    stuckReason: Opt(Type.String({ maxLength: 255 })),
    notes: Opt(Type.String({ maxLength: 4000 })),
    participants: Opt(
      Type.Array(
        Type.Object({
          purpose: lit(PURPOSES),
          name: Type.String({ minLength: 1, maxLength: 255 }),
          userId: Opt(Type.String({ maxLength: 64 })),
          externalContactId: Opt(Type.String({ maxLength: 64 })),
          state: Opt(lit(PARTICIPANT_STATES)),
          wrapupRequired: Opt(Type.Boolean()),
        }),
        { maxItems: 20 },
      ),
    ),
  },
  { additionalProperties: false },
);
/** The body, with the enums typed (the schema above checks them on the wire). */
export interface CreatePracticeInteractionBody
  extends Omit<Static<typeof CreatePracticeInteraction>, 'mediaType' | 'participants'> {
  mediaType: MediaType;
  participants?: {
    purpose: Purpose;
    name: string;
    userId?: string;
    externalContactId?: string;
    state?: ParticipantState;
    wrapupRequired?: boolean;
  }[];
}

export const AuditTrailQuery = Type.Object({ ...PagingQuery });

/** One live interaction in the console's real-time view (beyond upstream). */
export const ActiveInteraction = Type.Object({
  id: Str,
  mediaType: Str,
  /** waiting | alerting | interacting | held | wrapup | none (nobody connected) */
  activity: Str,
  queueId: Opt(Str),
  queueName: Opt(Str),
  startTime: Str,
  customer: Opt(Str),
  agents: Type.Array(Str),
  stuckReason: Opt(Str),
});
export const ActiveInteractionListing = EntityListing(ActiveInteraction);
export const ActiveQuery = Type.Object({
  ...PagingQuery,
  queueId: Opt(Type.String({ maxLength: 64 })),
  stuck: Opt(Type.Boolean()),
});

/** One interaction in analytics shape, with its live state (beyond upstream). */
export const InteractionDetail = Type.Object({
  conversationId: Str,
  conversationStart: Str,
  conversationEnd: Opt(Str),
  originatingDirection: Opt(Str),
  divisionIds: Type.Array(Str),
  participants: Type.Array(Type.Unknown()),
  state: Str,
  mediaType: Str,
  queueName: Opt(Str),
  stuckReason: Opt(Type.Union([Str, Type.Null()])),
});
