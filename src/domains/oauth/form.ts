import type { FastifyInstance } from 'fastify';
import { InvalidRequest } from '../../platform/errors/index.ts';

/** application/x-www-form-urlencoded, single-valued (RFC 6749 §3.2: no parameter twice). */
export function parseForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if (k in params) throw new InvalidRequest(`parameter "${k}" was sent more than once`);
    params[k] = v;
  }
  return params;
}

/** Registers the form parser on an encapsulated scope (the JSON API does not take forms). */
export function acceptForms(scope: FastifyInstance) {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
