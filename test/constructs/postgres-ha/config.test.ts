import { checkParameters, defaultTunedSettings, pgMemory, quoteIdent, quoteLiteral, tenantSchemaSql } from '../../../constructs/postgres-ha/config';
import { PoolMode } from '../../../constructs/postgres-ha';

describe('PostgresHA config renderers', () => {
  test('quoting', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
    const sql = tenantSchemaSql({ database: 'app', schema: 'x"; DROP', appRole: 'app' });
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "x""; DROP"');
  });

  test('memory defaults stay in their bounds', () => {
    expect(pgMemory(1024 ** 3)).toBe('1GB');
    expect(pgMemory(1536 * 1024 ** 2)).toBe('1536MB');
    const tiny = defaultTunedSettings(128 * 1024 ** 2);
    expect(tiny.workMem).toBe('4MB');
    expect(tiny.maintenanceWorkMem).toBe('64MB');
    const huge = defaultTunedSettings(64 * 1024 ** 3);
    expect(huge.workMem).toBe('64MB');
    expect(huge.maintenanceWorkMem).toBe('1GB');
    expect(checkParameters({ 'pg_stat_statements.max': 5000, random_page_cost: 1.1 })).toEqual([]);
  });
});

// Keep PoolMode referenced: the enum-like class is public API.
test('PoolMode values', () => {
  expect([PoolMode.TRANSACTION, PoolMode.SESSION, PoolMode.STATEMENT].map((m) => m.value)).toEqual(['transaction', 'session', 'statement']);
});
