import { AlertGroup, AlertSeverity, AlertSpec, RecordingSpec } from './prometheus-rule';

/**
 * Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, "Alerting on SLOs", approach 6:
 * https://sre.google/workbook/alerting-on-slos/). Each window's error ratio is a recording rule
 * `slo:sli_error:ratio_rate<window>{slo="<name>"}`; an alert fires when both its long and its
 * short window burn the error budget faster than its factor (the short window makes it reset
 * soon after the burn stops).
 */
export interface SloProps {
  /** The SLO's name, a DNS label: the `slo` label of its records and alerts. */
  readonly name: string;
  /** Alert name prefix, PascalCase (e.g. `ApiAvailability`). */
  readonly alertPrefix: string;
  /** The target ratio of good events over 30 days, e.g. 0.999. */
  readonly objective: number;
  /** PromQL of the ratio of bad events to all events over `window` (a range such as `5m`). */
  readonly errorRatio: (window: string) => string;
  /** What a bad event is, for the alert text (e.g. `5xx responses`). */
  readonly badEvents: string;
  /** Labels of every alert (routing, e.g. `team`). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** One pair of windows and the burn rate both must exceed. */
export interface BurnWindow {
  readonly long: string;
  readonly short: string;
  readonly factor: number;
}

/** The workbook's pairs for a 30-day budget: 2% of it in 1h or 5% in 6h pages; 10% in 3d is a ticket. */
export const PAGE_WINDOWS: readonly BurnWindow[] = [
  { long: '1h', short: '5m', factor: 14.4 },
  { long: '6h', short: '30m', factor: 6 },
];
export const TICKET_WINDOWS: readonly BurnWindow[] = [
  { long: '1d', short: '2h', factor: 3 },
  { long: '3d', short: '6h', factor: 1 },
];

/** The recording rules and the two alerts (`<prefix>ErrorBudgetBurnFast` pages, `...Slow` is a ticket) of one SLO. */
export function sloGroup(props: SloProps): AlertGroup {
  if (!(props.objective > 0 && props.objective < 1)) {
    throw new Error(`slo ${props.name}: objective must be between 0 and 1 exclusive (got ${props.objective})`);
  }
  const windows = [...new Set([...PAGE_WINDOWS, ...TICKET_WINDOWS].flatMap((w) => [w.short, w.long]))];
  const records: RecordingSpec[] = windows.map((w) => ({ record: recordName(w), expr: props.errorRatio(w), labels: { slo: props.name } }));
  return {
    name: `slo.${props.name}`,
    records,
    rules: [burnAlert(props, 'Fast', 'critical', PAGE_WINDOWS, '2m'), burnAlert(props, 'Slow', 'warning', TICKET_WINDOWS, '15m')],
  };
}

/** The recorded error ratio of one window. */
export function recordName(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

function burnAlert(props: SloProps, speed: string, severity: AlertSeverity, windows: readonly BurnWindow[], forDuration: string): AlertSpec {
  // Rounded so that floating point never writes 0.014400000000000001 into the rule.
  const budget = Number((1 - props.objective).toPrecision(6));
  const over = (w: string, f: number): string => `${recordName(w)}{slo="${props.name}"} > ${Number((f * budget).toPrecision(6))}`;
  const expr = windows.map((w) => `(${over(w.long, w.factor)} and ${over(w.short, w.factor)})`).join(' or ');
  const pairs = windows.map((w) => `${w.factor}x over ${w.long} and ${w.short}`).join(', or ');
  return {
    alert: `${props.alertPrefix}ErrorBudgetBurn${speed}`,
    expr,
    for: forDuration,
    severity,
    labels: { ...props.labels, slo: props.name },
    summary: `The ${props.name} SLO (${percent(props.objective)}) burns its 30-day error budget ${speed === 'Fast' ? 'fast' : 'steadily'}`,
    description: `${props.badEvents} are {{ $value | humanizePercentage }} of all; the budget is ${percent(budget)} and burns at ${pairs}.`,
  };
}

/** `0.999` as `99.9%`, without floating-point noise. */
function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}
