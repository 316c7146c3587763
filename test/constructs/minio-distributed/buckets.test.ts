import { Testing } from 'cdk8s';
import { bucketReadOnly, bucketReadWrite, MinioDistributed } from '../../../constructs/minio-distributed';

describe('bucket policies', () => {
  test('bucketReadOnly lists the bucket and gets its objects, nothing else', () => {
    expect(bucketReadOnly('models')).toEqual([
      { actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: ['arn:aws:s3:::models'] },
      { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::models/*'] },
    ]);
    const actions = bucketReadOnly('models', 'deepseek').flatMap((s) => s.actions);
    expect(actions.filter((a) => /Put|Delete|Abort|Multipart/.test(a))).toEqual([]);
    expect(bucketReadOnly('models', 'deepseek')[1].resources).toEqual(['arn:aws:s3:::models/deepseek/*']);
  });

  test('bucketReadWrite keeps its writer actions', () => {
    expect(bucketReadWrite('backups', 'prod')[1]).toEqual({
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: ['arn:aws:s3:::backups/prod/*'],
    });
  });

  test('a read-only policy is accepted by addPolicy and attached to a reader', () => {
    const minio = new MinioDistributed(Testing.chart(), 'Minio', {
      namespace: 'storage-minio',
      image: 'minio/minio:RELEASE.2024-12-18T13-15-44Z',
      mcImage: 'minio/mc:RELEASE.2024-11-21T17-21-54Z',
      secretStore: { name: 'platform-secrets' },
      tls: { enabled: false },
    });
    minio.addBucket({ name: 'models' });
    const doc = minio.addPolicy({ name: 'models-read', statements: bucketReadOnly('models') });
    minio.addUser({ name: 'models-reader', credentialsRemoteKey: 'prod/app-agents/models-s3', policies: ['models-read'] });
    expect(doc.Statement.map((s) => s.Effect)).toEqual(['Allow', 'Allow']);
  });
});
