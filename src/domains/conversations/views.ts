/** A stored conversation in upstream's Conversation shape, and in Gatehouse's practice-interaction view. */
import type { Conversation, MediaType, StoredParticipant } from './model.ts';

/** Participant media lists, by media type, as upstream names them. */
const MEDIA_LIST: Record<MediaType, 'calls' | 'callbacks' | 'chats' | 'emails' | 'messages'> = {
  call: 'calls',
  callback: 'callbacks',
  chat: 'chats',
  email: 'emails',
  message: 'messages',
};

/** Email and message media have no `terminated` state upstream. */
function mediaState(media: MediaType, p: StoredParticipant): string {
  return p.state === 'terminated' && (media === 'email' || media === 'message') ? 'disconnected' : p.state;
}

function participantView(c: Conversation, p: StoredParticipant, index: number) {
  return {
    id: p.id,
    name: p.name,
    purpose: p.purpose,
    startTime: p.startTime,
    ...(p.endTime ? { endTime: p.endTime } : {}),
    ...(p.userId ? { userId: p.userId, userUri: `/api/v2/users/${p.userId}` } : {}),
    ...(p.externalContactId ? { externalContactId: p.externalContactId } : {}),
    ...(p.purpose === 'acd' && c.queueName ? { queueName: c.queueName } : {}),
    wrapupRequired: p.wrapupRequired,
    ...(p.wrapup ? { wrapup: { code: p.wrapup.code, name: p.wrapup.name, endTime: p.wrapup.endTime } } : {}),
    [MEDIA_LIST[c.mediaType]]: [
      {
        // One media session per participant; its id is stable because it derives from the participant's.
        id: `${p.id.slice(0, 24)}${String(index).padStart(12, '0')}`,
        state: mediaState(c.mediaType, p),
        ...(p.state !== 'connected' && p.endTime ? { disconnectedTime: p.endTime } : {}),
        ...(p.disconnectType ? { disconnectType: p.disconnectType } : {}),
      },
    ],
  };
}

export function conversationView(c: Conversation) {
  return {
    id: c.id,
    startTime: c.startTime,
    ...(c.endTime ? { endTime: c.endTime } : {}),
    state: c.state,
    participants: c.participants.map((p, i) => participantView(c, p, i)),
    divisions: [
      { division: { id: c.divisionId, selfUri: `/api/v2/authorization/divisions/${c.divisionId}` }, entities: [] },
    ],
    selfUri: `/api/v2/conversations/${c.id}`,
  };
}

/** Gatehouse's admin view (beyond upstream): what the practice listing and console show. */
export function practiceView(c: Conversation) {
  return {
    id: c.id,
    mediaType: c.mediaType,
    state: c.state,
    ...(c.queueName ? { queueName: c.queueName } : {}),
    startTime: c.startTime,
    ...(c.endTime ? { endTime: c.endTime } : {}),
    ...(c.stuckReason ? { stuckReason: c.stuckReason } : {}),
    ...(c.notes ? { notes: c.notes } : {}),
    participants: c.participants.map((p) => ({
      id: p.id,
      purpose: p.purpose,
      name: p.name,
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.externalContactId ? { externalContactId: p.externalContactId } : {}),
      state: p.state,
      wrapupRequired: p.wrapupRequired,
      ...(p.wrapup ? { wrapup: p.wrapup } : {}),
    })),
    dateCreated: c.dateCreated,
    dateModified: c.dateModified,
    selfUri: `/api/v2/gatehouse/conversations/${c.id}`,
    conversationUri: `/api/v2/conversations/${c.id}`,
  };
}

/** What a participant is doing now: the type of its open segment. */
function openActivity(p: StoredParticipant) {
  return p.sessions?.flatMap((s) => s.segments).find((g) => !g.end)?.type;
}

/** A live interaction in the console's real-time view (beyond upstream). */
export function activeView(c: Conversation, stuckReason: string | null) {
  const agents = c.participants.filter((p) => p.purpose === 'agent');
  const liveAgent = agents.find((p) => p.state === 'connected');
  const agentDoing = liveAgent ? (openActivity(liveAgent) ?? 'interact') : undefined;
  const acw = agents.some((p) => openActivity(p) === 'wrapup');
  const customer = c.participants.find((p) => p.purpose === 'customer');
  const inQueue = c.participants.some((p) => p.purpose === 'acd' && p.state === 'connected');
  const activity =
    agentDoing === 'alert'
      ? 'alerting'
      : agentDoing === 'hold' || (customer && openActivity(customer) === 'hold')
        ? 'held'
        : agentDoing
          ? 'interacting'
          : inQueue
            ? 'waiting'
            : acw
              ? 'wrapup'
              : c.participants.some((p) => p.state === 'connected')
                ? 'interacting'
                : 'none';
  return {
    id: c.id,
    mediaType: c.mediaType,
    activity,
    ...(c.queueId ? { queueId: c.queueId } : {}),
    ...(c.queueName ? { queueName: c.queueName } : {}),
    startTime: c.startTime,
    ...(customer ? { customer: customer.name } : {}),
    agents: agents.map((p) => p.name),
    ...(stuckReason ? { stuckReason } : {}),
  };
}
