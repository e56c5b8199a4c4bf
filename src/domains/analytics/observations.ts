/**
 * Queue observations (POST /api/v2/analytics/queues/observations/query): what is in each queue
 * right now, from the live interactions and the queues' members. A disconnected interaction is
 * not live, so it leaves every figure the moment it is torn down.
 */
import { invalidValue } from '../../platform/errors/index.ts';
import { ANALYTICS_MEDIA, type Conversation } from '../conversations/index.ts';
import { OBSERVATION_METRICS } from './dimensions.ts';
import type { Static } from '@sinclair/typebox';
import type { Filter, QueueObservationQuery, QueueObservationQueryResponse } from './schemas.ts';

export interface ObservationInput {
  queues: { id: string }[];
  active: Conversation[];
  members: { queue_id: string; user_id: string; joined: number }[];
  now: Date;
}

interface Selection {
  queueIds: string[] | null;
  mediaTypes: string[] | null;
}

/** The queue ids and media types a filter names (predicates and clauses alike). */
export function selectionOf(filter: Filter): Selection {
  const all = [...(filter.predicates ?? []), ...(filter.clauses ?? []).flatMap((c) => c.predicates)];
  if (filter.type !== 'and' && filter.type !== 'or')
    throw invalidValue('filter.type', 'filter.type must be "and" or "or".');
  const queueIds: string[] = [];
  const mediaTypes: string[] = [];
  for (const [i, p] of all.entries()) {
    if (p.dimension !== 'queueId' && p.dimension !== 'mediaType')
      throw invalidValue(
        `filter.predicates[${i}].dimension`,
        `"${p.dimension}" is not a dimension here. Known: queueId, mediaType.`,
      );
    if ((p.operator ?? 'matches') !== 'matches' || !p.value)
      throw invalidValue(`filter.predicates[${i}]`, 'queue observation predicates match a value (operator "matches").');
    (p.dimension === 'queueId' ? queueIds : mediaTypes).push(p.value);
  }
  if (queueIds.length > 100) throw invalidValue('filter', 'At most 100 queues per observation query.');
  return { queueIds: queueIds.length ? queueIds : null, mediaTypes: mediaTypes.length ? mediaTypes : null };
}

export function checkMetrics(body: QueueObservationQuery) {
  if (body.metrics.length === 0) throw invalidValue('metrics', 'metrics needs at least one metric.');
  for (const [field, list] of [
    ['metrics', body.metrics],
    ['detailMetrics', body.detailMetrics ?? []],
  ] as const)
    for (const m of list)
      if (!OBSERVATION_METRICS.includes(m))
        throw invalidValue(
          field,
          `"${m}" is not a queue observation metric. Known: ${OBSERVATION_METRICS.join(', ')}.`,
        );
}

const openSegmentType = (c: Conversation, purpose: string, queueId: string) =>
  c.participants
    .filter((p) => p.purpose === purpose && p.state === 'connected' && (p.queueId ?? c.queueId) === queueId)
    .map((p) => p.sessions?.flatMap((s) => s.segments).find((g) => !g.end)?.type ?? 'interact');

/** The live interactions in one queue (and media, when grouped by media), by what they are doing. */
function classify(active: Conversation[], queueId: string, media: string | null) {
  const inQueue = active.filter(
    (c) =>
      (media === null || ANALYTICS_MEDIA[c.mediaType] === media) &&
      c.participants.some((p) => (p.queueId ?? (p.purpose === 'acd' ? c.queueId : null)) === queueId),
  );
  const waiting: Conversation[] = [];
  const interacting: Conversation[] = [];
  const alerting: Conversation[] = [];
  const busyAgents = new Set<string>();
  for (const c of inQueue) {
    const agentStates = openSegmentType(c, 'agent', queueId);
    for (const p of c.participants)
      if (p.purpose === 'agent' && p.state === 'connected' && p.userId) busyAgents.add(p.userId);
    if (agentStates.some((t) => t !== 'alert')) interacting.push(c);
    else if (openSegmentType(c, 'acd', queueId).length > 0) {
      waiting.push(c);
      if (agentStates.includes('alert')) alerting.push(c);
    }
  }
  return { waiting, interacting, alerting, busyAgents };
}

/** What one group's metrics are computed from. */
interface GroupFigures extends ReturnType<typeof classify> {
  members: ObservationInput['members'];
  onQueue: ObservationInput['members'];
  interactingUsers: number;
  now: Date;
  detail: Set<string>;
}

const observations = (list: Conversation[]) =>
  list.map((c) => ({
    observationDate: c.startTime,
    conversationId: c.id,
    ...(c.originatingDirection ? { direction: c.originatingDirection } : {}),
    ...(c.participants[0] ? { participantName: c.participants[0].name } : {}),
  }));

type ObservationData = Static<typeof QueueObservationQueryResponse>['results'][number]['data'][number];

/** The data entries of one metric (none, one, or one per qualifier). */
function metricData(metric: string, f: GroupFigures): ObservationData[] {
  const since = (c: Conversation) => f.now.getTime() - Date.parse(c.startTime);
  const count = (list: Conversation[]) => ({
    metric,
    stats: { count: list.length },
    ...(f.detail.has(metric) ? { observations: observations(list), truncated: false } : {}),
  });
  switch (metric) {
    case 'oWaiting':
      return [count(f.waiting)];
    case 'oInteracting':
      return [count(f.interacting)];
    case 'oAlerting':
      return [count(f.alerting)];
    case 'oMemberUsers':
      return [{ metric, stats: { count: f.members.length } }];
    case 'oActiveUsers':
      return [{ metric, stats: { count: f.onQueue.length } }];
    case 'oOffQueueUsers':
      return [{ metric, stats: { count: f.members.length - f.onQueue.length } }];
    case 'oOnQueueUsers':
      return [
        { metric, qualifier: 'IDLE', stats: { count: f.onQueue.length - f.interactingUsers } },
        { metric, qualifier: 'INTERACTING', stats: { count: f.interactingUsers } },
      ];
    case 'oLongestWaiting':
      return f.waiting.length ? [{ metric, stats: { max: Math.max(...f.waiting.map(since)) } }] : [];
    case 'oLongestInteracting':
      return f.interacting.length ? [{ metric, stats: { max: Math.max(...f.interacting.map(since)) } }] : [];
    default:
      return [];
  }
}

export function observe(body: QueueObservationQuery, sel: Selection, input: ObservationInput) {
  const detail = new Set<string>(body.detailMetrics ?? []);
  const groupByMedia = sel.mediaTypes !== null;
  const results = [];
  for (const queue of input.queues) {
    for (const media of sel.mediaTypes ?? [null]) {
      const live = classify(input.active, queue.id, media);
      const members = input.members.filter((m) => m.queue_id === queue.id);
      const onQueue = members.filter((m) => m.joined === 1);
      const interactingUsers = onQueue.filter((m) => live.busyAgents.has(m.user_id)).length;
      const figures: GroupFigures = { ...live, members, onQueue, interactingUsers, now: input.now, detail };
      const data = body.metrics.flatMap((metric) => metricData(metric, figures));
      results.push({ group: { queueId: queue.id, ...(groupByMedia && media ? { mediaType: media } : {}) }, data });
    }
  }
  return { results };
}
