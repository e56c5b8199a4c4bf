/**
 * SCIM 2.0 routes under /api/v2/scim/v2/ and the legacy /api/v2/scim/ twins (same handlers),
 * each path in upstream's lower case and the RFC's capitalisation (`/users`, `/Users`). One
 * error handler, scoped to these paths, answers every error as an RFC 7644 error body.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, asServiceUnavailable, frameworkError } from '../../platform/errors/index.ts';
import type { PermissionRequirement } from '../../platform/permissions.ts';
import { getResourceType, getSchema, listResourceTypes, listSchemas, serviceProviderConfig } from './discovery.ts';
import { ScimError, scimErrorBody } from './errors.ts';
import { CREATE_USER_PERMISSIONS, EDIT_USER_PERMISSIONS } from './field-permissions.ts';
import { registerGroupRoutes } from './groups-routes.ts';
import { project, readListQuery } from './listing.ts';
import { ENTERPRISE_USER_URN, GENESYS_USER_URN, GROUP_SCHEMA_URN, USER_SCHEMA_URN } from './patch/index.ts';
import { checkResourceSchemas, refuseLoneSurrogates } from './request-checks.ts';
import type { ScimService } from './service.ts';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const USER_ALWAYS = ['id', 'schemas', 'userName', 'active', 'meta'];
const GROUP_ALWAYS = ['id', 'schemas', 'displayName', 'meta'];

type Json = Record<string, unknown>;
type Req = FastifyRequest<{ Params: { id: string }; Querystring: Record<string, unknown>; Body: unknown }>;

const perm = (p: string): PermissionRequirement => ({ type: 'ALL', list: [p] });
const USER_SCHEMAS = [USER_SCHEMA_URN, ENTERPRISE_USER_URN, GENESYS_USER_URN];

/** A User resource body (POST, PUT): a JSON object whose `schemas` RFC 7644 §3.3 accepts. */
function userBody(body: unknown): Json {
  const json = bodyObject(body);
  checkResourceSchemas(json, USER_SCHEMA_URN, USER_SCHEMAS);
  return json;
}

function groupBody(body: unknown): Json {
  const json = bodyObject(body);
  checkResourceSchemas(json, GROUP_SCHEMA_URN, [GROUP_SCHEMA_URN]);
  return json;
}

/** RFC 7644 §3.2: discovery endpoints are read-only; other methods get 405 with `Allow: GET`. */
const readOnly = async (_request: FastifyRequest, reply: FastifyReply) => {
  reply.header('Allow', 'GET');
  throw new ScimError(405, 'This endpoint is read-only: only GET is allowed.');
};
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

function bodyObject(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ScimError(400, 'The request body must be a JSON object.', 'invalidSyntax');
  return body as Json;
}

function toScim(
  error: FastifyError | Error,
  bodyLimit: number,
): {
  status: number;
  body: ReturnType<typeof scimErrorBody>;
  headers?: Record<string, string>;
} {
  if (error instanceof ScimError) {
    return { status: error.status, body: scimErrorBody(error.status, error.detail, error.scimType) };
  }
  if (error instanceof ApiError) {
    const scimType = error.code === 'invalid.value' ? 'invalidValue' : undefined;
    return {
      status: error.status,
      body: scimErrorBody(error.status, error.message, scimType),
      headers: error.extra.headers,
    };
  }
  // The store cannot be reached right now: 503 with Retry-After, never a 500.
  const unavailable = asServiceUnavailable(error);
  if (unavailable)
    return { status: 503, body: scimErrorBody(503, unavailable.message), headers: unavailable.extra.headers };
  // The framework's errors: the same mapping as everywhere else, in SCIM's shape.
  const api = frameworkError(error, bodyLimit);
  if (api)
    return {
      status: api.status,
      body: scimErrorBody(api.status, api.message, api.status === 400 ? 'invalidSyntax' : undefined),
    };
  return { status: 500, body: scimErrorBody(500, 'An internal error occurred.') };
}

