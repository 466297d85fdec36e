import { Aws, Stack, Token, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AnyTable } from '../../shared/schema/table.ts';
import type { Question } from '../../shared/sql/questions.ts';
import type { ViewDef } from '../../shared/sql/views.ts';
import { ATHENA_RESULTS_PREFIX, DATA_PREFIX, MANIFEST_PREFIX } from '../../shared/workflow/names.ts';
import { glueColumns, JSON_SERDE, PARTITION_KEYS, projectionParameters, TEXT_INPUT_FORMAT, TEXT_OUTPUT_FORMAT } from '../glue.ts';
import { NAMED_QUERIES } from '../queries.ts';
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
  /** The auditor's questions (sql/questions/*.sql), saved as named queries after the built-in ones. @default none */
  readonly questions?: readonly Question[];
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
  readonly workGroup: athena.CfnWorkGroup;
  readonly analystPolicy: iam.ManagedPolicy;

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

    const viewDefs = props.views ?? [];
    const names = new Set(props.tables.map((t) => t.name));
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

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: workGroupName,
      description: 'Queries over the Atlassian access snapshots',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        engineVersion: { selectedEngineVersion: 'AUTO' },
        resultConfiguration: {
          outputLocation: `s3://${bucket.bucketName}/${ATHENA_RESULTS_PREFIX}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    NAMED_QUERIES.forEach((q, i) => {
      new athena.CfnNamedQuery(this, `Query${i}`, {
        name: q.name,
        description: q.description,
        database: databaseName,
        queryString: q.sql,
        workGroup: this.workGroup.ref,
      });
    });
    for (const q of props.questions ?? []) {
      new athena.CfnNamedQuery(this, `Question${q.number}`, {
        name: `Q${q.number}. ${q.title}`.slice(0, 128),
        description: `${q.description}${q.params.length ? ` Parameters: ${q.params.map((p) => `${p.name} (${p.description})`).join(', ')}.` : ''}`.slice(0, 1024),
        database: databaseName,
        // The dates are '?' parameters: the Athena console asks for them, in order, when the query runs.
        queryString: `-- ${q.title}\n-- ${q.description}\n${q.params.map((p, i) => `-- parameter ${i + 1}: ${p.name}, ${p.description}\n`).join('')}${q.sql}`,
        workGroup: this.workGroup.ref,
      });
    }

    const stack = Stack.of(this);
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const dbArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName });
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/*` });
    this.analystPolicy = new iam.ManagedPolicy(this, 'AnalystPolicy', {
      description: 'Query the Atlassian access snapshots with Athena (attach to analysts\u2019 roles).',
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
        ...props.data.analystStatements(),
      ],
    });
    Validations.of(this.analystPolicy).acknowledge({
      // As cdk-nag renders the ARN: unresolved region/account appear as <AWS::Region>/<AWS::AccountId>.
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:table/${databaseName}/*]`,
      reason: 'Every table of the collector database (the set grows with the products collected); no other database.',
    });
    for (const prefix of [DATA_PREFIX, MANIFEST_PREFIX, ATHENA_RESULTS_PREFIX]) {
      ackObjectWildcard(this.analystPolicy, bucket, `${prefix}/`, `Objects under ${prefix}/ are named per day, org and run at run time; access is limited to that prefix.`);
    }
  }
}
