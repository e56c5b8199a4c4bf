/**
 * Fastify's own errors (validation, body parsing, bad URLs, over-long parameters, oversized
 * headers) as ApiErrors: the one mapping both the upstream ErrorBody handler and the SCIM
 * handler use (issues 16 and 17), and the errors Node's HTTP parser raises before Fastify has a
 * request. Null for anything that is not a client error.
 */
import type { FastifyError } from 'fastify';
import { ApiError } from './api-error.ts';
import { badRequest, tooLarge, unsupportedMediaType } from './catalogue.ts';

function validationError(err: FastifyError): ApiError {
  const details = err.validation!.map((v) => {
    const field = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
    const missing = (v.params as { missingProperty?: string })?.missingProperty;
    const extra = (v.params as { additionalProperty?: string })?.additionalProperty;
    const fieldName = [field, missing ?? extra].filter(Boolean).join('.') || err.validationContext || 'body';
    return { errorCode: 'invalid.value', fieldName };
  });
  const where = err.validationContext ?? 'body';
  const first = details[0]?.fieldName ?? where;
  const message = `The ${where === 'querystring' ? 'query' : where} is not valid: ${first} ${err.validation![0]?.message ?? 'is invalid'}.`;
  return badRequest(message, details);
}

/** An error of Node's HTTP parser (raised before Fastify sees the request) by its code. */
export function parserError(code: string | undefined): ApiError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'request.timeout', 'The request took too long to arrive.');
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        431,
        'request.header.fields.too.large',
        'The request URL or headers are too large (at most 16 KB).',
      );
    default:
      return badRequest('The request is not valid HTTP.');
  }
}

export function frameworkError(err: FastifyError | Error, bodyLimit: number): ApiError | null {
  const e = err as FastifyError;
  if (e.validation) return validationError(e);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(String(e.message.split(': ').pop()));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('The request body is not valid JSON.');
    case 'FST_ERR_BAD_URL':
      return badRequest('The URL is not valid: a percent-encoded part does not decode.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(414, 'request.uri.too.long', 'A path parameter of the URL is too long.');
    case 'HPE_HEADER_OVERFLOW':
      return parserError(e.code);
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return badRequest('The request body is not valid JSON.');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new ApiError(e.statusCode, 'bad.request', e.message);
  return null;
}
