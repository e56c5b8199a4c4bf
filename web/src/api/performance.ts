import { type Listing, request } from './client.ts';

export interface Queue {
  id: string;
  name: string;
  memberCount: number;
  joinedMemberCount: number;
}

export interface ObservationResult {
  group: { queueId: string; mediaType?: string };
  data: { metric: string; qualifier?: string; stats: { count?: number; max?: number } }[];
}

export interface ActiveInteraction {
  id: string;
  mediaType: string;
  activity: string;
  queueId?: string;
  queueName?: string;
  startTime: string;
  customer?: string;
  agents: string[];
  stuckReason?: string;
}

export interface Segment {
  segmentStart: string;
  segmentEnd?: string;
  segmentType: string;
  queueId?: string;
  wrapUpCode?: string;
  disconnectType?: string;
}

export interface AnalyticsParticipant {
  participantId: string;
  participantName?: string;
  purpose: string;
  userId?: string;
  sessions: {
    sessionId: string;
    mediaType: string;
    direction?: string;
    segments: Segment[];
    metrics?: { name: string; value: number }[];
  }[];
}

export interface AnalyticsConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  participants: AnalyticsParticipant[];
}

export interface InteractionDetail extends AnalyticsConversation {
  state: string;
  mediaType: string;
  queueName?: string;
  stuckReason?: string | null;
}

export interface User {
  id: string;
  name: string;
}

export const performanceApi = {
  queues: () => request<Listing<Queue>>('/api/v2/routing/queues?pageSize=100'),
  users: () => request<Listing<User>>('/api/v2/users?pageSize=500'),
  observations: (queueIds: string[]) =>
    request<{ results: ObservationResult[] }>('/api/v2/analytics/queues/observations/query', {
      method: 'POST',
      body: {
        filter: {
          type: 'or',
          predicates: queueIds.map((value) => ({ type: 'dimension', dimension: 'queueId', value })),
        },
        metrics: ['oWaiting', 'oInteracting', 'oOnQueueUsers', 'oMemberUsers', 'oLongestWaiting'],
      },
    }),
  active: () => request<Listing<ActiveInteraction>>('/api/v2/gatehouse/interactions/active?pageSize=500'),
  interaction: (id: string) => request<InteractionDetail>(`/api/v2/gatehouse/interactions/${encodeURIComponent(id)}`),
  details: (body: unknown) =>
    request<{ conversations?: AnalyticsConversation[]; totalHits: number }>(
      '/api/v2/analytics/conversations/details/query',
      { method: 'POST', body },
    ),
};

/** An observation figure for a queue (0 when absent). */
export function figure(r: ObservationResult | undefined, metric: string, qualifier?: string) {
  const d = r?.data.filter((x) => x.metric === metric && (qualifier === undefined || x.qualifier === qualifier));
  return (d ?? []).reduce((n, x) => n + (x.stats.count ?? 0), 0);
}

export const formatMs = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m ${s % 60}s`
      : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};
