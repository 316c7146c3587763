/* eslint-disable @typescript-eslint/no-explicit-any */
import Ajv from 'ajv';
import { execFile } from 'child_process';
import { Chart, Testing } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { bucketReadWrite, MinioDistributed, resolveBucket } from '../../../constructs/minio-distributed';
import { setupCommands, setupFiles, SetupPlan } from '../../../constructs/minio-distributed/setup-script';
import { PropChecks } from '../../../constructs/lib/prop-errors';
import { errorOf } from '../../helpers/errors';
import { readTree, tempDir } from '../../helpers/temp';

const run = promisify(execFile);

/**
 * A fake `mc` that appends its argv to $MC_LOG and keeps MinIO's state in $MC_STATE as files, with
 * MinIO's answers where idempotence depends on them: `mb` without --ignore-existing fails on an
 * existing bucket, `policy attach` of an attached policy fails with "already in effect", `ilm import`
 * replaces the lifecycle, `user add` reads the keys from stdin.
 */
const FAKE_MC = `#!/bin/sh
set -eu
echo "$*" >> "$MC_LOG"
S="$MC_STATE"
case "$1 \${2:-}" in
  "alias set") exit 0 ;;
  "ready "*) exit 0 ;;
  "mb "*)
    lock=no; ignore=no; target=
    shift
    for a in "$@"; do
      case "$a" in --ignore-existing) ignore=yes ;; --with-lock) lock=yes ;; *) target="$a" ;; esac
    done
    b="$S/buckets/\${target#*/}"
    if [ -d "$b" ]; then
      [ "$ignore" = yes ] && { echo "Bucket exists"; exit 0; }
      echo "mc: <ERROR> Unable to make bucket. Your previous request to create the named bucket succeeded and you already own it." >&2; exit 1
    fi
    mkdir -p "$b"; echo "$lock" > "$b/lock"; [ "$lock" = yes ] && echo Enabled > "$b/versioning"; exit 0 ;;
  "version enable") echo Enabled > "$S/buckets/\${3#*/}/versioning" ;;
  "ilm import") cat > "$S/buckets/\${3#*/}/lifecycle" ;;
  "quota set") echo "$5" > "$S/buckets/\${3#*/}/quota" ;;
  "admin policy")
    case "$3" in
      create) mkdir -p "$S/policies"; cp "$6" "$S/policies/$5.json" ;;
      attach)
        [ -f "$S/policies/$5.json" ] || { echo "mc: <ERROR> policy $5 does not exist" >&2; exit 1; }
        f="$S/users/$7/policies"
        if grep -qx "$5" "$f" 2>/dev/null; then
          echo "mc: <ERROR> Unable to make user/group policy association. The specified policy change is already in effect." >&2; exit 1
        fi
        echo "$5" >> "$f" ;;
    esac ;;
  "admin user")
    read -r ak; read -r sk
    mkdir -p "$S/users/$ak"; echo "$sk" > "$S/users/$ak/secret"; touch "$S/users/$ak/policies" ;;
  *) echo "fake mc: unexpected $*" >&2; exit 9 ;;
esac
`;

/** Every file of the fake's state as text, by relative path. */
function stateOf(dir: string): Record<string, string> {
  return Object.fromEntries([...readTree(dir)].map(([f, bytes]) => [f, bytes.toString('utf8')]));
}

