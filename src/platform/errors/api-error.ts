/** An error that becomes an upstream ErrorBody on /api/v2 routes. */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {
      messageParams?: Record<string, string>;
      details?: ErrorDetail[];
      entityId?: string;
      entityName?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }
}
