import type { FastifyInstance } from 'fastify';
import type { OAuthService } from './service.ts';
import { TokenInfo } from './schemas.ts';

export function registerTokenRoutes(app: FastifyInstance, { oauth }: { oauth: OAuthService }) {
  // Fastify answers HEAD from this route too: upstream's "Verify user token" (200 or 401).
  app.get('/api/v2/tokens/me', { schema: { response: { 200: TokenInfo } } }, async (request) =>
    oauth.tokenInfo(request.caller),
  );

  app.delete('/api/v2/tokens/me', async (request, reply) => {
    await oauth.revokeToken(request.caller);
    return reply.code(200).send();
  });
}
