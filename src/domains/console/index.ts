export { registerConsoleRoutes } from './routes.ts';
export { registerPreferenceRoutes } from './preferences.ts';
