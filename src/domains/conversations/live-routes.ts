/**
 * Beyond upstream, for the console's real-time Performance views: the organization's live
 * interactions (each flagged with why it looks stuck) and one interaction in analytics shape
 * with its state. Documented in docs/analytics.md.
 */
import type { FastifyInstance } from 'fastify';
import { parsePage } from '../../platform/paging.ts';
import { anyOf } from '../../platform/permissions.ts';
import { ActiveInteractionListing, ActiveQuery, ConversationParams, InteractionDetail } from './schemas.ts';
import type { ConversationsService } from './service.ts';

const VIEW = anyOf('conversation:communication:view');

export function registerLiveRoutes(app: FastifyInstance, { conversations }: { conversations: ConversationsService }) {
  app.get<{ Querystring: { pageSize?: number; pageNumber?: number; queueId?: string; stuck?: boolean } }>(
    '/api/v2/gatehouse/interactions/active',
    {
      schema: { querystring: ActiveQuery, response: { 200: ActiveInteractionListing } },
      config: { permission: VIEW },
    },
    async (request) => conversations.activeListing(request.caller, parsePage(request.query, 100), request.query),
  );

  app.get<{ Params: { conversationId: string } }>(
    '/api/v2/gatehouse/interactions/:conversationId',
    {
      schema: { params: ConversationParams, response: { 200: InteractionDetail } },
      config: { permission: VIEW },
    },
    async (request) => conversations.analyticsView(request.caller, request.params.conversationId),
  );
}
