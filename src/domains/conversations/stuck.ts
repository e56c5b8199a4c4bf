/**
 * Why a live interaction looks stuck (seed 000, "When to Use It"): nobody connected any more,
 * on hold with nobody to take it back, after-call work far too long, in a queue without its
 * customer, or simply alive far longer than any real interaction. null when it looks healthy.
 */
import type { Conversation, StoredParticipant } from './model.ts';

/** After-call work longer than this is "far too long" (upstream's longest ACW timeout is 15 min). */
export const ACW_STUCK_MS = 30 * 60_000;
/** No real interaction stays active this long. */
export const ACTIVE_STUCK_MS = 4 * 3_600_000;

const openSegment = (p: StoredParticipant) => p.sessions?.flatMap((s) => s.segments).find((g) => !g.end);

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

export function stuckReason(c: Conversation, now: Date): string | null {
  if (c.state !== 'connected') return null;
  if (c.stuckReason) return c.stuckReason;
  const agents = c.participants.filter((p) => p.purpose === 'agent');
  // An agent held in after-call work is "disconnected" from the media: checked before "nobody connected".
  for (const a of agents) {
    const seg = openSegment(a);
    if (seg?.type === 'wrapup' && now.getTime() - Date.parse(seg.start) > ACW_STUCK_MS)
      return `After-call work for ${minutes(now.getTime() - Date.parse(seg.start))} on an interaction that ended`;
  }
  const live = c.participants.filter((p) => p.state === 'connected');
  if (live.length === 0) return 'No connected party: everyone has left, but the interaction is still active';
  const liveAgents = agents.filter((p) => p.state === 'connected');
  const customer = c.participants.find((p) => p.purpose === 'customer');
  const customerLive = customer?.state === 'connected';
  if (customerLive && openSegment(customer!)?.type === 'hold' && liveAgents.length === 0)
    return 'On hold with nobody: the agent has left';
  const acd = c.participants.find((p) => p.purpose === 'acd' && p.state === 'connected');
  if (acd && customer && !customerLive && liveAgents.length === 0)
    return 'In queue with no active parties: the customer has left';
  if (now.getTime() - Date.parse(c.startTime) > ACTIVE_STUCK_MS)
    return `Active for ${Math.round((now.getTime() - Date.parse(c.startTime)) / 3_600_000)} h`;
  return null;
}
