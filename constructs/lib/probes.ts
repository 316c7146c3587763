import { k8s } from 'cdk8s-plus-28';

/** When and how often a probe runs, and how many results flip it. Unset fields keep the Kubernetes defaults. */
export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
}

/** A container port by number, or by the name of a container port. */
export type ProbePort = number | string;

function portOf(port: ProbePort): k8s.IntOrString {
  return typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
}

/** An HTTP GET probe on `path`; healthy on a 2xx or 3xx answer. `scheme` is written only when given. */
export function httpGetProbe(path: string, port: ProbePort, timing: ProbeTiming = {}, scheme?: 'HTTP' | 'HTTPS'): k8s.Probe {
  return { httpGet: { path, port: portOf(port), ...(scheme ? { scheme } : {}) }, ...timing };
}

/** A TCP probe: healthy when the port accepts a connection. */
export function tcpSocketProbe(port: ProbePort, timing: ProbeTiming = {}): k8s.Probe {
  return { tcpSocket: { port: portOf(port) }, ...timing };
}

/** A probe that runs `command` in the container; healthy on exit status 0. */
export function execProbe(command: readonly string[], timing: ProbeTiming = {}): k8s.Probe {
  return { exec: { command: [...command] }, ...timing };
}
