/**
 * A stored conversation in upstream's analytics shape (AnalyticsConversationWithoutAttributes):
 * participants → sessions → segments, with the metrics upstream computes from the segments
 * (tAlert, tTalk, tHeld, tAcw, tHandle, tAcd, tAbandon, tIvr, nOffered, nTransferred, …).
 * Metrics are derived when read, so they always agree with the segments.
 */
import type { Conversation, MediaType, StoredParticipant, StoredSegment, StoredSession } from './model.ts';

/** Analytics names call media "voice". */
export const ANALYTICS_MEDIA: Record<MediaType, string> = {
  call: 'voice',
  callback: 'callback',
  chat: 'chat',
  email: 'email',
  message: 'message',
};

const ms = (a: string, b: string) => Math.max(0, Date.parse(b) - Date.parse(a));

/** The sessions of a participant; a practice participant has one implied session. */
export function sessionsOf(c: Conversation, p: StoredParticipant, index: number): StoredSession[] {
  if (p.sessions?.length) return p.sessions;
  const segments: StoredSegment[] = [
    {
      type: p.purpose === 'ivr' ? 'ivr' : 'interact',
      start: p.startTime,
      ...(p.endTime ? { end: p.endTime } : {}),
      ...(p.purpose === 'acd' || p.purpose === 'agent' ? withQueue(p.queueId ?? c.queueId) : {}),
      ...(p.disconnectType ? { disconnectType: p.disconnectType } : {}),
    },
  ];
  if (p.wrapup) {
    segments.push({
      type: 'wrapup',
      start: p.endTime ?? p.wrapup.endTime,
      end: p.wrapup.endTime,
      wrapUpCode: p.wrapup.code,
      ...withQueue(p.queueId ?? c.queueId),
    });
  }
  return [
    {
      id: `${p.id.slice(0, 24)}${String(index).padStart(12, '0')}`,
      direction: c.originatingDirection ?? 'inbound',
      segments,
    },
  ];
}

const withQueue = (queueId: string | null | undefined) => (queueId ? { queueId } : {});

interface Metric {
  name: string;
  value: number;
  emitDate: string;
}

function sum(segments: StoredSegment[], type: string) {
  const done = segments.filter((s) => s.type === type && s.end);
  if (done.length === 0) return null;
  return { value: done.reduce((n, s) => n + ms(s.start, s.end!), 0), emitDate: done[done.length - 1]!.end! };
}

/** Upstream's session metrics for one participant's session. */
export function sessionMetrics(c: Conversation, p: StoredParticipant, session: StoredSession): Metric[] {
  const out: Metric[] = [];
  const add = (name: string, m: { value: number; emitDate: string } | null) => {
    if (m) out.push({ name, value: m.value, emitDate: m.emitDate });
  };
  const segs = session.segments;
  const closed = segs.every((s) => s.end);
  const last = segs[segs.length - 1];
  if (p.purpose === 'ivr') add('tIvr', sum(segs, 'ivr'));
  if (p.purpose === 'acd') {
    const first = segs[0];
    if (first) out.push({ name: 'nOffered', value: 1, emitDate: first.start });
    const acd = sum(segs, 'interact');
    add('tAcd', acd);
    // Abandoned: the customer left the queue before any agent answered.
    const answered = c.participants.some(
      (o) => o.purpose === 'agent' && sessionsOf(c, o, 0).some((s) => s.segments.some((g) => g.type === 'interact')),
    );
    if (acd && !answered && last?.end && last.disconnectType !== 'transfer') add('tAbandon', acd);
    else if (acd && answered) add('tAnswered', acd);
  }
  if (p.purpose === 'agent') {
    add('tAlert', sum(segs, 'alert'));
    const talk = sum(segs, 'interact');
    const held = sum(segs, 'hold');
    const acw = sum(segs, 'wrapup');
    add('tTalk', talk);
    add('tHeld', held);
    if (closed) {
      add('tTalkComplete', talk);
      add('tHeldComplete', held);
    }
    add('tAcw', acw);
    if (talk) out.push({ name: 'nConnected', value: 1, emitDate: segs.find((s) => s.type === 'interact')!.start });
    const transfer = segs.find((s) => s.disconnectType === 'transfer' && s.end);
    if (transfer) out.push({ name: 'nTransferred', value: 1, emitDate: transfer.end! });
    if (closed && talk && last?.end)
      out.push({ name: 'tHandle', value: talk.value + (held?.value ?? 0) + (acw?.value ?? 0), emitDate: last.end });
    const alert = segs.find((s) => s.type === 'alert');
    if (alert?.end && !talk && last?.end)
      out.push({ name: 'tNotResponding', value: ms(alert.start, alert.end), emitDate: alert.end });
  }
  return out;
}

