import { lifecycleDocument, PolicyDocument, ResolvedBucket } from './buckets';

/** Alias of the deployment in the Job's mc configuration. */
export const MC_ALIAS = 'platform';
/** Exit status of the setup script when MinIO refuses a change that retrying will not fix. */
export const EXIT_REFUSED = 2;
/** ...when MinIO never answered within the attempts. */
export const EXIT_GAVE_UP = 3;

/** What the setup Job applies, in order: buckets, then policies, then users with their policies. */
export interface SetupPlan {
  readonly buckets: readonly ResolvedBucket[];
  readonly policies: readonly { readonly name: string; readonly document: PolicyDocument }[];
  /** Users by their position: the keys come from env `USER_<i>_ACCESS_KEY` and `USER_<i>_SECRET_KEY`. */
  readonly users: readonly { readonly name: string; readonly policies: readonly string[] }[];
}

/**
 * The script's fixed part (POSIX sh, mc and shell builtins only: the mc image has no jq). It
 * trusts the CA when `CA_FILE` is set, sets the alias and waits until the cluster is ready
 * (`ATTEMPTS` x `DELAY` s). `attach` makes `mc admin policy attach` idempotent: MinIO refuses a
 * policy that is already attached ("already in effect"), which the MinIO chart ignores with `set +e`
 * and this script recognises by its message, failing on any other error. Env: MINIO_URL,
 * MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, FILES (the ConfigMap's folder), HOME (writable: ~/.mc).
 */
export const SETUP_PRELUDE = `#!/bin/sh
set -eu
: "\${MINIO_URL:?}" "\${MINIO_ROOT_USER:?}" "\${MINIO_ROOT_PASSWORD:?}" "\${FILES:?}"
ATTEMPTS=\${ATTEMPTS:-60}
DELAY=\${DELAY:-10}
if [ -n "\${CA_FILE:-}" ]; then
  mkdir -p "$HOME/.mc/certs/CAs"
  cp "$CA_FILE" "$HOME/.mc/certs/CAs/ca.crt"
fi
retry() {
  n=1
  until "$@"; do
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "no success after $n attempts: $1 $2" >&2
      exit ${EXIT_GAVE_UP}
    fi
    n=$((n + 1))
    sleep "$DELAY"
  done
}
# attach POLICY USER
attach() {
  if out=$(mc admin policy attach ${MC_ALIAS} "$1" --user "$2" 2>&1); then
    echo "attached policy $1"
    return 0
  fi
  case "$out" in
    *"already in effect"*) echo "policy $1 already attached" ;;
    *) echo "$out" >&2; exit ${EXIT_REFUSED} ;;
  esac
}
retry mc alias set ${MC_ALIAS} "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
retry mc ready ${MC_ALIAS}
`;

export const lifecycleFile = (bucket: string): string => `lifecycle-${bucket}.json`;
export const policyFile = (policy: string): string => `policy-${policy}.json`;

/**
 * The plan as mc commands, one shell line each. Every one leaves the same state when run again:
 * `mb --ignore-existing`, `version enable`, `ilm import` (replaces the whole lifecycle with the
 * declared rule; `ilm rule add` would add one more rule per run), `quota set`, `admin policy create`
 * (replaces the document), `admin user add` (sets the secret key; keys on stdin, never in argv), `attach`.
 */
export function setupCommands(plan: SetupPlan): string[] {
  const lines: string[] = [];
  for (const b of plan.buckets) {
    const target = `${MC_ALIAS}/${b.name}`;
    lines.push(`mc mb --ignore-existing${b.objectLock ? ' --with-lock' : ''} ${target}`);
    if (b.versioning) {
      lines.push(`mc version enable ${target}`);
    }
    if (b.expireDays !== undefined) {
      lines.push(`mc ilm import ${target} < "$FILES/${lifecycleFile(b.name)}"`);
    }
    if (b.quotaBytes !== undefined) {
      lines.push(`mc quota set ${target} --size ${b.quotaBytes}`);
    }
  }
  for (const p of plan.policies) {
    lines.push(`mc admin policy create ${MC_ALIAS} ${p.name} "$FILES/${policyFile(p.name)}"`);
  }
  plan.users.forEach((u, i) => {
    lines.push(`printf '%s\\n%s\\n' "$USER_${i}_ACCESS_KEY" "$USER_${i}_SECRET_KEY" | mc admin user add ${MC_ALIAS}`);
    for (const p of u.policies) {
      lines.push(`attach ${p} "$USER_${i}_ACCESS_KEY"`);
    }
  });
  return lines;
}

/** The ConfigMap of the Job: the script, each policy document and each lifecycle. */
export function setupFiles(plan: SetupPlan): Record<string, string> {
  const files: Record<string, string> = { 'setup.sh': `${SETUP_PRELUDE}${setupCommands(plan).join('\n')}\necho "setup complete"\n` };
  for (const p of plan.policies) {
    files[policyFile(p.name)] = `${JSON.stringify(p.document, null, 2)}\n`;
  }
  for (const b of plan.buckets.filter((x) => x.expireDays !== undefined)) {
    files[lifecycleFile(b.name)] = `${JSON.stringify(lifecycleDocument(b.expireDays ?? 0), null, 2)}\n`;
  }
  return files;
}
