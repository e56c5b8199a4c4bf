/**
 * pino options: never log credentials, tokens or cookies, nor query-string values (a search for a
 * data subject carries their email or name there, and a log line cannot be erased later).
 */
import type { FastifyRequest } from 'fastify';

/** A request URL for the log: its path, and its query's parameter names with the values left out. */
export function loggedUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = [...new URLSearchParams(url.slice(at + 1)).keys()];
  return `${url.slice(0, at)}${names.length ? `?${[...new Set(names)].map((n) => `${n}=…`).join('&')}` : ''}`;
}

export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.client_secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: loggedUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}
