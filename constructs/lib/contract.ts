import { Chart, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { PLATFORM_DOMAIN } from '../../core/annotations';
import { SecretStoreRef } from './external-secret';
import { Peer } from './connections';
import { DEFAULT_PART_OF } from './labels';
import { PodSecurityOptions } from './pod-defaults';
import { PropChecks } from './prop-errors';
import { parseQuantity, Resources } from './resources';
import { NodePool } from './scheduling';

/**
 * The contract every data service of this library follows (PostgresHA, RedisSentinel, and the
 * ClickHouse, Kafka, MinIO and Elasticsearch constructs that come next). The same word means the
 * same thing in each, so a chart author learns it once. See docs/adding-a-data-service.md.
 */

/** The cluster's DNS domain (kubelet `--cluster-domain`) when a construct is not told another. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The persistent volume of each pod. */
export interface StorageProps {
  /**
   * Initial size of each volume: a cdk8s `Size`, or a Kubernetes quantity such as `'20Gi'`. A
   * quantity is checked with every other prop; note that cdk8s itself throws on
   * `Size.gibibytes(-5)` in the caller's own expression, before any construct runs.
   * @default - per construct (PostgresHA 20Gi, RedisSentinel 8Gi)
   */
  readonly size?: Size | string;
  /** StorageClass of the volumes. @default - the cluster's default StorageClass */
  readonly storageClass?: string;
}

/** Prometheus metrics: an exporter, a ServiceMonitor, and who may scrape. */
export interface MonitoringProps {
  /** Run the exporter and emit the ServiceMonitor. @default true */
  readonly enabled?: boolean;
  /** Exporter image, pinned. @default - per construct */
  readonly exporterImage?: string;
  /** Who may scrape the exporters (a Prometheus namespace). @default - nobody: add scrapers to open the port */
  readonly scrapers?: readonly Peer[];
}

/** Base props of every data service. A construct extends this and adds what is its own. */
export interface DataServiceProps {
  /** Namespace of every object. @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Base name of every object, a DNS label (e.g. `<name>`, `<name>-headless`). @default - the construct id, lower-cased */
  readonly name?: string;
  /** Pods of the main workload. 1 is for development only; each construct says what it needs for HA. @default - per construct, 3 for the HA ones */
  readonly replicas?: number;
  /** Also spread the pods across zones (topology spread), where the cluster has zones. They are always on distinct nodes. @default false */
  readonly zoneSpread?: boolean;
  /** Node pool of the pods. @default - any node */
  readonly nodePool?: NodePool;
  /** Resources of the main container. @default - per construct */
  readonly resources?: Resources;
  /** The persistent volume of each pod. @default - per construct size, the default StorageClass */
  readonly storage?: StorageProps;
  /** Main image, pinned by tag or digest. @default - per construct; a construct without a sane default makes it required */
  readonly image?: string;
  /** Metrics. @default - enabled, nobody may scrape until `scrapers` are named */
  readonly monitoring?: MonitoringProps;
  /** The External Secrets store every secret of the construct is read from. Nothing secret is in git. */
  readonly secretStore: SecretStoreRef;
  /** UID and GIDs of the pods. @default - those of the default image's user */
  readonly podSecurity?: PodSecurityOptions;
  /** `app.kubernetes.io/part-of` of every object. @default DEFAULT_PART_OF ('receivables-platform') */
  readonly partOf?: string;
  /** Domain of the construct's own label keys (e.g. `postgres.<labelDomain>/metrics`). @default PLATFORM_DOMAIN ('receivables.io') */
  readonly labelDomain?: string;
}

/** A Secret a client mounts or reads env from, and where its value lives in the secret store. */
export interface ConnectionSecret {
  /** The Kubernetes Secret in the service's namespace. */
  readonly name: string;
  /** Keys in that Secret. */
  readonly keys: {
    readonly password: string;
    /** @default - no username key: the username is `ServiceConnection.username` */
    readonly username?: string;
    /** @default - no URI key: build it from `ServiceConnection.uri` and the password */
    readonly uri?: string;
  };
  /** Key in the secret store, for an ExternalSecret in the client's own namespace. */
  readonly remoteKey: string;
  /** Property of the JSON value at `remoteKey` that holds the password. @default - the whole value */
  readonly remoteProperty?: string;
}

/** What a data service exposes to its clients, in one shape: no chart rebuilds a host or a key. */
export interface ServiceConnection {
  /** In-cluster DNS name clients connect to. */
  readonly host: string;
  /** Port on that host. */
  readonly port: number;
  /** Every port a client may need, by name (e.g. `{ redis: 6379, sentinel: 26379 }`). */
  readonly ports: Readonly<Record<string, number>>;
  /** Login of the application. @default - the service has no user names */
  readonly username?: string;
  /** Connection URI without the password. @default - none */
  readonly uri?: string;
  readonly secret: ConnectionSecret;
  /**
   * The service serves TLS: clients connect with it (PostgreSQL `sslmode=verify-full`) and verify
   * the server with the CA in this Secret (same namespace as the service), key `caKey`.
   * @default - no TLS
   */
  readonly tls?: ConnectionTls;
}

/** How a client verifies a service that serves TLS. */
export interface ConnectionTls {
  /** Secret with the CA certificate (a cert-manager certificate secret). */
  readonly caSecret: string;
  /** Key of the CA in that Secret. @default 'ca.crt' */
  readonly caKey?: string;
}

/** The base props with their defaults applied. */
export interface ResolvedDataService {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly zoneSpread: boolean;
  readonly resources: Resources;
  readonly storageSize: Size;
  readonly storageClass?: string;
  readonly image: string;
  readonly monitoring: boolean;
  readonly exporterImage: string;
  readonly scrapers: readonly Peer[];
  readonly podSecurity: Required<PodSecurityOptions>;
  readonly partOf: string;
  readonly labelDomain: string;
}

/** What a construct fills in for the base props it leaves optional. */
export interface DataServiceDefaults {
  /** Longest `name`: room for the longest derived object name. */
  readonly maxNameLength: number;
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly resources: Resources;
  readonly storageSize: Size;
  /** @default - `image` is required */
  readonly image?: string;
  /** @default - `monitoring.exporterImage` is required */
  readonly exporterImage?: string;
  readonly podSecurity: Required<PodSecurityOptions>;
}

/**
 * Applies the defaults to the base props and records every problem on `check` (the caller adds
 * its own checks and throws them all together). Field names are the props' own, e.g. `storage.size`.
 */
export function resolveDataService(
  scope: Construct,
  id: string,
  props: DataServiceProps,
  defaults: DataServiceDefaults,
  check: PropChecks,
): ResolvedDataService {
  const namespace = props.namespace ?? Chart.of(scope).namespace ?? '';
  check.that(!!namespace, 'namespace', 'must be set on the props or the chart', props.namespace);
  const name = props.name ?? id.toLowerCase();
  check.dnsLabel(name, 'name', defaults.maxNameLength);
  const replicas = props.replicas ?? defaults.replicas;
  check.integer(replicas, 'replicas', 1, defaults.maxReplicas);
  const storageSize = resolveStorageSize(props.storage?.size, defaults.storageSize, check);
  const image = props.image ?? defaults.image ?? '';
  if (check.that(!!image, 'image', 'is required: images are a supply-chain decision', props.image)) {
    check.pinnedImage(image, 'image');
  }
  const monitoring = props.monitoring?.enabled ?? true;
  const exporterImage = props.monitoring?.exporterImage ?? defaults.exporterImage ?? '';
  if (monitoring && check.that(!!exporterImage, 'monitoring.exporterImage', 'is required while monitoring is enabled', props.monitoring?.exporterImage)) {
    check.pinnedImage(exporterImage, 'monitoring.exporterImage');
  }
  const scrapers = props.monitoring?.scrapers ?? [];
  check.that(monitoring || scrapers.length === 0, 'monitoring.scrapers', 'needs monitoring.enabled: there is no exporter to scrape', scrapers.length);
  const runAsGroup = props.podSecurity?.runAsGroup ?? defaults.podSecurity.runAsGroup;
  const podSecurity = {
    runAsUser: props.podSecurity?.runAsUser ?? defaults.podSecurity.runAsUser,
    runAsGroup,
    fsGroup: props.podSecurity?.fsGroup ?? (props.podSecurity?.runAsGroup !== undefined ? runAsGroup : defaults.podSecurity.fsGroup),
  };
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    check.integer(podSecurity[field], `podSecurity.${field}`, 1, 2 ** 31 - 1);
  }
  const labelDomain = props.labelDomain ?? PLATFORM_DOMAIN;
  check.that(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/.test(labelDomain) && labelDomain.length <= 200,
    'labelDomain',
    'must be a DNS subdomain such as example.com (it prefixes label keys)',
    labelDomain,
  );
  const partOf = props.partOf ?? DEFAULT_PART_OF;
  check.that(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(partOf) && partOf.length <= 63, 'partOf', 'must be a label value', partOf);
  if (namespace) {
    check.dnsLabel(namespace, 'namespace');
  }
  return {
    namespace,
    name,
    replicas,
    zoneSpread: props.zoneSpread ?? false,
    resources: props.resources ?? defaults.resources,
    storageSize,
    storageClass: props.storage?.storageClass,
    image,
    monitoring,
    exporterImage,
    scrapers,
    podSecurity,
    partOf,
    labelDomain,
  };
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * `storage.size` as a Size, its problems recorded on `check` (never thrown: a bad size must not
 * hide the other props' problems). Falls back to the default when the size is unusable.
 */
function resolveStorageSize(size: Size | string | undefined, fallback: Size, check: PropChecks): Size {
  if (size === undefined) {
    return fallback;
  }
  const bytes = typeof size === 'string' ? quantityBytes(size) : size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
  const shown = typeof size === 'string' ? size : `${bytes / MIB}Mi`;
  if (!check.that(Number.isFinite(bytes), 'storage.size', 'must be a Kubernetes quantity such as "20Gi"', shown)) {
    return fallback;
  }
  if (!check.that(bytes >= GIB, 'storage.size', 'must be at least 1Gi', shown)) {
    return fallback;
  }
  return typeof size === 'string' ? Size.mebibytes(Math.floor(bytes / MIB)) : size;
}

/** A quantity in bytes, negative ones included (so that "-5Gi" is "too small", not "unreadable"); NaN if unreadable. */
function quantityBytes(q: string): number {
  return q.startsWith('-') ? -parseQuantity(q.slice(1)) : parseQuantity(q);
}
