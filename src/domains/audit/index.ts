/** The audit domain's public surface: the read side (the write side is platform/audit.ts). */
export { registerAuditRoutes } from './routes.ts';
export { type AuditService, createAuditService, entityAuditTrail } from './service.ts';
export type { AuditMessage } from './views.ts';
export { createAuditPersonalData } from './personal-data.ts';
export { type AuditStreaming, createAuditStreaming, registerStreamRoutes, signWebhook } from './streams/index.ts';
