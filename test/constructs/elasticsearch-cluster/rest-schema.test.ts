import Ajv from 'ajv';
import { Testing } from 'cdk8s';
import { ElasticsearchCluster } from '../../../constructs/elasticsearch-cluster';

/*
 * JSON Schemas of the request bodies we send, written from the Elasticsearch 8 REST API reference
 * (ilm-put-lifecycle, indices-put-template, put-snapshot-repo-api + repository-s3, slm-api-put-policy).
 * additionalProperties: false everywhere: a misspelt field fails here instead of in the cluster.
 */
const TIME = { type: 'string', pattern: '^[0-9]+(d|h|m|s|ms|micros|nanos)$' };
const SIZE = { type: 'string', pattern: '^[0-9]+(b|kb|mb|gb|tb|pb)$' };
const closed = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)): object => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
const phase = (actions: Record<string, unknown>): object => closed({ min_age: TIME, actions: closed(actions, []) });
const EMPTY = closed({}, []);
const SCHEMAS: Record<string, object> = {
  '/_ilm/policy/': closed({
    policy: closed({
      phases: closed(
        {
          hot: phase({ rollover: closed({ max_age: TIME, max_primary_shard_size: SIZE, max_docs: { type: 'integer' } }, []) }),
          warm: phase({ readonly: EMPTY, forcemerge: closed({ max_num_segments: { type: 'integer', minimum: 1 } }) }),
          delete: phase({ delete: EMPTY }),
        },
        ['hot', 'delete'],
      ),
    }),
  }),
  '/_index_template/': closed(
    {
      index_patterns: { type: 'array', minItems: 1, items: { type: 'string' } },
      data_stream: EMPTY,
      priority: { type: 'integer', minimum: 0 },
      template: closed({ settings: closed({ 'index.lifecycle.name': { type: 'string' } }) }),
    },
    ['index_patterns', 'template'],
  ),
  '/_snapshot/': closed({
    type: { const: 's3' },
    settings: closed({ bucket: { type: 'string' }, base_path: { type: 'string' }, client: { type: 'string' } }, ['bucket']),
  }),
  '/_slm/policy/': closed({
    schedule: { type: 'string', pattern: '^\\S+( \\S+){5,6}$' },
    name: { type: 'string', pattern: '^<.*\\{now.*\\}>$' },
    repository: { type: 'string' },
    config: closed({ indices: { type: 'array', items: { type: 'string' } }, include_global_state: { type: 'boolean' } }, []),
    retention: closed({ expire_after: TIME, min_count: { type: 'integer', minimum: 1 }, max_count: { type: 'integer', minimum: 1 } }, []),
  }),
};

test('every REST body the setup Job sends matches its API schema', () => {
  const es = new ElasticsearchCluster(Testing.chart(), 'Es', {
    namespace: 'db-elasticsearch',
    image: 'elasticsearch:8.15.3',
    monitoring: { enabled: false },
    secretStore: { name: 'platform-secrets' },
    snapshot: { endpoint: 'http://minio.storage-minio.svc:9000', bucket: 'backups', credentialsRemoteKey: 'es/s3' },
    ilmPolicies: [
      { name: 'logs', indexPatterns: ['logs-*'], deleteAfterDays: 30 },
      { name: 'audit', indexPatterns: ['audit-*', 'events-*'], warmAfterDays: 30, deleteAfterDays: 365, rolloverMaxAgeDays: 7 },
    ],
  });
  const ajv = new Ajv({ allErrors: true });
  const checked = es.setupRequests.map((r) => {
    const prefix = Object.keys(SCHEMAS).find((p) => r.path.startsWith(p));
    expect(prefix).toBeDefined();
    const validate = ajv.compile(SCHEMAS[prefix!]);
    expect([r.path, validate(r.body) ? [] : validate.errors]).toEqual([r.path, []]);
    return r.path;
  });
  expect(checked).toHaveLength(6);
});

test('the schemas reject a misspelt field (they can fail)', () => {
  const validate = new Ajv().compile(SCHEMAS['/_slm/policy/']);
  expect(validate({ schedule: '0 30 1 * * ?', name: '<s-{now/d}>', repository: 'r', retention: { expire_afer: '30d' } })).toBe(false);
});
