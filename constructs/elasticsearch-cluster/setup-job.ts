import { k8s } from 'cdk8s-plus-28';
import { filesHash, setupJob } from '../lib/setup-job';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { Resources } from '../lib/resources';
import { CREDENTIAL_KEYS, EsContext, PATHS } from './context';
import { addSetupPolicies } from './network';
import { RestRequest } from './rest';
import { requestList, SETUP_SCRIPT } from './setup-script';

/**
 * The setup Job: applies the ILM policies, index templates, snapshot repository and SLM policy
 * over the REST API (setup-script.ts). Its name carries a hash of what it sends, so a change runs
 * as a new Job instead of failing on the immutable Job spec; a re-run changes nothing.
 */
export function addSetupJob(ctx: EsContext, requests: readonly RestRequest[]): k8s.KubeJob {
  const files: Record<string, string> = { 'setup.sh': SETUP_SCRIPT, 'requests.txt': requestList(requests) };
  for (const r of requests) {
    files[r.file] = `${JSON.stringify(r.body, null, 2)}\n`;
  }
  new k8s.KubeConfigMap(ctx.scope, 'SetupFiles', { metadata: ctx.meta(ctx.names.setupFiles, 'setup'), data: files });
  const hash = filesHash(files);
  const selector = ctx.componentSelector('setup');
  addSetupPolicies(ctx, selector);
  const tls = ctx.props.tls.enabled;
  return setupJob(ctx.scope, 'SetupJob', {
    metadata: ctx.meta(`${ctx.name}-setup-${hash}`, 'setup'),
    podLabels: ctx.labelsFor('setup'),
    securityContext: ctx.podSecurity(),
    container: {
      name: 'setup',
      image: ctx.props.image,
      command: ['sh', '/setup/setup.sh'],
      env: [
        { name: 'ES_URL', value: ctx.url },
        { name: 'FILES', value: '/setup' },
        ...(tls ? [{ name: 'CA_FILE', value: `${PATHS.tlsSource}/ca.crt` }] : []),
        ctx.secretEnv('ELASTIC_PASSWORD', ctx.names.credentials, CREDENTIAL_KEYS.elastic),
        ...(ctx.props.monitoring ? [ctx.secretEnv('MONITORING_PASSWORD', ctx.names.credentials, CREDENTIAL_KEYS.monitoring)] : []),
      ],
      resources: Resources.NANO.toKube(),
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: 'setup', mountPath: '/setup', readOnly: true },
        ...(tls ? [{ name: 'tls', mountPath: PATHS.tlsSource, readOnly: true }] : []),
        ...writableMounts([TMP]),
      ],
    },
    volumes: [
      { name: 'setup', configMap: { name: ctx.names.setupFiles, defaultMode: 0o444 } },
      ...(tls ? [{ name: 'tls', secret: { secretName: `${ctx.name}-tls`, defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] : []),
      ...writableVolumes([TMP]),
    ],
  });
}
