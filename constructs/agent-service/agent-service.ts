import { Construct } from 'constructs';
import { agentQueueRules } from './alerts';
import { checkQueueScaling, QueueScaler, QueueScalingProps, resolveQueueScaling } from '../lib/keda';
import { PropChecks } from '../lib/prop-errors';
import { AppWorkload } from '../lib/workload/app-workload';
import { WorkloadExtensions } from '../lib/workload/extensions';
import { AppWorkloadProps, DEFAULT_HTTP_PORT } from '../lib/workload/props';
import { gracePeriodSeconds, MAX_DRAIN_SECONDS, preStopSleep, queueEnv, UVICORN_ENV_PREFIX, uvicornEnv, WORKER_COUNT_ENV } from './runtime';

/** `app.kubernetes.io/component` of an AgentService. */
export const AGENT_SERVICE_COMPONENT = 'agent';
/** Default drain: a Deepseek-R1 reasoning task runs for minutes, not seconds. */
export const DEFAULT_DRAIN_SECONDS = 120;

/**
 * A Python FastAPI agent on the application-workload base (`AppWorkload`): the base props, plus
 * queue-depth autoscaling and a drain for in-flight tasks. See docs/constructs/agent-service.md.
 */
export interface AgentServiceProps extends AppWorkloadProps {
  /**
   * Scale on queue depth with a KEDA ScaledObject (Kafka consumer lag or Redis list length)
   * instead of `replicas`/`autoscaling`: then `autoscaling` must be unset and `replicas` unset or
   * 0 (0 holds the agent at zero with a paused ScaledObject: a DR environment at rest). The
   * queue's topic, group or list reach the agent as `QUEUE_*` env.
   * @default - no queue scaling: `replicas`, and the CPU HPA of `autoscaling` when set
   */
  readonly queueScaling?: QueueScalingProps;
  /**
   * Seconds an agent has after SIGTERM to finish its in-flight task (uvicorn's
   * `--timeout-graceful-shutdown`). The pod's `terminationGracePeriodSeconds` is this plus the
   * 5 s preStop sleep and a 5 s margin. From 1 to 3600.
   * @default 120
   */
  readonly drainSeconds?: number;
}

/**
 * A FastAPI agent: one uvicorn worker per pod (`WEB_CONCURRENCY=1`, `UVICORN_WORKERS=1`; scale
 * with replicas), bound to `0.0.0.0:<port>`, liveness on `/livez` (never a database check: the
 * base refuses such a path), readiness on `/readyz`, a preStop sleep and a grace period that let
 * in-flight tasks drain, and optionally a KEDA ScaledObject on its task queue. The orchestration
 * agent and the specialized (Deepseek-R1-based) agents of `app-agents` are AgentServices.
 */
export class AgentService extends AppWorkload {
  /** The drain after SIGTERM, in seconds. */
  public readonly drainSeconds: number;
  /** The KEDA ScaledObject (and TriggerAuthentication) of the queue. @default - none without queueScaling */
  public readonly scaler?: QueueScaler;

  constructor(scope: Construct, id: string, props: AgentServiceProps) {
    const drainSeconds = props.drainSeconds ?? DEFAULT_DRAIN_SECONDS;
    const queue = props.queueScaling ? resolveQueueScaling(props.queueScaling) : undefined;
    const ext: WorkloadExtensions = {
      component: AGENT_SERVICE_COMPONENT,
      validate: (check) => validateAgentProps(check, props, drainSeconds),
      env: [...uvicornEnv(props.port ?? DEFAULT_HTTP_PORT, drainSeconds), ...(queue ? queueEnv(queue.trigger) : [])],
      terminationGracePeriodSeconds: gracePeriodSeconds(drainSeconds),
      preStop: preStopSleep(),
      ...(queue ? { externalScaler: { minReplicas: queue.minReplicas, maxReplicas: queue.maxReplicas } } : {}),
    };
    super(scope, id, props, ext);
    this.drainSeconds = drainSeconds;
    if (queue) {
      this.scaler = new QueueScaler(this, 'Scaler', {
        name: this.name,
        namespace: this.namespace,
        labels: { ...this.labels },
        target: { kind: this.scaleTarget.kind, name: this.scaleTarget.name },
        scaling: queue,
        secretStore: props.secretStore,
        // DR at rest: the ScaledObject stays, held at zero; failover removes the pause.
        pausedAtZero: this.replicas === 0,
      });
      if (this.resolved.monitoring.enabled) {
        agentQueueRules(this, { name: this.name, namespace: this.namespace, labels: { ...this.labels }, scaling: queue });
      }
    }
  }
}

/** The AgentService's own props; reported together with the base's problems. */
function validateAgentProps(check: PropChecks, props: AgentServiceProps, drainSeconds: number): void {
  check.integer(drainSeconds, 'drainSeconds', 1, MAX_DRAIN_SECONDS);
  for (const key of Object.keys(props.env ?? {})) {
    if (key === WORKER_COUNT_ENV || key.startsWith(UVICORN_ENV_PREFIX)) {
      check.that(
        false,
        `env.${key}`,
        'is set by AgentService (one uvicorn worker per pod, bound to the port, drain timeout): remove it',
        props.env?.[key],
      );
    }
  }
  const workers = (props.args ?? []).find((a) => a === '--workers' || a.startsWith('--workers='));
  check.that(workers === undefined, 'args', 'must not set --workers: one uvicorn worker per pod, scale with replicas', workers);
  if (props.queueScaling) {
    checkQueueScaling(check, props.queueScaling, 'queueScaling');
    check.that(
      props.replicas === undefined || props.replicas === 0,
      'replicas',
      'must be unset or 0 with queueScaling (its minReplicas/maxReplicas own the count; 0 holds the agent at zero)',
      props.replicas,
    );
  }
}
