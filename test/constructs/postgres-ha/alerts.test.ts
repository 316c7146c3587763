/* eslint-disable @typescript-eslint/no-explicit-any */
import { alertRules, expectAlerts } from '../../helpers/alerts';
import { all, BACKUP, synth } from './support';

describe('PostgresHA alerts', () => {
  test('a PrometheusRule with replication lag, no leader, split brain and exporter alerts; none without monitoring', () => {
    const { objects } = synth();
    const ns = all(objects, 'PrometheusRule')[0].metadata.namespace;
    expectAlerts(objects, 'pg', ns, [
      'PostgresReplicationLagHigh',
      'PostgresNoLeader',
      'PostgresMultiplePrimaries',
      'PostgresDown',
      'MetricsTargetDown',
      'PodCrashLooping',
      'PersistentVolumeAlmostFull',
    ]);
    expect(all(synth({ monitoring: { enabled: false } }).objects, 'PrometheusRule')).toEqual([]);
  });

  test('backup alerts exactly when the cluster runs backup CronJobs', () => {
    const names = (props: any): string[] => alertRules(synth(props).objects, 'pg').map((r) => r.alert);
    expect(names({ backup: BACKUP })).toEqual(expect.arrayContaining(['BackupJobFailed', 'BackupNotRecent']));
    expect(names({ backup: undefined })).not.toContain('BackupNotRecent');
  });
});
