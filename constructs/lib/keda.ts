import { Construct } from 'constructs';
import { ScaledObject } from '../../imports/keda-scaledobject-keda.sh';
import { TriggerAuthentication } from '../../imports/keda-triggerauthentication-keda.sh';
import { managedSecret, SecretKeyMapping, SecretStoreRef } from './external-secret';
import { INetworkPeer } from './network';
import { PropChecks } from './prop-errors';

/**
 * Queue-depth autoscaling with KEDA (https://keda.sh/docs/2.20/): a `ScaledObject` that scales a
 * Deployment or Argo Rollout on Kafka consumer lag or Redis list length, and the
 * `TriggerAuthentication` that gives the KEDA operator the queue's login from an ExternalSecret.
 * KEDA creates and owns the HorizontalPodAutoscaler of the workload: a workload scaled here gets
 * no HPA of ours, and its Deployment leaves `spec.replicas` unset so that Argo CD does not fight
 * KEDA over it.
 */

/**
 * Annotation that holds a ScaledObject's target at a fixed count and stops autoscaling
 * (https://keda.sh/docs/2.20/concepts/scaling-deployments/#pause-autoscaling). A DR environment
 * at rest sets it to `"0"`; failover removes it and KEDA takes over again.
 */
export const KEDA_PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';

/** The namespace the KEDA operator runs in (its Helm chart's default): it reads the queues itself. */
export const KEDA_NAMESPACE = 'keda';

/**
 * The KEDA operator's pods, as a NetworkPolicy peer: the label its Helm chart puts on them
 * (kedacore/charts `keda/templates/manager/deployment.yaml`, `app: {{ .Values.operator.name }}`,
 * default `keda-operator`). A queue's server admits this peer so the operator can read lag and lengths.
 */
export const KEDA_OPERATOR: INetworkPeer = { peerNamespace: KEDA_NAMESPACE, peerSelector: { app: 'keda-operator' } };

/** A queue login: a user name and the password's place in the secret store. */
export interface QueueLogin {
  /** Login name. @default - none (Redis' default user) */
  readonly username?: string;
  /** Key of the password in the secret store. */
  readonly passwordRemoteKey: string;
  /** Property of the JSON value at that key that holds the password. @default - the whole value */
  readonly passwordProperty?: string;
}

/** Scale on the lag of a Kafka consumer group (https://keda.sh/docs/2.20/scalers/apache-kafka/). */
export interface KafkaLagTriggerProps {
  /** `host:port` of the bootstrap brokers. */
  readonly bootstrapServers: readonly string[];
  /** The consumer group whose lag is measured: the workload's own. */
  readonly consumerGroup: string;
  /** The topic the group consumes. */
  readonly topic: string;
  /** Target lag per replica: replicas = total lag / this. @default 10 */
  readonly lagThreshold?: number;
  /** Lag above which a workload at zero is woken. @default 0 */
  readonly activationLagThreshold?: number;
  /** SASL/SCRAM-SHA-512 login of the KEDA operator. @default - no authentication */
  readonly scramSha512?: QueueLogin;
}

/** Scale on the length of a Redis list (https://keda.sh/docs/2.20/scalers/redis-lists/). */
export interface RedisListTriggerProps {
  /** `host:port` of Redis, or of the Sentinels when `sentinelMaster` is set. */
  readonly addresses: readonly string[];
  /** Master set name: the addresses are Sentinels (trigger `redis-sentinel`). @default - plain Redis (trigger `redis`) */
  readonly sentinelMaster?: string;
  /** The list (queue) whose length is measured. */
  readonly listName: string;
  /** Target list length per replica. @default 5 */
  readonly listLength?: number;
  /** Length above which a workload at zero is woken. @default 0 */
  readonly activationListLength?: number;
  /** Login of the KEDA operator (Sentinel takes the same password). @default - no authentication */
  readonly login?: QueueLogin;
  /**
   * Connect with TLS, verifying the server with this CA: its place in the secret store (the CA
   * of the Redis certificate issuer). @default - no TLS
   */
  readonly tlsCaRemoteKey?: { readonly remoteKey: string; readonly property?: string };
}

