import { Aspects, CfnOutput, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { allTables } from '../functions/index.ts';
import { glueDatabaseName, type Config } from '../shared/config.ts';
import { loadQuestions } from '../shared/sql/questions.ts';
import { loadViews } from '../shared/sql/views.ts';
import { stateMachineName } from '../shared/workflow/names.ts';
import { deployedUnits } from './config.ts';
import { AccessCatalog } from './constructs/access-catalog.ts';
import { CollectorFunctions } from './constructs/collector-functions.ts';
import { CollectorNetwork } from './constructs/collector-network.ts';
import { CollectorSchedule } from './constructs/collector-schedule.ts';
import { CollectorWorkflow } from './constructs/collector-workflow.ts';
import { CollectorBucket } from './constructs/data-bucket.ts';
import { CollectorKey, EncryptLogGroups } from './constructs/encryption-key.ts';
import { FailureAlarms } from './constructs/failure-alarms.ts';
import { CollectorLakeFormation } from './constructs/lake-formation.ts';
import { OperationsDashboard } from './constructs/operations-dashboard.ts';
import { UnitSecrets } from './constructs/unit-secrets.ts';

export interface CollectorStackProps extends StackProps {
  /** The validated deployment config (infra/config.ts `loadConfig`). */
  readonly config: Config;
  /** Request budget per collect invocation (tests use a small one to force many invocations). @default no budget */
  readonly maxRequestsPerInvocation?: number;
  /**
   * Steps one child execution takes before its site continues in the next round (bounds a child's history).
   * @default 1000 (see CollectorWorkflowProps.stepsPerExecution)
   */
  readonly stepsPerExecution?: number;
  /** Removal policy of the buckets and created secrets. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * After each run, have the finalize Lambda convert the run's date of every collected table to Parquet with
   * Athena (UNLOAD into data/parquet/<table>/), queryable as `<table>_parquet`: less data scanned per query.
   * `cdk deploy --context parquet=true`. @default false
   */
  readonly parquet?: boolean;
}

/**
 * The whole deployment: data bucket, secrets, Lambdas, the Step Functions workflow, its daily schedule,
 * the Glue catalog and Athena workgroup, and failure alarms. Everything derives from one config.
 */
export class CollectorStack extends Stack {
  readonly data: CollectorBucket;
  readonly secrets: UnitSecrets;
  readonly functions: CollectorFunctions;
  readonly workflow: CollectorWorkflow;
  readonly schedule: CollectorSchedule;
  readonly catalog: AccessCatalog;
  readonly alarms: FailureAlarms;
  readonly dashboard: OperationsDashboard;
  /** `aws.kms`: the customer-managed key. */
  readonly key: CollectorKey | undefined;
  /** `aws.network`: where the collect Lambda runs. */
  readonly network: CollectorNetwork | undefined;
  /** `aws.lakeFormation`: location registration and grants. */
  readonly lakeFormation: CollectorLakeFormation | undefined;

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    const { config } = props;
    const qualifier = config.aws.bootstrapQualifier;
    super(scope, id, {
      description: 'Atlassian access collector: daily snapshot of who has access to what, queryable in Athena.',
      // A custom `cdk bootstrap --qualifier` names other deploy roles, bucket and version parameter.
      ...(qualifier ? { synthesizer: new DefaultStackSynthesizer({ qualifier }) } : {}),
      ...props,
    });
    const units = deployedUnits(config);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // cfn-lint's CloudFormation schema has no Tags on AWS::CloudWatch::Dashboard (E3002), though CDK would add them.
    for (const [k, v] of Object.entries(config.aws.tags ?? {})) Tags.of(this).add(k, v, { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
    if (config.aws.permissionsBoundary) {
      const b = config.aws.permissionsBoundary;
      iam.PermissionsBoundary.of(this).apply(
        b.startsWith('arn:') ? iam.ManagedPolicy.fromManagedPolicyArn(this, 'PermissionsBoundary', b) : iam.ManagedPolicy.fromManagedPolicyName(this, 'PermissionsBoundary', b),
      );
    }
    this.key = config.aws.kms ? new CollectorKey(this, 'Key', { config: config.aws.kms, removalPolicy }) : undefined;
    const key = this.key?.key;
    if (key) Aspects.of(this).add(new EncryptLogGroups(key));
    this.network = config.aws.network ? new CollectorNetwork(this, 'Network', { config: config.aws.network }) : undefined;

    this.data = new CollectorBucket(this, 'Data', {
      ...(config.aws.dataBucketName ? { bucketName: config.aws.dataBucketName } : {}),
      snapshotRetentionDays: config.retentionDays,
      removalPolicy,
      ...(key ? { encryptionKey: key } : {}),
    });
    this.secrets = new UnitSecrets(this, 'Secrets', { units, mode: config.aws.secrets, removalPolicy, ...(key ? { encryptionKey: key } : {}) });
    this.functions = new CollectorFunctions(this, 'Functions', {
      data: this.data,
      secrets: this.secrets,
      ...(this.network ? { collectNetwork: this.network.placement } : {}),
      collectMemoryMb: config.lambda.memoryMb,
      collectTimeout: Duration.seconds(config.lambda.timeoutSeconds),
      serviceName: config.aws.stackName,
      ...(props.maxRequestsPerInvocation ? { maxRequestsPerInvocation: props.maxRequestsPerInvocation } : {}),
    });
    this.workflow = new CollectorWorkflow(this, 'Workflow', {
      planFunction: this.functions.plan,
      collectFunction: this.functions.collect,
      finalizeFunction: this.functions.finalize,
      reportFunction: this.functions.report,
      dataBucket: this.data.bucket,
      collectTimeout: this.functions.collectTimeout,
      units,
      maxConcurrency: config.concurrency,
      ...(props.stepsPerExecution ? { stepsPerExecution: props.stepsPerExecution } : {}),
      stateMachineName: stateMachineName(config),
    });
    this.schedule = new CollectorSchedule(this, 'Schedule', {
      stateMachine: this.workflow.stateMachine,
      expression: config.schedule,
      timeZone: config.aws.scheduleTimeZone,
    });
    this.catalog = new AccessCatalog(this, 'Catalog', {
      data: this.data,
      // Every product's tables, collected or not (an empty one costs nothing): the views read across products.
      tables: allTables(),
      views: loadViews(),
      questions: loadQuestions(),
      orgs: config.organizations.map((o) => o.id),
      databaseName: glueDatabaseName(config),
      retentionDays: config.retentionDays,
      ...(props.parquet ? { parquet: true } : {}),
      ...(config.aws.analystWorkGroups ? { analystWorkGroups: config.aws.analystWorkGroups } : {}),
    });
    if (props.parquet) this.catalog.grantParquetConversion(this.functions.finalize);
    this.catalog.grantReportQueries(this.functions.report);
    const lf = config.aws.lakeFormation;
    this.lakeFormation = lf
      ? new CollectorLakeFormation(this, 'LakeFormation', {
          data: this.data,
          catalog: this.catalog,
          analystPrincipalArns: lf.analystPrincipalArns,
          // Roles that query through Athena: the report Lambda always, finalize for the Parquet conversion.
          queryRoles: [this.functions.report.role, ...(props.parquet ? [this.functions.finalize.role] : [])].filter((r): r is iam.IRole => r !== undefined),
        })
      : undefined;
    this.alarms = new FailureAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      serviceName: config.aws.stackName,
      scheduleDeadLetterQueue: this.schedule.deadLetterQueue,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
      ...(key ? { key } : {}),
    });
    this.dashboard = new OperationsDashboard(this, 'Operations', {
      stateMachine: this.workflow.stateMachine,
      serviceName: config.aws.stackName,
      alarms: [this.alarms.runAlarm, this.alarms.staleAlarm, this.alarms.nothingPublishedAlarm],
    });

    new CfnOutput(this, 'DataBucketName', { value: this.data.bucket.bucketName, description: 'Tables under data/, run manifests under manifests/' });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn, description: 'npm run sync starts it' });
    new CfnOutput(this, 'GlueDatabase', { value: this.catalog.databaseName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.catalog.workGroup.ref });
    new CfnOutput(this, 'AnalystPolicyArn', { value: this.catalog.analystPolicy.managedPolicyArn, description: 'Attach to the roles that query in Athena' });
    new CfnOutput(this, 'SecretNames', { value: this.secrets.secrets.map((s) => s.name).join(','), description: 'Put the Atlassian credentials (JSON) in these secrets' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard: runs, units, per-unit metrics, alarms' });
    for (const t of this.catalog.teams) {
      const cid = t.team.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase());
      new CfnOutput(this, `AnalystPolicyArn${cid}`, { value: t.analystPolicy.managedPolicyArn, description: `Attach to the roles of team ${t.team}; they query in workgroup ${t.workGroup.name}` });
    }
    if (key) new CfnOutput(this, 'KmsKeyArn', { value: key.keyArn, description: 'Customer-managed key of the data, secrets, logs, alarm topic and Athena results' });
    if (this.network?.egressIps) {
      new CfnOutput(this, 'EgressIps', { value: this.network.egressIps, description: 'Elastic IPs of the NAT gateways: add them to the Atlassian IP allowlist' });
    }
  }
}
