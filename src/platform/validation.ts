import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

type Serialize = (data: unknown) => string;
/** Fastify's own response serializer factory (fast-json-stringify), as Fastify resolves it. */
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'));
const { SerializerSelector } = fastifyRequire('@fastify/fast-json-stringify-compiler') as {
  SerializerSelector: () => (external: object, options: object | undefined) => (route: { schema: object }) => Serialize;
};

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
  // Response serializers likewise: Fastify's own compiler (no shared schemas are added), run on
  // the first response of each route and status (building them all was about 7 % of a start).
  const serializerFor = SerializerSelector()({}, undefined);
  app.setSerializerCompiler((route) => {
    let serialize: Serialize | null = null;
    return (data: unknown) => {
      serialize ??= serializerFor(route);
      return serialize(data);
    };
  });
}
