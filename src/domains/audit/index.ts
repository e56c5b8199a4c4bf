/** The audit domain's public surface: the read side (the write side is platform/audit.ts). */
export { registerAuditRoutes } from './routes.ts';
export { type AuditService, createAuditService } from './service.ts';
export { type AuditStreaming, createAuditStreaming, registerStreamRoutes, signWebhook } from './streams/index.ts';