function platformMinio(): MinioDistributed {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  const minio = new MinioDistributed(chart, 'Minio', {
    namespace: 'storage-minio',
    image: 'quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z',
    mcImage: 'quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z',
    secretStore: { name: 'platform-secrets' },
    tls: { enabled: false },
  });
  minio.addBucket({ name: 'invoices', versioning: true, objectLock: true });
  minio.addBucket({ name: 'backups', lifecycle: { expireDays: 30 }, quota: '500Gi' });
  minio.addBucket({ name: 'logs' });
  minio.addPolicy({ name: 'backups-rw', statements: bucketReadWrite('backups', 'prod/elasticsearch') });
  minio.addPolicy({ name: 'invoices-read', statements: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::invoices/*'] }] });
  minio.addUser({ name: 'elasticsearch', credentialsRemoteKey: 'prod/db-elasticsearch/snapshot-s3', policies: ['backups-rw'] });
  minio.addUser({ name: 'reader', credentialsRemoteKey: 'prod/app/s3', policies: ['backups-rw', 'invoices-read'] });
  return minio;
}

function planOf(minio: MinioDistributed): SetupPlan {
  return {
    buckets: minio.buckets,
    policies: Object.entries(minio.policyDocuments).map(([name, document]) => ({ name, document })),
    users: [
      { name: 'elasticsearch', policies: ['backups-rw'] },
      { name: 'reader', policies: ['backups-rw', 'invoices-read'] },
    ],
  };
}

/** An IAM policy as MinIO accepts it (AWS grammar: Version 2012-10-17, Statement[Effect, Action, Resource]). */
const IAM_POLICY_SCHEMA = {
  type: 'object',
  required: ['Version', 'Statement'],
  additionalProperties: false,
  properties: {
    Version: { const: '2012-10-17' },
    Statement: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['Effect', 'Action', 'Resource'],
        additionalProperties: false,
        properties: {
          Sid: { type: 'string' },
          Effect: { enum: ['Allow', 'Deny'] },
          Action: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(s3|admin|kms):[A-Za-z*]+$' } },
          Resource: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^arn:aws:s3:::[a-z0-9*][a-z0-9.*/-]*$' } },
          Condition: { type: 'object' },
        },
      },
    },
  },
};

describe('MinioDistributed setup Job (mc)', () => {
  const minio = platformMinio();
  const plan = planOf(minio);
  const files = setupFiles(plan);

  test('the commands create, version, lock, expire and cap the buckets, then policies and users', () => {
    expect(setupCommands(plan)).toEqual([
      'mc mb --ignore-existing --with-lock platform/invoices',
      'mc version enable platform/invoices',
      'mc mb --ignore-existing platform/backups',
      'mc ilm import platform/backups < "$FILES/lifecycle-backups.json"',
      `mc quota set platform/backups --size ${500 * 1024 ** 3}`,
      'mc mb --ignore-existing platform/logs',
      'mc admin policy create platform backups-rw "$FILES/policy-backups-rw.json"',
      'mc admin policy create platform invoices-read "$FILES/policy-invoices-read.json"',
      `printf '%s\\n%s\\n' "$USER_0_ACCESS_KEY" "$USER_0_SECRET_KEY" | mc admin user add platform`,
      'attach backups-rw "$USER_0_ACCESS_KEY"',
      `printf '%s\\n%s\\n' "$USER_1_ACCESS_KEY" "$USER_1_SECRET_KEY" | mc admin user add platform`,
      'attach backups-rw "$USER_1_ACCESS_KEY"',
      'attach invoices-read "$USER_1_ACCESS_KEY"',
    ]);
    expect(JSON.parse(files['lifecycle-backups.json'])).toEqual({
      Rules: [{ ID: 'expire-after-30-days', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }],
    });
  });

  test('every policy document parses and matches the IAM policy schema', () => {
    const validate = new Ajv({ strict: true }).compile(IAM_POLICY_SCHEMA);
    const docs = Object.keys(files).filter((f) => f.startsWith('policy-'));
    expect(docs).toEqual(['policy-backups-rw.json', 'policy-invoices-read.json']);
    for (const f of docs) {
      const doc = JSON.parse(files[f]);
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
    }
    expect(JSON.parse(files['policy-backups-rw.json']).Statement[1].Resource).toEqual(['arn:aws:s3:::backups/prod/elasticsearch/*']);
    // The schema rejects what MinIO would: a bad version, an action without a service.
    expect(validate({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::x/*'] }] })).toBe(false);
    expect(validate({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['GetObject'], Resource: ['arn:aws:s3:::x/*'] }] })).toBe(false);
  });

  // dash is Debian's sh; the mc image (UBI) has bash as sh.
  test.each(['dash', 'bash'])(
    'the script is idempotent under %s: a second run against the same state changes nothing and succeeds',
    async (shell) => {
      const { dir, cleanup } = tempDir('minio-setup-');
      try {
        const bin = path.join(dir, 'bin');
        const filesDir = path.join(dir, 'files');
        const state = path.join(dir, 'state');
        for (const d of [bin, filesDir, state]) {
          fs.mkdirSync(d);
        }
        fs.writeFileSync(path.join(bin, 'mc'), FAKE_MC, { mode: 0o755 });
        for (const [f, text] of Object.entries(files)) {
          fs.writeFileSync(path.join(filesDir, f), text);
        }
        const log = path.join(dir, 'calls.log');
        const env = {
          PATH: `${bin}:${process.env.PATH}`,
          HOME: dir,
          MC_LOG: log,
          MC_STATE: state,
          FILES: filesDir,
          MINIO_URL: 'http://minio.storage-minio.svc:9000',
          MINIO_ROOT_USER: 'root',
          MINIO_ROOT_PASSWORD: 'root-secret',
          USER_0_ACCESS_KEY: 'es-key',
          USER_0_SECRET_KEY: 'es-secret',
          USER_1_ACCESS_KEY: 'reader-key',
          USER_1_SECRET_KEY: 'reader-secret',
          DELAY: '0',
        };
        const first = await run(shell, [path.join(filesDir, 'setup.sh')], { env });
        const afterFirst = stateOf(state);
        const firstCalls = fs.readFileSync(log, 'utf8');
        fs.writeFileSync(log, '');
        const second = await run(shell, [path.join(filesDir, 'setup.sh')], { env });
        expect(first.stdout).toContain('setup complete');
        expect(second.stdout).toContain('policy backups-rw already attached');
        expect(stateOf(state)).toEqual(afterFirst);
        expect(fs.readFileSync(log, 'utf8')).toBe(firstCalls);
        expect(afterFirst).toMatchObject({
          'buckets/invoices/lock': 'yes\n',
          'buckets/invoices/versioning': 'Enabled\n',
          'buckets/backups/quota': `${500 * 1024 ** 3}\n`,
          'buckets/logs/lock': 'no\n',
          'users/es-key/secret': 'es-secret\n',
          'users/es-key/policies': 'backups-rw\n',
          'users/reader-key/policies': 'backups-rw\ninvoices-read\n',
        });
        expect(JSON.parse(afterFirst['buckets/backups/lifecycle']).Rules).toHaveLength(1);
        // No key on any command line: user keys go through stdin.
        expect(firstCalls).not.toContain('es-secret');
        expect(firstCalls.split('\n')[0]).toBe('alias set platform http://minio.storage-minio.svc:9000 root root-secret');
      } finally {
        cleanup();
      }
    },
  );

  test('fails on any other attach error, with the refused exit status', async () => {
    const { dir, cleanup } = tempDir('minio-setup-');
    try {
      const bin = path.join(dir, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'mc'), FAKE_MC, { mode: 0o755 });
      fs.mkdirSync(path.join(dir, 'state'));
      const script = path.join(dir, 'setup.sh');
      // A plan whose policy file was never created: attach refuses (policy does not exist).
      fs.writeFileSync(script, setupFiles({ buckets: [], policies: [], users: [{ name: 'u', policies: ['missing'] }] })['setup.sh']);
      const env = { PATH: `${bin}:${process.env.PATH}`, HOME: dir, MC_LOG: path.join(dir, 'log'), MC_STATE: path.join(dir, 'state') };
      const err: any = await run('sh', [script], {
        env: {
          ...env,
          FILES: dir,
          MINIO_URL: 'http://x.svc:9000',
          MINIO_ROOT_USER: 'r',
          MINIO_ROOT_PASSWORD: 'p',
          USER_0_ACCESS_KEY: 'k',
          USER_0_SECRET_KEY: 's',
        },
      }).catch((e) => e);
      expect(err.code).toBe(2);
      expect(err.stderr).toContain('policy missing does not exist');
    } finally {
      cleanup();
    }
  });

  test('gives up with its own exit status when MinIO never answers', async () => {
    const { dir, cleanup } = tempDir('minio-setup-');
    try {
      fs.writeFileSync(path.join(dir, 'mc'), '#!/bin/sh\necho "$*" >> "$MC_LOG"\nexit 1\n', { mode: 0o755 });
      const script = path.join(dir, 'setup.sh');
      fs.writeFileSync(script, files['setup.sh']);
      const log = path.join(dir, 'log');
      const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, MC_LOG: log, FILES: dir, ATTEMPTS: '3', DELAY: '0' };
      const err: any = await run('sh', [script], {
        env: { ...env, MINIO_URL: 'http://x.svc:9000', MINIO_ROOT_USER: 'r', MINIO_ROOT_PASSWORD: 'p' },
      }).catch((e) => e);
      expect(err.code).toBe(3);
      expect(err.stderr).toContain('no success after 3 attempts: mc alias');
      expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
    } finally {
      cleanup();
    }
  });

  describe('bad buckets, policies and users', () => {
    const check = (): PropChecks => new PropChecks({ node: { path: 'x' } } as any);
    test.each([
      ['ab', 'must be 3-63'],
      ['Invoices', 'must be 3-63'],
      ['192.168.1.10', 'IP address'],
      ['my..bucket', 'adjacent periods'],
      ['xn--bucket', 'reserved prefix'],
      ['logs-s3alias', 'reserved prefix'],
    ])('fails when the bucket name is %s', (name, rule) => {
      const c = check();
      resolveBucket({ name }, 'buckets[0]', [], c);
      expect(c.hasProblems).toBe(true);
      expect(errorOf(() => c.throwIfAny()).problems[0]).toMatchObject({ field: 'buckets[0].name', value: name, rule: expect.stringContaining(rule) });
    });

    test('fails with every bucket problem at once', () => {
      const m = platformMinio();
      const e = errorOf(() => m.addBucket({ name: 'logs', objectLock: true, versioning: false, lifecycle: { expireDays: 0 }, quota: 'lots' }));
      expect(e.problems.map((p) => p.field)).toEqual([
        'buckets[3].name',
        'buckets[3].versioning',
        'buckets[3].lifecycle.expireDays',
        'buckets[3].quota',
      ]);
      expect(e.message.split('\n')[0]).toBe('test/Minio: buckets[3].name: is already declared (got "logs")');
    });

    test('fails when a policy is malformed or a user names an unknown policy', () => {
      const m = platformMinio();
      const e = errorOf(() => m.addPolicy({ name: 'bad policy', statements: [{ actions: ['GetObject'], resources: ['backups/*'] }] }));
      expect(e.problems.map((p) => p.field)).toEqual([
        'policies[2].name',
        'policies[2].statements[0].actions[0]',
        'policies[2].statements[0].resources[0]',
      ]);
      expect(errorOf(() => m.addUser({ name: 'x', credentialsRemoteKey: 'k', policies: ['nope'] })).problems).toEqual([
        { field: 'users[2].policies[0]', rule: 'must name a policy added with addPolicy before', value: 'nope' },
      ]);
    });
  });

  test('backupTarget gives a declared bucket, the user keys entry and the servers', () => {
    const m = platformMinio();
    expect(m.backupTarget('backups', 'elasticsearch')).toMatchObject({
      endpoint: 'http://minio.storage-minio.svc:9000',
      bucket: 'backups',
      credentialsRemoteKey: 'prod/db-elasticsearch/snapshot-s3',
      port: 9000,
    });
    expect(errorOf(() => m.backupTarget('nothere', 'elasticsearch')).problems[0].field).toBe('backupTarget.bucket');
  });
});
