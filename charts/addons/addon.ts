import { CloudProfileName, EnvironmentConfig, EnvironmentName } from '../../environments/types';

/** Where a chart comes from: a classic Helm repository (`index.yaml` over HTTPS) or an OCI registry. */
export class HelmRepo {
  /** A Helm repository served over HTTPS, e.g. `https://charts.jetstack.io`. */
  public static https(url: string): HelmRepo {
    return new HelmRepo('https', url);
  }

  /** An OCI registry path holding the chart, e.g. `oci://quay.io/jetstack/charts` (the chart name is appended). */
  public static oci(url: string): HelmRepo {
    return new HelmRepo('oci', url);
  }

  private constructor(
    public readonly kind: 'https' | 'oci',
    public readonly url: string,
  ) {}
}

/** JSON values as Helm reads them. */
export type HelmValues = { readonly [key: string]: unknown };

/** Which environments an add-on is installed in. */
export interface AddonScope {
  /** Only on these cloud profiles. @default - every profile */
  readonly profiles?: readonly CloudProfileName[];
  /** Only in these environments. @default - every environment */
  readonly environments?: readonly EnvironmentName[];
  /** Only where this holds (a feature flag, the profile's secret provider). @default - always */
  readonly when?: (config: EnvironmentConfig) => boolean;
}

/**
 * One cluster add-on: an upstream Helm chart at an exact version, with values generated from the
 * environment's config. The one description both the Argo CD `Application` and the Flux
 * `HelmRepository`/`OCIRepository` + `HelmRelease` are written from (docs/addons.md).
 */
export interface AddonProps {
  /** Release name, and the name of the Application and the HelmRelease. A DNS label. */
  readonly name: string;
  /** Namespace the chart is installed into. */
  readonly namespace: string;
  readonly repo: HelmRepo;
  /** Chart name in the repository. */
  readonly chart: string;
  /** The key of `chartVersions` in `environments/<env>.yaml` that pins this chart. @default - the chart name */
  readonly versionKey?: string;
  /** What the add-on is for, for the docs and the Application's description annotation. */
  readonly purpose: string;
  /** Helm values, generated from the environment's config. */
  readonly values: (config: EnvironmentConfig) => HelmValues;
  /**
   * Add-ons whose CRDs (or webhooks) this one's objects need: installed first (Argo sync wave one
   * higher, Flux `dependsOn`). @default - none
   */
  readonly dependsOn?: readonly string[];
  /** @default - every environment */
  readonly scope?: AddonScope;
  /**
   * Why the release must not wait for its pods to be Ready, where they need objects of a later
   * wave (a Secret an ExternalSecret of the platform wave writes). Flux would otherwise never
   * finish the add-ons and never apply that wave. @default - Flux waits for the release's pods
   */
  readonly noWaitReason?: string;
}

/** An add-on as installed in one environment: its exact version, values and wave resolved. */
export interface ResolvedAddon {
  readonly props: AddonProps;
  readonly version: string;
  readonly values: HelmValues;
  /** 0 for add-ons without dependencies, else one more than the highest wave they depend on. */
  readonly wave: number;
}

/** Whether an add-on is installed in this environment. */
export function appliesTo(addon: AddonProps, config: EnvironmentConfig): boolean {
  const s = addon.scope;
  return (
    (s?.profiles === undefined || s.profiles.includes(config.cloudProfile)) &&
    (s?.environments === undefined || s.environments.includes(config.name)) &&
    (s?.when === undefined || s.when(config))
  );
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Exact chart versions only: no ranges, no `latest` (the config schema says the same for `chartVersions`). */
const EXACT_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/;

/**
 * The add-ons of one environment, in install order, with versions from `config.chartVersions`.
 * Throws once with every problem: a missing or inexact pin, a duplicate name, an unknown or
 * uninstalled dependency, a dependency cycle.
 */
export function resolveAddons(catalog: readonly AddonProps[], config: EnvironmentConfig): ResolvedAddon[] {
  const problems: string[] = [];
  const chosen = catalog.filter((a) => appliesTo(a, config));
  const byName = new Map<string, AddonProps>();
  for (const a of catalog) {
    if (byName.has(a.name)) {
      problems.push(`addons: ${a.name}: the name is used twice`);
    }
    byName.set(a.name, a);
    if (!DNS_LABEL.test(a.name) || !DNS_LABEL.test(a.namespace)) {
      problems.push(`addons: ${a.name}: name and namespace must be DNS labels (got "${a.name}", "${a.namespace}")`);
    }
  }
  const installed = new Set(chosen.map((a) => a.name));
  const versions = new Map<string, string>();
  for (const a of chosen) {
    const key = a.versionKey ?? a.chart;
    const v = config.chartVersions[key];
    if (v === undefined) {
      problems.push(`chartVersions.${key}: missing: add-on ${a.name} needs an exact version of chart ${a.chart} in environments/${config.name}.yaml`);
    } else if (!EXACT_VERSION.test(v)) {
      problems.push(`chartVersions.${key}: must be an exact version (got "${v}")`);
    } else {
      versions.set(a.name, v);
    }
    for (const d of a.dependsOn ?? []) {
      if (!byName.has(d)) {
        problems.push(`addons: ${a.name}: dependsOn names unknown add-on "${d}"`);
      } else if (!installed.has(d)) {
        problems.push(`addons: ${a.name}: dependsOn "${d}", which is not installed in ${config.name}`);
      }
    }
  }
  const waves = new Map<string, number>();
  const waveOf = (name: string, path: readonly string[]): number => {
    if (path.includes(name)) {
      problems.push(`addons: dependency cycle ${[...path, name].join(' -> ')}`);
      return 0;
    }
    const known = waves.get(name);
    if (known !== undefined) {
      return known;
    }
    const deps = (byName.get(name)?.dependsOn ?? []).filter((d) => installed.has(d));
    const w = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => waveOf(d, [...path, name])));
    waves.set(name, w);
    return w;
  };
  chosen.forEach((a) => waveOf(a.name, []));
  if (problems.length > 0) {
    throw new Error(`${config.name}: ${problems.length} add-on problem(s):\n  ${[...new Set(problems)].join('\n  ')}`);
  }
  return chosen
    .map((a) => ({ props: a, version: versions.get(a.name)!, values: a.values(config), wave: waves.get(a.name)! }))
    .sort((x, y) => x.wave - y.wave || (x.props.name < y.props.name ? -1 : 1));
}
