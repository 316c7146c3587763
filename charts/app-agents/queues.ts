import { QueueScalingProps, QueueTrigger } from '../../constructs/lib/keda';
import { EnvironmentConfig } from '../../environments/types';
import { kafkaClient, kafkaLagLogin, PLATFORM_TOPICS } from '../app-integration';
import { redisEndpoint } from '../db-redis';

/** The task queue of a specialized agent: a Kafka topic (lag of the agent's group) or a Redis list (its length). */
export type AgentQueue = { readonly kind: 'kafka'; readonly topic: string } | { readonly kind: 'redis'; readonly list: string };

/** Tasks queued per replica before KEDA adds one: a Deepseek-R1 task takes minutes, so a few suffice. */
export const KAFKA_LAG_PER_REPLICA = 5;
/** Reports queued per replica: a report is one long batch job. */
export const REPORTS_PER_REPLICA = 2;
/** The Kafka agents' ceiling as a multiple of `apps.replicas`, capped by the topic's partitions. */
export const KAFKA_MAX_FACTOR = 4;
/** The batch agents' ceiling as a multiple of `apps.replicas`. */
export const BATCH_MAX_FACTOR = 2;
/** A batch agent sleeps (0 pods) after 10 idle minutes. */
export const BATCH_COOLDOWN_SECONDS = 600;

/** Partitions of a platform topic; throws at synth when app-integration does not declare the topic. */
export function topicPartitions(topic: string): number {
  const found = PLATFORM_TOPICS.find((t) => t.name === topic);
  if (!found) {
    throw new Error(`app-agents: topic ${topic} is not in PLATFORM_TOPICS (charts/app-integration): the agent would wait for tasks that never come`);
  }
  return found.partitions;
}

/**
 * The KEDA scaling of a queue agent in this environment. Kafka: from `apps.replicas` up to
 * 4x, never above the topic's partitions (more consumers than partitions sit idle), at 5 tasks
 * of lag per replica, logged in as Kafka's read-only `monitor` user. Redis (batch): from zero
 * up to 2x `apps.replicas`, at 2 reports per replica, asleep after 10 idle minutes, logged in
 * as Redis' `app` user (the only one that may read a list; see docs/charts/app-agents.md).
 */
export function queueScaling(config: EnvironmentConfig, name: string, queue: AgentQueue): QueueScalingProps {
  const base = config.apps.replicas;
  if (queue.kind === 'kafka') {
    const trigger = QueueTrigger.kafkaLag({
      bootstrapServers: kafkaClient(config).brokers,
      consumerGroup: name,
      topic: queue.topic,
      lagThreshold: KAFKA_LAG_PER_REPLICA,
      scramSha512: kafkaLagLogin(config),
    });
    return { trigger, minReplicas: base, maxReplicas: Math.min(topicPartitions(queue.topic), base * KAFKA_MAX_FACTOR) };
  }
  const redis = redisEndpoint(config);
  const trigger = QueueTrigger.redisList({
    addresses: [`${redis.host}:${redis.port}`],
    sentinelMaster: redis.settings?.MASTER_SET,
    listName: queue.list,
    listLength: REPORTS_PER_REPLICA,
    login: { username: redis.username, passwordRemoteKey: redis.password!.remoteKey, passwordProperty: redis.password!.property },
    tlsCaRemoteKey: redis.tls?.ca,
  });
  return { trigger, minReplicas: 0, maxReplicas: base * BATCH_MAX_FACTOR, allowScaleToZero: true, cooldownSeconds: BATCH_COOLDOWN_SECONDS };
}

/** `kafka:<topic>` or `redis:<list>`: how the orchestrator names an agent's queue in its `ROUTE_*` env. */
export function queueAddress(queue: AgentQueue): string {
  return queue.kind === 'kafka' ? `kafka:${queue.topic}` : `redis:${queue.list}`;
}
