/**
 * Refuses a NUL character anywhere in a request's path parameters, query or body, once for
 * every route: PostgreSQL cannot store one in text (it answered 500) while SQLite stored it,
 * and no field of the API has a use for it (@see issue 16).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidValue, isScimPath, OAuthError } from '../errors/index.ts';
import { routePath } from './route-path.ts';

/** The dotted path of the first string (or key) holding a NUL, or null. */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const at = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return path || 'body';
    const hit = findNul(v, at, depth + 1);
    if (hit) return hit;
  }
  return null;
}

export function refuseNulStep(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
  // SCIM checks its own input (RFC 7644 answers: the attribute named, 404 for an impossible id).
  if (isScimPath(routePath(request))) return done();
  const field =
    findNul(request.params, '') ??
    findNul(request.query, '') ??
    findNul(request.body, typeof request.body === 'string' ? 'body' : '');
  if (!field) return done();
  const message = `${field} must not contain a NUL character.`;
  if (routePath(request).startsWith('/oauth/')) return done(new OAuthError('invalid_request', message));
  done(invalidValue(field, message));
}
