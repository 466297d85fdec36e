import { Aws, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AnyTable } from '../../shared/schema/table.ts';
import type { Question } from '../../shared/sql/questions.ts';
import type { ViewDef } from '../../shared/sql/views.ts';
import { ATHENA_RESULTS_PREFIX, DATA_PREFIX, MANIFEST_PREFIX } from '../../shared/workflow/names.ts';
import { parquetLocation, parquetTableName } from '../../shared/parquet/athena.ts';
import {
  glueColumns,
  JSON_SERDE,
  PARQUET_INPUT_FORMAT,
  PARQUET_OUTPUT_FORMAT,
  PARQUET_SERDE,
  parquetTableParameters,
  PARTITION_KEYS,
  projectionParameters,
  TEXT_INPUT_FORMAT,
  TEXT_OUTPUT_FORMAT,
} from '../glue.ts';
import { viewColumns, viewOriginalText } from '../views.ts';
import type { CollectorBucket } from './data-bucket.ts';
import { ackObjectWildcard, requireInt, requireProp } from './validate.ts';

export interface AccessCatalogProps {
  readonly data: CollectorBucket;
  /** Output tables (from the product modules: the single source of truth for columns). */
  readonly tables: readonly AnyTable[];
  /** Organization ids: the values `org=` partitions are projected over. */
  readonly orgs: readonly string[];
  /** Glue database name. @default 'atlassian_access' */
  readonly databaseName?: string;
  /** Days back partition projection reaches (match the snapshot retention). @default 400 */
  readonly retentionDays?: number;
  /** Athena workgroup name. @default `${databaseName}` with dashes */
  readonly workGroupName?: string;
  /** Athena per-query scan limit, bytes. @default 10 GiB */
  readonly bytesScannedCutoffPerQuery?: number;
  /**
   * Athena views (sql/views/*.sql), created as Glue VIRTUAL_VIEW tables with a Presto view definition, the
   * same SQL `npm run query` runs locally. They read every product's tables: pass every table. @default none
   */
  readonly views?: readonly ViewDef[];
  /** The auditor's questions (sql/questions/*.sql), saved as the named queries. @default none */
  readonly questions?: readonly Question[];
  /**
   * Also catalog the Parquet copies of the tables: one Glue table `<table>_parquet` per table over
   * `data/parquet/<table>/` (same columns, same partition projection), filled by the finalize Lambda once
   * {@link AccessCatalog.grantParquetConversion} lets it. @default false
   */
  readonly parquet?: boolean;
  /**
   * Analyst teams with a workgroup of their own (`<workGroupName>-<team>`, results under `athena-results/<team>/`)
   * and a managed policy of their own: a team reads its own query results only. @default none
   */
  readonly analystWorkGroups?: readonly string[];
}

/** A team's workgroup and the managed policy its analysts attach. */
export interface TeamWorkGroup {
  readonly team: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly analystPolicy: iam.ManagedPolicy;
}

/**
 * Glue database with one table per output table (columns generated from the zod schemas, OpenX JSON
 * SerDe over gzip NDJSON, partition projection on dt and org), an Athena workgroup that enforces its
 * result location and encryption, named queries, and a managed policy analysts attach to query.
 */
