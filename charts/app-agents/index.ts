import { App } from 'cdk8s';
import { AgentService } from '../../constructs/agent-service';
import { imageRef } from '../../environments/derive';
import { EnvironmentConfig } from '../../environments/types';
import { kafkaEndpoint } from '../app-integration';
import { postgresEndpoint } from '../db-postgres';
import { redisEndpoint } from '../db-redis';
import { appServiceBase } from '../app-service';
import { PlatformChart } from '../platform-chart';
import { addModelServers, modelServerEnv } from './model-servers';
import { EndpointOf, queueScalingEnabled } from '../shared';
import { AgentQueue, queueAddress, queueScaling } from './queues';

export * from './queues';

/** The namespace of the chart. */
export const AGENTS_NAMESPACE = 'app-agents';
/** The topic the APIs submit tasks to; the orchestrator consumes it and routes each task (PLATFORM_TOPICS). */
export const TASKS_TOPIC = 'agent-tasks';

/** One agent: name, image pin, data services, how long its in-flight work may drain, and its queue. */
export interface AgentSpec {
  readonly name: string;
  readonly image: string;
  readonly uses: readonly EndpointOf[];
  readonly drainSeconds: number;
  /** The specialized agents' task queue (KEDA scales on it). @default - an HTTP API on replicas and the CPU HPA */
  readonly queue?: AgentQueue;
}

/** The master orchestration agent: the HTTP API that plans a task and routes it to a specialized agent. */
export const ORCHESTRATOR: AgentSpec = {
  name: 'orchestrator',
  image: 'orchestratorAgent',
  uses: [postgresEndpoint, redisEndpoint, kafkaEndpoint],
  drainSeconds: 60,
};

/** The specialized (Deepseek-R1-based) agents, each on its own queue. */
export const SPECIALIZED_AGENTS: readonly AgentSpec[] = [
  {
    name: 'collections-agent',
    image: 'collectionsAgent',
    uses: [postgresEndpoint, kafkaEndpoint],
    drainSeconds: 300,
    queue: { kind: 'kafka', topic: 'agent-tasks-collections' },
  },
  {
    name: 'dispute-agent',
    image: 'disputeAgent',
    uses: [postgresEndpoint, kafkaEndpoint],
    drainSeconds: 300,
    queue: { kind: 'kafka', topic: 'agent-tasks-disputes' },
  },
  // Batch: month-end and on-demand reports; sleeps at zero pods while its list is empty.
  {
    name: 'reporting-agent',
    image: 'reportingAgent',
    uses: [postgresEndpoint, redisEndpoint],
    drainSeconds: 600,
    queue: { kind: 'redis', list: 'agent-report-tasks' },
  },
];

/**
 * `app-agents`: the Python FastAPI agents, one `AgentService` each. The orchestrator serves HTTP
 * at `appReplicas(config)` with the CPU HPA of app-core (1x-3x) where autoscaling is on, and
 * routes tasks from `agent-tasks` to the specialized agents' queues (`ROUTE_<AGENT>` env). The
 * specialized agents scale on their queue with KEDA where autoscaling is on, and run at fixed
 * replicas elsewhere (dev); at DR rest everything is at 0 and the ScaledObjects are paused.
 * See docs/charts/app-agents.md.
 */
export class AppAgentsChart extends PlatformChart {
  /** The agents by name. */
  public readonly agents: Readonly<Record<string, AgentService>>;

  constructor(scope: App, config: EnvironmentConfig) {
    super(scope, AGENTS_NAMESPACE, { config, namespace: AGENTS_NAMESPACE });
    const agents: Record<string, AgentService> = {};
    for (const spec of [ORCHESTRATOR, ...SPECIALIZED_AGENTS]) {
      agents[spec.name] = this.addAgent(spec);
    }
    this.agents = agents;
    addModelServers(this, config, Object.values(agents));
  }

  private addAgent(spec: AgentSpec): AgentService {
    const config = this.config;
    const base = appServiceBase(this);
    const scaled = spec.queue !== undefined && queueScalingEnabled(config);
    const agent = new AgentService(this, spec.name, {
      ...base,
      name: spec.name,
      image: imageRef(config, spec.image),
      // Queue-scaled: KEDA owns the count, 0 (a paused ScaledObject) only at DR rest.
      replicas: scaled && base.replicas > 0 ? undefined : base.replicas,
      drainSeconds: spec.drainSeconds,
      // Every agent reasons with the model server (Deepseek R1 behind vLLM's OpenAI-compatible API).
      env: { ...modelServerEnv(), ...(spec.queue ? {} : routeEnv()) },
      queueScaling: scaled ? queueScaling(config, spec.name, spec.queue!) : undefined,
      // Queue workers scale with KEDA (or not at all in dev), never with the CPU HPA.
      autoscaling: spec.queue ? undefined : base.autoscaling,
    });
    for (const endpointOf of spec.uses) {
      agent.connectsTo(endpointOf(config));
    }
    return agent;
  }
}

/** The orchestrator's routing table: the topic it consumes and each specialized agent's queue. */
function routeEnv(): Record<string, string> {
  const routes = SPECIALIZED_AGENTS.map((a) => [`ROUTE_${a.name.toUpperCase().replace(/-/g, '_')}`, queueAddress(a.queue!)]);
  return { TASKS_TOPIC, ...Object.fromEntries(routes) };
}
