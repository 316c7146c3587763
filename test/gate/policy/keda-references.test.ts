import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { runGate } from '../../../gate/gate';
import { KubeObject, Manifest } from '../../../gate/manifest';

/** The KEDA side of the reference checks: what a ScaledObject scales and logs in with must exist. */

const LABELS = {
  'app.kubernetes.io/name': 'shop',
  'app.kubernetes.io/instance': 'shop',
  'app.kubernetes.io/part-of': 'fixtures',
  'app.kubernetes.io/managed-by': 'hand',
};

function base(): KubeObject[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'policy', 'base.yaml'), 'utf8'), { merge: true });
  // KEDA owns the scale of `web` here: the fixture's HPA goes.
  return docs.map((d) => d.toJS() as KubeObject).filter((o) => o.kind !== 'HorizontalPodAutoscaler');
}

function scaledObject(target: Record<string, string>, authName = 'web-keda'): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'web', namespace: 'shop', labels: LABELS },
    spec: {
      scaleTargetRef: target,
      minReplicaCount: 2,
      maxReplicaCount: 4,
      triggers: [
        {
          type: 'kafka',
          metadata: { bootstrapServers: 'kafka:9092', consumerGroup: 'web', topic: 'tasks', lagThreshold: '10' },
          authenticationRef: { name: authName },
        },
      ],
    },
  } as KubeObject;
}

function triggerAuth(secret: string): KubeObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: 'web-keda', namespace: 'shop', labels: LABELS },
    spec: { secretTargetRef: [{ parameter: 'password', name: secret, key: 'password' }] },
  } as KubeObject;
}

function problems(objects: KubeObject[]): string[] {
  const manifests: Manifest[] = objects.map((obj) => ({ file: 'fixture.yaml', obj }));
  return runGate(manifests).problems.map((p) => `${p.object} ${p.path} ${p.rule}: ${p.message}`);
}

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('ScaledObject references', () => {
  test('a ScaledObject on an existing Deployment, with its TriggerAuthentication reading an ExternalSecret, passes', () => {
    expect(problems([...base(), scaledObject(DEPLOYMENT), triggerAuth('web-db')])).toEqual([]);
  });

  test('fails when the target Deployment does not exist', () => {
    expect(problems([...base(), scaledObject({ ...DEPLOYMENT, name: 'api' }), triggerAuth('web-db')])).toEqual([
      'ScaledObject/shop/web spec.scaleTargetRef ref.scale-target: scales Deployment "api", which does not exist in namespace "shop"',
    ]);
  });

  test('fails when the target is neither a Deployment nor a Rollout', () => {
    expect(problems([...base(), scaledObject({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'cache' }), triggerAuth('web-db')])).toEqual([
      'ScaledObject/shop/web spec.scaleTargetRef ref.scale-target: scales apps/v1 StatefulSet: a ScaledObject targets a Deployment (apps/v1) or a Rollout (argoproj.io/v1alpha1)',
    ]);
  });

  test('fails when a Rollout target names the wrong API group', () => {
    expect(problems([...base(), scaledObject({ apiVersion: 'apps/v1', kind: 'Rollout', name: 'web' }), triggerAuth('web-db')])[0]).toContain(
      'scales apps/v1 Rollout',
    );
  });

  test('fails when the TriggerAuthentication does not exist in the namespace', () => {
    expect(problems([...base(), scaledObject(DEPLOYMENT, 'web-login'), triggerAuth('web-db')])).toEqual([
      'ScaledObject/shop/web spec.triggers[0].authenticationRef ref.scale-target: logs in with TriggerAuthentication "web-login", which does not exist in namespace "shop"',
    ]);
  });

  test('fails when the TriggerAuthentication reads a Secret nothing provides', () => {
    expect(problems([...base(), scaledObject(DEPLOYMENT), triggerAuth('web-kafka')])).toEqual([
      'TriggerAuthentication/shop/web-keda spec.secretTargetRef[0].name ref.secret-missing: reads Secret "web-kafka", which no Secret, ExternalSecret or Certificate in namespace "shop" provides',
    ]);
  });
});
