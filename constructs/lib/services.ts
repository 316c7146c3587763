import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** A TCP Service port; the target is the same port number unless named otherwise. */
export function tcpServicePort(name: string, port: number, targetPort: number | string = port): k8s.ServicePort {
  const target = typeof targetPort === 'number' ? k8s.IntOrString.fromNumber(targetPort) : k8s.IntOrString.fromString(targetPort);
  return { name, port, targetPort: target, protocol: 'TCP' };
}

export interface ServiceBuilderProps {
  /** Name, namespace and labels: set explicitly, other objects refer to the Service by name. */
  readonly metadata: k8s.ObjectMeta;
  /** Pods behind the Service. @default - no selector: something else manages the Endpoints */
  readonly selector?: Readonly<Record<string, string>>;
  /** @default - no ports */
  readonly ports?: readonly k8s.ServicePort[];
}

/** A ClusterIP Service: one stable virtual address in front of the selected pods. */
export function clusterIpService(scope: Construct, id: string, props: ServiceBuilderProps): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: props.metadata,
    spec: { type: 'ClusterIP', ...serviceTargets(props) },
  });
}

export interface HeadlessServiceProps extends ServiceBuilderProps {
  /** Publish pods before they are ready, for members that find each other while they bootstrap. @default false */
  readonly publishNotReadyAddresses?: boolean;
}

/** A headless Service (`clusterIP: None`): a DNS name per pod, no virtual address. */
export function headlessService(scope: Construct, id: string, props: HeadlessServiceProps): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: props.metadata,
    spec: {
      clusterIp: 'None',
      ...(props.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ...serviceTargets(props),
    },
  });
}

function serviceTargets(props: ServiceBuilderProps): Pick<k8s.ServiceSpec, 'selector' | 'ports'> {
  return {
    ...(props.selector ? { selector: { ...props.selector } } : {}),
    ...(props.ports ? { ports: [...props.ports] } : {}),
  };
}
