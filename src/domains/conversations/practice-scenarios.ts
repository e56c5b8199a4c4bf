/**
 * The stuck interactions the demo organization starts with, one per symptom in the seed's
 * "When to Use It" table, so an administrator can practise the Disconnect Interactions procedure.
 */
import type { CreatePracticeInteractionBody } from './schemas.ts';

export const DEMO_SCENARIOS: CreatePracticeInteractionBody[] = [
  {
    mediaType: 'call',
    queueName: 'Support',
    stuckReason: 'Ghost call: stuck in queue with no active parties',
    notes:
      'Queue statistics show an interaction that cannot be answered. The customer hung up; SIP signaling did not terminate cleanly.',
    participants: [
      { purpose: 'customer', name: 'Caller +1 317-555-0100', state: 'terminated' },
      { purpose: 'acd', name: 'Support', state: 'connected' },
    ],
  },
  {
    mediaType: 'chat',
    queueName: 'Web Chat',
    stuckReason: 'Chat held with no agent',
    notes: 'Left on hold after the agent closed the browser; the persistent session never closed.',
    participants: [
      { purpose: 'customer', name: 'Web visitor', state: 'connected' },
      { purpose: 'acd', name: 'Web Chat', state: 'disconnected' },
      { purpose: 'agent', name: 'Departed agent', state: 'disconnected', wrapupRequired: true },
    ],
  },
  {
    mediaType: 'callback',
    queueName: 'Billing',
    stuckReason: 'Callback pending wrap-up',
    notes: 'The agent is stuck in after-call work for a callback that ended.',
    participants: [
      { purpose: 'customer', name: 'Callback +1 317-555-0142', state: 'disconnected' },
      { purpose: 'agent', name: 'Billing agent', state: 'connected', wrapupRequired: true },
    ],
  },
];
