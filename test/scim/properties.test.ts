/**
 * Property-based tests (fast-check) of the SCIM filter and PATCH-path parsers: any input either
 * parses or fails with ScimFilterError (never another exception), and generated valid filters
 * and paths survive parse → print → parse unchanged. @see issue #7
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FilterNode,
  type PatchPath,
  parseFilter,
  parsePath,
  printFilter,
  printPath,
  ScimFilterError,
} from '../../src/domains/scim/filter/index.ts';
import { applyPatch, ScimPatchError, USER_PATCH_SCHEMA } from '../../src/domains/scim/patch/index.ts';

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'pr',
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
  'true',
  'false',
  'null',
]);
const name = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,8}$/),
  )
  .map(([a, b]) => a + b)
  .filter((n) => !KEYWORDS.has(n.toLowerCase()));
const uri = fc.constantFrom(
  undefined,
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
);
const attrPath = fc.record({ uri, attr: name, sub: fc.option(name, { nil: undefined }) }).map((p) => {
  const out: { uri?: string; attr: string; sub?: string } = { attr: p.attr };
  if (p.uri) out.uri = p.uri;
  if (p.sub) out.sub = p.sub;
  return out;
});
const simplePath = attrPath.map(({ sub: _sub, ...rest }) => rest);
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le') as fc.Arbitrary<'eq'>;

const { filter: filterArb, inner: innerArb } = fc.letrec<{
  filter: FilterNode;
  inner: FilterNode;
  leaf: FilterNode;
  innerLeaf: FilterNode;
}>((tie) => ({
  leaf: fc.oneof(
    fc.record({ type: fc.constant('compare' as const), path: attrPath, op, value }),
    fc.record({ type: fc.constant('present' as const), path: attrPath }),
    fc.record({ type: fc.constant('valuePath' as const), path: simplePath, filter: tie('inner') }),
  ),
  // Inside [ ], no nested value paths.
  innerLeaf: fc.oneof(
    fc.record({ type: fc.constant('compare' as const), path: attrPath, op, value }),
    fc.record({ type: fc.constant('present' as const), path: attrPath }),
  ),
  inner: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('innerLeaf'),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('inner'), right: tie('inner') }),
    fc.record({ type: fc.constant('not' as const), filter: tie('inner') }),
  ),
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('filter'), right: tie('filter') }),
    fc.record({ type: fc.constant('not' as const), filter: tie('filter') }),
  ),
})) as unknown as { filter: fc.Arbitrary<FilterNode>; inner: fc.Arbitrary<FilterNode> };

/** Only ScimFilterError may escape. */
function onlyFilterErrors(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ScimFilterError)) throw e;
  }
}

// Text that looks like filters: pieces of the grammar glued at random, plus any string.
const fragment = fc.constantFrom(
  'userName',
  'emails',
  '[',
  ']',
  '(',
  ')',
  ' ',
  'eq',
  'and',
  'or',
  'not',
  'pr',
  '"x"',
  '"',
  '\\',
  '.',
  ':',
  'urn:a:b',
  '1',
  '-',
  'true',
  'null',
  '\u0000',
  'é',
  '1e5',
  '$ref',
);
const filterish = fc.oneof(
  fc.string(),
  fc.array(fragment, { maxLength: 30 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('SCIM parser properties', () => {
  it('parseFilter throws nothing but ScimFilterError, whatever the input', () => {
    fc.assert(
      fc.property(filterish, (text) => onlyFilterErrors(() => parseFilter(text))),
      { numRuns: 3000 },
    );
  });

  it('parsePath throws nothing but ScimFilterError, whatever the input', () => {
    fc.assert(
      fc.property(filterish, (text) => onlyFilterErrors(() => parsePath(text))),
      { numRuns: 3000 },
    );
  });

  it('parse → print → parse is stable for generated filters', () => {
    fc.assert(
      fc.property(filterArb, (node) => {
        const printed = printFilter(node);
        const parsed = parseFilter(printed);
        expect(parsed).toEqual(node);
        expect(printFilter(parsed)).toBe(printed);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse → print → parse is stable for generated PATCH paths', () => {
    const pathArb: fc.Arbitrary<PatchPath> = fc.oneof(
      attrPath.map((path) => ({ path })),
      fc
        .record({ path: simplePath, filter: innerArb, sub: fc.option(name, { nil: undefined }) })
        .map((p) => (p.sub ? p : { path: p.path, filter: p.filter })),
    );
    fc.assert(
      fc.property(pathArb, (p) => {
        const printed = printPath(p);
        expect(parsePath(printed)).toEqual(p);
      }),
      { numRuns: 2000 },
    );
  });

  it('applyPatch with arbitrary operations throws nothing but ScimPatchError and never changes its input', () => {
    const resource = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: 'u1',
      userName: 'a@b.c',
      emails: [{ value: 'a@b.c', type: 'work' }],
      active: true,
    };
    const opArb = fc.record({
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'bogus'),
      path: fc.option(
        fc.oneof(
          filterish,
          fc.constantFrom('title', 'emails[type eq "work"].value', 'name.givenName', 'active', 'userName'),
        ),
        { nil: undefined },
      ),
      value: fc.option(fc.jsonValue(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 4 }), (ops) => {
        const before = structuredClone(resource);
        try {
          applyPatch(
            resource,
            { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops },
            { schema: USER_PATCH_SCHEMA },
          );
        } catch (e) {
          if (!(e instanceof ScimPatchError)) throw e;
        }
        expect(resource).toEqual(before);
      }),
      { numRuns: 2000 },
    );
  });
});
