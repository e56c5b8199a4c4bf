import type { Static } from '@sinclair/typebox';
import type {
  AnalyticsConversation as AnalyticsConversationSchema,
  AnalyticsConversationQueryResponse,
  QueueObservationQueryResponse,
} from '../../../src/domains/analytics/schemas.ts';
import type {
  ActiveInteraction as ActiveInteractionSchema,
  InteractionDetail as InteractionDetailSchema,
} from '../../../src/domains/conversations/schemas.ts';
import type { User as UserSchema } from '../../../src/domains/directory/schemas.ts';
import type { Queue as QueueSchema } from '../../../src/domains/routing/schemas.ts';
import { type Listing, request } from './client.ts';

export type Queue = Static<typeof QueueSchema>;
export type ObservationResult = Static<typeof QueueObservationQueryResponse>['results'][number];
export type ActiveInteraction = Static<typeof ActiveInteractionSchema>;
export type AnalyticsConversation = Static<typeof AnalyticsConversationSchema>;
export type AnalyticsParticipant = AnalyticsConversation['participants'][number];
export type Segment = AnalyticsParticipant['sessions'][number]['segments'][number];
/** An interaction in analytics shape with its live state; its participants are analytics participants. */
export type InteractionDetail = Omit<Static<typeof InteractionDetailSchema>, 'participants'> & {
  participants: AnalyticsParticipant[];
};

export type User = Pick<Static<typeof UserSchema>, 'id' | 'name'>;

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
    request<Static<typeof AnalyticsConversationQueryResponse>>('/api/v2/analytics/conversations/details/query', {
      method: 'POST',
      body,
    }),
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
