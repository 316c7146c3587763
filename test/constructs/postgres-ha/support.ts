/* eslint-disable @typescript-eslint/no-explicit-any */
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { PostgresHA, PostgresHAProps } from '../../../constructs/postgres-ha';
import { errorOf } from '../../helpers/errors';

/** Helpers shared by the PostgresHA tests: one cluster `pg` in namespace `db-postgres`. */

export const STORE = { name: 'platform-secrets' };
export const BACKUP = {
  endpoint: 'http://minio.storage-minio.svc:9000',
  bucket: 'postgres-backups',
  prefix: 'prod',
  credentialsRemoteKey: 'prod/db-postgres/backup-s3',
  networkPeer: { peerNamespace: 'storage-minio', peerSelector: {} },
};
export const MONITORING_PEER = { peerNamespace: 'monitoring', peerSelector: {} };

export function synth(props: Partial<PostgresHAProps> = {}, extra?: (pg: PostgresHA) => void): { objects: any[]; pg: PostgresHA } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'db-postgres', disableResourceNameHashes: true });
  const pg = new PostgresHA(chart, 'Postgres', { name: 'pg', secretStore: STORE, ...props });
  extra?.(pg);
  return { objects: Testing.synth(chart), pg };
}

export const find = (objects: any[], kind: string, name?: string): any =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
export const all = (objects: any[], kind: string): any[] => objects.filter((o) => o.kind === kind);
export const patroniOf = (objects: any[], configMap = 'pg-patroni'): any =>
  YAML.parse(find(objects, 'ConfigMap', configMap).data['patroni.yml'], { version: '1.1' });
export const container = (objects: any[], name: string): any =>
  find(objects, 'StatefulSet').spec.template.spec.containers.find((c: any) => c.name === name);

/** The Services a ServiceMonitor selects, by name. */
export const selectedBy = (objects: any[], monitor: any): string[] =>
  all(objects, 'Service')
    .filter((s) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v))
    .map((s) => s.metadata.name);

/** Asserts that `props` fail on `field` with `rule`, and that the message names the path, the field and the value. */
export function expectProblem(props: Partial<PostgresHAProps>, field: string, rule: RegExp, value: string): void {
  const e = errorOf(() => synth(props));
  const p = e.problems.find((x) => x.field === field);
  expect(p).toBeDefined();
  expect(p!.rule).toMatch(rule);
  expect(e.message).toContain(`test/Postgres: ${field}: `);
  expect(e.message).toContain(`(got ${value})`);
}
