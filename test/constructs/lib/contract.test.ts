import { Size, Testing } from 'cdk8s';
import { PostgresHA } from '../../../constructs/postgres-ha';
import { RedisSentinel } from '../../../constructs/redis-sentinel';
import { errorOf } from '../../helpers/errors';

// Issue 12, item 4: a bad storage size is one prop problem among the others, with the construct
// path and the field, never an exception of its own that hides them.
const STORE = { name: 'platform-secrets' };
const REDIS_IMAGES = { image: 'redis:7.2.5-alpine', monitoring: { exporterImage: 'oliver006/redis_exporter:v1.62.0' } };

describe('storage.size on the data-service contract', () => {
  test('a size that is no whole number of MiB is reported with the other problems, not thrown by cdk8s', () => {
    // Size.kibibytes(3).toMebibytes() throws "cannot be converted into a whole number"
    const e = errorOf(() => new PostgresHA(Testing.chart(), 'Postgres', { namespace: 'db', secretStore: STORE, replicas: 0, storage: { size: Size.kibibytes(3) } }));
    expect(e.message).toContain('test/Postgres: storage.size: must be at least 1Gi (got "0.0029296875Mi")');
    expect(e.message).toContain('test/Postgres: replicas: must be an integer from 1 to 9 (got 0)');
  });

  test('a negative or malformed quantity is a prop problem with its path, next to the others', () => {
    const e = errorOf(() => new RedisSentinel(Testing.chart(), 'Redis', { namespace: 'db', secretStore: STORE, ...REDIS_IMAGES, replicas: 2, storage: { size: '-5Gi' } }));
    expect(e.message).toContain('test/Redis: storage.size: must be at least 1Gi (got "-5Gi")');
    expect(e.message).toContain('test/Redis: replicas: must be 1');
    const bad = errorOf(() => new PostgresHA(Testing.chart(), 'Postgres', { namespace: 'db', secretStore: STORE, storage: { size: 'twenty gigs' }, name: 'Bad_Name' }));
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['name', 'storage.size']);
    expect(bad.message).toContain('storage.size: must be a Kubernetes quantity such as "20Gi" (got "twenty gigs")');
  });

  test('a quantity string sizes the volumes like the same Size', () => {
    const volume = (size: Size | string): unknown => {
      const chart = Testing.chart();
      new PostgresHA(chart, 'Postgres', { namespace: 'db', secretStore: STORE, storage: { size } });
      const sts = Testing.synth(chart).find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'postgres');
      return sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage;
    };
    expect(volume('50Gi')).toEqual('50Gi');
    expect(volume(Size.gibibytes(50))).toEqual('50Gi');
  });
});

describe('namespace on the data-service contract', () => {
  test('a namespace that is not a DNS label is a base-prop problem of every data service (PostgresHA had no such check)', () => {
    const pg = errorOf(() => new PostgresHA(Testing.chart(), 'Postgres', { namespace: 'DB_Postgres', secretStore: STORE }));
    expect(pg.problems).toEqual([expect.objectContaining({ field: 'namespace', value: 'DB_Postgres' })]);
    const redis = errorOf(() => new RedisSentinel(Testing.chart(), 'Redis', { namespace: 'DB_Redis', secretStore: STORE, ...REDIS_IMAGES }));
    expect(redis.problems).toEqual([expect.objectContaining({ field: 'namespace', value: 'DB_Redis' })]);
  });
});