/** What a workload scales on. */
export class QueueTrigger {
  /** Kafka consumer lag. */
  public static kafkaLag(props: KafkaLagTriggerProps): QueueTrigger {
    return new QueueTrigger('kafka', props);
  }

  /** Redis list length. */
  public static redisList(props: RedisListTriggerProps): QueueTrigger {
    return new QueueTrigger('redis', props);
  }

  private constructor(
    public readonly kind: 'kafka' | 'redis',
    public readonly props: KafkaLagTriggerProps | RedisListTriggerProps,
  ) {}
}

/** The bounds and pace of queue-depth autoscaling. */
export interface QueueScalingProps {
  readonly trigger: QueueTrigger;
  /** Fewest replicas while the queue is idle. @default 1 */
  readonly minReplicas?: number;
  /** Most replicas. For Kafka, more replicas than partitions sit idle. @default 10 */
  readonly maxReplicas?: number;
  /** Allow `minReplicas: 0` (batch workers that may sleep while the queue is empty). @default false */
  readonly allowScaleToZero?: boolean;
  /** Seconds after the last active poll before scaling back to zero. @default 300 */
  readonly cooldownSeconds?: number;
  /** Seconds between two looks at the queue. @default 30 */
  readonly pollingSeconds?: number;
}

/** The defaults of QueueScalingProps applied. */
export interface ResolvedQueueScaling {
  readonly trigger: QueueTrigger;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cooldownSeconds: number;
  readonly pollingSeconds: number;
}

const DEFAULTS = { minReplicas: 1, maxReplicas: 10, cooldownSeconds: 300, pollingSeconds: 30, lagThreshold: 10, listLength: 5 };

/** The queue scaling props with their defaults applied, unchecked (a construct needs the bounds before its checks run). */
export function resolveQueueScaling(props: QueueScalingProps): ResolvedQueueScaling {
  return {
    trigger: props.trigger,
    minReplicas: props.minReplicas ?? DEFAULTS.minReplicas,
    maxReplicas: props.maxReplicas ?? DEFAULTS.maxReplicas,
    cooldownSeconds: props.cooldownSeconds ?? DEFAULTS.cooldownSeconds,
    pollingSeconds: props.pollingSeconds ?? DEFAULTS.pollingSeconds,
  };
}

/** The queue depth one replica is sized for: the trigger's `lagThreshold` or `listLength`. */
export function depthPerReplica(trigger: QueueTrigger): number {
  return trigger.kind === 'kafka'
    ? ((trigger.props as KafkaLagTriggerProps).lagThreshold ?? DEFAULTS.lagThreshold)
    : ((trigger.props as RedisListTriggerProps).listLength ?? DEFAULTS.listLength);
}

/** Checks queue scaling props into `check`, fields prefixed with `field`; returns them resolved. */
export function checkQueueScaling(check: PropChecks, props: QueueScalingProps, field: string): ResolvedQueueScaling {
  const r = resolveQueueScaling(props);
  const minOk = check.integer(r.minReplicas, `${field}.minReplicas`, 0);
  if (minOk && r.minReplicas === 0) {
    check.that(props.allowScaleToZero === true, `${field}.minReplicas`, 'may be 0 only with allowScaleToZero: true (batch workloads)', r.minReplicas);
  }
  if (check.integer(r.maxReplicas, `${field}.maxReplicas`, 1) && minOk) {
    check.that(r.maxReplicas >= r.minReplicas, `${field}.maxReplicas`, `must be at least minReplicas (${r.minReplicas})`, r.maxReplicas);
  }
  check.integer(r.cooldownSeconds, `${field}.cooldownSeconds`, 0);
  check.integer(r.pollingSeconds, `${field}.pollingSeconds`, 1);
  checkTrigger(check, props.trigger, `${field}.trigger`);
  return r;
}

