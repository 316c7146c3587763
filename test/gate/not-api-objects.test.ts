import * as fs from 'fs';
import * as path from 'path';
import { checkPaths } from '../../gate/check';
import { isNotApiObject } from '../../gate/manifest';
import { tempDir } from '../helpers/temp';

// dist/<env>/cluster/audit-policy.yaml and the kustomization.yaml files sit next to the manifests
// but are not API objects: the gate must leave them out, and nothing else.
describe('files that hold no API object', () => {
  test('the audit policy and kustomizations are left out; any other unknown kind is still an error', () => {
    const dir = tempDir('not-api-');
    try {
      fs.mkdirSync(path.join(dir.dir, 'cluster'));
      fs.copyFileSync(
        path.join(__dirname, '..', '..', 'dist', 'prod', 'cluster', 'audit-policy.yaml'),
        path.join(dir.dir, 'cluster', 'audit-policy.yaml'),
      );
      fs.writeFileSync(path.join(dir.dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
      expect(checkPaths([dir.dir]).problems).toEqual([]);
      fs.writeFileSync(path.join(dir.dir, 'other.yaml'), 'apiVersion: auditing.example.com/v1\nkind: Policy\nmetadata:\n  name: x\n');
      expect(checkPaths([dir.dir]).problems.map((p) => p.rule)).toContain('schema.unknown-kind');
    } finally {
      dir.cleanup();
    }
  });

  test.each([
    [{ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' }, true],
    [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' }, true],
    [{ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' }, false],
    [{ apiVersion: 'v1', kind: 'ConfigMap' }, false],
  ])('%o -> %s', (obj, expected) => expect(isNotApiObject(obj)).toBe(expected));
});
