/**
 * Every route, driven with generated path parameters, query strings and bodies (shaped by the
 * route's schema, and not), on every dialect: no answer may be a 5xx and none may hang
 * (@see issue 16). fast-check with a fixed seed, so a failure is reproducible; set
 * GATEHOUSE_FUZZ_SEED / GATEHOUSE_FUZZ_RUNS to explore further.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/app.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';

const SEED = Number(process.env.GATEHOUSE_FUZZ_SEED ?? 16_2026);
const RUNS = Number(process.env.GATEHOUSE_FUZZ_RUNS ?? 12);
const HANG_MS = 10_000;

const NO_LIMITS = Object.fromEntries(
  ['CLIENT', 'USER_CLIENT', 'USER', 'ORG', 'TOKEN', 'LOGIN', 'AUTH_FAILURES'].map((k) => [
    `GATEHOUSE_RATE_LIMIT_${k}`,
    '0',
  ]),
);

/** Routes left out, each with its reason. */
function driven(r: RouteEntry): boolean {
  if (r.method === 'HEAD' || r.method === 'OPTIONS') return false;
  // Revoking the fuzzer's own token would turn every later request into a 401.
  if (r.method === 'DELETE' && r.url === '/api/v2/tokens/me') return false;
  return true;
}

const EVIL = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '%ff',
  '../../etc/passwd',
  'x'.repeat(600),
  '99999999999999999999',
  '-1',
  '0',
  'null',
  '[]',
  '{}',
  "' OR 1=1 --",
  '\uFFFF',
  '😀',
  '<script>',
  '2026-13-45T99:99:99Z',
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EVIL) },
  { weight: 1, arbitrary: fc.uuid() },
);
const numberish = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1e20, Number.MAX_SAFE_INTEGER, 2 ** 31, 0.5),
  fc.double({ noNaN: true }),
);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
}

/** Values shaped like the schema, mixed with values of any other shape. */
function fromSchema(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const anything = fc.jsonValue({ maxDepth: 2 });
  if (!s || depth > 4) return anything;
  let shaped: fc.Arbitrary<unknown> = anything;
  if (s.const !== undefined) shaped = fc.constant(s.const);
  else if (s.enum) shaped = fc.constantFrom(...s.enum);
  else if (s.anyOf?.length) shaped = fc.oneof(...s.anyOf.map((x) => fromSchema(x, depth + 1)));
  else {
    const type = [s.type].flat()[0];
    if (type === 'string') shaped = text;
    else if (type === 'integer' || type === 'number') shaped = numberish;
    else if (type === 'boolean') shaped = fc.boolean();
    else if (type === 'array') shaped = fc.array(fromSchema(s.items, depth + 1), { maxLength: 4 });
    else if (type === 'object' || s.properties) {
      const props = Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, fromSchema(v, depth + 1)]),
      );
      shaped = fc.record(props, { requiredKeys: [] });
    }
  }
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: anything });
}

/** Query strings: the schema's parameters and paging ones, with generated values. */
function queryFor(schema: Schema | undefined): fc.Arbitrary<string> {
  const names = [...Object.keys(schema?.properties ?? {}), 'pageNumber', 'pageSize', 'expand', 'sortOrder', 'q'];
  const value = fc.oneof(text, numberish.map(String));
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), text), value), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${encode(String(k))}=${encode(String(v))}`).join('&'));
}

/** Percent-encodes, keeping a few raw forms (`%00`, `%ff`) as they are. */
function encode(v: string): string {
  if (v === '%00' || v === '%ff') return v;
  try {
    return encodeURIComponent(v);
  } catch {
    return 'x'; // a lone surrogate
  }
}

function pathFor(url: string): fc.Arbitrary<string> {
  const params = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const wildcard = url.endsWith('*');
  const parts = [...params.map(() => text), ...(wildcard ? [text] : [])];
  return fc.tuple(...parts).map((values) => {
    let i = 0;
    let path = url.replace(/:(\w+)/g, () => encode(String(values[i++] || 'x')));
    if (wildcard) path = path.replace(/\*$/, encode(String(values[i] ?? '')));
    return path;
  });
}

function bodyFor(r: RouteEntry): fc.Arbitrary<{ payload?: string; type?: string }> {
  if (r.method === 'GET' || r.method === 'DELETE') return fc.constant({});
  const schema = (r.schema as { body?: Schema } | undefined)?.body;
  if (r.url.startsWith('/oauth/') || r.url.startsWith('/saml/')) {
    return fc
      .array(
        fc.tuple(fc.constantFrom('grant_type', 'client_id', 'code', 'email', 'password', 'SAMLResponse', 'csrf'), text),
        { maxLength: 5 },
      )
      .map((pairs) => ({
        payload: pairs.map(([k, v]) => `${k}=${encode(v)}`).join('&'),
        type: 'application/x-www-form-urlencoded',
      }));
  }
  return fc.oneof(
    { weight: 6, arbitrary: fromSchema(schema).map((b) => ({ payload: JSON.stringify(b), type: 'application/json' })) },
    { weight: 1, arbitrary: text.map((t) => ({ payload: t, type: 'application/json' })) },
  );
}

describe.each(DIALECTS)('fuzzing every route on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startApp(dialect, { env: NO_LIMITS });
    token = await t.token();
  });
  afterAll(() => t?.close());

  it('answers no 5xx and never hangs', { timeout: 600_000 }, async () => {
    const routes = t.gh.routes.filter(driven);
    expect(routes.length).toBeGreaterThan(100);
    const seen = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${r.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const schema = r.schema as { querystring?: Schema } | undefined;
      await fc.assert(
        fc.asyncProperty(pathFor(r.url), queryFor(schema?.querystring), bodyFor(r), async (path, query, body) => {
          const url = query ? `${path}?${query}` : path;
          const res = await Promise.race([
            t.gh.app.inject({
              method: r.method as 'GET',
              url,
              headers: {
                authorization: `Bearer ${token}`,
                ...(body.type ? { 'content-type': body.type } : {}),
              },
              payload: body.payload,
            }),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`hang: ${r.method} ${url}`)), HANG_MS)),
          ]);
          if (res.statusCode >= 500)
            throw new Error(`${r.method} ${url} ${body.payload ?? ''} → ${res.statusCode} ${res.body}`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }
  });
});
