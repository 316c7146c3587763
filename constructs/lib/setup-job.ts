import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { contentHash } from './content-hash';

/** A hash of a set of files (name and content), for the name of a Job that must rerun when they change. */
export function filesHash(files: Readonly<Record<string, string>>): string {
  return contentHash(
    Object.entries(files)
      .map(([k, v]) => `${k}\n${v}`)
      .join('\n'),
  );
}

export interface SetupJobProps {
  /** Name, namespace and labels; the name usually carries `filesHash` of what the Job applies. */
  readonly metadata: k8s.ObjectMeta;
  /** Labels of the Job's pod (its NetworkPolicies select them). */
  readonly podLabels: Record<string, string>;
  readonly securityContext: k8s.PodSecurityContext;
  readonly container: k8s.Container;
  readonly volumes: k8s.Volume[];
}

/**
 * A one-shot Job that configures a data service over its API (Elasticsearch REST, MinIO mc):
 * the service may still be forming on first sync, so it retries for a while (10 restarts, one
 * hour), then fails visibly. No service account token, no service links.
 */
export function setupJob(scope: Construct, id: string, props: SetupJobProps): k8s.KubeJob {
  return new k8s.KubeJob(scope, id, {
    metadata: props.metadata,
    spec: {
      backoffLimit: 10,
      activeDeadlineSeconds: 3600,
      template: {
        metadata: { labels: props.podLabels },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: props.securityContext,
          containers: [props.container],
          volumes: props.volumes,
        },
      },
    },
  });
}
