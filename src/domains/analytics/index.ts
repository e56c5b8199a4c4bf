/** The analytics domain: conversation details (query and jobs) and queue observations. */
export { registerAnalyticsRoutes } from './routes.ts';
export { type AnalyticsService, createAnalyticsService } from './service.ts';