export function registerScimRoutes(app: FastifyInstance, deps: { scim: ScimService; publicUrl: string | null }) {
  const { scim } = deps;
  registerGroupRoutes(app, { scim });
  const baseOf = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;

  /** A single resource: ETag header, and 304 when If-None-Match names the current version. */
  function single(
    request: FastifyRequest,
    reply: FastifyReply,
    r: { resource: Json; version: number },
    always: string[],
    status = 200,
  ) {
    const etag = `W/"${r.version}"`;
    reply.header('ETag', etag).type(SCIM_JSON);
    const inm = request.headers['if-none-match'];
    if (
      request.method === 'GET' &&
      typeof inm === 'string' &&
      inm.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `"${r.version}"`)
    ) {
      return reply.code(304).send();
    }
    const q = readListQuery(request.query as Json);
    const coreUrn = always === USER_ALWAYS ? USER_SCHEMA_URN : GROUP_SCHEMA_URN;
    return reply.code(status).send(project(r.resource, q, coreUrn, always));
  }

  const ifMatch = (request: FastifyRequest) =>
    typeof request.headers['if-match'] === 'string' ? request.headers['if-match'] : undefined;
  const membersWanted = (q: Json) => {
    const { attributes, excludedAttributes } = readListQuery(q);
    if (attributes.length) return attributes.some((a) => /(^|:)members(\.|$)/i.test(a));
    return !excludedAttributes.some((a) => /(^|:)members$/i.test(a));
  };

  app.register(
    async (scope) => {
      scope.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (_request, body, done) => {
        const text = (body as string).trim();
        if (text === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          const err = new SyntaxError('The request body is not valid JSON.');
          done(err as Error, undefined);
        }
      });
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        const out = toScim(error, app.initialConfig.bodyLimit ?? 512_000);
        if (out.status >= 500) request.log.error({ err: error }, 'SCIM request failed');
        for (const [k, v] of Object.entries(out.headers ?? {})) reply.header(k, v);
        return reply.code(out.status).type(SCIM_JSON).send(out.body);
      });
      // Every SCIM route counts against the client's SCIM rate limit, not its API one.
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, rateLimit: 'scim' };
      });
      // Any string of any body, keys included, that holds a lone surrogate is refused whole.
      scope.addHook('preHandler', async (request) => {
        if (request.body !== undefined) refuseLoneSurrogates(request.body);
      });
      scope.setNotFoundHandler((request, reply) => {
        reply
          .code(404)
          .type(SCIM_JSON)
          .send(scimErrorBody(404, `No SCIM endpoint ${request.method} ${request.url.split('?')[0]}.`));
      });

      for (const prefix of ['/v2', '']) {
        const paths = (name: string) => [...new Set([`${prefix}/${name.toLowerCase()}`, `${prefix}/${name}`])];
        for (const p of paths('ServiceProviderConfig')) {
          scope.get(p, async (request, reply) => reply.type(SCIM_JSON).send(serviceProviderConfig(baseOf(request))));
          scope.route({ method: [...WRITES], url: p, handler: readOnly });
        }
        for (const p of paths('ResourceTypes')) {
          scope.get(p, async (request, reply) => reply.type(SCIM_JSON).send(listResourceTypes(baseOf(request))));
          scope.get(`${p}/:id`, async (request: Req, reply) =>
            reply.type(SCIM_JSON).send(getResourceType(baseOf(request), request.params.id)),
          );
          scope.route({ method: [...WRITES], url: p, handler: readOnly });
          scope.route({ method: [...WRITES], url: `${p}/:id`, handler: readOnly });
        }
        for (const p of paths('Schemas')) {
          scope.get(p, async (request, reply) => reply.type(SCIM_JSON).send(listSchemas(baseOf(request))));
          scope.get(`${p}/:id`, async (request: Req, reply) =>
            reply.type(SCIM_JSON).send(getSchema(baseOf(request), request.params.id)),
          );
          scope.route({ method: [...WRITES], url: p, handler: readOnly });
          scope.route({ method: [...WRITES], url: `${p}/:id`, handler: readOnly });
        }

        for (const p of paths('Users')) {
          // Reads need no permission, as upstream; they see the users of the divisions where the caller
          // holds a SCIM user permission (user-reach.ts), as the directory's user routes do.
          const listUsers = async (request: Req, reply: FastifyReply) => {
            const q = readListQuery(request.query);
            const page = await scim.users.list(
              request.caller.principal.orgId,
              q,
              baseOf(request),
              request.caller.principal,
            );
            page.Resources = page.Resources.map((r) => project(r, q, USER_SCHEMA_URN, USER_ALWAYS));
            return reply.type(SCIM_JSON).send(page);
          };
          scope.get(p, listUsers);
          // `GET /Users/?filter=…` (a trailing slash, as some clients build it) is the list too.
          scope.get(`${p}/`, listUsers);
          scope.get(`${p}/:id`, async (request: Req, reply) =>
            single(
              request,
              reply,
              await scim.users.get(
                request.caller.principal.orgId,
                request.params.id,
                baseOf(request),
                request.caller.principal,
              ),
              USER_ALWAYS,
            ),
          );
          scope.post(
            p,
            { config: { permission: { type: 'ANY', list: CREATE_USER_PERMISSIONS } } },
            async (request: Req, reply) => {
              const created = await scim.users.create(request.caller, userBody(request.body), baseOf(request));
              reply.header('Location', (created.resource.meta as Json).location as string);
              return single(request, reply, created, USER_ALWAYS, 201);
            },
          );
          scope.put(
            `${p}/:id`,
            { config: { permission: { type: 'ANY', list: EDIT_USER_PERMISSIONS } } },
            async (request: Req, reply) =>
              single(
                request,
                reply,
                await scim.users.replace(
                  request.caller,
                  request.params.id,
                  userBody(request.body),
                  ifMatch(request),
                  baseOf(request),
                ),
                USER_ALWAYS,
              ),
          );
          scope.patch(
            `${p}/:id`,
            { config: { permission: { type: 'ANY', list: EDIT_USER_PERMISSIONS } } },
            async (request: Req, reply) =>
              single(
                request,
                reply,
                await scim.users.patch(
                  request.caller,
                  request.params.id,
                  request.body,
                  ifMatch(request),
                  baseOf(request),
                ),
                USER_ALWAYS,
              ),
          );
          scope.delete(
            `${p}/:id`,
            { config: { permission: perm('directory:user:delete') } },
            async (request: Req, reply) => {
              await scim.users.remove(request.caller, request.params.id, ifMatch(request));
              // Upstream declares 200 with an empty body (RFC 7644 §3.6 says 204; identity providers take either).
              return reply.code(200).send();
            },
          );
        }

        for (const p of paths('Groups')) {
          const group = { config: { permission: perm('directory:group:edit') } };
          scope.get(p, group, async (request: Req, reply) => {
            const q = readListQuery(request.query);
            const page = await scim.groups.list(
              request.caller.principal.orgId,
              q,
              baseOf(request),
              membersWanted(request.query),
            );
            page.Resources = page.Resources.map((r) => project(r, q, GROUP_SCHEMA_URN, GROUP_ALWAYS));
            return reply.type(SCIM_JSON).send(page);
          });
          scope.get(`${p}/:id`, group, async (request: Req, reply) =>
            single(
              request,
              reply,
              await scim.groups.get(
                request.caller.principal.orgId,
                request.params.id,
                baseOf(request),
                membersWanted(request.query),
              ),
              GROUP_ALWAYS,
            ),
          );
          scope.patch(`${p}/:id`, group, async (request: Req, reply) =>
            single(
              request,
              reply,
              await scim.groups.patch(
                request.caller,
                request.params.id,
                request.body,
                ifMatch(request),
                baseOf(request),
                membersWanted(request.query),
              ),
              GROUP_ALWAYS,
            ),
          );
          scope.put(`${p}/:id`, group, async (request: Req, reply) =>
            single(
              request,
              reply,
              await scim.groups.replace(
                request.caller,
                request.params.id,
                groupBody(request.body),
                ifMatch(request),
                baseOf(request),
              ),
              GROUP_ALWAYS,
            ),
          );
          const refuse = async () => {
            throw new ScimError(
              405,
              'Groups cannot be created or deleted through SCIM; an administrator manages them in Gatehouse.',
            );
          };
          scope.post(p, group, refuse);
          scope.delete(`${p}/:id`, group, refuse);
        }
      }
    },
    { prefix: '/api/v2/scim' },
  );
}
