import { PropChecks } from '../lib/prop-errors';
import { parseQuantity } from '../lib/resources';
import { BucketProps, PolicyProps, UserProps } from './props';

/** A bucket with its defaults; the quota in bytes (`mc quota set --size` takes bytes). */
export interface ResolvedBucket {
  readonly name: string;
  readonly versioning: boolean;
  readonly objectLock: boolean;
  readonly expireDays?: number;
  readonly quotaBytes?: number;
}

/** An IAM policy document in the AWS grammar MinIO implements (`mc admin policy create` reads it). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly { readonly Effect: 'Allow' | 'Deny'; readonly Action: readonly string[]; readonly Resource: readonly string[] }[];
}

/** The lifecycle `mc ilm import` sets: one expiry rule, the bucket's whole lifecycle. */
export interface LifecycleDocument {
  readonly Rules: readonly {
    readonly ID: string;
    readonly Status: 'Enabled';
    readonly Filter: { readonly Prefix: '' };
    readonly Expiration: { readonly Days: number };
  }[];
}

/**
 * S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
 * which MinIO enforces too: 3-63 characters of lower-case letters, digits, `.` and `-`, starting
 * and ending with a letter or digit, no `..`, not an IPv4 address, none of the reserved prefixes
 * and suffixes.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    return 'must be 3-63 lower-case letters, digits, . and -, starting and ending with a letter or digit (S3 bucket naming rules)';
  }
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) {
    return 'must not have two adjacent periods or a period next to a hyphen (S3 bucket naming rules)';
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return 'must not be formatted as an IP address (S3 bucket naming rules)';
  }
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    return 'must not use a reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)';
  }
  return undefined;
}

export function resolveBucket(b: BucketProps, field: string, taken: readonly ResolvedBucket[], check: PropChecks): ResolvedBucket {
  const problem = bucketNameProblem(b.name);
  check.that(problem === undefined, `${field}.name`, problem ?? '', b.name);
  check.that(!taken.some((t) => t.name === b.name), `${field}.name`, 'is already declared', b.name);
  const objectLock = b.objectLock ?? false;
  check.that(
    !objectLock || b.versioning !== false,
    `${field}.versioning`,
    'must not be false with objectLock: a locked bucket is always versioned',
    b.versioning,
  );
  const expireDays = b.lifecycle?.expireDays;
  check.integer(expireDays, `${field}.lifecycle.expireDays`, 1, 36500);
  let quotaBytes: number | undefined;
  if (b.quota !== undefined) {
    quotaBytes = parseQuantity(b.quota);
    check.that(
      Number.isFinite(quotaBytes) && quotaBytes >= 1024 ** 2,
      `${field}.quota`,
      'must be a quantity of at least 1Mi, such as "500Gi"',
      b.quota,
    );
  }
  return { name: b.name, versioning: objectLock || (b.versioning ?? false), objectLock, expireDays, quotaBytes };
}

const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ACTION = /^(s3|admin|kms):[A-Za-z*]+$/;
const S3_ARN = /^arn:aws:s3:::[a-z0-9*][a-z0-9.*/-]*$/;

/** Checks a policy and builds its document. */
export function resolvePolicy(p: PolicyProps, field: string, taken: ReadonlySet<string>, check: PropChecks): PolicyDocument {
  check.that(POLICY_NAME.test(p.name), `${field}.name`, 'must be letters, digits, _ . - (at most 128)', p.name);
  check.that(!taken.has(p.name), `${field}.name`, 'is already declared', p.name);
  check.that(p.statements.length > 0, `${field}.statements`, 'must have at least one statement', p.statements.length);
  p.statements.forEach((s, i) => {
    const f = `${field}.statements[${i}]`;
    check.that(s.actions.length > 0, `${f}.actions`, 'must name at least one action', s.actions);
    s.actions.forEach((a, j) => check.that(ACTION.test(a), `${f}.actions[${j}]`, 'must be an action such as s3:GetObject or s3:*', a));
    check.that(s.resources.length > 0, `${f}.resources`, 'must name at least one resource', s.resources);
    s.resources.forEach((r, j) => check.that(S3_ARN.test(r), `${f}.resources[${j}]`, 'must be an S3 ARN such as arn:aws:s3:::backups/*', r));
  });
  return {
    Version: '2012-10-17',
    Statement: p.statements.map((s) => ({ Effect: s.effect ?? 'Allow', Action: [...s.actions], Resource: [...s.resources] })),
  };
}

export function resolveUser(u: UserProps, field: string, users: readonly UserProps[], policies: ReadonlySet<string>, check: PropChecks): UserProps {
  check.dnsLabel(u.name, `${field}.name`, 20);
  check.that(!users.some((t) => t.name === u.name), `${field}.name`, 'is already declared', u.name);
  check.that(
    u.credentialsRemoteKey.length > 0,
    `${field}.credentialsRemoteKey`,
    'must be set: the keys live in the secret store',
    u.credentialsRemoteKey,
  );
  check.that(u.policies.length > 0, `${field}.policies`, 'must attach at least one policy', u.policies);
  u.policies.forEach((p, i) => check.that(policies.has(p), `${field}.policies[${i}]`, 'must name a policy added with addPolicy before', p));
  return { name: u.name, credentialsRemoteKey: u.credentialsRemoteKey, policies: [...u.policies] };
}

/** The lifecycle of a bucket with `expireDays`. */
export function lifecycleDocument(expireDays: number): LifecycleDocument {
  return { Rules: [{ ID: `expire-after-${expireDays}-days`, Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: expireDays } }] };
}

/** Read and write on one bucket (and optionally one prefix): what a backup writer needs. */
export function bucketReadWrite(bucket: string, prefix?: string): PolicyProps['statements'] {
  return bucketStatements(
    bucket,
    prefix,
    ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
    ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
  );
}

/**
 * Read only, on one bucket (and optionally one prefix): what a model server or any other reader
 * needs to list and download. No write, delete or multipart action.
 */
export function bucketReadOnly(bucket: string, prefix?: string): PolicyProps['statements'] {
  return bucketStatements(bucket, prefix, ['s3:GetBucketLocation', 's3:ListBucket'], ['s3:GetObject']);
}

function bucketStatements(bucket: string, prefix: string | undefined, bucketActions: string[], objectActions: string[]): PolicyProps['statements'] {
  const objects = prefix ? `arn:aws:s3:::${bucket}/${prefix}/*` : `arn:aws:s3:::${bucket}/*`;
  return [
    { actions: bucketActions, resources: [`arn:aws:s3:::${bucket}`] },
    { actions: objectActions, resources: [objects] },
  ];
}
