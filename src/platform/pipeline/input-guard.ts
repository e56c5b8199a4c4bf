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
  return Array.isArray(value)
    ? nulInArray(value, path, depth)
    : nulInRecord(value as Record<string, unknown>, path, depth);
}

// Paths are only built for a hit or a nested value: a flat body or query (every token request's
// form) is scanned without making a string per field (issue 22).

const isNested = (v: unknown): v is object => v !== null && typeof v === 'object';

function nulInArray(value: unknown[], path: string, depth: number): string | null {
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `${path}[${i}]`;
    } else if (isNested(v)) {
      const hit = findNul(v, `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

function nulInRecord(record: Record<string, unknown>, path: string, depth: number): string | null {
  for (const k of Object.keys(record)) {
    if (k.includes('\u0000')) return path || 'body';
    const v = record[k];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return path ? `${path}.${k}` : k;
    } else if (isNested(v)) {
      const hit = findNul(v, path ? `${path}.${k}` : k, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

export function refuseNulStep(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) {
  const path = routePath(request);
  // SCIM checks its own input (RFC 7644 answers: the attribute named, 404 for an impossible id).
  if (isScimPath(path)) return done();
  const field =
    findNul(request.params, '') ??
    findNul(request.query, '') ??
    findNul(request.body, typeof request.body === 'string' ? 'body' : '');
  if (!field) return done();
  const message = `${field} must not contain a NUL character.`;
  if (path.startsWith('/oauth/')) return done(new OAuthError('invalid_request', message));
  done(invalidValue(field, message));
}