export class AccessCatalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly tables: readonly glue.CfnTable[];
  readonly views: readonly glue.CfnTable[];
  /** The `<table>_parquet` tables (none unless `parquet`). */
  readonly parquetTables: readonly glue.CfnTable[];
  readonly workGroup: athena.CfnWorkGroup;
  readonly analystPolicy: iam.ManagedPolicy;
  readonly workGroupName: string;
  /** One per `analystWorkGroups` team. */
  readonly teams: readonly TeamWorkGroup[];
  /** Result prefix of the shared workgroup: `athena-results/`, or `athena-results/_shared/` beside team workgroups. */
  readonly resultsPrefix: string;
  private readonly bucketRef: CollectorBucket;

  constructor(scope: Construct, id: string, props: AccessCatalogProps) {
    super(scope, id);
    const databaseName = props.databaseName ?? 'atlassian_access';
    const retention = props.retentionDays ?? 400;
    const cutoff = props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3;
    requireProp(/^[a-z][a-z0-9_]{0,254}$/.test(databaseName), 'AccessCatalogProps', 'databaseName', `must be lower-case letters, digits and underscores (got '${databaseName}')`);
    requireProp(props.tables.length > 0, 'AccessCatalogProps', 'tables', 'must list at least one table');
    requireProp(new Set(props.tables.map((t) => t.name)).size === props.tables.length, 'AccessCatalogProps', 'tables', 'must not list a table twice');
    requireProp(props.orgs.length > 0 && props.orgs.every((o) => /^[a-z0-9][a-z0-9-]*$/.test(o)), 'AccessCatalogProps', 'orgs', 'must list org ids (lower-case letters, digits, dashes)');
    requireInt(retention, 'AccessCatalogProps', 'retentionDays', 1, 36500);
    requireInt(cutoff, 'AccessCatalogProps', 'bytesScannedCutoffPerQuery', 10 * 1024 ** 2, Number.MAX_SAFE_INTEGER);
    const workGroupName = props.workGroupName ?? databaseName.replace(/_/g, '-');
    this.databaseName = databaseName;
    const bucket = props.data.bucket;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: databaseName, description: 'Atlassian access snapshots (atlassian-access-collector): one partition per day and organization.' },
    });

    this.tables = props.tables.map((t) => {
      const location = `s3://${bucket.bucketName}/${DATA_PREFIX}/${t.name}/`;
      const table = new glue.CfnTable(this, `Table-${t.name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name: t.name,
          description: t.description.slice(0, 2048),
          tableType: 'EXTERNAL_TABLE',
          parameters: { EXTERNAL: 'TRUE', ...projectionParameters({ location, orgs: props.orgs, retentionDays: retention }) },
          partitionKeys: PARTITION_KEYS.map((k) => ({ ...k })),
          storageDescriptor: {
            columns: glueColumns(t),
            location,
            inputFormat: TEXT_INPUT_FORMAT,
            outputFormat: TEXT_OUTPUT_FORMAT,
            compressed: true,
            serdeInfo: { serializationLibrary: JSON_SERDE.serializationLibrary, parameters: { ...JSON_SERDE.parameters } },
          },
        },
      });
      table.addResourceDependency(this.database);
      return table;
    });

    this.parquetTables = (props.parquet ? props.tables : []).map((t) => {
      const name = parquetTableName(t.name);
      requireProp(!props.tables.some((x) => x.name === name), 'AccessCatalogProps', 'tables', `table '${name}' has the name of a Parquet copy`);
      const location = parquetLocation(bucket.bucketName, DATA_PREFIX, t.name);
      const table = new glue.CfnTable(this, `Table-${name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name,
          description: `Parquet copy of ${t.name}: ${t.description}`.slice(0, 2048),
          tableType: 'EXTERNAL_TABLE',
          parameters: { EXTERNAL: 'TRUE', ...parquetTableParameters({ location, orgs: props.orgs, retentionDays: retention }) },
          partitionKeys: PARTITION_KEYS.map((k) => ({ ...k })),
          storageDescriptor: {
            columns: glueColumns(t),
            location,
            inputFormat: PARQUET_INPUT_FORMAT,
            outputFormat: PARQUET_OUTPUT_FORMAT,
            serdeInfo: { serializationLibrary: PARQUET_SERDE, parameters: { 'serialization.format': '1' } },
          },
        },
      });
      table.addResourceDependency(this.database);
      return table;
    });
    this.workGroupName = workGroupName;
    this.bucketRef = props.data;

    const viewDefs = props.views ?? [];
    const names = new Set([...props.tables.map((t) => t.name), ...(props.parquet ? props.tables.map((t) => parquetTableName(t.name)) : [])]);
    for (const v of viewDefs) {
      requireProp(!names.has(v.name), 'AccessCatalogProps', 'views', `view '${v.name}' has the name of a table`);
      names.add(v.name);
    }
    const byName = new Map<string, glue.CfnTable>();
    this.views = viewDefs.map((v) => {
      const view = new glue.CfnTable(this, `View-${v.name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name: v.name,
          description: v.description.slice(0, 2048),
          tableType: 'VIRTUAL_VIEW',
          parameters: { presto_view: 'true', comment: 'Presto View' },
          partitionKeys: [],
          storageDescriptor: { columns: viewColumns(v), serdeInfo: {} },
          viewOriginalText: viewOriginalText(v, databaseName),
          viewExpandedText: '/* Presto View */',
        },
      });
      view.addResourceDependency(this.database);
      for (const d of v.dependsOn) {
        const dep = byName.get(d);
        if (dep) view.addResourceDependency(dep);
      }
      byName.set(v.name, view);
      return view;
    });

    // With team workgroups, the shared workgroup's results move under their own prefix, so its policy reads no team's results.
    const teams = props.analystWorkGroups ?? [];
    this.resultsPrefix = teams.length ? `${ATHENA_RESULTS_PREFIX}/_shared/` : `${ATHENA_RESULTS_PREFIX}/`;
    this.workGroup = this.createWorkGroup('WorkGroup', workGroupName, this.resultsPrefix, cutoff, props.questions ?? []);
    this.analystPolicy = this.createAnalystPolicy('AnalystPolicy', workGroupName, this.resultsPrefix, 'Query the Atlassian access snapshots with Athena (attach to analysts\u2019 roles).');
    this.teams = teams.map((team) => {
      const name = `${workGroupName}-${team}`;
      const prefix = `${ATHENA_RESULTS_PREFIX}/${team}/`;
      const cid = team.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase());
      return {
        team,
        workGroup: this.createWorkGroup(`WorkGroup${cid}`, name, prefix, cutoff, props.questions ?? []),
        analystPolicy: this.createAnalystPolicy(`AnalystPolicy${cid}`, name, prefix, `Query the Atlassian access snapshots with Athena in workgroup ${name} (team ${team}); results under ${prefix} only.`),
      };
    });
  }

  /** A workgroup that enforces its result location (`resultsPrefix`) and encryption, with the named queries. */
  private createWorkGroup(id: string, name: string, resultsPrefix: string, cutoff: number, questions: readonly Question[]): athena.CfnWorkGroup {
    const bucket = this.bucketRef.bucket;
    const key = this.bucketRef.encryptionKey;
    const workGroup = new athena.CfnWorkGroup(this, id, {
      name,
      description: 'Queries over the Atlassian access snapshots',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${resultsPrefix}`,
          encryptionConfiguration: key ? { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn } : { encryptionOption: 'SSE_S3' },
        },
      },
    });
    const sfx = id === 'WorkGroup' ? '' : id.slice('WorkGroup'.length);
    for (const q of questions) {
      new athena.CfnNamedQuery(this, `Question${sfx}${q.number}`, {
        name: `Q${q.number}. ${q.title}`.slice(0, 128),
        description: `${q.description}${q.params.length ? ` Parameters: ${q.params.map((p) => `${p.name} (${p.description})`).join(', ')}.` : ''}`.slice(0, 1024),
        database: this.databaseName,
        // The dates are '?' parameters: the Athena console asks for them, in order, when the query runs.
        queryString: `-- ${q.title}\n-- ${q.description}\n${q.params.map((p, i) => `-- parameter ${i + 1}: ${p.name}, ${p.description}\n`).join('')}${q.sql}`,
        workGroup: workGroup.ref,
      });
    }
    return workGroup;
  }

  /** The managed policy analysts attach: Athena in `workGroupName`, Glue reads of the database, S3 reads, results under `resultsPrefix`. */
  private createAnalystPolicy(id: string, workGroupName: string, resultsPrefix: string, description: string): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const databaseName = this.databaseName;
    const bucket = this.bucketRef.bucket;
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const dbArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName });
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/*` });
    const policy = new iam.ManagedPolicy(this, id, {
      description,
      statements: [
        new iam.PolicyStatement({
          actions: [
            'athena:StartQueryExecution',
            'athena:StopQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:GetQueryResultsStream',
            'athena:GetQueryRuntimeStatistics',
            'athena:ListQueryExecutions',
            'athena:GetWorkGroup',
            'athena:BatchGetNamedQuery',
            'athena:GetNamedQuery',
            'athena:ListNamedQueries',
          ],
          resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName })],
        }),
        new iam.PolicyStatement({
          actions: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
          resources: [catalogArn, dbArn, tablesArn],
        }),
        // What the Athena console calls to list workgroups and data catalogs (no resource-level permissions), and
        // the catalog's databases and tables (Athena API reference, "Actions defined by Amazon Athena").
        new iam.PolicyStatement({ actions: ['athena:ListWorkGroups', 'athena:ListDataCatalogs', 'athena:ListEngineVersions'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['athena:GetDataCatalog', 'athena:ListDatabases', 'athena:GetDatabase', 'athena:ListTableMetadata', 'athena:GetTableMetadata'],
          resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
        }),
        ...this.bucketRef.analystStatements(resultsPrefix),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'athena:ListWorkGroups, ListDataCatalogs and ListEngineVersions support no resource-level permissions; the Athena console needs them to show the workgroup.',
    });
    Validations.of(policy).acknowledge({
      id: glueTablesAckId(stack, databaseName),
      reason: 'Every table of the collector database (the set grows with the products collected); no other database.',
    });
    for (const prefix of [`${DATA_PREFIX}/`, `${MANIFEST_PREFIX}/`, resultsPrefix]) {
      ackObjectWildcard(policy, bucket, prefix, `Objects under ${prefix} are named per day, org, run or query at run time; access is limited to that prefix.`);
    }
    return policy;
  }

  /**
   * Let the report Lambda run the report's queries (shared/report/sql.ts) in the shared workgroup
   * (shared/sql/athena.ts): its workgroup and database in the environment; start, watch, read and stop queries
   * in this workgroup only; Glue reads of this database's tables and views; Athena's query results under the
   * workgroup's result prefix. Reading data/ is the bucket's grant (CollectorBucket.grantReport).
   */
  grantReportQueries(fn: lambda.Function): void {
    this.grantAthenaQueries(fn, ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'], {
      tables: 'Athena reads the definitions of the views and tables the report queries (GetTable); tables of the collector database only.',
      results: `Athena writes each query’s result under ${this.resultsPrefix} with the caller’s permissions, and the report reads it back; limited to that prefix.`,
    });
  }

  /**
   * Let the finalize Lambda convert each run's date to Parquet (shared/parquet/athena.ts): its workgroup and
   * database in the environment; Athena queries in this workgroup only; Glue reads of this database; Athena's
   * query results under athena-results/ (it already reads and writes data/). Requires `parquet`.
   */
  grantParquetConversion(fn: lambda.Function): void {
    requireProp(this.parquetTables.length > 0, 'AccessCatalogProps', 'parquet', 'must be true to grant the Parquet conversion');
    this.grantAthenaQueries(fn, ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'], {
      tables: 'Athena reads the definition of the JSON table it converts (GetTable); tables of the collector database only.',
      results: `Athena writes each query’s result and UNLOAD manifest under ${this.resultsPrefix} with the caller’s permissions; limited to that prefix.`,
    });
  }

  /**
   * What a Lambda that runs Athena queries needs (the report's and the Parquet conversion's grants): the workgroup
   * and database in its environment; `athenaActions` in this workgroup only; Glue reads of this database's tables;
   * Athena's query results under the workgroup's result prefix; the two cdk-nag wildcards acknowledged with
   * `reasons` (the database's tables, the result prefix).
   */
  private grantAthenaQueries(fn: lambda.Function, athenaActions: string[], reasons: { tables: string; results: string }): void {
    const stack = Stack.of(this);
    fn.addEnvironment('ATHENA_WORKGROUP', this.workGroupName);
    fn.addEnvironment('GLUE_DATABASE', this.databaseName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: athenaActions,
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName })],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.databaseName}/*` }),
        ],
      }),
    );
    for (const s of this.bucketRef.athenaResultStatements(this.resultsPrefix)) fn.addToRolePolicy(s);
    const role = fn.role ?? fn;
    Validations.of(role).acknowledge({ id: glueTablesAckId(stack, this.databaseName), reason: reasons.tables });
    ackObjectWildcard(role, this.bucketRef.bucket, this.resultsPrefix, reasons.results);
  }
}

/** The cdk-nag finding id of a wildcard over a Glue database's tables, as cdk-nag renders the ARN (an unresolved region or account appears as <AWS::Region>/<AWS::AccountId>). */
function glueTablesAckId(stack: Stack, databaseName: string): string {
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:table/${databaseName}/*]`;
}
