export { ApiError, type ErrorDetail } from './api-error.ts';
export * from './catalogue.ts';
export * from './oauth-error.ts';
export { toErrorBody } from './to-error-body.ts';
