import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/workflow/metrics.ts';
import { DATA_PREFIX, MANIFEST_PREFIX, STAGING_PREFIX, STATE_PREFIX } from '../../shared/workflow/names.ts';
import type { CollectorBucket } from './data-bucket.ts';
import type { UnitSecrets } from './unit-secrets.ts';
import { ackObjectWildcard, requireInt, requireProp } from './validate.ts';

/** Repository root: entries, tsconfig and the lock file are resolved from it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CollectorFunctionsProps {
  /** The data bucket: collect writes staging, finalize publishes. */
  readonly data: CollectorBucket;
  /** Secrets the collect Lambda may read (and no others). */
  readonly secrets: UnitSecrets;
  /** Memory of the collect Lambda, MB. @default 512 */
  readonly collectMemoryMb?: number;
  /** Timeout of the collect Lambda; it returns a checkpoint before it. @default Duration.minutes(15) */
  readonly collectTimeout?: Duration;
  /** Stop an invocation this long before the timeout. @default 15% of collectTimeout, between 15 s and 90 s */
  readonly safetyMargin?: Duration;
  /** Request budget per collect invocation (tests, or to keep invocations short). @default no budget */
  readonly maxRequestsPerInvocation?: number;
  /** Retention of the functions' log groups. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Where the collect Lambda runs (config `aws.network`: fixed egress IPs). @default no VPC */
  readonly collectNetwork?: CollectNetwork;
  /**
   * The `service` dimension of the metrics and the service of the log lines (Powertools for AWS Lambda):
   * the dashboard and alarms select by it, so two deployments in one account stay apart. @default the stack name
   */
  readonly serviceName?: string;
}

/** The VPC placement of the collect Lambda (plan and finalize only talk to AWS, they stay outside). */
export interface CollectNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** @default one security group the Lambda construct creates: all outbound, no inbound */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
}

/**
 * The four Lambdas of the workflow: plan, collect, finalize, report. Node 22 on arm64, bundled by the local
 * esbuild (no Docker) with source maps; each has its own role with only what it needs, its own log group
 * (JSON logs) and X-Ray tracing.
 */
export class CollectorFunctions extends Construct {
  readonly plan: nodejs.NodejsFunction;
  readonly collect: nodejs.NodejsFunction;
  readonly finalize: nodejs.NodejsFunction;
  /** The access report after each run: the report's SQL in Athena (its Athena grants come from the catalog). */
  readonly report: nodejs.NodejsFunction;
  /** The collect Lambda's timeout (the workflow's task timeout is derived from it). */
  readonly collectTimeout: Duration;

