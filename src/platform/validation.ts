import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Two validators: the query string, path and headers arrive as text, so they are coerced
 * (`?pageSize=25` → 25, `?id=a` → ['a']); a JSON body is never coerced, so `"name": 42` is
 * refused instead of quietly becoming "42".
 */
export function installValidation(app: FastifyInstance) {
  const common = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  const json = new Ajv({ ...common, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema));
}
