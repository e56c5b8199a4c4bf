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

/** Upstream analytics segment types Gatehouse records. */
export const SEGMENT_TYPES = ['ivr', 'interact', 'alert', 'hold', 'wrapup', 'dialing', 'contacting', 'system'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** One stretch of a session in one state (analytics AnalyticsConversationSegment). */
export interface StoredSegment {
  type: SegmentType;
  start: string;
  /** Absent while the segment is still open (the participant is in it now). */
  end?: string;
  queueId?: string;
  wrapUpCode?: string;
  wrapUpNote?: string;
  /** How the segment ended: client, endpoint, peer, transfer, system, … (upstream disconnectType). */
  disconnectType?: string;
}

/** One media session of a participant (analytics AnalyticsSession). */
export interface StoredSession {
  id: string;
  direction: Direction;
  addressFrom?: string;
  addressTo?: string;
  ani?: string;
  dnis?: string;
  segments: StoredSegment[];
}

export interface StoredParticipant {
  id: string;
  /** Media sessions with their segments (absent on practice interactions, which have one implied session). */
  sessions?: StoredSession[];
  /** The queue an ACD (or agent) participant was in. */
  queueId?: string;
  /** The customer's external contact (linked by the external contacts domain). */
  externalContactId?: string;
  purpose: Purpose;
  name: string;
  userId?: string;
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
