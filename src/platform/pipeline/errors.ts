/**
 * One error handler for the whole app: ApiError → upstream ErrorBody, OAuthError → RFC 6749
 * body, Fastify's own validation and parsing errors → ErrorBody 400/413/415. A 5xx never
 * shows its message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  badRequest,
  internalError,
  OAuthError,
  routeNotFound,
  ServerError,
  serviceUnavailable,
  TemporarilyUnavailable,
  toErrorBody,
  tooLarge,
  unsupportedMediaType,
} from '../errors/index.ts';
import { isStoreUnavailable } from '../../storage/db.ts';
import { routePath } from './route-path.ts';

function fromFastify(err: FastifyError, bodyLimit: number): ApiError | null {
  if (err.validation) {
    const details = err.validation.map((v) => {
      const field = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
      const missing = (v.params as { missingProperty?: string })?.missingProperty;
      const extra = (v.params as { additionalProperty?: string })?.additionalProperty;
      const fieldName = [field, missing ?? extra].filter(Boolean).join('.') || err.validationContext || 'body';
      return { errorCode: 'invalid.value', fieldName };
    });
    const where = err.validationContext ?? 'body';
    const first = details[0]?.fieldName ?? where;
    const message = `The ${where === 'querystring' ? 'query' : where} is not valid: ${first} ${err.validation[0]?.message ?? 'is invalid'}.`;
    return badRequest(message, details);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(String(err.message.split(': ').pop()));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('The request body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('The request body is not valid JSON.');
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
    return badRequest('The request body is not valid JSON.');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new ApiError(err.statusCode, 'bad.request', err.message);
  return null;
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const unavailable = isStoreUnavailable(error);
    if (unavailable) request.log.warn({ err: { message: error.message } }, 'store unavailable');
    if (routePath(request).startsWith('/oauth/') && !(error instanceof ApiError)) {
      const oauth =
        error instanceof OAuthError
          ? error
          : unavailable
            ? new TemporarilyUnavailable()
            : fromFastify(error, bodyLimit)
              ? null
              : new ServerError();
      if (oauth) {
        if (oauth.status >= 500 && !unavailable) request.log.error({ err: error }, 'token endpoint failure');
        if (unavailable) reply.header('Retry-After', '5');
        if (oauth.status === 401) reply.header('WWW-Authenticate', 'Basic realm="gatehouse"');
        return reply.code(oauth.status).header('Cache-Control', 'no-store').send(oauth.toBody());
      }
      const api = fromFastify(error, bodyLimit)!;
      return reply
        .code(api.status)
        .send({ error: 'invalid_request', description: api.message, error_description: api.message });
    }
    let api = error instanceof ApiError ? error : unavailable ? serviceUnavailable() : fromFastify(error, bodyLimit);
    if (!api) {
      request.log.error({ err: error }, 'unhandled error');
      api = internalError();
    }
    for (const [k, v] of Object.entries(api.extra.headers ?? {})) reply.header(k, v);
    return reply.code(api.status).send(toErrorBody(api, String(request.id)));
  });

  app.setNotFoundHandler((request, reply) => {
    const api = routeNotFound(request.method, request.url);
    reply.code(404).send(toErrorBody(api, String(request.id)));
  });
}
