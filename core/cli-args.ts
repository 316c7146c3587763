import { flagProblem, Problem } from './problem';

export { flagProblem };

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (values are collected). @default false */
  readonly multiple?: boolean;
  /** Allowed values of a string flag. @default - any */
  readonly allowed?: readonly string[];
  readonly help: string;
}

export interface ArgsSpec {
  readonly command: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** Name and bounds of the positional arguments. @default none allowed */
  readonly positionals?: { readonly name: string; readonly min: number; readonly max: number };
}

export interface ParsedArgs {
  readonly flags: Record<string, string[] | boolean>;
  /** The (first) value of a string flag, if given. */
  value(name: string): string | undefined;
  readonly positionals: string[];
  readonly problems: Problem[];
  readonly help: boolean;
}

/** Parses `--flag value`, `--flag=value` and booleans; every problem is collected, none thrown. */
export function parseArgs(argv: readonly string[], spec: ArgsSpec): ParsedArgs {
  const flags: Record<string, string[] | boolean> = {};
  const positionals: string[] = [];
  const problems: Problem[] = [];
  const problem = (p: string, rule: string, message: string): void => {
    problems.push(flagProblem(p, rule, message));
  };
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const f = arg.startsWith('--') ? spec.flags[name] : undefined;
    if (!f) {
      problem(
        arg,
        'unknown',
        `unknown flag for ${spec.command}: allowed are ${Object.keys(spec.flags)
          .map((k) => `--${k}`)
          .join(', ')}, --help`,
      );
      continue;
    }
    if (f.type === 'boolean') {
      if (eq >= 0) {
        problem(`--${name}`, 'boolean', `takes no value (got "${arg.slice(eq + 1)}")`);
      }
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      value = argv[++i];
    }
    if (value === undefined || value === '') {
      problem(`--${name}`, 'missing-value', `needs a value: ${f.help}`);
      continue;
    }
    if (f.allowed) {
      const bad = value.split(',').filter((v) => !f.allowed!.includes(v.trim()));
      if (bad.length > 0) {
        problem(`--${name}`, 'enum', `unknown value ${bad.map((b) => `"${b}"`).join(', ')}: allowed are ${f.allowed.join(', ')}`);
        continue;
      }
    }
    const prev = flags[name];
    if (Array.isArray(prev) && !f.multiple) {
      problem(`--${name}`, 'repeated', `given more than once ("${prev[0]}", "${value}")`);
      continue;
    }
    flags[name] = [...(Array.isArray(prev) ? prev : []), value];
  }
  const pos = spec.positionals ?? { name: '', min: 0, max: 0 };
  if (positionals.length < pos.min) {
    problem(pos.name, 'missing-argument', `${spec.command} needs ${pos.min === pos.max ? pos.min : `at least ${pos.min}`} ${pos.name} argument(s)`);
  }
  if (positionals.length > pos.max) {
    problem(
      positionals.slice(pos.max).join(' '),
      'unexpected-argument',
      pos.max === 0 ? `${spec.command} takes no positional arguments` : `${spec.command} takes at most ${pos.max} ${pos.name} argument(s)`,
    );
  }
  const value = (name: string): string | undefined => (Array.isArray(flags[name]) ? (flags[name] as string[])[0] : undefined);
  return { flags, value, positionals, problems, help };
}

/** The usage text generated from the spec. */
export function usage(spec: ArgsSpec): string {
  const lines = [`usage: ${spec.command}${spec.positionals ? ` [${spec.positionals.name}...]` : ''} [flags]`, '', 'flags:'];
  for (const [name, f] of Object.entries(spec.flags)) {
    lines.push(`  --${name}${f.type === 'string' ? ' <value>' : ''}${f.multiple ? ' (repeatable)' : ''}`.padEnd(34) + f.help);
  }
  lines.push('  --help'.padEnd(34) + 'show this help');
  return lines.join('\n');
}
