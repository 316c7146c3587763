import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `minio` block of an environment (`environments/<env>.ts`): the scale of the `storage-minio`
 * chart's first server pool. The JSON schema is generated from this type (`npm run schema`).
 * MinioDistributed refuses layouts MinIO would refuse or that lose write quorum with one pod down.
 */
export interface MinioConfig {
  /**
   * Server pods of the first pool; 1 is development (one pod, several drives).
   * @asType integer
   * @minimum 1
   * @maximum 64
   */
  readonly replicas: number;
  /**
   * Drives (PVCs) of each pod; replicas x drivesPerPod is at least 4.
   * @asType integer
   * @minimum 1
   * @maximum 32
   */
  readonly drivesPerPod: number;
  /**
   * Size of each drive, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly driveStorageGi: number;
  /** Resource preset of each server pod. */
  readonly size: ResourcePresetName;
  /**
   * Days objects of the `backups` bucket are kept (its expiry rule).
   * @asType integer
   * @minimum 1
   * @maximum 3650
   */
  readonly backupRetentionDays: number;
}
