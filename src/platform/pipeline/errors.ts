/**
 * One error handler for the whole app: ApiError → upstream ErrorBody, OAuthError → RFC 6749
 * body, Fastify's own validation and parsing errors → ErrorBody 400/413/415. A 5xx never
 * shows its message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  frameworkError,
  internalError,
  isScimPath,
  scimErrorBody,
  OAuthError,
  routeNotFound,
  ServerError,
  serviceUnavailable,
  TemporarilyUnavailable,
  toErrorBody,
} from '../errors/index.ts';
import { isStoreUnavailable } from '../../storage/db.ts';
import { routePath } from './route-path.ts';

const fromFastify = frameworkError;

/**
 * An error on the token endpoints, in OAuth's shape: an OAuthError as itself, an unavailable store
 * as temporarily_unavailable (retry in 5 s), a client error as invalid_request, anything else as
 * server_error (logged).
 */
function sendOAuthError(
  error: FastifyError,
  unavailable: boolean,
  reply: FastifyReply,
  request: FastifyRequest,
  bodyLimit: number,
) {
  const api = fromFastify(error, bodyLimit);
  const oauth =
    error instanceof OAuthError ? error : unavailable ? new TemporarilyUnavailable() : api ? null : new ServerError();
  if (!oauth) {
    return reply
      .code(api!.status)
      .send({ error: 'invalid_request', description: api!.message, error_description: api!.message });
  }
  if (oauth.status >= 500 && !unavailable) request.log.error({ err: error }, 'token endpoint failure');
  if (unavailable) reply.header('Retry-After', '5');
  if (oauth.status === 401) reply.header('WWW-Authenticate', 'Basic realm="gatehouse"');
  return reply.code(oauth.status).header('Cache-Control', 'no-store').send(oauth.toBody());
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number) {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const unavailable = isStoreUnavailable(error);
    if (unavailable) request.log.warn({ err: { message: error.message } }, 'store unavailable');
    if (routePath(request).startsWith('/oauth/') && !(error instanceof ApiError))
      return sendOAuthError(error, unavailable, reply, request, bodyLimit);
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

/**
 * Fastify's `frameworkErrors`: a URL that does not decode (`%ff`) or a path parameter over the
 * length limit never reaches a route, so the error handler does not see it; it is answered here
 * in the same shapes.
 */
export function frameworkErrorHandler(bodyLimit: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const api = frameworkError(error, bodyLimit) ?? internalError();
    if (isScimPath(request.url)) {
      return reply
        .code(api.status)
        .type('application/scim+json; charset=utf-8')
        .send(scimErrorBody(api.status, api.message, 'invalidSyntax'));
    }
    return reply.code(api.status).send(toErrorBody(api, String(request.id)));
  };
}
