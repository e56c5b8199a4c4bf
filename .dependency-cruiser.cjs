/** The import rules of STYLE.md §3, checked by `npm run lint:deps`. */
module.exports = {
  forbidden: [
    { name: 'storage-is-a-leaf', severity: 'error', from: { path: '^src/storage/' }, to: { path: '^src/(platform|domains)/|node_modules/fastify' } },
    { name: 'platform-knows-no-domain', severity: 'error', from: { path: '^src/platform/' }, to: { path: '^src/domains/' } },
    { name: 'migrations-are-frozen', severity: 'error', from: { path: '^src/storage/migrations/[0-9]' }, to: { path: '^src/' } },
    {
      name: 'domains-meet-through-index',
      severity: 'error',
      from: { path: '^src/domains/([^/]+)/' },
      to: { path: '^src/domains/([^/]+)/', pathNot: ['^src/domains/$1/', '^src/domains/[^/]+/index\\.ts$'] },
    },
    { name: 'routes-have-no-sql', severity: 'error', from: { path: '^src/domains/[^/]+/.*routes\\.ts$' }, to: { path: '^src/storage/|node_modules/kysely' } },
    { name: 'services-have-no-http', severity: 'error', from: { path: '^src/domains/[^/]+/(service|store|users|roles|organizations|clients|tokens)\\.ts$' }, to: { path: 'node_modules/fastify' } },
    { name: 'stores-own-no-rules', severity: 'error', from: { path: '^src/domains/[^/]+/store\\.ts$' }, to: { path: '^src/domains/|^src/platform/(?!errors)' } },
    { name: 'web-imports-types-only', severity: 'error', from: { path: '^web/' }, to: { path: '^src/', dependencyTypesNot: ['type-only'] } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
