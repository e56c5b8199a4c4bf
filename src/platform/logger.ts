/** pino options: never log credentials, tokens or cookies. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.client_secret', '*.secret'],
      censor: '[redacted]',
    },
  };
}
