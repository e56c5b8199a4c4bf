/**
 * Queue observations (POST /api/v2/analytics/queues/observations/query): what is in each queue
 * right now, from the live interactions and the queues' members. A disconnected interaction is
 * not live, so it leaves every figure the moment it is torn down.
 */
import { invalidValue } from '../../platform/errors/index.ts';
import { ANALYTICS_MEDIA, type Conversation } from '../conversations/index.ts';
import { OBSERVATION_METRICS } from './dimensions.ts';
import type { Filter, QueueObservationQuery } from './schemas.ts';

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

export function observe(body: QueueObservationQuery, sel: Selection, input: ObservationInput) {
  const detail = new Set(body.detailMetrics ?? []);
  const groupByMedia = sel.mediaTypes !== null;
  const results = [];
  for (const queue of input.queues) {
    for (const media of sel.mediaTypes ?? [null]) {
      const inQueue = input.active.filter(
        (c) =>
          (media === null || ANALYTICS_MEDIA[c.mediaType] === media) &&
          c.participants.some((p) => (p.queueId ?? (p.purpose === 'acd' ? c.queueId : null)) === queue.id),
      );
      const waiting: Conversation[] = [];
      const interacting: Conversation[] = [];
      const alerting: Conversation[] = [];
      const busyAgents = new Set<string>();
      for (const c of inQueue) {
        const agentStates = openSegmentType(c, 'agent', queue.id);
        for (const p of c.participants)
          if (p.purpose === 'agent' && p.state === 'connected' && p.userId) busyAgents.add(p.userId);
        if (agentStates.some((t) => t !== 'alert')) interacting.push(c);
        else if (openSegmentType(c, 'acd', queue.id).length > 0) {
          waiting.push(c);
          if (agentStates.includes('alert')) alerting.push(c);
        }
      }
      const members = input.members.filter((m) => m.queue_id === queue.id);
      const onQueue = members.filter((m) => m.joined === 1);
      const interactingUsers = onQueue.filter((m) => busyAgents.has(m.user_id)).length;
      const since = (c: Conversation) => input.now.getTime() - Date.parse(c.startTime);
      const obs = (list: Conversation[]) =>
        list.map((c) => ({
          observationDate: c.startTime,
          conversationId: c.id,
          ...(c.originatingDirection ? { direction: c.originatingDirection } : {}),
          ...(c.participants[0] ? { participantName: c.participants[0].name } : {}),
        }));
      const data = [];
      const count = (metric: string, list: Conversation[]) => ({
        metric,
        stats: { count: list.length },
        ...(detail.has(metric) ? { observations: obs(list), truncated: false } : {}),
      });
      for (const metric of body.metrics) {
        if (metric === 'oWaiting') data.push(count(metric, waiting));
        else if (metric === 'oInteracting') data.push(count(metric, interacting));
        else if (metric === 'oAlerting') data.push(count(metric, alerting));
        else if (metric === 'oMemberUsers') data.push({ metric, stats: { count: members.length } });
        else if (metric === 'oActiveUsers') data.push({ metric, stats: { count: onQueue.length } });
        else if (metric === 'oOffQueueUsers') data.push({ metric, stats: { count: members.length - onQueue.length } });
        else if (metric === 'oOnQueueUsers') {
          data.push({ metric, qualifier: 'IDLE', stats: { count: onQueue.length - interactingUsers } });
          data.push({ metric, qualifier: 'INTERACTING', stats: { count: interactingUsers } });
        } else if (metric === 'oLongestWaiting' && waiting.length)
          data.push({ metric, stats: { max: Math.max(...waiting.map(since)) } });
        else if (metric === 'oLongestInteracting' && interacting.length)
          data.push({ metric, stats: { max: Math.max(...interacting.map(since)) } });
      }
      results.push({ group: { queueId: queue.id, ...(groupByMedia && media ? { mediaType: media } : {}) }, data });
    }
  }
  return { results };
}
