import { describe, expect, it } from 'vitest';
import { decodePrestoView, tableMetadata, templateCatalog } from './catalog.ts';

/** How npm run athena:check turns the template's Glue catalog into Trino's file metastore (no Trino needed). */
const view = { originalSql: 'SELECT 1 AS n', catalog: 'awsdatacatalog', schema: 'atlassian_access', columns: [{ name: 'n', type: 'bigint' }] };
const template = {
  Resources: {
    Users: {
      Type: 'AWS::Glue::Table',
      Properties: {
        DatabaseName: 'atlassian_access',
        TableInput: {
          Name: 'jira_users',
          TableType: 'EXTERNAL_TABLE',
          Parameters: { classification: 'json', 'projection.enabled': 'true', 'projection.org.values': 'acme', 'storage.location.template': 's3://b/data/jira_users/dt=${dt}/org=${org}/' },
          PartitionKeys: [{ Name: 'dt', Type: 'string' }, { Name: 'org', Type: 'string' }],
          StorageDescriptor: {
            Columns: [{ Name: 'account_id', Type: 'string' }, { Name: 'roles', Type: 'array<string>' }],
            Location: 's3://b/data/jira_users/',
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: { 'ignore.malformed.json': 'FALSE' } },
          },
        },
      },
    },
    View: {
      Type: 'AWS::Glue::Table',
      Properties: {
        DatabaseName: 'atlassian_access',
        TableInput: {
          Name: 'v',
          TableType: 'VIRTUAL_VIEW',
          Parameters: { presto_view: 'true' },
          StorageDescriptor: { Columns: [{ Name: 'n', Type: 'bigint' }] },
          ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString('base64')} */`,
          ViewExpandedText: '/* Presto View */',
        },
      },
    },
    Q1: { Type: 'AWS::Athena::NamedQuery', Properties: { Name: 'Q1. x', QueryString: 'SELECT 1' } },
  },
};

describe('athena:check catalog', () => {
  it('keeps a table’s SerDe, its properties, formats and partition keys, drops partition projection, and points it at a local folder', () => {
    const catalog = templateCatalog(template);
    const users = catalog.tables[0];
    if (!users) throw new Error('no table');

    const meta = tableMetadata(users, 'local:///tmp/out/jira_users');

    expect(meta).toMatchObject({
      tableType: 'EXTERNAL_TABLE',
      dataColumns: [{ name: 'account_id', type: 'string' }, { name: 'roles', type: 'array<string>' }],
      partitionColumns: [{ name: 'dt', type: 'string' }, { name: 'org', type: 'string' }],
      parameters: { classification: 'json' },
      originalStorageFormat: { serde: 'org.openx.data.jsonserde.JsonSerDe', inputFormat: 'org.apache.hadoop.mapred.TextInputFormat', outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' },
      serdeParameters: { 'ignore.malformed.json': 'FALSE' },
      externalLocation: 'local:///tmp/out/jira_users',
    });
    expect(Object.keys(meta.parameters as object)).toEqual(['classification']);
  });

  it('keeps a view’s encoded Presto definition exactly as the stack deploys it', () => {
    const catalog = templateCatalog(template);
    const v = catalog.views[0];
    if (!v) throw new Error('no view');

    expect(tableMetadata(v, undefined)).toMatchObject({ tableType: 'VIRTUAL_VIEW', viewOriginalText: v.ViewOriginalText, viewExpandedText: '/* Presto View */' });
    expect(decodePrestoView(v)).toEqual(view);
    expect(catalog.namedQueries).toEqual([{ name: 'Q1. x', sql: 'SELECT 1' }]);
  });
});
