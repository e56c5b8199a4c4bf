/**
 * Queues as objects of divisions (upstream objectType QUEUE): counted before a division is
 * deleted and moved by POST /api/v2/authorization/divisions/{divisionId}/objects/QUEUE, where the
 * caller needs routing:queue:edit both in each queue's division and in the target.
 */
import type { DivisionObjectType } from '../directory/index.ts';
import { createRoutingStore } from './store.ts';

export function queueDivisionObjectType(): DivisionObjectType {
  const store = createRoutingStore();
  return {
    type: 'QUEUE',
    permission: 'routing:queue:edit',
    count: (ex, orgId, divisionId) => store.countInDivision(ex, orgId, divisionId),
    divisionsOf: (ex, orgId, ids) => store.divisionsOf(ex, orgId, ids),
    move: async (ex, orgId, ids, divisionId, now) => {
      await store.moveToDivision(ex, orgId, ids, divisionId, now);
    },
  };
}