  constructor(scope: Construct, id: string, props: CollectorFunctionsProps) {
    super(scope, id);
    const memory = props.collectMemoryMb ?? 512;
    this.collectTimeout = props.collectTimeout ?? Duration.minutes(15);
    const timeoutS = this.collectTimeout.toSeconds();
    const margin = props.safetyMargin ?? Duration.seconds(Math.min(90, Math.max(15, Math.round(timeoutS * 0.15))));
    const retention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    requireInt(memory, 'CollectorFunctionsProps', 'collectMemoryMb', 256, 10240);
    requireInt(timeoutS, 'CollectorFunctionsProps', 'collectTimeout', 60, 900);
    requireProp(margin.toSeconds() < timeoutS / 2, 'CollectorFunctionsProps', 'safetyMargin', `must be less than half of collectTimeout (got ${margin.toSeconds()} s of ${timeoutS} s)`);
    if (props.maxRequestsPerInvocation !== undefined) {
      requireInt(props.maxRequestsPerInvocation, 'CollectorFunctionsProps', 'maxRequestsPerInvocation', 1, 1_000_000);
    }
    const bucketName = props.data.bucket.bucketName;
    // Powertools for AWS Lambda: the metrics' namespace and `service` dimension, the log lines' service.
    const powertools = { POWERTOOLS_SERVICE_NAME: props.serviceName ?? Stack.of(this).stackName, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE };

    this.plan = this.fn('Plan', 'plan', { memoryMb: 256, timeout: Duration.seconds(30), retention, environment: { DATA_BUCKET: bucketName, ...powertools } });
    this.collect = this.fn('Collect', 'collect', {
      memoryMb: memory,
      timeout: this.collectTimeout,
      retention,
      ...(props.collectNetwork ? { network: props.collectNetwork } : {}),
      environment: {
        DATA_BUCKET: bucketName,
        DATA_PREFIX,
        ...powertools,
        SAFETY_MARGIN_MS: String(margin.toMilliseconds()),
        ...(props.maxRequestsPerInvocation ? { MAX_REQUESTS_PER_INVOCATION: String(props.maxRequestsPerInvocation) } : {}),
      },
    });
    this.finalize = this.fn('Finalize', 'finalize', {
      memoryMb: 512,
      timeout: Duration.minutes(15),
      retention,
      environment: { DATA_BUCKET: bucketName, DATA_PREFIX, ...powertools },
    });
    this.report = this.fn('Report', 'report', {
      memoryMb: 512,
      // The workflow's Report state waits as long (CollectorWorkflowProps.reportTimeout's default).
      timeout: Duration.minutes(10),
      retention,
      environment: { DATA_BUCKET: bucketName, DATA_PREFIX },
    });
    props.data.grantStaging(this.collect);
    props.secrets.grantRead(this.collect);
    props.data.grantPublish(this.finalize);
    // Workflow state: plan writes the site list; collect reads and writes unit records (checkpoints); finalize
    // reads everything the run wrote (Map results included) and writes unit records, the next round's sites.
    props.data.grantState(this.plan, 'runs/', ['s3:PutObject']);
    // The run lock of a date: plan takes it (conditional put) or reads who holds it; finalize releases it.
    props.data.grantState(this.plan, 'locks/');
    props.data.grantState(this.finalize, 'locks/', ['s3:DeleteObject']);
    props.data.grantState(this.collect, 'units/');
    // Audit-log watermarks: collect reads them; finalize moves them when it publishes a unit.
    props.data.grantState(this.collect, 'watermarks/', ['s3:GetObject']);
    props.data.grantState(this.finalize, '');
    const bucket = props.data.bucket;
    ackObjectWildcard(this.collect.role ?? this.collect, bucket, `${STAGING_PREFIX}/`, 'Staged parts are named per run, unit and invocation at run time; the collect role may only write and delete under data/_staging/.');
    ackObjectWildcard(this.finalize.role ?? this.finalize, bucket, `${DATA_PREFIX}/`, 'Finalize promotes staged parts into data/<table>/dt=<date>/org=<org>/ partitions named at run time; limited to data/.');
    ackObjectWildcard(this.plan.role ?? this.plan, bucket, `${STATE_PREFIX}/runs/`, 'Site lists are named per date and run id at run time; put-only, limited to state/runs/.');
    ackObjectWildcard(this.plan.role ?? this.plan, bucket, `${STATE_PREFIX}/locks/`, 'One run lock per snapshot date, named at run time; limited to state/locks/.');
    ackObjectWildcard(this.finalize.role ?? this.finalize, bucket, `${STATE_PREFIX}/locks/`, 'Finalize deletes the run lock of its date (named at run time) at the end of the run; limited to state/locks/.');
    ackObjectWildcard(this.collect.role ?? this.collect, bucket, `${STATE_PREFIX}/units/`, 'One record (checkpoint) per date and unit, named at run time; limited to state/units/.');
    ackObjectWildcard(this.collect.role ?? this.collect, bucket, `${STATE_PREFIX}/watermarks/`, 'One audit-log watermark per unit, named at run time; read-only, limited to state/watermarks/.');
    ackObjectWildcard(this.finalize.role ?? this.finalize, bucket, `${STATE_PREFIX}/`, 'The run state (site lists, Map results, unit records) is named per date, run and unit at run time; limited to state/.');
    ackObjectWildcard(this.finalize.role ?? this.finalize, bucket, `${MANIFEST_PREFIX}/`, 'Run manifests are named per date and run id at run time; put-only, limited to manifests/.');
    props.data.grantReport(this.report);
    ackObjectWildcard(this.report.role ?? this.report, bucket, `${DATA_PREFIX}/`, 'The report reads the published partitions (through Athena and to list the units covered), named per date and org at run time; read-only, limited to data/.');
    ackObjectWildcard(this.report.role ?? this.report, bucket, `${MANIFEST_PREFIX}/`, 'Reports are named per date and run id at run time; put-only, limited to manifests/.');
  }

  private fn(
    id: string,
    handler: 'plan' | 'collect' | 'finalize' | 'report',
    o: { memoryMb: number; timeout: Duration; retention: logs.RetentionDays; environment: Record<string, string>; network?: CollectNetwork },
  ): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: o.retention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${handler} Lambda of the Atlassian access collector`,
    });
    logGroup.grantWrite(role);
    const f = new nodejs.NodejsFunction(this, id, {
      entry: join(REPO_ROOT, 'functions', 'handlers', `${handler}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: o.memoryMb,
      timeout: o.timeout,
      role,
      logGroup,
      ...(o.network
        ? { vpc: o.network.vpc, vpcSubnets: o.network.subnets, ...(o.network.securityGroups ? { securityGroups: [...o.network.securityGroups] } : {}) }
        : {}),
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      description: `Atlassian access collector: ${handler}`,
      environment: { ...o.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too: the versions the tests ran with, not the runtime's.
        externalModules: [],
        mainFields: ['module', 'main'],
      },
    });
    Validations.of(f).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime this project targets and tests on (node 22 in node_modules/.bin); it is supported by Lambda until 2027. Move to the next LTS together with the test runtime.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    });
    if (o.network) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'A Lambda in a VPC needs ec2:CreateNetworkInterface/DescribeNetworkInterfaces/DeleteNetworkInterface (no resource-level scoping for Describe); the AWS-managed policy is the documented one ("Giving Lambda functions access to resources in an Amazon VPC").',
      });
    }
    return f;
  }
}
