/** A conversations row and the domain's Conversation, both ways (participants are JSON text). */
import type { ConversationRow } from '../../storage/schema.ts';
import type { Conversation, ConversationState, MediaType, StoredParticipant } from './model.ts';

export function conversationFromRow(r: ConversationRow): Conversation {
  return {
    id: r.id,
    orgId: r.org_id,
    divisionId: r.division_id,
    mediaType: r.media_type as MediaType,
    state: r.state as ConversationState,
    queueName: r.queue_name,
    queueId: r.queue_id,
    originatingDirection: r.originating_direction as Conversation['originatingDirection'],
    participants: JSON.parse(r.participants) as StoredParticipant[],
    startTime: r.start_time,
    endTime: r.end_time,
    stuckReason: r.stuck_reason,
    notes: r.notes,
    version: r.version,
    dateCreated: r.created_at,
    dateModified: r.modified_at,
  };
}

export function rowFromConversation(c: Conversation): ConversationRow {
  return {
    id: c.id,
    org_id: c.orgId,
    division_id: c.divisionId,
    media_type: c.mediaType,
    state: c.state,
    queue_name: c.queueName,
    queue_id: c.queueId,
    originating_direction: c.originatingDirection,
    participants: JSON.stringify(c.participants),
    start_time: c.startTime,
    end_time: c.endTime,
    stuck_reason: c.stuckReason,
    notes: c.notes,
    version: c.version,
    created_at: c.dateCreated,
    modified_at: c.dateModified,
  };
}
