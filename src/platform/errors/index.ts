export { ApiError, type ErrorDetail } from './api-error.ts';
export * from './catalogue.ts';
export * from './oauth-error.ts';
export { toErrorBody } from './to-error-body.ts';
export { frameworkError, parserError } from './framework.ts';
export { isScimPath, SCIM_ERROR_URN, type ScimErrorBody, scimErrorBody } from './to-scim-error.ts';
