import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * A validator compiled on its first use, not when its route is registered: compiling every
 * route's schemas was about 15 % of a cold start (docs/benchmarks.md, issue 22), and most routes
 * are never called in a process's first seconds. Fastify reads `errors` after a `false`.
 */
function compiledOnFirstUse(compile: () => ValidateFunction) {
  let validate: ValidateFunction | null = null;
  const lazy = (data: unknown) => {
    validate ??= compile();
    const ok = validate(data);
    lazy.errors = validate.errors;
    return ok;
  };
  lazy.errors = null as ValidateFunction['errors'];
  return lazy;
}

/**
 * Two validators: the query string, path and headers arrive as text, so they are coerced
 * (`?pageSize=25` → 25, `?id=a` → ['a']); a JSON body is never coerced, so `"name": 42` is
 * refused instead of quietly becoming "42".
 */
export function installValidation(app: FastifyInstance) {
  const common = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const;
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  const json = new Ajv({ ...common, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    compiledOnFirstUse(() => (httpPart === 'body' ? json : text).compile(schema)),
  );
}
