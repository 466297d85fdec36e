/**
 * The code's boundaries (README "Code layout"), checked by `npm run lint:deps` (part of `npm test`).
 * test/unit/boundaries.test.ts shows that each rule fails on a forbidden import.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-not-functions',
      comment:
        'The runtime library (shared/) never imports a product module or the registry (functions/): the callers hand it ' +
        "the registry's lists (ALL_TABLES, MODULES, moduleFor). Product names and options reach shared/config.ts by " +
        'declaration merging from functions/index.ts, not by an import.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^functions/' },
    },
    {
      name: 'runtime-not-simulator',
      comment:
        'Runtime code (the product modules and Lambda handlers, the runtime library, the CDK app) never imports the ' +
        'simulated tenants: they are for tests, the demo and the benchmark.',
      severity: 'error',
      from: { path: '^(functions|shared|infra)/' },
      to: { path: '^simulator/' },
    },
    {
      name: 'runtime-not-cli',
      comment: 'Runtime code and the simulator never import a command (cli/): the commands use the library, not the reverse.',
      severity: 'error',
      from: { path: '^(functions|shared|infra|simulator)/' },
      to: { path: '^cli/' },
    },
    {
      name: 'simulator-not-collector',
      comment:
        'The simulator follows the published specs, not the collector: it never imports a product module (its ground ' +
        'truth would then agree with the code under test by construction).',
      severity: 'error',
      from: { path: '^simulator/' },
      // The output tables (functions/<product>.tables.ts) are the contract both sides share: the ground truth is typed by them.
      to: { path: '^functions/', pathNot: '\\.tables\\.ts$' },
    },
    {
      name: 'not-to-test',
      comment: 'Only tests import test helpers.',
      severity: 'error',
      from: { path: '^(functions|shared|infra|simulator|cli)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|out)/' },
    // TypeScript 7's package has no compiler API for dependency-cruiser's tsc parser; its default parser reads the
    // import statements (type-only imports count as imports: the rules above hold for types too).
    tsPreCompilationDeps: true,
  },
};
