/**
 * The analytics benchmark's traffic generator, run in a worker thread so that generating a day
 * of conversations overlaps writing the previous one. Asked for a day (`{ day }`, days before
 * `end`), it answers that day's conversation and participant rows as flat column values, in the
 * column order below. One simulator, days asked in order: the traffic is the same run to run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { participantRows } from '../src/domains/conversations/analytics-view.ts';
import type { Conversation } from '../src/domains/conversations/model.ts';
import { rowFromConversation } from '../src/domains/conversations/rows.ts';
import { createSimulator, type SimOptions } from '../src/domains/conversations/simulator.ts';

export const CONV_COLS = [
  'id',
  'org_id',
  'division_id',
  'media_type',
  'state',
  'queue_name',
  'participants',
  'start_time',
  'end_time',
  'stuck_reason',
  'notes',
  'version',
  'created_at',
  'modified_at',
  'queue_id',
  'originating_direction',
] as const;
export const PART_COLS = [
  'org_id',
  'conversation_id',
  'participant_id',
  'conversation_start',
  'purpose',
  'user_id',
  'queue_id',
  'external_contact_id',
  'media_type',
  'direction',
  'wrapup_code',
  'disconnect_type',
] as const;

export interface GeneratedDay {
  conversations: number;
  participants: number;
  /** CONV_COLS values of each conversation, one after the other; PART_COLS values likewise. */
  conv: unknown[];
  part: unknown[];
  genMs: number;
}

export interface GeneratorData {
  sim: SimOptions;
  end: number;
  dayMs: number;
}

/** Conversations as flat rows for bulk INSERTs. */
export function flatRows(batch: Conversation[]): Omit<GeneratedDay, 'genMs'> {
  const conv: unknown[] = [];
  const part: unknown[] = [];
  let participants = 0;
  for (const c of batch) {
    const row = rowFromConversation(c) as unknown as Record<string, unknown>;
    for (const k of CONV_COLS) conv.push(row[k]);
    for (const p of participantRows(c) as unknown as Record<string, unknown>[]) {
      for (const k of PART_COLS) part.push(p[k]);
      participants++;
    }
  }
  return { conversations: batch.length, participants, conv, part };
}

if (parentPort && (workerData as { analyticsGenerator?: GeneratorData } | null)?.analyticsGenerator) {
  const { sim: options, end, dayMs } = (workerData as { analyticsGenerator: GeneratorData }).analyticsGenerator;
  const sim = createSimulator(options);
  const port = parentPort;
  port.on('message', ({ day }: { day: number }) => {
    const t0 = performance.now();
    const from = end - day * dayMs;
    const batch = sim.history(new Date(from), new Date(from + dayMs), new Date(end));
    const rows = flatRows(batch);
    port.postMessage({ ...rows, genMs: performance.now() - t0 } satisfies GeneratedDay);
  });
}
