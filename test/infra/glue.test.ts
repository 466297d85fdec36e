import type { Template } from 'aws-cdk-lib/assertions';
import type { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { productModules } from '../../functions/index.ts';
import { glueType, type ColumnType } from '../../shared/schema/table.ts';
import type { Product } from '../../shared/config.ts';
import { exampleConfig, synthStack } from './support/synth.ts';

/**
 * Glue columns equal the zod table schemas: names and order from the zod object shape itself, types
 * from the zod definition of each column. Adding, removing, renaming, reordering or retyping a column in
 * a table schema without the Glue table following fails here.
 */

interface GlueTableInput {
  Name: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: { Columns: { Name: string; Type: string }[]; SerdeInfo: { SerializationLibrary: string } };
}

let template: Template;
let tables: Map<string, GlueTableInput>;

/** Glue type from the zod definition, independently of TableDef.columns. */
function zodGlueType(s: z.ZodType): string {
  const def = (s as unknown as { _zod: { def: { type: string; format?: string; innerType?: z.ZodType; element?: z.ZodType } } })._zod.def;
  if (def.type === 'nullable' || def.type === 'optional' || def.type === 'default') return zodGlueType(def.innerType as z.ZodType);
  const t: Record<string, ColumnType | undefined> = { boolean: 'boolean', enum: 'string' };
  if (def.type === 'string') return glueType(def.format === 'datetime' ? 'timestamp' : 'string');
  if (def.type === 'number') return def.format === 'safeint' ? 'bigint' : 'double';
  if (def.type === 'array') return `array<${zodGlueType(def.element as z.ZodType)}>`;
  const mapped = t[def.type];
  if (!mapped) throw new Error(`unexpected zod type ${def.type}`);
  return mapped;
}

beforeAll(() => {
  // One unit of every product that has a collector, so every output table must have its Glue table.
  const example = exampleConfig();
  const products = Object.keys(productModules) as Product[];
  const config = {
    ...example,
    organizations: [
      ...example.organizations,
      { id: 'every-product', units: products.map((product) => ({ product, siteUrl: `https://${product}.example.com`, auth: { kind: 'basic' as const } })) },
    ],
  };
  ({ template } = synthStack(config));
  const res = (template.toJSON() as { Resources: Record<string, { Type: string; Properties: { TableInput: GlueTableInput } }> }).Resources;
  tables = new Map(
    Object.values(res)
      // Athena views are Glue tables too (VIRTUAL_VIEW): test/infra/views.test.ts checks them.
      .filter((r) => r.Type === 'AWS::Glue::Table' && (r.Properties.TableInput as { TableType?: string }).TableType !== 'VIRTUAL_VIEW')
      .map((r) => [r.Properties.TableInput.Name, r.Properties.TableInput]),
  );
});

describe('Glue tables', () => {
  const all = Object.values(productModules).flatMap((m) => m?.tables ?? []);

  it('one Glue table per output table, no other', () => {
    expect([...tables.keys()].sort()).toEqual([...new Set([...all.map((t) => t.name), 'collector_units'])].sort()); // products may share tables (Jira Cloud and Data Center); collector_units is the collector's own
  });

  for (const t of all) {
    it(`${t.name}: columns equal the zod schema`, () => {
      const shape = (t.schema as unknown as z.ZodObject<z.ZodRawShape>).shape;
      const expected = Object.entries(shape).map(([name, s]) => ({ Name: name, Type: zodGlueType(s as z.ZodType) }));
      const glue = tables.get(t.name);
      expect(glue?.StorageDescriptor.Columns.map(({ Name, Type }) => ({ Name, Type }))).toEqual(expected);
      // The partition columns are not data columns.
      expect(glue?.PartitionKeys.map((k) => k.Name)).toEqual(['dt', 'org']);
      expect(expected.map((c) => c.Name)).not.toContain('dt');
      expect(expected.map((c) => c.Name)).not.toContain('org');
    });
  }

  it('are gzip NDJSON with the OpenX SerDe and partition projection on dt and the configured orgs', () => {
    for (const t of tables.values()) {
      expect(t.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
      expect(t.Parameters).toMatchObject({
        classification: 'json',
        compressionType: 'gzip',
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': 'NOW-400DAYS,NOW',
        'projection.org.type': 'enum',
        'projection.org.values': 'acme,globex,every-product',
        'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: expect.any(String) }, `/data/${t.Name}/dt=\${dt}/org=\${org}/`]] },
      });
    }
  });
});
