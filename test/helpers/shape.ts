/**
 * Validates a response body against the upstream definition of that name (derived into
 * src/contracts by scripts/derive-schemas.ts). Strict on purpose: a field upstream does not
 * have is an error (so nothing leaks, secrets included), required fields must be present,
 * enums and types must match. Upstream `uri` fields carry relative links here, so `uri`
 * accepts URI references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext the function sits on .default.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const FILE = join(import.meta.dirname, '..', '..', 'src', 'contracts', 'upstream-definitions.json');
const { definitions } = JSON.parse(readFileSync(FILE, 'utf8')) as {
  definitions: Record<string, Record<string, unknown>>;
};

type Json = Record<string, any>;

/** Every object with properties becomes closed (additionalProperties: false) unless relaxed. */
function close(schema: Json, open: boolean): Json {
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'readOnly') continue;
    if (k === 'format' && v === 'uri') out.format = 'uri-reference';
    else if (k === 'format' && (v === 'int32' || v === 'int64')) out.format = v;
    else if (k === 'properties')
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, close(s as Json, open)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = typeof v === 'object' ? close(v as Json, open) : v;
    else out[k] = v;
  }
  if (out.properties && !open && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function makeAjv(open: boolean) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addSchema({
    $id: 'upstream',
    definitions: Object.fromEntries(Object.entries(definitions).map(([n, s]) => [n, close(s, open)])),
  });
  return ajv;
}

const strict = makeAjv(false);
const relaxed = makeAjv(true);
const cache = new Map<string, ValidateFunction>();

export interface ShapeOptions {
  /** Let fields upstream does not define through (for documented "beyond upstream" additions). */
  extraProperties?: boolean;
}

function describe(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const where = e.instancePath || '(root)';
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return `  ${where}: ${e.message}${extra ? ` "${extra}"` : ''}`;
    })
    .join('\n');
}

export function validateShape(definitionName: string, body: unknown, options: ShapeOptions = {}): void {
  if (!definitions[definitionName]) throw new Error(`no upstream definition named ${definitionName}`);
  const key = `${options.extraProperties ? 'open' : 'closed'}:${definitionName}`;
  let validate = cache.get(key);
  if (!validate) {
    const ajv = options.extraProperties ? relaxed : strict;
    validate = ajv.getSchema(`upstream#/definitions/${definitionName}`) as ValidateFunction;
    cache.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(`body does not match upstream ${definitionName}:\n${describe(validate.errors ?? [])}`);
  }
}

export const expectShape = validateShape;
