/** The conversations (interactions) domain: read, disconnect, practice interactions and their audit trail. */
export { registerConversationRoutes } from './routes.ts';
export {
  AUDIT_ENTITY as CONVERSATION_AUDIT_ENTITY,
  AUDIT_SERVICE as CONVERSATION_AUDIT_SERVICE,
  type ConversationsService,
  createConversationsService,
} from './service.ts';
export { DEMO_SCENARIOS } from './practice-scenarios.ts';
export { ANONYMIZED_CUSTOMER, ANONYMIZED_USER, createConversationPersonalData } from './personal-data.ts';
export { ANALYTICS_MEDIA, type AnalyticsConversationView } from './analytics-view.ts';
export {
  CONVERSATION_COLUMNS,
  type DetailFilter,
  type DetailsQuery,
  type DimensionPredicate,
  SEGMENT_COLUMNS,
} from './details-store.ts';
export type { Conversation } from './model.ts';
export { createSimulator, type SimAgent, type Simulator, type SimQueue, WRAPUP_CODES } from './simulator.ts';
export { createLiveTraffic, type LiveTraffic, type TickResult } from './simulator-live.ts';
export { stuckReason } from './stuck.ts';
export { type Attachments, createAttachments } from './attachments.ts';
export { registerAttachmentRoutes } from './attachments-routes.ts';
export { conversationDivisionObjectType } from './divisions.ts';
