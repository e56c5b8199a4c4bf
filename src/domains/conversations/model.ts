/** The conversations domain's own vocabulary: a stored interaction and its participants. */
export const MEDIA_TYPES = ['call', 'callback', 'chat', 'email', 'message'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const PURPOSES = ['customer', 'agent', 'acd', 'ivr'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const PARTICIPANT_STATES = ['connected', 'disconnected', 'terminated'] as const;
export type ParticipantState = (typeof PARTICIPANT_STATES)[number];

export type ConversationState = 'connected' | 'disconnected';

export type Direction = 'inbound' | 'outbound';

export interface ParticipantWrapup {
  code: string;
  name: string;
  endTime: string;
}

export interface StoredParticipant {
  id: string;
  purpose: Purpose;
  name: string;
  userId?: string;
  /** A customer's external contact (the externalcontacts domain's id). */
  externalContactId?: string;
  state: ParticipantState;
  wrapupRequired: boolean;
  wrapup?: ParticipantWrapup;
  startTime: string;
  endTime?: string;
  /** How the participant's media ended: `system` when the Disconnect tool tore it down. */
  disconnectType?: 'system' | 'client' | 'endpoint';
}

export interface Conversation {
  id: string;
  orgId: string;
  divisionId: string;
  mediaType: MediaType;
  state: ConversationState;
  queueName: string | null;
  /** The routing queue the interaction is (or last was) in. */
  queueId: string | null;
  originatingDirection: Direction | null;
  participants: StoredParticipant[];
  startTime: string;
  endTime: string | null;
  stuckReason: string | null;
  notes: string | null;
  version: number;
  dateCreated: string;
  dateModified: string;
}

/**
 * The wrap-up applied by a teardown to participants still pending one. Upstream applies "a
 * system wrap-up code"; it does not publish the code, so Gatehouse names its own.
 */
export const SYSTEM_WRAPUP = { code: 'GATEHOUSE-SYSTEM-DISCONNECT', name: 'System disconnect' } as const;
