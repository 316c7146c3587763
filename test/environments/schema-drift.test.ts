import * as fs from 'fs';
import * as path from 'path';
import { environmentSchema, SCHEMA_FILE, schemaText } from '../../cli/schema';
import { ROOT } from '../helpers/bundle';
import { tempDir } from '../helpers/temp';

const committed = (): unknown => JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8'));

describe('environment schema generated from the types (npm run schema)', () => {
  test('the committed schema is exactly what the types generate, byte for byte', () => {
    expect(committed()).toEqual(environmentSchema());
    expect(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8')).toBe(schemaText());
  });

  test('every service block is in the schema with the rules of its type', () => {
    const schema = environmentSchema() as { required: string[]; definitions: Record<string, { properties: Record<string, unknown> }> };
    expect(schema.required).toEqual(expect.arrayContaining(['apps', 'postgres', 'redis']));
    expect(schema.definitions.PostgresConfig.properties.replicas).toMatchObject({ type: 'integer', minimum: 1, maximum: 9 });
    expect(schema.definitions.RedisConfig.properties.storageGi).toMatchObject({ type: 'integer', minimum: 1 });
    expect(JSON.stringify(schema)).not.toContain('"default"');
  });

  test('fails when a type changes and the schema is not regenerated', () => {
    // A copy of the project's types with one new field: the generated schema differs from the committed one.
    const { dir, cleanup } = tempDir('schema-drift-');
    try {
      for (const f of [
        'tsconfig.json',
        'environments/types.ts',
        'charts/db-postgres/config.ts',
        'charts/db-redis/config.ts',
        'charts/db-elasticsearch/config.ts',
        'charts/storage-minio/config.ts',
        'charts/db-clickhouse/config.ts',
        'charts/app-integration/config.ts',
        'constructs/lib/resources.ts',
      ]) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      }
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      const config = path.join(dir, 'charts/db-redis/config.ts');
      fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/}\s*$/, '  readonly maxClients: number;\n}\n'));
      const drifted = environmentSchema(dir) as { definitions: Record<string, { required: string[] }> };
      expect(drifted).not.toEqual(committed());
      expect(drifted.definitions.RedisConfig.required).toContain('maxClients');
    } finally {
      cleanup();
    }
  });
});
