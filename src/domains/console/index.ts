export { registerConsoleRoutes } from './routes.ts';
export { registerPreferenceRoutes } from './preferences.ts';
export { createConsolePersonalData } from './personal-data.ts';
