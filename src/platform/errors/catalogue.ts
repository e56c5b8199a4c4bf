/**
 * The error catalogue: one factory per upstream error code, so every domain throws the same
 * code with the same status and wording. Domain-specific codes live in the domain's errors.ts.
 */
import { isStoreUnavailable } from '../../storage/db.ts';
import { ApiError, type ErrorDetail } from './api-error.ts';

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new ApiError(400, 'bad.request', message, { details });

export const invalidValue = (fieldName: string, message: string) =>
  new ApiError(400, 'invalid.value', message, { details: [{ errorCode: 'invalid.value', fieldName }] });

export const authenticationRequired = (message = 'No authentication bearer token specified in authorization header.') =>
  new ApiError(401, 'authentication.required', message);

export const badCredentials = (message = 'Invalid login credentials.') => new ApiError(401, 'bad.credentials', message);
/** A wrong email or password (what login rate limits count). */
export const isBadCredentials = (err: unknown) => err instanceof ApiError && err.code === 'bad.credentials';

export const missingPermissions = (permissions: string[]) =>
  new ApiError(
    403,
    'missing.permissions',
    `Unable to perform the requested action. You are missing the following permission(s): ${permissions.join(', ')}`,
    { messageParams: { permissions: permissions.join(', ') } },
  );

export const missingAnyPermissions = (permissions: string[]) =>
  new ApiError(
    403,
    'missing.any.permissions',
    `Unable to perform the requested action. You must have at least one of the following permissions assigned: ${permissions.join(', ')}`,
    { messageParams: { permissions: permissions.join(', ') } },
  );

export const notFound = (entity: string, id?: string) =>
  new ApiError(404, 'not.found', `The requested ${entity} was not found.`, { entityId: id });

export const routeNotFound = (method: string, url: string) =>
  new ApiError(404, 'not.found', `Unable to find a route for ${method} ${url.split('?')[0]}.`);

export const conflict = (message: string, entityId?: string) => new ApiError(409, 'conflict', message, { entityId });

export const tooLarge = (maxBytes: number) =>
  new ApiError(413, 'request.entity.too.large', `The request is over the size limit. Maximum bytes: ${maxBytes}`);

export const unsupportedMediaType = (type: string) =>
  new ApiError(415, 'unsupported.media.type', `Content type "${type}" is not supported. Send application/json.`);

export const internalError = () =>
  new ApiError(500, 'internal.server.error', 'The server encountered an internal error. Please try again.');

/** The store (or another dependency a request needs) cannot be reached right now; retry later. */
export const serviceUnavailable = (retryAfterSeconds = 5) =>
  new ApiError(503, 'service.unavailable', 'The service is temporarily unavailable. Please try again later.', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** The 503 for an error that says the store cannot be reached right now, else null. */
export const asServiceUnavailable = (err: unknown) => (isStoreUnavailable(err) ? serviceUnavailable() : null);
