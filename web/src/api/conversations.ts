import type { AuditMessage } from './audit.ts';
import { type Listing, request } from './client.ts';

type MediaSession = { id: string; state: string; disconnectedTime?: string; disconnectType?: string };

export interface ConversationParticipant {
  id: string;
  name?: string;
  purpose?: string;
  userId?: string;
  queueName?: string;
  startTime?: string;
  endTime?: string;
  wrapupRequired?: boolean;
  wrapup?: { code: string; name: string };
  calls?: MediaSession[];
  callbacks?: MediaSession[];
  chats?: MediaSession[];
  emails?: MediaSession[];
  messages?: MediaSession[];
}

/** Upstream's Conversation, as far as the console reads it. */
export interface Conversation {
  id: string;
  startTime: string;
  endTime?: string;
  state?: string;
  participants: ConversationParticipant[];
}

/** Gatehouse's practice interaction (beyond upstream). */
export interface PracticeInteraction {
  id: string;
  mediaType: string;
  state: string;
  queueName?: string;
  startTime: string;
  stuckReason?: string;
}

const MEDIA = [
  ['calls', 'Call'],
  ['callbacks', 'Callback'],
  ['chats', 'Chat'],
  ['emails', 'Email'],
  ['messages', 'Message'],
] as const;

/** The participant's media type and state, read from whichever media list it carries. */
export function participantMedia(p: ConversationParticipant): { media: string; state: string } {
  for (const [key, label] of MEDIA) {
    const session = p[key]?.[0];
    if (session) return { media: label, state: session.state };
  }
  return { media: '—', state: '—' };
}

const path = (id: string) => `/api/v2/conversations/${encodeURIComponent(id)}`;

export const conversationsApi = {
  get: (id: string) => request<Conversation>(path(id)),
  disconnect: (id: string) => request<string>(`${path(id)}/disconnect`, { method: 'POST' }),
  audits: (id: string, pageNumber: number) =>
    request<Listing<AuditMessage>>(`${path(id)}/audits?pageSize=100&pageNumber=${pageNumber}`),
  practice: () => request<Listing<PracticeInteraction>>('/api/v2/gatehouse/conversations?state=connected&pageSize=25'),
};
