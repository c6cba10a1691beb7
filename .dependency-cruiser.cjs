// The layer rules of DESIGN.md, checked by `npm test` (npm run lint:architecture).
// Layers, top to bottom: cli, api, jobs, services, store, suppliers, domain. A layer imports only
// from layers below it; domain imports nothing of ours; a supplier folder imports only domain and
// the supplier spec; nothing imports in a cycle. Tests and test support files are held to the
// same rules except that they may reach anything below their own file's layer.

const LAYERS = ['cli', 'api', 'jobs', 'services', 'store', 'suppliers', 'domain'];
const above = (layer) => LAYERS.slice(0, LAYERS.indexOf(layer));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules that import each other, directly or through others, cannot be read alone.',
      from: {},
      to: { circular: true },
    },
    ...LAYERS.filter((layer) => layer !== 'cli').map((layer) => ({
      name: `no-upward-from-${layer}`,
      severity: 'error',
      comment: `src/${layer}/ imports only from layers below it (${LAYERS.slice(LAYERS.indexOf(layer) + 1).join(', ') || 'nothing of ours'}).`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${above(layer).join('|')})/` },
    })),
    {
      name: 'domain-imports-nothing-of-ours',
      severity: 'error',
      comment: 'src/domain/ is pure: it imports no other folder of simdock.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'supplier-folder-imports-only-domain-and-spec',
      severity: 'error',
      comment: 'A supplier folder imports only src/domain/ and src/suppliers/spec/ (and itself).',
      from: { path: '^src/suppliers/([^/]+)/', pathNot: '^src/suppliers/spec/' },
      to: {
        path: '^src/',
        pathNot: ['^src/domain/', '^src/suppliers/spec/', '^src/suppliers/$1/'],
      },
    },
    {
      name: 'spec-imports-only-domain',
      severity: 'error',
      comment: 'The supplier spec knows no supplier.',
      from: { path: '^src/suppliers/spec/' },
      to: { path: '^src/', pathNot: ['^src/domain/', '^src/suppliers/spec/'] },
    },
    {
      name: 'web-talks-only-to-the-api',
      severity: 'error',
      comment:
        'The console reaches the server only over HTTP (its types come from the OpenAPI document).',
      from: { path: '^web/src/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-production-import-of-tests',
      severity: 'error',
      comment: 'Code that ships does not import test files or test support.',
      from: { path: '^src/', pathNot: '\\.test(-support)?\\.ts$' },
      to: { path: '(\\.test(-support)?\\.ts$|^test/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
    },
  },
};
