import { recordName, sloGroup } from '../../../constructs/lib/slo';

describe('sloGroup', () => {
  const props = { name: 'x', alertPrefix: 'X', objective: 0.995, badEvents: 'errors', errorRatio: (w: string) => `err[${w}]` };

  test('one record per distinct window, then a page (14.4x/6x) and a ticket (3x/1x) on the 0.5% budget', () => {
    const g = sloGroup(props);
    expect(g.records!.map((r) => [r.record, r.expr])).toEqual(['5m', '1h', '30m', '6h', '2h', '1d', '3d'].map((w) => [recordName(w), `err[${w}]`]));
    const [fast, slow] = g.rules;
    expect([fast.alert, fast.severity, slow.alert, slow.severity]).toEqual(['XErrorBudgetBurnFast', 'critical', 'XErrorBudgetBurnSlow', 'warning']);
    expect(fast.expr).toContain('slo:sli_error:ratio_rate1h{slo="x"} > 0.072 and slo:sli_error:ratio_rate5m{slo="x"} > 0.072');
    expect(slow.expr).toContain('(slo:sli_error:ratio_rate3d{slo="x"} > 0.005 and slo:sli_error:ratio_rate6h{slo="x"} > 0.005)');
    expect(fast.labels).toEqual({ slo: 'x' });
    expect(fast.summary).toContain('(99.5%)');
  });

  test('fails when the objective is not between 0 and 1', () => {
    expect(() => sloGroup({ ...props, objective: 99.9 })).toThrow('slo x: objective must be between 0 and 1 exclusive (got 99.9)');
  });
});
