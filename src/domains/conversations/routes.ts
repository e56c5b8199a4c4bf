/**
 * /api/v2/conversations: upstream's read, disconnect and delete (teardown) and the caller's own
 * listing; plus Gatehouse additions documented in docs/conversations.md: an interaction's audit
 * trail, and /api/v2/gatehouse/conversations to list and create practice interactions.
 */
import type { FastifyInstance } from 'fastify';
import { parsePage } from '../../platform/paging.ts';
import {
  AuditTrailQuery,
  Conversation,
  ConversationEntityListing,
  ConversationParams,
  CreatePracticeInteraction,
  type CreatePracticeInteractionBody,
  MyConversationsQuery,
  PracticeInteraction,
  PracticeInteractionListing,
  PracticeListQuery,
} from './schemas.ts';
import type { ConversationsService } from './service.ts';
import { anyOf } from '../../platform/permissions.ts';
import { registerLiveRoutes } from './live-routes.ts';
import { serializedOnce } from '../../platform/serialized-once.ts';

const VIEW = anyOf('conversation:communication:view');
const DISCONNECT = anyOf('conversation:communication:disconnect');

type Params = { Params: { conversationId: string } };
type Paging = { pageSize?: number; pageNumber?: number };

export function registerConversationRoutes(
  app: FastifyInstance,
  { conversations }: { conversations: ConversationsService },
) {
  // Upstream needs no permission here: any user sees the conversations they take part in.
  app.get<{ Querystring: Paging & { communicationType?: string } }>(
    '/api/v2/conversations',
    {
      schema: { querystring: MyConversationsQuery, response: { 200: ConversationEntityListing } },
    },
    async (request) =>
      conversations.mine(request.caller, parsePage(request.query), request.query.communicationType, request.query),
  );

  // The service answers one shared object per stored version: serialized once per version.
  const sendConversation = serializedOnce();
  app.get<Params>(
    '/api/v2/conversations/:conversationId',
    {
      schema: { params: ConversationParams, response: { 200: Conversation } },
      config: { permission: VIEW },
    },
    async (request, reply) =>
      sendConversation(reply, await conversations.get(request.caller, request.params.conversationId)),
  );

  // Upstream answers 202 with the JSON string "Accepted", also for a conversation already torn down.
  app.post<Params>(
    '/api/v2/conversations/:conversationId/disconnect',
    {
      schema: { params: ConversationParams },
      config: { permission: DISCONNECT },
    },
    async (request, reply) => {
      await conversations.disconnect(request.caller, request.params.conversationId);
      return reply.code(202).type('application/json').send(JSON.stringify('Accepted'));
    },
  );

  app.delete<Params>(
    '/api/v2/conversations/:conversationId',
    {
      schema: { params: ConversationParams },
      config: { permission: DISCONNECT },
    },
    async (request, reply) => {
      await conversations.disconnect(request.caller, request.params.conversationId);
      return reply.code(200).send();
    },
  );

  // Beyond upstream: the interaction's audit trail ("Audit Trail" tab, Audits > Interaction Details > View).
  app.get<Params & { Querystring: Paging }>(
    '/api/v2/conversations/:conversationId/audits',
    {
      schema: { params: ConversationParams, querystring: AuditTrailQuery },
      config: { permission: anyOf('audits:interactionDetails:view') },
    },
    async (request) =>
      conversations.auditTrail(request.caller, request.params.conversationId, parsePage(request.query), request.query),
  );

  // Beyond upstream: practice interactions an administrator can look up and disconnect.
  app.get<{ Querystring: Paging & { state?: 'connected' | 'disconnected' } }>(
    '/api/v2/gatehouse/conversations',
    {
      schema: { querystring: PracticeListQuery, response: { 200: PracticeInteractionListing } },
      config: { permission: VIEW },
    },
    async (request) =>
      conversations.listPractice(request.caller, parsePage(request.query), request.query.state, request.query),
  );

  app.get<Params>(
    '/api/v2/gatehouse/conversations/:conversationId',
    {
      schema: { params: ConversationParams, response: { 200: PracticeInteraction } },
      config: { permission: VIEW },
    },
    async (request) => conversations.getPractice(request.caller, request.params.conversationId),
  );

  app.post<{ Body: CreatePracticeInteractionBody }>(
    '/api/v2/gatehouse/conversations',
    {
      schema: { body: CreatePracticeInteraction, response: { 200: PracticeInteraction } },
      config: { permission: DISCONNECT },
    },
    async (request) => conversations.createPractice(request.caller, request.caller.principal.orgId, request.body),
  );

  registerLiveRoutes(app, { conversations });
}
