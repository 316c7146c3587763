import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { contentHash } from '../lib/content-hash';
import { containerSecurityContext, TMP, writableMounts, writableVolumes } from '../lib/pod-defaults';
import { Resources } from '../lib/resources';
import { KafkaContext, PATHS } from './context';
import { addInternalClientPolicies } from './network';
import { ResolvedTopic, topicList, TOPICS_SCRIPT } from './topics';

/**
 * The topics Job and its ConfigMap. Topics are added after construction (`addTopic`), so the list
 * and its checksum are resolved at synth time. The name is fixed: the platform runs Jobs as Argo CD
 * PostSync hooks (deleted before re-creation) and Flux recreates them (`force`), so a changed
 * template never hits the immutable Job spec, and every sync re-applies the declared state.
 */
export function addTopicsJob(ctx: KafkaContext, topics: readonly ResolvedTopic[]): void {
  const files = (): Record<string, string> => ({ 'topics.sh': TOPICS_SCRIPT, 'topics.tsv': topicList(topics) });
  new k8s.KubeConfigMap(ctx.scope, 'TopicsFiles', { metadata: ctx.meta(ctx.names.topics, 'topics'), data: Lazy.any({ produce: files }) });
  const selector = ctx.selector('topics');
  addInternalClientPolicies(ctx, 'topics', selector);
  const checksum = Lazy.any({ produce: () => contentHash(Object.values(files()).join('\n')) });
  new k8s.KubeJob(ctx.scope, 'TopicsJob', {
    metadata: ctx.meta(ctx.names.topics, 'topics'),
    spec: {
      // The brokers may still be starting on first sync: retry for a while, then fail visibly.
      backoffLimit: 10,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels: ctx.labelsFor('topics'), annotations: { 'checksum/topics': checksum } },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: ctx.podSecurity(),
          containers: [
            {
              name: 'topics',
              image: ctx.props.image,
              command: ['bash', '/topics/topics.sh'],
              env: [
                { name: 'BOOTSTRAP', value: ctx.bootstrapServers },
                { name: 'KAFKA_BIN', value: PATHS.bin },
                { name: 'FILES_DIR', value: '/topics' },
                { name: 'AUTH_DIR', value: PATHS.credentials },
                { name: 'WORK_DIR', value: TMP.mountPath },
                { name: 'KAFKA_HEAP_OPTS', value: '-Xmx256m' },
                { name: 'LOG_DIR', value: TMP.mountPath },
              ],
              // The Kafka CLI is a JVM: more than a sidecar's 128Mi.
              resources: Resources.SMALL.toKube(),
              securityContext: containerSecurityContext(),
              volumeMounts: [
                { name: 'topics', mountPath: '/topics', readOnly: true },
                { name: 'credentials', mountPath: PATHS.credentials, readOnly: true },
                ...writableMounts([TMP]),
              ],
            },
          ],
          volumes: [
            { name: 'topics', configMap: { name: ctx.names.topics, defaultMode: 0o444 } },
            { name: 'credentials', secret: { secretName: ctx.names.credentials, defaultMode: 0o440 } },
            ...writableVolumes([TMP]),
          ],
        },
      },
    },
  });
}
