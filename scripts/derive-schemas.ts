/**
 * Derives the upstream shapes Gatehouse serves from the reconstructed upstream Swagger
 * (../shared/reference/genesys-api-subset.json) into src/contracts/: types, enums, required
 * lists and references only, never description text. Run by a developer when the reference
 * changes: `npm run schemas:derive [path]`. Nothing reads the reference at run or test time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const source = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'reference', 'genesys-api-subset.json'));
const swagger = JSON.parse(readFileSync(source, 'utf8'));

const KEEP_FORMATS = new Set(['date-time', 'uri', 'int32', 'int64', 'double', 'float', 'uuid', 'date']);

type Json = Record<string, any>;

function shape(s: Json): Json {
  const out: Json = {};
  if (s.$ref) return { $ref: s.$ref.replace('#/definitions/', '#/definitions/') };
  if (s.type) out.type = s.type;
  if (s.format && KEEP_FORMATS.has(s.format)) out.format = s.format;
  if (s.enum) out.enum = [...s.enum];
  if (s.readOnly) out.readOnly = true;
  if (s.items) out.items = shape(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    out.additionalProperties = shape(s.additionalProperties);
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.keys(s.properties)
        .sort()
        .map((k) => [k, shape(s.properties[k])]),
    );
  }
  if (Array.isArray(s.required) && s.required.length) out.required = [...s.required].sort();
  return out;
}

const definitions = Object.fromEntries(
  Object.keys(swagger.definitions)
    .sort()
    .map((name) => [name, shape(swagger.definitions[name])]),
);

const operations: Json[] = [];
for (const path of Object.keys(swagger.paths).sort()) {
  for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete']) {
    const op = swagger.paths[path][method];
    if (!op) continue;
    const perms = op['x-inin-requires-permissions'];
    const ok = Object.entries(op.responses ?? {}).find(([code]) => code.startsWith('2')) as [string, Json] | undefined;
    const body = (op.parameters ?? []).find((p: Json) => p.in === 'body');
    const typeOf = (schema: Json | undefined) =>
      schema
        ? (schema.$ref?.split('/').pop() ??
          (schema.type === 'array' ? `${schema.items?.$ref?.split('/').pop() ?? schema.items?.type}[]` : schema.type))
        : null;
    operations.push({
      method: method.toUpperCase(),
      path,
      operationId: op.operationId,
      tags: op.tags ?? [],
      permissions: perms ? { type: perms.type, list: [...perms.permissions] } : null,
      responseType: typeOf(ok?.[1]?.schema),
      bodyType: typeOf(body?.schema),
      deprecated: op.deprecated === true,
    });
  }
}

writeFileSync(join(ROOT, 'src/contracts/upstream-definitions.json'), `${JSON.stringify({ definitions }, null, 1)}\n`);
writeFileSync(join(ROOT, 'src/contracts/upstream-operations.json'), `${JSON.stringify(operations, null, 1)}\n`);
console.log(
  `derived ${Object.keys(definitions).length} definitions and ${operations.length} operations from ${source}`,
);
