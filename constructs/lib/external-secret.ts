import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
  ExternalSecretSpecTargetDeletionPolicy,
  ExternalSecretSpecTargetTemplate,
  ExternalSecretSpecTargetTemplateEngineVersion,
} from '../../imports/external-secrets-external-secrets.io';

/** The External Secrets Operator store a secret is read from. */
export interface SecretStoreRef {
  readonly name: string;
  /** @default 'ClusterSecretStore' */
  readonly kind?: 'ClusterSecretStore' | 'SecretStore';
}

/** One key of the Kubernetes Secret, and where it comes from in the external store. */
export interface SecretKeyMapping {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Key (path) in the external store. */
  readonly remoteKey: string;
  /** Property inside a JSON value of the remote key. @default - the whole value */
  readonly property?: string;
}

export interface ManagedSecretProps {
  /** Name of the Kubernetes Secret the operator creates (and of the ExternalSecret). */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly store: SecretStoreRef;
  readonly keys: readonly SecretKeyMapping[];
  /**
   * Keys with a fixed, non-secret value (a user name, a mode such as `scram_sha512`), merged into
   * the Secret next to the keys read from the store. A consumer that reads everything from one
   * Secret (KEDA's TriggerAuthentication) needs them there. @default - none
   */
  readonly literals?: Readonly<Record<string, string>>;
  /** How often the operator re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
  /**
   * The Secret's shape when it is not the keys as they are: labels a controller selects it by
   * (Kong's `konghq.com/credential`), and `data` written from Go templates over the keys
   * (`{{ .<secretKey> }}`) and literals. @default - the keys as read, no labels
   */
  readonly template?: { readonly labels?: Record<string, string>; readonly data?: Record<string, string> };
}

/**
 * A Secret that never appears in git: an ExternalSecret that the External Secrets Operator
 * resolves in the cluster. The Secret is owned by the ExternalSecret and kept on deletion of the
 * ExternalSecret (`deletionPolicy: Retain`), so a bad sync never deletes credentials in use.
 */
export function managedSecret(scope: Construct, id: string, props: ManagedSecretProps): ExternalSecret {
  return new ExternalSecret(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      refreshInterval: props.refreshInterval ?? '1h',
      secretStoreRef: {
        name: props.store.name,
        kind: props.store.kind === 'SecretStore' ? ExternalSecretSpecSecretStoreRefKind.SECRET_STORE : ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
      },
      target: {
        name: props.name,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        deletionPolicy: ExternalSecretSpecTargetDeletionPolicy.RETAIN,
        ...targetTemplate(props),
      },
      data: props.keys.map((k) => ({
        secretKey: k.secretKey,
        remoteRef: { key: k.remoteKey, ...(k.property ? { property: k.property } : {}) },
      })),
    },
  });
}

/**
 * With a template the operator writes only the template's keys, so each store key is carried
 * over by reference (`{{ index . "key" }}` also works for keys with dashes) next to the literals.
 * https://external-secrets.io/latest/guides/templating/
 */
function templateData(props: ManagedSecretProps): Record<string, string> {
  const fromStore = Object.fromEntries(props.keys.map((k) => [k.secretKey, `{{ index . ${JSON.stringify(k.secretKey)} }}`]));
  return { ...props.literals, ...fromStore };
}

/** The target's template: `template` as given, with the literals and store keys in its data; none without either. */
function targetTemplate(props: ManagedSecretProps): { template?: ExternalSecretSpecTargetTemplate } {
  const literals = props.literals && Object.keys(props.literals).length > 0;
  if (!props.template && !literals) {
    return {};
  }
  const data = { ...(literals ? templateData(props) : {}), ...props.template?.data };
  return {
    template: {
      engineVersion: ExternalSecretSpecTargetTemplateEngineVersion.V2,
      ...(props.template?.labels ? { metadata: { labels: { ...props.template.labels } } } : {}),
      ...(Object.keys(data).length > 0 ? { data } : {}),
    },
  };
}