function segmentView(s: StoredSegment) {
  return {
    segmentStart: s.start,
    ...(s.end ? { segmentEnd: s.end } : {}),
    segmentType: s.type,
    ...(s.queueId ? { queueId: s.queueId } : {}),
    ...(s.wrapUpCode ? { wrapUpCode: s.wrapUpCode } : {}),
    ...(s.wrapUpNote ? { wrapUpNote: s.wrapUpNote } : {}),
    ...(s.disconnectType ? { disconnectType: s.disconnectType } : {}),
    conference: false,
  };
}

export function analyticsConversationView(c: Conversation) {
  const mediaType = ANALYTICS_MEDIA[c.mediaType];
  return {
    conversationId: c.id,
    conversationStart: c.startTime,
    ...(c.endTime ? { conversationEnd: c.endTime } : {}),
    ...(c.originatingDirection ? { originatingDirection: c.originatingDirection } : {}),
    divisionIds: [c.divisionId],
    participants: c.participants.map((p, i) => ({
      participantId: p.id,
      participantName: p.name,
      purpose: p.purpose,
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.externalContactId ? { externalContactId: p.externalContactId } : {}),
      sessions: sessionsOf(c, p, i).map((s) => {
        const metrics = sessionMetrics(c, p, s);
        return {
          sessionId: s.id,
          mediaType,
          direction: s.direction,
          ...(s.addressFrom ? { addressFrom: s.addressFrom } : {}),
          ...(s.addressTo ? { addressTo: s.addressTo } : {}),
          ...(s.ani ? { ani: s.ani } : {}),
          ...(s.dnis ? { dnis: s.dnis } : {}),
          ...(p.purpose === 'acd' ? { requestedRoutings: ['Standard'], usedRouting: 'Standard' } : {}),
          segments: s.segments.map(segmentView),
          ...(metrics.length ? { metrics } : {}),
        };
      }),
    })),
  };
}

export type AnalyticsConversationView = ReturnType<typeof analyticsConversationView>;

/** The rows of conversation_participants for a conversation: what the details query filters on. */
export function participantRows(c: Conversation) {
  const mediaType = ANALYTICS_MEDIA[c.mediaType];
  return c.participants.map((p, i) => {
    const sessions = sessionsOf(c, p, i);
    const segments = sessions.flatMap((s) => s.segments);
    const lastEnded = [...segments].reverse().find((s) => s.disconnectType);
    return {
      org_id: c.orgId,
      conversation_id: c.id,
      participant_id: p.id,
      conversation_start: c.startTime,
      purpose: p.purpose,
      user_id: p.userId ?? null,
      queue_id: p.queueId ?? segments.find((s) => s.queueId)?.queueId ?? null,
      external_contact_id: p.externalContactId ?? null,
      media_type: mediaType,
      direction: sessions[0]?.direction ?? null,
      wrapup_code: segments.find((s) => s.wrapUpCode)?.wrapUpCode ?? p.wrapup?.code ?? null,
      disconnect_type: lastEnded?.disconnectType ?? p.disconnectType ?? null,
    };
  });
}
