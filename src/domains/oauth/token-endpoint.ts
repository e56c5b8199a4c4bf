/**
 * POST /oauth/token (RFC 6749 §3.2): a form-encoded request, answered with a token or an
 * RFC 6749 §5.2 error. The steps read as a checklist: parse → pick grant → authenticate client
 * → run grant.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidClient, InvalidRequest, UnsupportedGrantType } from '../../platform/errors/index.ts';
import { authenticateClient, identifyPublicClient, readCredentials } from './client-authentication.ts';
import type { Clients } from './clients.ts';
import { acceptForms } from './form.ts';
import type { Grant } from './grants/index.ts';
import type { Secrets } from './secrets.ts';
import type { RateLimits } from '../../platform/rate-limit.ts';

function supportedGrant(grants: Map<string, Grant>, params: Record<string, string>): Grant {
  const type = params.grant_type;
  if (!type) throw new InvalidRequest('missing required parameter "grant_type"');
  const grant = grants.get(type);
  if (!grant)
    throw new UnsupportedGrantType(
      `grant_type "${type}" is not supported; use one of: ${[...grants.keys()].join(', ')}`,
    );
  return grant;
}

export function registerTokenEndpoint(
  app: FastifyInstance,
  deps: { grants: Map<string, Grant>; clients: Clients; secrets: Secrets; limits: RateLimits },
) {
  app.register(async (scope) => {
    acceptForms(scope);

    scope.post('/oauth/token', { config: { public: true } }, async (request: FastifyRequest, reply) => {
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        throw new InvalidRequest('the token request must be sent as application/x-www-form-urlencoded');
      }
      const params = (request.body ?? {}) as Record<string, string>;
      const grant = supportedGrant(deps.grants, params);
      const creds = readCredentials(request.headers.authorization, params);
      if (!creds)
        throw new InvalidClient('client authentication is required (HTTP Basic with client_id:client_secret)');
      const publicClient = creds.clientSecret === null;
      if (publicClient && grant.clientAuthentication === 'required') {
        throw new InvalidClient('client authentication is required (HTTP Basic with client_id:client_secret)');
      }
      // Failed authentications count against the caller's address; only the authenticated client
      // uses up its own token budget, so guessing at a client id cannot lock its owner out.
      const client = await deps.limits.failures(
        [['authFailures', request.ip]],
        () =>
          publicClient
            ? identifyPublicClient(deps.clients, creds.clientId)
            : authenticateClient(deps.clients, deps.secrets, creds),
        (err) => err instanceof InvalidClient,
      );
      // In-process counters answer synchronously (undefined): no await, so no extra turn.
      const limited = deps.limits.check([['token', client.id]]);
      if (limited) await limited;
      const response = await grant.handler({ client, params, publicClient });
      return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
    });
  });
}
