import { k8s } from 'cdk8s-plus-28';
import { KafkaLagTriggerProps, QueueTrigger, RedisListTriggerProps } from '../lib/keda';

/**
 * How the agent image is run: `uvicorn <module>:<app>` as its entrypoint, configured through
 * uvicorn's own environment variables (uvicorn 0.35 `main.py`: click `auto_envvar_prefix="UVICORN"`,
 * and `--workers` defaults to `$WEB_CONCURRENCY`). One worker per pod: Kubernetes scales pods,
 * and a process manager inside the pod would hide crashes from the kubelet and split the
 * memory limit (fastapi docs `deployment/docker.md`, "One Process per Container").
 */
export const UVICORN_ENV_PREFIX = 'UVICORN_';
/** Read by uvicorn (and gunicorn-based images) as the worker count. */
export const WORKER_COUNT_ENV = 'WEB_CONCURRENCY';
/** uvicorn binds 127.0.0.1 unless told otherwise: the Service could not reach it. */
const BIND_ALL = '0.0.0.0';

/**
 * Seconds the preStop hook sleeps before the kubelet sends SIGTERM: the endpoints controller
 * and kube-proxy take the pod out of the Service first, so no new request reaches a stopping pod.
 */
export const PRESTOP_SLEEP_SECONDS = 5;
/** Seconds between uvicorn's graceful-shutdown timeout and the kubelet's SIGKILL (lifespan shutdown, flushing logs). */
export const KILL_MARGIN_SECONDS = 5;
/** Longest drain: node drains and cluster upgrades wait this long per pod; longer tasks must checkpoint. */
export const MAX_DRAIN_SECONDS = 3600;

/** The env that pins one uvicorn worker, binds all addresses on `port` and bounds the graceful shutdown. */
export function uvicornEnv(port: number, drainSeconds: number): k8s.EnvVar[] {
  return [
    { name: WORKER_COUNT_ENV, value: '1' },
    { name: `${UVICORN_ENV_PREFIX}WORKERS`, value: '1' },
    { name: `${UVICORN_ENV_PREFIX}HOST`, value: BIND_ALL },
    { name: `${UVICORN_ENV_PREFIX}PORT`, value: String(port) },
    { name: `${UVICORN_ENV_PREFIX}TIMEOUT_GRACEFUL_SHUTDOWN`, value: String(drainSeconds) },
  ];
}

/**
 * The queue the agent consumes, as env: exactly what its ScaledObject measures, so the agent
 * and KEDA never disagree on the topic, group or list. `QUEUE_KIND` is `kafka` or `redis`.
 */
export function queueEnv(trigger: QueueTrigger): k8s.EnvVar[] {
  if (trigger.kind === 'kafka') {
    const p = trigger.props as KafkaLagTriggerProps;
    return [
      { name: 'QUEUE_KIND', value: 'kafka' },
      { name: 'QUEUE_TOPIC', value: p.topic },
      { name: 'QUEUE_CONSUMER_GROUP', value: p.consumerGroup },
    ];
  }
  const p = trigger.props as RedisListTriggerProps;
  return [
    { name: 'QUEUE_KIND', value: 'redis' },
    { name: 'QUEUE_LIST', value: p.listName },
  ];
}

/** The preStop hook: wait until the pod is out of the Service, then let SIGTERM start the drain. */
export function preStopSleep(): k8s.LifecycleHandler {
  return { exec: { command: ['sleep', String(PRESTOP_SLEEP_SECONDS)] } };
}

/** preStop sleep + uvicorn's graceful shutdown + the margin: the kubelet never kills a draining agent early. */
export function gracePeriodSeconds(drainSeconds: number): number {
  return PRESTOP_SLEEP_SECONDS + drainSeconds + KILL_MARGIN_SECONDS;
}
