import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { defaultEnvironmentsDir, ENVIRONMENT_BASES } from '../environments/load';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../environments/types';
import { projectRoot } from '../core/paths';
import { Problem } from '../core/problem';
import { ArgsSpec, flagProblem, parseArgs, usage } from '../core/cli-args';
import { printInputProblems, runMain } from '../core/cli-run';
import { applyConfigChange, CHANGE_EXIT, dataFile, documentText, readDocument, setScalar } from '../synth/config-change';

const DR_ENVIRONMENTS = ENVIRONMENT_NAMES.filter((e) => ENVIRONMENT_BASES[e].dr !== undefined);

const SPEC: ArgsSpec = {
  command: 'npm run failover --',
  flags: {
    env: { type: 'string', help: `the disaster-recovery environment to fail over to: ${DR_ENVIRONMENTS.join(', ')}` },
    failback: { type: 'boolean', help: 'set the flag back (the DR environment stands by again); see the failback procedure' },
    'config-dir': { type: 'string', help: 'folder of the <env>.yaml data files (default: environments)' },
    outdir: { type: 'string', help: 'output folder to re-synthesize (default: dist)' },
    'no-synth': { type: 'boolean', help: 'only set the flag; do not re-synthesize or diff' },
  },
};

type Print = (text: string) => void;

/** What a person does around `npm run failover` (docs/review.md has the long form). */
export function runbook(env: string, standbyOf: string, failback: boolean): string {
  const steps = failback
    ? [
        `${standbyOf} is rebuilt and healthy; its PostgreSQL was seeded from ${env} (restore of ${env}'s backup, then a temporary standby_cluster pointing at ${env}) and replicates from it.`,
        `A maintenance window is announced; writes to ${env} are stopped (scale the app-* workloads of ${env} to 0 or put its ingress in maintenance).`,
        `${standbyOf}'s PostgreSQL has replayed all of ${env}'s WAL (replication lag 0); its temporary standby_cluster setting is removed, so ${standbyOf} is promoted and takes writes.`,
        `This change (dr.failover: false) is reviewed and merged: ${env}'s apps go back to 0 replicas and its data services to standby of ${standbyOf}.`,
        `Sync ${standbyOf} (manual sync in Argo CD, or flux reconcile), then sync ${env}; the GitOps objects of ${env} are disabled again.`,
        `${env}'s PostgreSQL is re-initialised as a standby of ${standbyOf} (patronictl reinit: its timeline diverged during the failover).`,
        `DNS / load balancer for the public hostnames points back to ${standbyOf}'s ingress.`,
        `Smoke tests pass on ${standbyOf}; backups run to ${standbyOf}'s object storage; the incident is closed with a timeline.`,
      ]
    : [
        `The incident is declared and ${standbyOf} is confirmed down, or unrecoverable within the recovery time objective.`,
        `${standbyOf} is fenced: its app-* workloads are scaled to 0 (or its cluster is unreachable), so two primaries never take writes.`,
        `The replication lag of ${env}'s PostgreSQL standby cluster at the time of the loss is noted (that is the data lost, the RPO).`,
        `This change (dr.failover: true) is reviewed and merged; the diff shows app workloads going from 0 to ${standbyOf}'s replicas and the data services losing their standby settings.`,
        `The GitOps objects of ${env} are enabled (Argo CD: manual sync of the ${env} Applications; Flux: the ${env} Kustomizations are no longer suspended) and synced.`,
        `PostgreSQL in ${env} reports a Leader, not a Standby Leader (patronictl list), on a new timeline; PgBouncer connects to it.`,
        `Redis in ${env} has a master (redis-cli -p 26379 sentinel masters); caches start cold.`,
        `DNS / load balancer for the public hostnames points to ${env}'s ingress; TLS certificates are valid there.`,
        `Smoke tests pass; backups now run from ${env}; monitoring and alerting watch ${env}.`,
        `Customers and the team are told; the failback is planned (npm run failover -- --env ${env} --failback).`,
      ];
  return [`${failback ? 'Failback' : 'Failover'} runbook for ${env} (standby of ${standbyOf}):`, ...steps.map((s) => `  [ ] ${s}`)].join('\n');
}

/** `npm run failover -- --env dr [--failback]`. Returns the exit code: 0 done, 1 synth failed (file put back), 2 bad input. */
export function main(argv: readonly string[], print: Print = console.log, printErr: Print = console.error): number {
  const args = parseArgs(argv, SPEC);
  if (args.help) {
    print(usage(SPEC));
    return 0;
  }
  const flag = args.value;
  const problems: Problem[] = [...args.problems];
  const bad = (p: string, rule: string, message: string): void => {
    problems.push(flagProblem(p, rule, message));
  };
  const env = flag('env');
  if (env === undefined) {
    if (!problems.some((p) => p.path === '--env')) {
      bad('--env', 'missing', `--env is required: the DR environment (${DR_ENVIRONMENTS.join(', ')})`);
    }
  } else if (!(ENVIRONMENT_NAMES as readonly string[]).includes(env)) {
    bad('--env', 'enum', `unknown environment "${env}": allowed are ${DR_ENVIRONMENTS.join(', ')}`);
  } else if (!ENVIRONMENT_BASES[env as EnvironmentName].dr) {
    bad(
      '--env',
      'not-dr',
      `${env} is not a disaster-recovery environment (it has no dr: section): failover applies to ${DR_ENVIRONMENTS.join(', ')}, which stand(s) by for another environment`,
    );
  }
  const configDir = path.resolve(flag('config-dir') ?? defaultEnvironmentsDir());
  if (!fs.existsSync(configDir)) {
    bad('--config-dir', 'not-found', `no such folder "${configDir}"`);
  }
  const doc = problems.length === 0 ? readDocument(dataFile(configDir, env as EnvironmentName), problems) : undefined;
  if (problems.length > 0 || !doc) {
    printInputProblems('failover', problems, usage(SPEC), printErr);
    return CHANGE_EXIT.BAD_INPUT;
  }
  const name = env as EnvironmentName;
  const failback = args.flags.failback === true;
  const want = !failback;
  const standbyOf = String(doc.getIn(['dr', 'standbyOf']) ?? ENVIRONMENT_BASES[name].dr!.standbyOf);
  const current = doc.getIn(['dr', 'failover']) ?? ENVIRONMENT_BASES[name].dr!.failover;
  if (current === want) {
    print(`${name} is already ${want ? 'failed over (dr.failover: true)' : 'standing by (dr.failover: false)'}: nothing to change`);
    print(`\n${runbook(name, standbyOf, failback)}`);
    return CHANGE_EXIT.OK;
  }
  setScalar(doc as YAML.Document, ['dr', 'failover'], want);
  print(`${failback ? 'failback' : 'failover'}: ${name}: dr.failover: ${String(current)} -> ${String(want)}`);
  const outdir = path.resolve(flag('outdir') ?? path.join(projectRoot(), 'dist'));
  const code = applyConfigChange({
    configDir,
    outdir,
    files: new Map([[name, documentText(doc as YAML.Document)]]),
    synth: !args.flags['no-synth'],
    print,
    printErr,
  });
  if (code === CHANGE_EXIT.OK) {
    print(`\n${runbook(name, standbyOf, failback)}`);
  }
  return code;
}

if (require.main === module) {
  runMain('failover', main, CHANGE_EXIT.BAD_INPUT);
}
