/**
 * Per-user console settings (beyond upstream), e.g. the API Usage page's "OAuth Client Settings"
 * and "URL Request Settings" selections, which the seed says persist until reset:
 * GET/PUT/DELETE /api/v2/console/preferences/{key}. Each user sees only their own.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import { ApiError, invalidValue } from '../../platform/errors/index.ts';
import type { Db } from '../../storage/db.ts';

const MAX_BYTES = 16_384;
const Params = Type.Object({ key: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) });
const Preference = Type.Object({ key: Type.String(), value: Type.Unknown() });

function userOf(request: FastifyRequest): string {
  const userId = request.caller.principal.userId;
  if (!userId) throw new ApiError(400, 'not.a.user', 'Preferences belong to a user; this token has no user.');
  return userId;
}

export function registerPreferenceRoutes(app: FastifyInstance, { db, clock }: { db: Db; clock: Clock }) {
  app.get<{ Params: { key: string } }>(
    '/api/v2/console/preferences/:key',
    {
      schema: { params: Params, response: { 200: Preference } },
    },
    async (request) => {
      const row = await db
        .selectFrom('user_preferences')
        .select('value')
        .where('user_id', '=', userOf(request))
        .where('key', '=', request.params.key)
        .executeTakeFirst();
      return { key: request.params.key, value: row ? JSON.parse(row.value) : null };
    },
  );

  app.put<{ Params: { key: string }; Body: { value: unknown } }>(
    '/api/v2/console/preferences/:key',
    {
      schema: {
        params: Params,
        body: Type.Object({ value: Type.Unknown() }, { additionalProperties: false }),
        response: { 200: Preference },
      },
    },
    async (request) => {
      const text = JSON.stringify(request.body.value ?? null);
      if (text.length > MAX_BYTES) throw invalidValue('value', `A preference is at most ${MAX_BYTES} bytes of JSON.`);
      const row = {
        user_id: userOf(request),
        key: request.params.key,
        value: text,
        modified_at: clock.now().toISOString(),
      };
      await db
        .insertInto('user_preferences')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['user_id', 'key']).doUpdateSet({ value: row.value, modified_at: row.modified_at }),
        )
        .execute();
      return { key: row.key, value: JSON.parse(text) };
    },
  );

  app.delete<{ Params: { key: string } }>(
    '/api/v2/console/preferences/:key',
    { schema: { params: Params } },
    async (request, reply) => {
      await db
        .deleteFrom('user_preferences')
        .where('user_id', '=', userOf(request))
        .where('key', '=', request.params.key)
        .execute();
      return reply.code(204).send();
    },
  );
}