function checkTrigger(check: PropChecks, trigger: QueueTrigger, field: string): void {
  const nonEmpty = (v: unknown, f: string): void => {
    check.that(typeof v === 'string' && v.length > 0, `${field}.${f}`, 'must not be empty', v);
  };
  const addresses = (list: readonly string[], f: string): void => {
    check.that(list.length > 0, `${field}.${f}`, 'must name at least one host:port', list);
    list.forEach((a, i) => check.that(/^[^\s:,]+:\d{1,5}$/.test(a), `${field}.${f}[${i}]`, 'must be host:port', a));
  };
  if (trigger.kind === 'kafka') {
    const p = trigger.props as KafkaLagTriggerProps;
    addresses(p.bootstrapServers, 'bootstrapServers');
    nonEmpty(p.consumerGroup, 'consumerGroup');
    nonEmpty(p.topic, 'topic');
    check.integer(p.lagThreshold, `${field}.lagThreshold`, 1);
    check.integer(p.activationLagThreshold, `${field}.activationLagThreshold`, 0);
    if (p.scramSha512) {
      nonEmpty(p.scramSha512.username, 'scramSha512.username');
      nonEmpty(p.scramSha512.passwordRemoteKey, 'scramSha512.passwordRemoteKey');
    }
    return;
  }
  const p = trigger.props as RedisListTriggerProps;
  addresses(p.addresses, 'addresses');
  nonEmpty(p.listName, 'listName');
  check.integer(p.listLength, `${field}.listLength`, 1);
  check.integer(p.activationListLength, `${field}.activationListLength`, 0);
  if (p.login) {
    nonEmpty(p.login.passwordRemoteKey, 'login.passwordRemoteKey');
  }
}

/** A ScaledObject's target. */
export interface ScaleTarget {
  readonly kind: 'Deployment' | 'Rollout';
  readonly name: string;
}

export interface QueueScalerProps {
  /** Name of the ScaledObject, and the base of the TriggerAuthentication and Secret names. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly target: ScaleTarget;
  readonly scaling: ResolvedQueueScaling;
  /** Store the queue login is read from. */
  readonly secretStore: SecretStoreRef;
  /** Hold the target at zero replicas and stop autoscaling (a DR environment at rest). @default false */
  readonly pausedAtZero?: boolean;
}

const TARGET_API: Record<ScaleTarget['kind'], string> = { Deployment: 'apps/v1', Rollout: 'argoproj.io/v1alpha1' };

/**
 * The ScaledObject of one workload, and its TriggerAuthentication and login Secret when the
 * queue needs one. Props are checked by `checkQueueScaling` in the owning construct.
 */
export class QueueScaler extends Construct {
  /** Name of the TriggerAuthentication, when the queue has a login. */
  public readonly authenticationName?: string;

