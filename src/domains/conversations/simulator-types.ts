/** The simulator's inputs and what it plans (simulator.ts; simulator-live.ts follows the plans). */
import type { Conversation, MediaType, StoredParticipant } from './model.ts';

export interface SimQueue {
  id: string;
  name: string;
  media: MediaType[];
}
export interface SimAgent {
  id: string;
  name: string;
  queueIds: string[];
}

/** The wrap-up codes simulated agents pick (ids are stable, as upstream's wrap-up code ids are). */
export const WRAPUP_CODES = [
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000001', name: 'Resolved' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000002', name: 'Follow-up needed' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000003', name: 'Sale' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000004', name: 'Billing question' },
  { id: '7f3c1a52-0b1e-4c4e-9b1a-3d1f00000005', name: 'Escalated' },
] as const;

export interface SimOptions {
  orgId: string;
  divisionId: string;
  queues: SimQueue[];
  agents: SimAgent[];
  /** Arrivals per hour across all queues at the busiest hour (default 40). */
  peakPerHour?: number;
  seed?: number;
}

/** An interaction whole, before it is cut at a time. */
export interface Whole {
  t0: number;
  end: number;
  now: number;
  media: MediaType;
  queue: SimQueue;
  participants: StoredParticipant[];
}

/** An interaction planned to its end, seen at any time under one id (simulator-live.ts). */
export interface SimPlan {
  id: string;
  /** When its last participant is done. */
  end: number;
  at(now: number): Conversation;
}
