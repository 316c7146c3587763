import { AlertGroup } from '../../constructs/lib/prometheus-rule';
import { sloGroup } from '../../constructs/lib/slo';

/** The team label of the platform-wide alerts (Alertmanager routes on it, see alertmanager.ts). */
export const PLATFORM_TEAM = 'platform';
export const APPS_TEAM = 'apps';

/** Days before expiry: a ticket first (cert-manager renews at 2/3 of the lifetime, 30 days for 90-day certificates), then a page. */
export const CERT_WARNING_DAYS = 21;
export const CERT_CRITICAL_DAYS = 7;

/**
 * Certificate alerts from cert-manager's controller metrics
 * (https://cert-manager.io/docs/devops-tips/prometheus-metrics/): the expiry time of every
 * Certificate and its Ready condition. Labels `name` and `namespace` are the Certificate's.
 */
export function certificateAlerts(): AlertGroup {
  const expiresIn = 'certmanager_certificate_expiration_timestamp_seconds - time()';
  const labels = { team: PLATFORM_TEAM };
  return {
    name: 'platform.certificates',
    rules: [
      {
        alert: 'CertificateExpiringSoon',
        expr: `${expiresIn} < ${CERT_WARNING_DAYS} * 86400`,
        for: '1h',
        severity: 'warning',
        labels,
        summary: `A certificate expires in less than ${CERT_WARNING_DAYS} days and was not renewed`,
        description:
          'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}; cert-manager should have renewed it by now.',
      },
      {
        alert: 'CertificateExpiryCritical',
        expr: `${expiresIn} < ${CERT_CRITICAL_DAYS} * 86400`,
        for: '10m',
        severity: 'critical',
        labels,
        summary: `A certificate expires in less than ${CERT_CRITICAL_DAYS} days`,
        description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}: clients will refuse it.',
      },
      {
        alert: 'CertificateNotReady',
        expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1',
        for: '30m',
        severity: 'warning',
        labels,
        summary: 'A certificate is not Ready',
        description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} has been not Ready for 30 minutes (issuance or renewal failing).',
      },
    ],
  };
}

/** The API SLOs' targets over 30 days. */
export const API_AVAILABILITY_OBJECTIVE = 0.999;
export const API_LATENCY_OBJECTIVE = 0.99;
/** A request slower than this (Kong's total request latency) is a bad event of the latency SLO; one of Kong's histogram buckets. */
export const API_LATENCY_THRESHOLD_MS = 500;

/**
 * The API SLOs on Kong's Prometheus plugin (Kong 3.x, `status_code_metrics` and
 * `latency_metrics` on): every request Kong proxies to a Service of `apiNamespace` (Kong Ingress
 * Controller names them `<namespace>.<service>.<port>`). Availability: 5xx answers are bad
 * (4xx are the client's). Latency: requests above API_LATENCY_THRESHOLD_MS are bad. Kong writes
 * bucket bounds zero-padded (`le="00500.0"`), hence the pattern.
 */
export function apiSloGroups(apiNamespace: string): AlertGroup[] {
  const sel = `service=~"${apiNamespace}[.].*"`;
  const le = `le=~"0*${API_LATENCY_THRESHOLD_MS}|0*${API_LATENCY_THRESHOLD_MS}[.]0*"`;
  const labels = { team: APPS_TEAM };
  return [
    sloGroup({
      name: 'api-availability',
      alertPrefix: 'ApiAvailability',
      objective: API_AVAILABILITY_OBJECTIVE,
      badEvents: 'API 5xx responses',
      labels,
      errorRatio: (w) => `sum(rate(kong_http_requests_total{${sel}, code=~"5.."}[${w}])) / sum(rate(kong_http_requests_total{${sel}}[${w}]))`,
    }),
    sloGroup({
      name: 'api-latency',
      alertPrefix: 'ApiLatency',
      objective: API_LATENCY_OBJECTIVE,
      badEvents: `API requests slower than ${API_LATENCY_THRESHOLD_MS} ms`,
      labels,
      errorRatio: (w) =>
        `1 - sum(rate(kong_request_latency_ms_bucket{${sel}, ${le}}[${w}])) / sum(rate(kong_request_latency_ms_count{${sel}}[${w}]))`,
    }),
  ];
}
