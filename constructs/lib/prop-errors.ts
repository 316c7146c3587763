import { formatValue } from '../../core/format';
import { Construct } from 'constructs';

/** One invalid prop: where, which rule, and the value that broke it. */
export interface PropProblem {
  readonly field: string;
  readonly rule: string;
  readonly value: unknown;
}

/**
 * Thrown by a construct whose props are invalid. It lists every problem, each naming the
 * construct path, the field, the rule and the value, so a user fixes them all in one go.
 */
export class PropValidationError extends Error {
  public readonly problems: readonly PropProblem[];
  public readonly constructPath: string;

  constructor(constructPath: string, problems: readonly PropProblem[]) {
    super(problems.map((p) => `${constructPath}: ${p.field}: ${p.rule} (got ${formatValue(p.value)})`).join('\n'));
    this.name = 'PropValidationError';
    this.problems = problems;
    this.constructPath = constructPath;
  }
}
export { formatValue };

/**
 * Collects prop problems for one construct, then throws them together.
 *
 * ```ts
 * const check = new PropChecks(this);
 * check.that(replicas >= 3, 'replicas', 'must be at least 3 for a Sentinel quorum of 2', replicas);
 * check.throwIfAny();
 * ```
 */
export class PropChecks {
  private readonly problems: PropProblem[] = [];

  constructor(private readonly scope: Construct) {}

  /** Records a problem unless `ok` holds. Returns `ok`, so callers can skip dependent checks. */
  public that(ok: boolean, field: string, rule: string, value: unknown): boolean {
    if (!ok) {
      this.problems.push({ field, rule, value });
    }
    return ok;
  }

  /** Records a problem for an integer prop outside [min, max]. */
  public integer(value: number | undefined, field: string, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
    if (value === undefined) {
      return true;
    }
    return this.that(
      Number.isInteger(value) && value >= min && value <= max,
      field,
      max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`,
      value,
    );
  }

  /** Records a problem for a string that is not an RFC 1123 DNS label. */
  public dnsLabel(value: string | undefined, field: string, maxLength = 63): boolean {
    if (value === undefined) {
      return true;
    }
    return this.that(
      isDnsLabel(value, maxLength),
      field,
      `must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`,
      value,
    );
  }

  /** Records a problem for a container image without a pinned tag or digest. */
  public pinnedImage(value: string | undefined, field: string): boolean {
    if (value === undefined) {
      return true;
    }
    return this.that(isPinnedImage(value), field, 'must be pinned by a tag other than "latest" or by a digest', value);
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  public throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new PropValidationError(this.scope.node.path, this.problems);
    }
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(value: string, maxLength = 63): boolean {
  return typeof value === 'string' && value.length <= maxLength && DNS_LABEL.test(value);
}

/** True for `repo:tag` (tag not `latest`) and `repo@sha256:...`. */
export function isPinnedImage(image: string): boolean {
  if (typeof image !== 'string' || image.length === 0 || /\s/.test(image)) {
    return false;
  }
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) {
    return false;
  }
  const tag = image.slice(colon + 1);
  return tag.length > 0 && tag !== 'latest' && /^[\w][\w.-]{0,127}$/.test(tag);
}
