import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { productModules } from '../../functions/index.ts';
import { prestoView } from '../../infra/views.ts';
import { loadViews } from '../../shared/sql/views.ts';
import { exampleConfig, synthStack } from './support/synth.ts';

type Json = Record<string, unknown>;
interface TableInput {
  Name: string;
  TableType?: string;
  Parameters?: Json;
  PartitionKeys?: unknown[];
  StorageDescriptor: { Columns: { Name: string; Type: string }[] };
  ViewOriginalText?: string;
  ViewExpandedText?: string;
}

let template: Template;
let inputs: TableInput[];

beforeAll(() => {
  // The example config collects Jira only: the views still need every product's tables.
  ({ template } = synthStack(exampleConfig()));
  const res = (template.toJSON() as { Resources: Record<string, { Type: string; Properties: { TableInput: TableInput }; DependsOn?: string[] }> }).Resources;
  inputs = Object.values(res)
    .filter((r) => r.Type === 'AWS::Glue::Table')
    .map((r) => r.Properties.TableInput);
});

describe('Athena views in the Glue catalog', () => {
  const views = loadViews();

  it('has every product’s tables even when only Jira is collected, so every view resolves', () => {
    const tables = inputs.filter((t) => t.TableType !== 'VIRTUAL_VIEW').map((t) => t.Name).sort();
    expect(tables).toEqual([...new Set(['collector_units', ...Object.values(productModules).flatMap((m) => m?.tables.map((t) => t.name) ?? [])])].sort());
  });

  it('creates each view of sql/views as a Presto view whose SQL is the file’s, with its declared columns', () => {
    const created = inputs.filter((t) => t.TableType === 'VIRTUAL_VIEW');
    expect(created.map((t) => t.Name).sort()).toEqual(views.map((v) => v.name).sort());
    for (const v of views) {
      const t = created.find((x) => x.Name === v.name);
      expect(t?.Parameters).toEqual({ presto_view: 'true', comment: 'Presto View' });
      expect(t?.PartitionKeys).toEqual([]);
      expect(t?.ViewExpandedText).toBe('/* Presto View */');
      const m = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(t?.ViewOriginalText ?? '');
      const decoded = JSON.parse(Buffer.from(m?.[1] ?? '', 'base64').toString('utf8')) as unknown;
      expect(decoded).toEqual(prestoView(v, 'atlassian_access'));
      expect(decoded).toMatchObject({ originalSql: v.sql, catalog: 'awsdatacatalog', schema: 'atlassian_access' });
      expect(t?.StorageDescriptor.Columns.map((c) => `${c.Name} ${c.Type}`)).toEqual(v.columns.map((c) => `${c.name} ${c.type === 'varchar' ? 'string' : c.type === 'array(varchar)' ? 'array<string>' : c.type}`));
    }
  });

  it('creates a view after the views it reads', () => {
    const res = (template.toJSON() as { Resources: Record<string, { Type: string; Properties: { TableInput: TableInput }; DependsOn?: string[] }> }).Resources;
    const idOf = (name: string) => Object.entries(res).find(([, r]) => r.Properties?.TableInput?.Name === name)?.[0];
    for (const v of views) for (const d of v.dependsOn) expect(res[idOf(v.name) ?? '']?.DependsOn).toContain(idOf(d));
  });
});
