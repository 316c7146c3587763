/* eslint-disable @typescript-eslint/no-explicit-any */

/** Every alert rule of the PrometheusRule `<name>-alerts` in `objects`, flattened over its groups. */
export function alertRules(objects: any[], name: string): any[] {
  const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === `${name}-alerts`);
  if (rule === undefined) {
    throw new Error(`no PrometheusRule ${name}-alerts`);
  }
  return rule.spec.groups.flatMap((g: any) => g.rules);
}

/**
 * The PrometheusRule `<name>-alerts` exists in `namespace`, holds at least the `expected` alerts,
 * and every alert has a non-empty expr scoped to the namespace, a `for:`, a severity, a summary,
 * a description and a runbook anchor named after it.
 */
export function expectAlerts(objects: any[], name: string, namespace: string, expected: string[]): void {
  const rule = objects.find((o) => o.kind === 'PrometheusRule' && o.metadata.name === `${name}-alerts`);
  expect(rule?.metadata.namespace).toBe(namespace);
  const rules = alertRules(objects, name);
  expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(expected));
  for (const r of rules) {
    expect(typeof r.expr === 'string' && r.expr.trim().length > 0).toBe(true);
    expect(r.expr).toContain(`namespace="${namespace}"`);
    expect(r.for).toMatch(/^\d+[smh]$/);
    expect(['critical', 'warning']).toContain(r.labels.severity);
    expect(r.annotations.summary).not.toBe('');
    expect(r.annotations.description).not.toBe('');
    expect(r.annotations.runbook_url).toMatch(new RegExp(`docs/runbooks/alerts\\.md#${r.alert.toLowerCase()}$`));
  }
}
