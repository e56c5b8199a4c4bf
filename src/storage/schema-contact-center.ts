/**
 * Row types of the contact-center tables: interactions and their participants and attachments,
 * routing queues, analytics jobs and external contacts (schema.ts re-exports them).
 */
export interface ConversationRow {
  id: string;
  org_id: string;
  division_id: string;
  /** call | callback | chat | email | message */
  media_type: string;
  /** connected | disconnected */
  state: string;
  queue_name: string | null;
  /** JSON array of participants (see domains/conversations/model.ts). */
  participants: string;
  start_time: string;
  end_time: string | null;
  stuck_reason: string | null;
  notes: string | null;
  version: number;
  created_at: string;
  modified_at: string;
  /** The queue the interaction is (or last was) in; null when it never was in one. */
  queue_id: string | null;
  /** inbound | outbound (analytics originatingDirection). */
  originating_direction: string | null;
}

/** One participant of a conversation: what the analytics details query filters on (0022). */
export interface ConversationParticipantRow {
  org_id: string;
  conversation_id: string;
  participant_id: string;
  conversation_start: string;
  purpose: string;
  user_id: string | null;
  queue_id: string | null;
  external_contact_id: string | null;
  /** Analytics media type of the participant's session (voice, chat, …). */
  media_type: string | null;
  direction: string | null;
  wrapup_code: string | null;
  disconnect_type: string | null;
}

export interface RoutingQueueRow {
  id: string;
  org_id: string;
  /** The division the queue belongs to (the organization's home division by default). */
  division_id: string;
  name: string;
  name_key: string;
  description: string | null;
  acw_wrapup_prompt: string;
  acw_timeout_ms: number | null;
  /** JSON: upstream mediaSettings. */
  media_settings: string;
  created_by: string | null;
  modified_by: string | null;
  created_at: string;
  modified_at: string;
}

export interface RoutingQueueMemberRow {
  org_id: string;
  queue_id: string;
  user_id: string;
  joined: number;
  created_at: string;
}

export interface AnalyticsJobRow {
  id: string;
  org_id: string;
  /** JSON: the submitted AsyncConversationQuery. */
  query: string;
  /** QUEUED | PENDING | FULFILLED | FAILED | CANCELLED | EXPIRED */
  state: string;
  total: number | null;
  error: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  expires_at: string;
}

/** An external contact (a customer); see migration 0027. */
export interface ExternalContactRow {
  id: string;
  org_id: string;
  division_id: string;
  first_name: string | null;
  last_name: string | null;
  external_organization_id: string | null;
  /** The canonical contact of its merge set (its own id when it is canonical or merged with none). */
  canonical_id: string;
  /** The contact a merge made from this one. */
  merged_to: string | null;
  /** JSON array: the contacts a merge made this one from. */
  merged_from: string | null;
  /** JSON: upstream's ExternalContact as stored (phones in E.164), without read-only fields. */
  body: string;
  version: number;
  created_at: string;
  modified_at: string;
}

/** One normalized identifier of an external contact (for search). */
export interface ExternalContactIdentifierRow {
  contact_id: string;
  org_id: string;
  /** PHONE | EMAIL | ADDRESS | TWITTER | INSTAGRAM | FACEBOOK | APPLE_MESSAGES | WHATSAPP | EXTERNAL_ID | LINE */
  kind: string;
  value: string;
}

export interface ExternalOrganizationRow {
  id: string;
  org_id: string;
  division_id: string;
  name: string;
  /** JSON: upstream's ExternalOrganization as stored. */
  body: string;
  version: number;
  created_at: string;
  modified_at: string;
}

/** A file attached to a message or email interaction; see migration 0028. */
export interface ConversationAttachmentRow {
  id: string;
  org_id: string;
  conversation_id: string;
  file_name: string;
  content_type: string;
  size: number;
  /** base64 */
  content: string;
  created_at: string;
}
