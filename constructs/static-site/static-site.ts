import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { contentHash } from '../lib/content-hash';
import { TMP } from '../lib/pod-defaults';
import { httpGetProbe } from '../lib/probes';
import { AppWorkload } from '../lib/workload/app-workload';
import { WorkloadExtensions } from '../lib/workload/extensions';
import { AppWorkloadProps, HTTP_PORT_NAME } from '../lib/workload/props';
import {
  checkNginxSite,
  HEALTH_PATH,
  NGINX_CONF_PATH,
  NGINX_UID,
  NginxSiteProps,
  renderNginxConf,
  resolveNginxSite,
  ResolvedNginxSite,
} from './nginx-conf';

/** `app.kubernetes.io/component` of a StaticSite. */
export const STATIC_SITE_COMPONENT = 'web';
/** The pod-template annotation that carries the hash of nginx.conf: a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'checksum/config';
/** Key of nginx.conf in the ConfigMap. */
export const NGINX_CONF_KEY = 'nginx.conf';
/** Name of the config volume in the pod. */
const CONFIG_VOLUME = 'nginx-conf';

/**
 * Props of a StaticSite: the base props of every application workload, without the probes (NGINX
 * answers `/healthz` itself) and the port (the site's), plus the served site.
 */
export interface StaticSiteProps extends Omit<AppWorkloadProps, 'probes' | 'port' | 'command' | 'args'> {
  /**
   * How the generated nginx.conf serves the build: port, CSP, HSTS, cache rules (`NginxSiteProps`).
   * Its port is the container's and the Service's.
   * @default - every `NginxSiteProps` default: port 8080, strict CSP, HSTS one year, `/assets/` hashed and immutable
   */
  readonly site?: NginxSiteProps;
}

/**
 * A single-page app (the React build baked into the image) served by the unprivileged NGINX image
 * (nginxinc/nginx-unprivileged: uid 101, port 8080) on the application-workload base: read-only
 * root with `/tmp` as its only writable path, the generated nginx.conf from a ConfigMap mounted
 * read-only over the image's, its hash on the pod template so a config change rolls the pods,
 * liveness and readiness on `/healthz`, PDB and spread from the base when it runs more than one
 * pod, and the delivery `strategy` of the base. NGINX exposes no Prometheus metrics, so monitoring
 * is off unless the props ask for it. See docs/constructs/static-site.md.
 */
export class StaticSite extends AppWorkload {
  /** The site with its defaults applied: what nginx.conf was rendered from. */
  public readonly site: ResolvedNginxSite;
  /** The generated nginx.conf (the ConfigMap's content). */
  public readonly nginxConf: string;
  /** The ConfigMap that holds nginx.conf. */
  public readonly configMapName: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    const site = resolveNginxSite(props.site);
    const nginxConf = renderNginxConf(site);
    const configMapName = `${props.name ?? id.toLowerCase()}-nginx`;
    super(
      scope,
      id,
      { ...props, port: site.port, monitoring: props.monitoring ?? { enabled: false } },
      staticSiteExtensions(site, nginxConf, configMapName),
    );
    this.site = site;
    this.nginxConf = nginxConf;
    this.configMapName = configMapName;
    new k8s.KubeConfigMap(this, 'Config', { metadata: this.meta(configMapName), data: { [NGINX_CONF_KEY]: nginxConf } });
  }
}

/** What StaticSite adds to the base: uid 101, the config volume and its hash, `/healthz` probes, the tmpDir. */
function staticSiteExtensions(site: ResolvedNginxSite, nginxConf: string, configMapName: string): WorkloadExtensions {
  return {
    component: STATIC_SITE_COMPONENT,
    defaults: { uid: NGINX_UID, port: site.port },
    validate: (check) => checkNginxSite(site, check, 'site.'),
    volumes: [{ name: CONFIG_VOLUME, configMap: { name: configMapName, items: [{ key: NGINX_CONF_KEY, path: NGINX_CONF_KEY }] } }],
    // subPath: only nginx.conf is replaced, the image's mime.types next to it stays.
    volumeMounts: [{ name: CONFIG_VOLUME, mountPath: NGINX_CONF_PATH, subPath: NGINX_CONF_KEY, readOnly: true }],
    writablePaths: site.tmpDir === TMP.mountPath ? [] : [{ name: 'nginx-tmp', mountPath: site.tmpDir, sizeLimit: TMP.sizeLimit }],
    podAnnotations: { [CONFIG_HASH_ANNOTATION]: contentHash(nginxConf, 16) },
    // One path for both: NGINX answering is all there is to check (the build is in the image).
    probes: {
      liveness: httpGetProbe(HEALTH_PATH, HTTP_PORT_NAME, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
      readiness: httpGetProbe(HEALTH_PATH, HTTP_PORT_NAME, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
    },
  };
}
