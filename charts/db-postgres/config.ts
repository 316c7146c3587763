import { ResourcePresetName } from '../../constructs/lib/resources';

/**
 * The `postgres` block of an environment (`environments/<env>.ts`): the scale and size of the
 * `db-postgres` chart. The JSON schema is generated from this type (`npm run schema`); the
 * annotations below are its validation rules.
 */
export interface PostgresConfig {
  /**
   * Patroni members; 1 only in dev (no failover).
   * @asType integer
   * @minimum 1
   * @maximum 9
   */
  readonly replicas: number;
  /**
   * PgBouncer pods in front of the leader; 1 only in dev.
   * @asType integer
   * @minimum 1
   * @maximum 20
   */
  readonly poolerReplicas: number;
  /** Resource preset of each member. */
  readonly size: ResourcePresetName;
  /**
   * Data volume of each member, in GiB.
   * @asType integer
   * @minimum 1
   * @maximum 65536
   */
  readonly storageGi: number;
  /**
   * Serve TLS (PostgreSQL and PgBouncer, a certificate from the cluster's own CA). On in staging,
   * prod and dr; off in dev.
   */
  readonly tls: boolean;
}
