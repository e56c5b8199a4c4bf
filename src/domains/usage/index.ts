/** The usage domain: the meter, the usage queries and their routes. */
export { createUsageMeter } from './meter.ts';
export { registerUsageRoutes } from './routes.ts';
export { type ClientLookup, createUsageService, type UsageService } from './service.ts';
