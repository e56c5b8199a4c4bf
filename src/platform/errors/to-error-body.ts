import type { ApiError } from './api-error.ts';

/** Serializes an ApiError as the upstream ErrorBody. contextId is the request's correlation id. */
export function toErrorBody(err: ApiError, contextId: string) {
  const params = err.extra.messageParams ?? {};
  return {
    message: err.message,
    code: err.code,
    status: err.status,
    ...(err.extra.entityId ? { entityId: err.extra.entityId } : {}),
    ...(err.extra.entityName ? { entityName: err.extra.entityName } : {}),
    messageParams: params,
    contextId,
    details: err.extra.details ?? [],
    errors: [],
  };
}
