import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { allTables } from '../shared/sql/tables.ts';
import type { Config } from '../shared/config.ts';
import { loadQuestions } from '../shared/sql/questions.ts';
import { loadViews } from '../shared/sql/views.ts';
import { stateMachineName } from '../shared/workflow/names.ts';
import { deployedUnits } from './config.ts';
import { AccessCatalog } from './constructs/access-catalog.ts';
import { CollectorFunctions } from './constructs/collector-functions.ts';
import { CollectorSchedule } from './constructs/collector-schedule.ts';
import { CollectorWorkflow } from './constructs/collector-workflow.ts';
import { CollectorBucket } from './constructs/data-bucket.ts';
import { FailureAlarms } from './constructs/failure-alarms.ts';
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

  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, {
      description: 'Atlassian access collector: daily snapshot of who has access to what, queryable in Athena.',
      ...props,
    });
    const { config } = props;
    const units = deployedUnits(config);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.data = new CollectorBucket(this, 'Data', {
      ...(config.aws.dataBucketName ? { bucketName: config.aws.dataBucketName } : {}),
      snapshotRetentionDays: config.retentionDays,
      removalPolicy,
    });
    this.secrets = new UnitSecrets(this, 'Secrets', { units, mode: config.aws.secrets, removalPolicy });
    this.functions = new CollectorFunctions(this, 'Functions', {
      data: this.data,
      secrets: this.secrets,
      collectMemoryMb: config.lambda.memoryMb,
      collectTimeout: Duration.seconds(config.lambda.timeoutSeconds),
      ...(props.maxRequestsPerInvocation ? { maxRequestsPerInvocation: props.maxRequestsPerInvocation } : {}),
    });
    this.workflow = new CollectorWorkflow(this, 'Workflow', {
      planFunction: this.functions.plan,
      collectFunction: this.functions.collect,
      finalizeFunction: this.functions.finalize,
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
      databaseName: config.aws.glueDatabase,
      retentionDays: config.retentionDays,
      ...(props.parquet ? { parquet: true } : {}),
    });
    if (props.parquet) this.catalog.grantParquetConversion(this.functions.finalize);
    this.alarms = new FailureAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      scheduleDeadLetterQueue: this.schedule.deadLetterQueue,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'DataBucketName', { value: this.data.bucket.bucketName, description: 'Tables under data/, run manifests under manifests/' });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn, description: 'npm run sync starts it' });
    new CfnOutput(this, 'GlueDatabase', { value: this.catalog.databaseName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.catalog.workGroup.ref });
    new CfnOutput(this, 'AnalystPolicyArn', { value: this.catalog.analystPolicy.managedPolicyArn, description: 'Attach to the roles that query in Athena' });
    new CfnOutput(this, 'SecretNames', { value: this.secrets.secrets.map((s) => s.name).join(','), description: 'Put the Atlassian credentials (JSON) in these secrets' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
