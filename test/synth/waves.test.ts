import { KubeObject } from '../../gate/manifest';
import {
  applyWaves,
  FLUX_FORCE_ANNOTATION,
  HOOK_ANNOTATION,
  HOOK_DELETE_POLICY_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
  WAVES,
  waveOf,
} from '../../synth/waves';

const obj = (apiVersion: string, kind: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: kind.toLowerCase(), namespace: 'x', annotations },
});

describe('waveOf', () => {
  test('namespaces and CRDs, then secrets and config, then data services, then apps, then tenants', () => {
    expect(waveOf(obj('v1', 'Namespace'), 'app-core')).toBe(WAVES.namespacesAndCrds);
    expect(waveOf(obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), 'addons/keda')).toBe(WAVES.namespacesAndCrds);
    expect(waveOf(obj('external-secrets.io/v1beta1', 'ExternalSecret'), 'db-postgres')).toBe(WAVES.config);
    expect(waveOf(obj('v1', 'ConfigMap'), 'app-core')).toBe(WAVES.config);
    expect(waveOf(obj('apps/v1', 'StatefulSet'), 'db-postgres')).toBe(WAVES.services);
    expect(waveOf(obj('apps/v1', 'StatefulSet'), 'storage-minio')).toBe(WAVES.services);
    expect(waveOf(obj('apps/v1', 'Deployment'), 'app-core')).toBe(WAVES.apps);
    expect(waveOf(obj('apps/v1', 'Deployment'), 'tenants/acme')).toBe(WAVES.tenants);
    expect(waveOf(obj('v1', 'Namespace'), 'tenants/acme')).toBe(WAVES.namespacesAndCrds);
    expect(WAVES.namespacesAndCrds).toBeLessThan(WAVES.config);
    expect(WAVES.config).toBeLessThan(WAVES.services);
    expect(WAVES.services).toBeLessThan(WAVES.apps);
    expect(WAVES.apps).toBeLessThan(WAVES.tenants);
  });
});

describe('applyWaves', () => {
  test('annotates every object with its wave, keeping annotation keys sorted', () => {
    const [ns, sts] = applyWaves([obj('v1', 'Namespace', { zeta: '1' }), obj('apps/v1', 'StatefulSet')], 'db-postgres');
    expect(ns.metadata.annotations).toEqual({ [SYNC_WAVE_ANNOTATION]: '0', zeta: '1' });
    expect(Object.keys(ns.metadata.annotations!)).toEqual([SYNC_WAVE_ANNOTATION, 'zeta']);
    expect(sts.metadata.annotations).toEqual({ [SYNC_WAVE_ANNOTATION]: String(WAVES.services) });
  });

  test('provisioning Jobs become PostSync hooks with a delete policy; Flux may recreate them', () => {
    const [job] = applyWaves([obj('batch/v1', 'Job')], 'db-postgres');
    expect(job.metadata.annotations).toMatchObject({
      [HOOK_ANNOTATION]: 'PostSync',
      [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
      [FLUX_FORCE_ANNOTATION]: 'enabled',
    });
  });

  test('CronJobs stay ordinary objects', () => {
    const [cron] = applyWaves([obj('batch/v1', 'CronJob')], 'db-postgres');
    expect(cron.metadata.annotations?.[HOOK_ANNOTATION]).toBeUndefined();
    expect(cron.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toBe(String(WAVES.services));
  });

  test('an annotation a construct set wins', () => {
    const [job] = applyWaves([obj('batch/v1', 'Job', { [SYNC_WAVE_ANNOTATION]: '-5', [HOOK_ANNOTATION]: 'PreSync' })], 'app-core');
    expect(job.metadata.annotations).toMatchObject({ [SYNC_WAVE_ANNOTATION]: '-5', [HOOK_ANNOTATION]: 'PreSync' });
  });
});
