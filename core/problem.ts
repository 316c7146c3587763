/** One finding of the gate, in a config file or a manifest. */
export interface Problem {
  /** File the finding is in, relative to the project root when possible. */
  readonly file: string;
  /** `kind/namespace/name` of the object, when the finding is about a Kubernetes object. */
  readonly object?: string;
  /** JSON path inside the file or object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** Stable rule id: `schema.additional-properties`, `pss.privileged`, `config.type`... */
  readonly rule: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** `file: kind/ns/name: path: rule: message`, the one line format of every report. */
export function formatProblem(p: Problem): string {
  const parts = [p.file];
  if (p.object) {
    parts.push(p.object);
  }
  if (p.path) {
    parts.push(p.path);
  }
  parts.push(p.rule);
  const head = parts.join(': ');
  return `${p.severity === 'warning' ? 'warning: ' : ''}${head}: ${p.message}`;
}

/** A problem with the command line: `command line: <flag>: flag.<rule>: <message>`. */
export function flagProblem(path: string, rule: string, message: string): Problem {
  return { file: 'command line', path, rule: `flag.${rule}`, message, severity: 'error' };
}

/** Thrown when input (config, tenant files, flags) is invalid: carries every problem found. */
export class InputError extends Error {
  constructor(
    public readonly problems: readonly Problem[],
    summary = 'invalid input',
  ) {
    super(`${summary}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'InputError';
  }
}

/** JSON pointer (`/a/0/b`) to the dotted path we print (`a[0].b`). */
export function pointerToPath(pointer: string): string {
  if (!pointer) {
    return '';
  }
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) {
      out += `[${seg}]`;
    } else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) {
      out += out ? `.${seg}` : seg;
    } else {
      out += `[${JSON.stringify(seg)}]`;
    }
  }
  return out;
}

/** Appends a key to a dotted path. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${base}[${key}]`;
  }
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) {
    return base ? `${base}.${key}` : key;
  }
  return `${base}[${JSON.stringify(key)}]`;
}
