// The layering of the code base, written once (docs/architecture.md explains it). A layer may
// import itself and the layers in its `mayImport` list, nothing else: every arrow points down.
// `npm test` runs this (test/architecture/layering.test.ts), and so does `npm run lint:layers`.
const LAYERS = [
  // The kernel: problems, paths, CLI helpers, value formatting. Imports nothing of the project.
  { name: 'core', path: '^core/', mayImport: [] },
  // `cdk8s import` output for the CRDs we emit.
  { name: 'imports', path: '^imports/', mayImport: [] },
  // The npm library: the construct contract, constructs/lib and one folder per construct.
  { name: 'constructs', path: '^constructs/', mayImport: ['core', 'imports'] },
  // The policy and schema gate. It checks manifests; it knows nothing of how they were made.
  { name: 'gate', path: '^gate/', mayImport: ['core'] },
  // A chart's environment block (`charts/<chart>/config.ts`): the type of its slice of the config.
  { name: 'chart-config', path: '^charts/[^/]+/config\\.ts$', mayImport: ['core', 'constructs'] },
  // dev, staging, prod, dr: typed config built from the chart blocks, plus its loader.
  { name: 'environments', path: '^environments/', mayImport: ['core', 'constructs', 'chart-config'] },
  // The platform's charts, composed from constructs and driven by an environment.
  { name: 'charts', path: '^charts/', mayImport: ['core', 'imports', 'constructs', 'chart-config', 'environments'] },
  // The synth pipeline: charts → gate → serialized files; GitOps objects; diff and graph.
  {
    name: 'synth',
    path: '^synth/',
    mayImport: ['core', 'imports', 'constructs', 'gate', 'chart-config', 'environments', 'charts'],
  },
  // Every command-line entry point, and main.ts (the synth entry).
  {
    name: 'cli',
    path: '^(cli/|main\\.ts$)',
    mayImport: ['core', 'imports', 'constructs', 'gate', 'chart-config', 'environments', 'charts', 'synth'],
  },
];

/** The path regex of a layer, minus the more specific layers listed before it that it overlaps. */
function scope(layer) {
  const overlapping = LAYERS.filter((l) => l !== layer && l.path.startsWith(layer.path) && l.path !== layer.path);
  return overlapping.length > 0 ? { path: layer.path, pathNot: overlapping.map((l) => l.path) } : { path: layer.path };
}

const forbidden = [];
for (const from of LAYERS) {
  for (const to of LAYERS) {
    if (to === from || from.mayImport.includes(to.name)) {
      continue;
    }
    forbidden.push({
      name: `${from.name}-not-to-${to.name}`,
      comment: `${from.name} may import only ${['itself', ...from.mayImport].join(', ')} (see docs/architecture.md)`,
      severity: 'error',
      from: scope(from),
      to: scope(to),
    });
  }
  // Nothing below the tests imports a test.
  forbidden.push({
    name: `${from.name}-not-to-test`,
    comment: 'source never imports test code',
    severity: 'error',
    from: scope(from),
    to: { path: '^test/' },
  });
}
forbidden.push({
  name: 'no-circular',
  comment: 'a cycle hides the direction of a dependency',
  severity: 'error',
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|lib|build|dist|gitops|test/fixtures)/' },
    tsPreCompilationDeps: true,
  },
};
// For test/architecture/architecture-doc.test.ts, which checks that the table in
// docs/architecture.md says the same. Not enumerable: dependency-cruiser refuses unknown options.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
