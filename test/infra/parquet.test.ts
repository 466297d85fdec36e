import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { REPO_ROOT } from '../../infra/constructs/collector-functions.ts';
import { glueColumns, PARTITION_KEYS } from '../../infra/glue.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { dataBucketId, exampleConfig, functionEnvironment, synthStack, testApp } from './support/synth.ts';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties: Json }>;

let off: Template;
let on: Template;
const res = (t: Template) => (t.toJSON() as { Resources: Resources }).Resources;

/** The policy statements of the role of the function whose description ends with `: <handler>`. */
function statements(t: Template, handler: string): Json[] {
  const r = Object.values(res(t));
  const fn = r.find((x) => x.Type === 'AWS::Lambda::Function' && String(x.Properties.Description).endsWith(`: ${handler}`));
  const roleId = ((fn?.Properties.Role as Json)['Fn::GetAtt'] as string[])[0];
  const policy = r.find((x) => x.Type === 'AWS::IAM::Policy' && (x.Properties.Roles as Json[]).some((y) => y.Ref === roleId));
  return (policy?.Properties.PolicyDocument as { Statement: Json[] }).Statement;
}
const glueTables = (t: Template) => Object.values(res(t)).filter((r) => r.Type === 'AWS::Glue::Table').map((r) => r.Properties.TableInput as Json);
const arn = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]] });

beforeAll(() => {
  const config = exampleConfig();
  off = synthStack(config).template;
  on = synthStack(config, { parquet: true }).template;
});

describe('stack prop parquet', () => {
  it('off (the default): no Parquet tables, and the finalize Lambda has no Athena or Glue permission nor their environment', () => {
    expect(glueTables(off).filter((t) => String(t.Name).endsWith('_parquet'))).toEqual([]);
    const actions = statements(off, 'finalize').flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => /^(athena|glue):/.test(String(a)))).toEqual([]);
    expect(Object.keys(functionEnvironment(off, 'finalize')).sort()).toEqual(['DATA_BUCKET', 'DATA_PREFIX', 'NODE_OPTIONS', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME']);
  });

  it('on: the finalize Lambda gets the workgroup and database, and exactly these statements besides its usual ones', () => {
    expect(functionEnvironment(on, 'finalize', { refs: { [dataBucketId(on)]: 'bkt' } })).toEqual({
      DATA_BUCKET: 'bkt',
      DATA_PREFIX: 'data',
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'atlassian-access-collector',
      POWERTOOLS_METRICS_NAMESPACE: 'AtlassianAccessCollector',
      ATHENA_WORKGROUP: 'atlassian-access',
      GLUE_DATABASE: 'atlassian_access',
    });
    const base = statements(off, 'finalize');
    const all = statements(on, 'finalize');
    expect(all.slice(0, base.length)).toEqual(base);
    const bucket = { 'Fn::GetAtt': [dataBucketId(on), 'Arn'] };
    expect(all.slice(base.length)).toEqual([
      { Action: ['athena:GetQueryExecution', 'athena:StartQueryExecution', 'athena:StopQueryExecution'], Effect: 'Allow', Resource: arn('athena', 'workgroup/atlassian-access') },
      {
        Action: ['glue:GetDatabase', 'glue:GetTable'],
        Effect: 'Allow',
        Resource: [arn('glue', 'catalog'), arn('glue', 'database/atlassian_access'), arn('glue', 'table/atlassian_access/*')],
      },
      {
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [bucket, '/athena-results/*']] },
      },
      { Action: 's3:GetBucketLocation', Effect: 'Allow', Resource: bucket },
      { Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['athena-results/*'] } }, Effect: 'Allow', Resource: bucket },
    ]);
  });

  it('on: one <table>_parquet Glue table per table, over data/parquet/<table>/, columns from the schema, projected like the JSON table', () => {
    const tables = glueTables(on);
    expect(tables.filter((t) => String(t.Name).endsWith('_parquet')).map((t) => t.Name).sort()).toEqual(ALL_TABLES.map((t) => `${t.name}_parquet`).sort());
    const t = ALL_TABLES.find((x) => x.name === 'jira_users');
    const json = tables.find((x) => x.Name === 'jira_users') as { Parameters: Record<string, string> };
    const location = { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId(on) }, '/data/parquet/jira_users/']] };
    const { classification: _c, compressionType: _z, 'storage.location.template': _l, ...projection } = json.Parameters;
    expect(tables.find((x) => x.Name === 'jira_users_parquet')).toEqual({
      Name: 'jira_users_parquet',
      Description: `Parquet copy of jira_users: ${t?.description}`,
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        ...projection,
        classification: 'parquet',
        'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: dataBucketId(on) }, '/data/parquet/jira_users/dt=${dt}/org=${org}/']] },
      },
      PartitionKeys: PARTITION_KEYS.map((k) => ({ Name: k.name, Type: k.type, Comment: k.comment })),
      StorageDescriptor: {
        Columns: glueColumns(t ?? ALL_TABLES[0]!).map((c) => ({ Name: c.name, Type: c.type, ...(c.comment ? { Comment: c.comment } : {}) })),
        Location: location,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
      },
    });
    expect(projection['projection.enabled']).toBe('true');
  });

  it('on, through `cdk synth --context parquet=true`: cdk-nag reports nothing unacknowledged', () => {
    const { stack } = buildApp(testApp({ config: join(REPO_ROOT, 'collector.config.example.json'), parquet: 'true' }));
    expect(stack.catalog.parquetTables.length).toBe(ALL_TABLES.length);
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
