/**
 * Conversations as objects of divisions (beyond upstream, whose conversations follow their
 * queues): counted before a division is deleted and moved by
 * POST /api/v2/authorization/divisions/{divisionId}/objects/CONVERSATION, where the caller needs
 * MOVE_PERMISSION both in each conversation's division and in the target (docs/authorization.md).
 */
import type { DivisionObjectType } from '../directory/index.ts';
import { createConversationStore } from './store.ts';

/** The permission that manages interactions (it also creates practice ones and disconnects them). */
export const MOVE_PERMISSION = 'conversation:communication:disconnect';

export function conversationDivisionObjectType(): DivisionObjectType {
  const store = createConversationStore();
  return {
    type: 'CONVERSATION',
    permission: MOVE_PERMISSION,
    count: (ex, orgId, divisionId) => store.countInDivision(ex, orgId, divisionId),
    divisionsOf: (ex, orgId, ids) => store.divisionsOf(ex, orgId, ids),
    move: async (ex, orgId, ids, divisionId, now) => {
      await store.moveToDivision(ex, orgId, ids, divisionId, now);
    },
  };
}
