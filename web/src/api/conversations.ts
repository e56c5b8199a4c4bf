import type { Static } from '@sinclair/typebox';
import type {
  Conversation as ConversationSchema,
  Participant,
  PracticeInteraction as PracticeInteractionSchema,
} from '../../../src/domains/conversations/schemas.ts';
import type { AuditMessage } from './audit.ts';
import { type Listing, request } from './client.ts';

export type ConversationParticipant = Static<typeof Participant>;
/** Upstream's Conversation. */
export type Conversation = Static<typeof ConversationSchema>;
/** Gatehouse's practice interaction (beyond upstream). */
export type PracticeInteraction = Static<typeof PracticeInteractionSchema>;

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
