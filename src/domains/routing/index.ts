/** The routing domain: queues and their membership. */
export { registerRoutingRoutes } from './routes.ts';
export { AUDIT_SERVICE as ROUTING_AUDIT_SERVICE, createRoutingService, type RoutingService } from './service.ts';
export type { QueueScope } from './store.ts';
export { queueDivisionObjectType } from './divisions.ts';
