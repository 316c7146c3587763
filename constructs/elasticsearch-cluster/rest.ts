import { ResolvedIlmPolicy, ResolvedSnapshot } from './resolve-rest';

/**
 * The REST requests that configure a running cluster, in order. Each is a PUT (or POST to a
 * fixed id) of the whole object, so applying the list twice leaves the cluster as once.
 * Shapes follow the Elasticsearch 8.x API reference (snapshot repository, SLM, ILM, index templates).
 */
export interface RestRequest {
  readonly method: 'PUT' | 'POST';
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** File name of the body in the setup ConfigMap. */
  readonly file: string;
}

/** Built-in user the exporter logs in as (cluster privilege `monitor`). */
export const MONITORING_USER = 'remote_monitoring_user';
/** Name of the S3 client in elasticsearch.yml and the keystore (`s3.client.<name>.*`). */
export const S3_CLIENT = 'snapshots';

/** `PUT _snapshot/<repo>`: an S3 repository with the `snapshots` client (endpoint and keys are node settings). */
export function repositoryRequest(s: ResolvedSnapshot): RestRequest {
  return {
    method: 'PUT',
    path: `/_snapshot/${s.repository}`,
    file: 'repository.json',
    body: { type: 's3', settings: { bucket: s.bucket, base_path: s.basePath, client: S3_CLIENT } },
  };
}

/** `PUT _slm/policy/<repo>-nightly`: snapshots of every index and the cluster state, with retention. */
export function slmRequest(s: ResolvedSnapshot): RestRequest {
  return {
    method: 'PUT',
    path: `/_slm/policy/${s.repository}-scheduled`,
    file: 'slm-policy.json',
    body: {
      schedule: s.schedule,
      name: '<snapshot-{now/d}>',
      repository: s.repository,
      config: { indices: ['*'], include_global_state: true },
      retention: { expire_after: `${s.retentionDays}d`, min_count: s.minCount, max_count: s.maxCount },
    },
  };
}

/** `PUT _ilm/policy/<name>`: hot (rollover) -> warm (read-only, force-merged) -> delete. */
export function ilmRequest(p: ResolvedIlmPolicy): RestRequest {
  return {
    method: 'PUT',
    path: `/_ilm/policy/${p.name}`,
    file: `ilm-${p.name}.json`,
    body: {
      policy: {
        phases: {
          hot: {
            min_age: '0ms',
            actions: { rollover: { max_age: `${p.rolloverMaxAgeDays}d`, max_primary_shard_size: `${p.rolloverMaxPrimaryShardSizeGb}gb` } },
          },
          warm: { min_age: `${p.warmAfterDays}d`, actions: { readonly: {}, forcemerge: { max_num_segments: 1 } } },
          delete: { min_age: `${p.deleteAfterDays}d`, actions: { delete: {} } },
        },
      },
    },
  };
}

/** `PUT _index_template/<name>`: data streams matching the patterns use the policy. */
export function indexTemplateRequest(p: ResolvedIlmPolicy): RestRequest {
  return {
    method: 'PUT',
    path: `/_index_template/${p.name}`,
    file: `template-${p.name}.json`,
    body: {
      index_patterns: [...p.indexPatterns],
      data_stream: {},
      priority: p.templatePriority,
      template: { settings: { 'index.lifecycle.name': p.name } },
    },
  };
}

/** Every request of one cluster, in order: the repository before the SLM policy that names it. */
export function setupRequests(snapshot: ResolvedSnapshot | undefined, ilm: readonly ResolvedIlmPolicy[]): RestRequest[] {
  return [...ilm.flatMap((p) => [ilmRequest(p), indexTemplateRequest(p)]), ...(snapshot ? [repositoryRequest(snapshot), slmRequest(snapshot)] : [])];
}
