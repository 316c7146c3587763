import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { isNotApiObject, KubeObject } from '../../../gate/manifest';
import { selectorMatches } from '../../../gate/policy/model';
import { listYaml } from '../../../gate/schema';
import { execFileSync } from 'child_process';
import { LABEL_INSTANCE } from '../../../constructs/lib/labels';
import { toolPath } from '../../../core/tools';
import { ARGOCD_INSTALL_DIR, RESOURCE_TRACKING_METHOD } from '../../../synth/gitops/argocd';
import { tempDir } from '../../helpers/temp';

/* eslint-disable @typescript-eslint/no-explicit-any */

const ROOT = path.join(__dirname, '..', '..', '..');
const ENVS = ['dev', 'staging', 'prod', 'dr'];

/** The objects of one dist/<env>/<folder>, as Argo CD applies them from one Application. */
function folderObjects(env: string): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const file of listYaml(path.join(ROOT, 'dist', env))) {
    const folder = path.relative(path.join(ROOT, 'dist', env), path.dirname(file));
    const objects = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o && !isNotApiObject(o));
    out.set(folder, [...(out.get(folder) ?? []), ...objects]);
  }
  return out;
}

/**
 * Argo CD before 3.0 tracks resources by label by default: it sets app.kubernetes.io/instance on
 * every object it applies to the Application's name (`<env>-<folder>`), whatever the manifest says.
 */
function underLabelTracking(env: string, folder: string, o: KubeObject): KubeObject {
  return { ...o, metadata: { ...o.metadata!, labels: { ...(o.metadata?.labels ?? {}), [LABEL_INSTANCE]: `${env}-${folder}` } } };
}

function matched(monitor: any, services: KubeObject[]): string[] {
  const namespaces: string[] = monitor.spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
  return services
    .filter((s) => namespaces.includes(s.metadata!.namespace!) && selectorMatches(monitor.spec.selector, s.metadata?.labels ?? {}))
    .map((s) => s.metadata!.name!)
    .sort();
}

describe('ServiceMonitors survive Argo CD label tracking (issue 11, defect 5)', () => {
  test.each(ENVS)('%s: no ServiceMonitor selects on app.kubernetes.io/instance, and each still selects its Services', (env) => {
    let monitors = 0;
    for (const [folder, objects] of folderObjects(env)) {
      const services = objects.filter((o) => o.kind === 'Service');
      const tracked = services.map((s) => underLabelTracking(env, folder, s));
      for (const m of objects.filter((o) => o.kind === 'ServiceMonitor') as any[]) {
        monitors++;
        const selector = m.spec.selector;
        expect(Object.keys(selector.matchLabels ?? {})).not.toContain(LABEL_INSTANCE);
        expect((selector.matchExpressions ?? []).map((e: any) => e.key)).not.toContain(LABEL_INSTANCE);
        const asWritten = matched(m, services);
        // Exactly the Services that serve the scraped port, before and after Argo rewrote the label.
        const withPort = services.filter((s: any) => (s.spec.ports ?? []).some((p: any) => p.name === m.spec.endpoints[0].port));
        expect(asWritten.length).toBeGreaterThan(0);
        expect(asWritten.every((n) => withPort.some((s) => s.metadata!.name === n))).toBe(true);
        expect(matched(m, tracked)).toEqual(asWritten);
      }
    }
    // PostgreSQL, PgBouncer... one per monitored service; MinIO, ClickHouse and Kafka added the fifth to seventh,
    // the four app-core services the eighth to eleventh, the four app-agents the twelfth to fifteenth,
    // app-integration's integration-hub the sixteenth, the deepseek-r1 model server the seventeenth.
    expect(monitors).toBe(17);
  });
});

describe('Argo CD tracks by annotation (gitops/argocd/install)', () => {
  test('the committed Component patches an installed argocd-cm, keeping its other settings and labels', () => {
    const { dir, cleanup } = tempDir('argocd-install-');
    try {
      const installed = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'argocd-cm', namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' } },
        data: { url: 'https://argocd.example.com', 'application.resourceTrackingMethod': 'label' },
      };
      fs.writeFileSync(path.join(dir, 'argocd-cm.yaml'), YAML.stringify(installed));
      const component = path.relative(dir, path.join(ROOT, ARGOCD_INSTALL_DIR));
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), YAML.stringify({ resources: ['argocd-cm.yaml'], components: [component] }));
      const [cm] = YAML.parseAllDocuments(execFileSync(toolPath('kubectl'), ['kustomize', dir], { encoding: 'utf8' })).map((d) => d.toJS());
      expect(cm.data).toEqual({ url: 'https://argocd.example.com', 'application.resourceTrackingMethod': RESOURCE_TRACKING_METHOD });
      expect(RESOURCE_TRACKING_METHOD).toBe('annotation');
      expect(cm.metadata.labels).toEqual(installed.metadata.labels);
    } finally {
      cleanup();
    }
  });
});
