import { Chart, Testing } from 'cdk8s';
import { AccessLevel, TeamRbac } from '../../../constructs/team-rbac';

describe('TeamRbac', () => {
  test('fails when a write level is granted cluster-wide or the prefix has no colon', () => {
    const chart = new Chart(Testing.app(), 't');
    expect(() => new TeamRbac(chart, 'T', { groupPrefix: 'oidc', teams: [{ group: 'dev', clusterWide: AccessLevel.EDIT }] })).toThrow(
      /groupPrefix[\s\S]*teams\[0\]\.clusterWide: must be a read-only level/,
    );
  });
});