  constructor(scope: Construct, id: string, props: QueueScalerProps) {
    super(scope, id);
    const { trigger } = props.scaling;
    const auth = trigger.kind === 'kafka' ? kafkaAuth(trigger.props as KafkaLagTriggerProps) : redisAuth(trigger.props as RedisListTriggerProps);
    if (auth.keys.length > 0) {
      this.authenticationName = `${props.name}-keda`;
      const meta = { name: this.authenticationName, namespace: props.namespace, labels: props.labels };
      managedSecret(this, 'Secret', { ...meta, store: props.secretStore, keys: auth.keys, literals: auth.literals });
      new TriggerAuthentication(this, 'Auth', {
        metadata: meta,
        spec: { secretTargetRef: auth.parameters.map((parameter) => ({ parameter, name: meta.name, key: parameter })) },
      });
    }
    new ScaledObject(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        ...(props.pausedAtZero ? { annotations: { [KEDA_PAUSED_REPLICAS]: '0' } } : {}),
      },
      spec: {
        scaleTargetRef: { apiVersion: TARGET_API[props.target.kind], kind: props.target.kind, name: props.target.name },
        minReplicaCount: props.scaling.minReplicas,
        maxReplicaCount: props.scaling.maxReplicas,
        cooldownPeriod: props.scaling.cooldownSeconds,
        pollingInterval: props.scaling.pollingSeconds,
        triggers: [
          {
            type: trigger.kind === 'kafka' ? 'kafka' : (trigger.props as RedisListTriggerProps).sentinelMaster ? 'redis-sentinel' : 'redis',
            metadata: trigger.kind === 'kafka' ? kafkaMetadata(trigger.props as KafkaLagTriggerProps) : redisMetadata(trigger.props as RedisListTriggerProps),
            ...(this.authenticationName ? { authenticationRef: { name: this.authenticationName } } : {}),
          },
        ],
      },
    });
  }
}

/** What the KEDA login Secret holds: store keys, fixed values, and the trigger parameters it feeds. */
interface TriggerAuthParts {
  readonly keys: SecretKeyMapping[];
  readonly literals: Record<string, string>;
  readonly parameters: string[];
}

function passwordKey(login: QueueLogin, secretKey = 'password'): SecretKeyMapping {
  return { secretKey, remoteKey: login.passwordRemoteKey, ...(login.passwordProperty ? { property: login.passwordProperty } : {}) };
}

function kafkaAuth(p: KafkaLagTriggerProps): TriggerAuthParts {
  if (!p.scramSha512) {
    return { keys: [], literals: {}, parameters: [] };
  }
  // KEDA reads the Kafka user name from the TriggerAuthentication only, never from metadata.
  return {
    keys: [passwordKey(p.scramSha512)],
    literals: p.scramSha512.username ? { username: p.scramSha512.username } : {},
    parameters: ['username', 'password'],
  };
}

function redisAuth(p: RedisListTriggerProps): TriggerAuthParts {
  const keys: SecretKeyMapping[] = [];
  const literals: Record<string, string> = {};
  const parameters: string[] = [];
  if (p.login) {
    keys.push(passwordKey(p.login));
    parameters.push('password');
    if (p.login.username) {
      literals.username = p.login.username;
      parameters.push('username');
    }
    if (p.sentinelMaster) {
      keys.push(passwordKey(p.login, 'sentinelPassword'));
      parameters.push('sentinelPassword');
    }
  }
  if (p.tlsCaRemoteKey) {
    keys.push({ secretKey: 'ca', remoteKey: p.tlsCaRemoteKey.remoteKey, ...(p.tlsCaRemoteKey.property ? { property: p.tlsCaRemoteKey.property } : {}) });
    literals.tls = 'enable';
    parameters.push('ca', 'tls');
  }
  return { keys, literals, parameters };
}

function kafkaMetadata(p: KafkaLagTriggerProps): Record<string, string> {
  return {
    bootstrapServers: p.bootstrapServers.join(','),
    consumerGroup: p.consumerGroup,
    topic: p.topic,
    lagThreshold: String(p.lagThreshold ?? DEFAULTS.lagThreshold),
    activationLagThreshold: String(p.activationLagThreshold ?? 0),
    // A new group starts from the newest offset: old tasks are not a reason to scale up.
    offsetResetPolicy: 'latest',
    ...(p.scramSha512 ? { sasl: 'scram_sha512', tls: 'disable' } : {}),
  };
}

function redisMetadata(p: RedisListTriggerProps): Record<string, string> {
  return {
    addresses: p.addresses.join(','),
    ...(p.sentinelMaster ? { sentinelMaster: p.sentinelMaster } : {}),
    listName: p.listName,
    listLength: String(p.listLength ?? DEFAULTS.listLength),
    activationListLength: String(p.activationListLength ?? 0),
  };
}
