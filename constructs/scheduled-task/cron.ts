import { PropChecks } from '../lib/prop-errors';

/**
 * The five fields of a Kubernetes CronJob schedule, with their ranges and names. Kubernetes parses
 * schedules with robfig/cron's standard parser: numbers, `*`, `?` (day fields), ranges `a-b`,
 * steps `/n`, lists `a,b`, and three-letter month and weekday names; Sunday is 0 or 7.
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 */
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], first: 1 },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], first: 0, question: true },
] as const;

type CronField = (typeof CRON_FIELDS)[number];

/** `a`, `a-b`, `*` or `?`, optionally `/step`. */
const ITEM = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/([0-9]+))?$/;

/**
 * Records a problem on `check` (field `field`) for each part of `schedule` that is not a valid
 * five-field cron expression. A `TZ=`/`CRON_TZ=` prefix is refused: Kubernetes 1.27+ rejects it,
 * the time zone has its own field.
 */
export function checkCronSchedule(schedule: string, field: string, check: PropChecks): void {
  if (!check.that(typeof schedule === 'string' && schedule.trim().length > 0, field, 'is required: a five-field cron expression', schedule)) {
    return;
  }
  if (!check.that(!/^\s*(CRON_)?TZ=/.test(schedule), field, 'must not carry a TZ= or CRON_TZ= prefix: set timeZone instead', schedule)) {
    return;
  }
  const parts = schedule.trim().split(/\s+/);
  if (!check.that(parts.length === CRON_FIELDS.length, field, 'must have five fields: minute hour day-of-month month day-of-week', schedule)) {
    return;
  }
  parts.forEach((part, i) => {
    const problem = fieldProblem(part, CRON_FIELDS[i]);
    check.that(problem === undefined, field, `${CRON_FIELDS[i].name} "${part}": ${problem}`, schedule);
  });
}

/** What is wrong with one field, or undefined. */
function fieldProblem(part: string, f: CronField): string | undefined {
  for (const item of part.split(',')) {
    const m = ITEM.exec(item);
    if (!m) {
      return `"${item}" is not a value, a range a-b, * or a step /n`;
    }
    const [, base, step] = m;
    if (step !== undefined && Number(step) < 1) {
      return `step "${step}" must be at least 1`;
    }
    if (base === '?' && !('question' in f)) {
      return '? is only allowed in the day-of-month and day-of-week fields';
    }
    if (base === '*' || base === '?') {
      continue;
    }
    const [lo, hi] = base.split('-').map((v) => valueOf(v, f));
    if (lo === undefined || (base.includes('-') && hi === undefined)) {
      return `"${base}" must be ${f.min}-${f.max}${'names' in f ? ` or a name such as ${f.names[0]}` : ''}`;
    }
    if (hi !== undefined && hi < lo) {
      return `range "${base}" runs backwards`;
    }
  }
  return undefined;
}

/** The number of a field value (a number in range, or a name), or undefined. */
function valueOf(v: string, f: CronField): number | undefined {
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  if ('names' in f) {
    const i = (f.names as readonly string[]).indexOf(v.toUpperCase());
    return i >= 0 ? i + f.first : undefined;
  }
  return undefined;
}

/**
 * True for a time zone name Kubernetes can load (the IANA tz database: `Etc/UTC`,
 * `Europe/Berlin`). Checked through the runtime's ICU, which carries the same database.
 */
export function isTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
