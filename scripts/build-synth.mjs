// Bundles main.ts with esbuild: the fastest way to run synth (no type-check on the hot path;
// `npm run lint` and `npm test` type-check). See docs/synth.md and docs/performance.md.
import { build } from 'esbuild';

const entries = {
  synth: 'main.ts',
  check: 'cli/check.ts',
  bench: 'cli/bench.ts',
  diff: 'cli/diff.ts',
  graph: 'cli/graph.ts',
  promote: 'cli/promote.ts',
  failover: 'cli/failover.ts',
  schema: 'cli/schema.ts',
};
// The schema generator runs the TypeScript compiler: keep the npm packages outside the bundle.
const external = new Set(['schema']);
const only = process.argv.slice(2);
await Promise.all(
  Object.entries(entries)
    .filter(([name]) => only.length === 0 || only.includes(name))
    .map(([name, entry]) =>
      build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        target: 'node20',
        outfile: `build/${name}.js`,
        sourcemap: 'linked',
        logLevel: 'warning',
        ...(external.has(name) ? { packages: 'external' } : {}),
      }),
    ),
);
