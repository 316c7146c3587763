import { PropChecks } from '../lib/prop-errors';
import { IlmPolicyProps, SnapshotProps } from './props';

/** `snapshot` with its defaults, and the parts of its endpoint elasticsearch.yml needs. */
export interface ResolvedSnapshot {
  readonly endpoint: string;
  /** `host:port` without the scheme: `s3.client.<client>.endpoint`. */
  readonly endpointHost: string;
  readonly protocol: 'http' | 'https';
  readonly port: number;
  readonly bucket: string;
  readonly basePath: string;
  readonly credentialsRemoteKey: string;
  readonly networkPeer?: SnapshotProps['networkPeer'];
  readonly repository: string;
  readonly schedule: string;
  readonly retentionDays: number;
  readonly minCount: number;
  readonly maxCount: number;
}

export type ResolvedIlmPolicy = Required<IlmPolicyProps>;

const URL = /^(https?):\/\/([a-z0-9.-]+)(?::([0-9]+))?\/?$/;
/** Bucket names as S3 and MinIO accept them. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Index, policy and repository names: lower case, no leading `_`, `-` or `+`. */
const ES_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** An Elasticsearch (Quartz) cron: 6 or 7 fields, seconds first. */
const ES_CRON = /^\S+( \S+){5,6}$/;

/** Checks `snapshot` and fills its defaults. */
export function resolveSnapshot(s: SnapshotProps, cluster: string, check: PropChecks): ResolvedSnapshot {
  const m = URL.exec(s.endpoint);
  check.that(!!m, 'snapshot.endpoint', 'must be an http(s) URL without a path, such as http://minio.storage-minio.svc:9000', s.endpoint);
  check.that(BUCKET.test(s.bucket), 'snapshot.bucket', 'must be an S3 bucket name (3-63 lower-case letters, digits, . and -)', s.bucket);
  const basePath = s.basePath ?? cluster;
  check.that(
    /^[A-Za-z0-9_.\-/]+$/.test(basePath) && !basePath.startsWith('/'),
    'snapshot.basePath',
    'must be a relative path of letters, digits, _ . - /',
    basePath,
  );
  check.that(
    s.credentialsRemoteKey.length > 0,
    'snapshot.credentialsRemoteKey',
    'must be set: the S3 keys live in the secret store',
    s.credentialsRemoteKey,
  );
  const repository = s.repository ?? 'minio';
  check.that(ES_NAME.test(repository), 'snapshot.repository', 'must be a lower-case name', repository);
  const schedule = s.schedule ?? '0 30 1 * * ?';
  check.that(ES_CRON.test(schedule), 'snapshot.schedule', 'must be an Elasticsearch cron expression with seconds, such as "0 30 1 * * ?"', schedule);
  const retentionDays = s.retentionDays ?? 30;
  const minCount = s.minCount ?? 5;
  const maxCount = s.maxCount ?? 50;
  check.integer(retentionDays, 'snapshot.retentionDays', 1);
  check.integer(minCount, 'snapshot.minCount', 1);
  if (check.integer(maxCount, 'snapshot.maxCount', 1)) {
    check.that(maxCount >= minCount, 'snapshot.maxCount', `must be at least minCount (${minCount})`, maxCount);
  }
  const protocol = (m?.[1] ?? 'http') as 'http' | 'https';
  const port = m?.[3] ? Number(m[3]) : protocol === 'http' ? 80 : 443;
  return {
    endpoint: s.endpoint,
    endpointHost: `${m?.[2] ?? ''}:${port}`,
    protocol,
    port,
    bucket: s.bucket,
    basePath,
    credentialsRemoteKey: s.credentialsRemoteKey,
    networkPeer: s.networkPeer,
    repository,
    schedule,
    retentionDays,
    minCount,
    maxCount,
  };
}

/** Checks every ILM policy and fills its defaults. */
export function resolveIlm(policies: readonly IlmPolicyProps[], check: PropChecks): ResolvedIlmPolicy[] {
  const names = new Set<string>();
  return policies.map((p, i) => {
    const f = `ilmPolicies[${i}]`;
    check.that(ES_NAME.test(p.name), `${f}.name`, 'must be a lower-case name', p.name);
    check.that(!names.has(p.name), `${f}.name`, 'is already used by another policy', p.name);
    names.add(p.name);
    check.that(p.indexPatterns.length > 0, `${f}.indexPatterns`, 'must name at least one pattern', p.indexPatterns);
    p.indexPatterns.forEach((pattern, j) =>
      check.that(/^[a-z0-9*][a-z0-9*_.-]*$/.test(pattern), `${f}.indexPatterns[${j}]`, 'must be a lower-case index pattern such as logs-*', pattern),
    );
    const r: ResolvedIlmPolicy = {
      name: p.name,
      indexPatterns: p.indexPatterns,
      rolloverMaxAgeDays: p.rolloverMaxAgeDays ?? 1,
      rolloverMaxPrimaryShardSizeGb: p.rolloverMaxPrimaryShardSizeGb ?? 50,
      warmAfterDays: p.warmAfterDays ?? 7,
      deleteAfterDays: p.deleteAfterDays,
      templatePriority: p.templatePriority ?? 200,
    };
    check.integer(r.rolloverMaxAgeDays, `${f}.rolloverMaxAgeDays`, 1);
    check.integer(r.rolloverMaxPrimaryShardSizeGb, `${f}.rolloverMaxPrimaryShardSizeGb`, 1, 200);
    check.integer(r.warmAfterDays, `${f}.warmAfterDays`, 0);
    if (check.integer(r.deleteAfterDays, `${f}.deleteAfterDays`, 1)) {
      check.that(
        r.deleteAfterDays > r.warmAfterDays,
        `${f}.deleteAfterDays`,
        `must be later than warmAfterDays (${r.warmAfterDays})`,
        r.deleteAfterDays,
      );
    }
    check.integer(r.templatePriority, `${f}.templatePriority`, 0);
    return r;
  });
}
