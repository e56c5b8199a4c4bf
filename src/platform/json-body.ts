import type { FastifyInstance } from 'fastify';

/**
 * JSON bodies, with one allowance: the official JS SDK sends `Content-Type: application/json`
 * on every request, bodiless DELETEs included, so an empty body is no body rather than an error.
 */
export function installJsonParser(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new SyntaxError('The request body is not valid JSON.') as SyntaxError & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
}
