import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { platformCharts } from '../charts';
import { loadEnvironments } from '../environments/load';
import { ENVIRONMENT_NAMES } from '../environments/types';
import { synthesize } from '../synth/pipeline';
import { syntheticTenantCharts } from './bench-tenants';

/**
 * `npm run bench`: synth and validation costs, each scenario in a fresh process (1 warm-up and
 * RUNS counted runs, median), so peak memory is the scenario's own. It prints figures and asserts
 * nothing: performance is measured here, never in a timed test.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Sample {
  wallMs: number;
  objects: number;
  constructMs: number;
  schemaMs: number;
  policyMs: number;
  writeMs: number;
  peakMiB: number;
}

/** Runs one scenario in this process and prints its sample as JSON. */
function runScenario(name: string): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  try {
    const t0 = performance.now();
    let result;
    if (name === 'platform') {
      result = synthesize({ envs: ENVIRONMENT_NAMES, outdir: out });
    } else {
      const n = Number(/^tenants-(\d+)$/.exec(name)?.[1]);
      const configs = loadEnvironments(['dev']);
      result = synthesize({ envs: ['dev'], outdir: out, configs, charts: () => [...platformCharts(), ...syntheticTenantCharts(n)] });
    }
    const wallMs = performance.now() - t0;
    if (!result.ok) {
      throw new Error(
        `scenario ${name} failed the gate:\n${result.problems
          .slice(0, 10)
          .map((p) => `${p.file}: ${p.object}: ${p.rule}: ${p.message}`)
          .join('\n')}`,
      );
    }
    const sample: Sample = {
      wallMs,
      objects: result.outputs.reduce((n, o) => n + o.objects, 0),
      constructMs: result.timings.constructMs,
      schemaMs: result.timings.schemaMs,
      policyMs: result.timings.policyMs,
      writeMs: result.timings.writeMs,
      peakMiB: process.resourceUsage().maxRSS / 1024,
    };
    console.log(JSON.stringify(sample));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function measure(name: string): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [__filename, '--scenario', name], { encoding: 'utf8' });
    const processMs = performance.now() - t0;
    if (r.status !== 0) {
      throw new Error(`scenario ${name} failed:\n${r.stderr}${r.stdout}`);
    }
    if (i > 0) {
      samples.push({ ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Sample), wallMs: processMs });
    }
  }
  const median = (k: keyof Sample): number => {
    const v = samples.map((s) => s[k]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  return {
    wallMs: median('wallMs'),
    objects: samples[0].objects,
    constructMs: median('constructMs'),
    schemaMs: median('schemaMs'),
    policyMs: median('policyMs'),
    writeMs: median('writeMs'),
    peakMiB: median('peakMiB'),
  };
}

function main(): void {
  console.log(
    `bench: ${os.cpus().length} cores, node ${process.version}, ${RUNS} counted runs per scenario after 1 warm-up (medians); wall = whole process`,
  );
  console.log('scenario        objects   wall ms   peak MiB   objects/s   µs/object   validation share   (construct / schema / policy / write ms)');
  const rows: [string, Sample][] = [];
  for (const name of ['platform', 'tenants-100', 'tenants-1000']) {
    const s = measure(name);
    rows.push([name, s]);
    const share = ((s.schemaMs + s.policyMs) / s.wallMs) * 100;
    console.log(
      `${name.padEnd(14)} ${String(s.objects).padStart(8)} ${s.wallMs.toFixed(0).padStart(9)} ${s.peakMiB.toFixed(0).padStart(10)} ${(s.objects / (s.wallMs / 1000)).toFixed(0).padStart(11)} ${((s.wallMs * 1000) / s.objects).toFixed(1).padStart(11)} ${share.toFixed(1).padStart(17)}%   (${s.constructMs.toFixed(0)} / ${s.schemaMs.toFixed(0)} / ${s.policyMs.toFixed(0)} / ${s.writeMs.toFixed(0)})`,
    );
  }
  const per = (name: string): number => {
    const s = rows.find((r) => r[0] === name)![1];
    return s.wallMs / s.objects;
  };
  const ratio = per('tenants-1000') / per('tenants-100');
  const a = rows.find((r) => r[0] === 'tenants-100')![1];
  const b = rows.find((r) => r[0] === 'tenants-1000')![1];
  const marginal = ((b.wallMs - a.wallMs) * 1000) / (b.objects - a.objects);
  console.log(
    `\nscaling: time per object at N=1000 is ${ratio.toFixed(2)}x that at N=100 (linear means <= 1.5x; one cdk8s App for all charts would be quadratic)`,
  );
  console.log(`marginal cost from N=100 to N=1000: ${marginal.toFixed(1)} µs per object`);
}

if (process.argv[2] === '--scenario') {
  runScenario(process.argv[3]);
} else {
  main();
}
