import { RestRequest } from './rest';

/** Exit status of the setup script when Elasticsearch refuses a request (4xx): retrying will not help. */
export const EXIT_REFUSED = 2;
/** ...when it never answered with success within the attempts. */
export const EXIT_GAVE_UP = 3;

/** `requests.txt`: one `METHOD PATH FILE` line per request, in order. */
export function requestList(requests: readonly RestRequest[]): string {
  return requests.map((r) => `${r.method} ${r.path} ${r.file}\n`).join('');
}

/**
 * The setup Job's script (POSIX sh + curl). It waits for the cluster (yellow health), sets the
 * monitoring user's password, then sends every request of `requests.txt` with its JSON body.
 * Each request is retried on connection errors, 5xx, 408 and 429 (`ATTEMPTS` x `DELAY` s), and
 * fails at once on any other 4xx (a bad body stays bad). Every request is a PUT of the whole
 * object, so a re-run changes nothing. Env: ES_URL, ELASTIC_PASSWORD, MONITORING_PASSWORD,
 * FILES (the ConfigMap's folder), CA_FILE (optional), ATTEMPTS, DELAY, WORK (a writable folder).
 */
export const SETUP_SCRIPT = `#!/bin/sh
set -eu
: "\${ES_URL:?}" "\${ELASTIC_PASSWORD:?}" "\${FILES:?}"
ATTEMPTS=\${ATTEMPTS:-60}
DELAY=\${DELAY:-10}
WORK=\${WORK:-/tmp}
# Options in a curl config file: the password never appears on a command line.
rc="$WORK/curlrc"
{
  echo 'silent'
  echo 'show-error'
  echo "output = \\"$WORK/response\\""
  echo 'write-out = "%{http_code}"'
  echo 'header = "Content-Type: application/json"'
  echo "header = \\"Authorization: Basic $(printf 'elastic:%s' "$ELASTIC_PASSWORD" | base64 | tr -d '\\n')\\""
  if [ -n "\${CA_FILE:-}" ]; then echo "cacert = \\"$CA_FILE\\""; fi
} > "$rc"

# call METHOD PATH [BODY_FILE]
call() {
  n=1
  while :; do
    if [ -n "\${3:-}" ]; then
      code=$(curl -K "$rc" -X "$1" --data-binary "@$3" "$ES_URL$2" 2>"$WORK/curl-error") || code=000
    else
      code=$(curl -K "$rc" -X "$1" "$ES_URL$2" 2>"$WORK/curl-error") || code=000
    fi
    case "$code" in
      2??) echo "$1 $2: $code"; return 0 ;;
      408|429|5??|000) ;;
      *) echo "$1 $2: refused with $code: $(cat "$WORK/response" 2>/dev/null)" >&2; exit ${EXIT_REFUSED} ;;
    esac
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "$1 $2: no success after $n attempts (last: $code $(cat "$WORK/curl-error" "$WORK/response" 2>/dev/null))" >&2
      exit ${EXIT_GAVE_UP}
    fi
    n=$((n + 1))
    sleep "$DELAY"
  done
}
call GET '/_cluster/health?wait_for_status=yellow&timeout=30s'
if [ -n "\${MONITORING_PASSWORD:-}" ]; then
  escaped=$(printf '%s' "$MONITORING_PASSWORD" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')
  printf '{"password":"%s"}' "$escaped" > "$WORK/monitoring-password.json"
  call POST /_security/user/remote_monitoring_user/_password "$WORK/monitoring-password.json"
  rm -f "$WORK/monitoring-password.json"
fi
while read -r method path file; do
  [ -n "$method" ] || continue
  call "$method" "$path" "$FILES/$file"
done < "$FILES/requests.txt"
echo "setup complete"
`;
