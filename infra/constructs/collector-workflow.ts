import { Arn, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Unit } from '../../shared/config.ts';
import { MAP_RESULTS_PREFIX, STATE, STATE_PREFIX } from '../../shared/workflow/names.ts';
import { requireInt, requireProp } from './validate.ts';

/** Lambda service errors and throttling: safe to retry, the invocation did not run (or was rejected). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * An invocation that was cut off: the client timed out, the task timed out, or the function hit its own
 * timeout (`Sandbox.Timedout`). Retried with the SAME input: the step re-reads the unit's stored checkpoint,
 * and the collector discards the staged parts of the interrupted attempt itself before it writes again.
 */
export const INTERRUPTED_ERRORS = ['Lambda.ClientExecutionTimeoutException', 'States.Timeout', 'Sandbox.Timedout'] as const;

/** The first step of every child: nothing done yet. No null anywhere (CDK drops nulls). */
export const FIRST_STEP = { next: 'collect', waitSeconds: 0, count: 0, unit: -1, published: 0, failed: 0, skipped: 0 } as const;

export interface CollectorWorkflowProps {
  readonly planFunction: lambda.IFunction;
  readonly collectFunction: lambda.IFunction;
  readonly finalizeFunction: lambda.IFunction;
  /** The Report state's Lambda (functions/handlers/report.ts): the access report through Athena. */
  readonly reportFunction: lambda.IFunction;
  /** The data bucket: the Distributed Map reads each round's site list from it and writes its results to it. */
  readonly dataBucket: s3.IBucket;
  /** Timeout of the collect function; the task times out one minute after it. */
  readonly collectTimeout: Duration;
  /** The units to collect, secret names filled in. Written into the definition (no secrets, only names). */
  readonly units: readonly Unit[];
  /** Sites (child executions) collected at once (Distributed Map MaxConcurrency). @default 4 */
  readonly maxConcurrency?: number;
  /**
   * Steps (collect invocations and publishes) one child execution takes before it ends and its site continues
   * in the next round, from the stored checkpoints. Bounds a child's history: at most about 9 events per step
   * (Task 5, Choice 2, Wait 2), so 1,000 steps stay under 10,000 of the 25,000 events an execution may have.
   * @default 1000
   */
  readonly stepsPerExecution?: number;
  /** Name of the state machine. @default a name CloudFormation generates */
  readonly stateMachineName?: string;
  /** Longest a run may take. @default Duration.hours(23) (a daily run ends before the next starts) */
  readonly executionTimeout?: Duration;
  /** Retention of the execution log group. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Retries of a throttled or failed Lambda call, per state entry. @default 6 */
  readonly serviceRetryAttempts?: number;
  /** Longest the access report may take; past it the run goes on without it. @default Duration.minutes(10) */
  readonly reportTimeout?: Duration;
}

/**
 * The daily run as Step Functions state machines (JSONPath).
 *
 * Parent: plan (write the site list to S3) → Distributed Map over sites (ItemReader from S3, one Standard child
 * execution per site, ResultWriter to S3, every failure tolerated) → tally (read the results from S3; sites
 * whose child stopped at its step bound go into the next round) ↺ → finalize (manifest from the unit records)
 * → report (its own Lambda, the report's SQL in Athena; own timeout and Catch: never fails the run) → fail the execution if a unit failed. The parent's state holds
 * counts and S3 keys only.
 *
 * Child (one site, its units one after another): collect step ↺ (one invocation of the current unit, its
 * checkpoint written to S3) → publish the unit as soon as it completes → next unit … → done. An error the
 * workflow does not retry marks the current unit failed (bounded error, previous snapshot kept) and the site
 * goes on with its next unit.
 *
 * Execution logging (ALL events, without execution data) and X-Ray tracing are on.
 */
export class CollectorWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CollectorWorkflowProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 4;
    const retries = props.serviceRetryAttempts ?? 6;
    const stepsPerExecution = props.stepsPerExecution ?? 1000;
    requireInt(maxConcurrency, 'CollectorWorkflowProps', 'maxConcurrency', 1, 1000);
    requireInt(retries, 'CollectorWorkflowProps', 'serviceRetryAttempts', 0, 20);
    requireInt(stepsPerExecution, 'CollectorWorkflowProps', 'stepsPerExecution', 2, 2000);
    requireProp(props.units.length > 0, 'CollectorWorkflowProps', 'units', 'must list at least one unit');
    requireProp(
      props.units.every((u) => !!u.auth.secretName),
      'CollectorWorkflowProps',
      'units',
      'must all name their secret (auth.secretName); use deployedUnits(config)',
    );
    const executionTimeout = props.executionTimeout ?? Duration.hours(23);

    const serviceRetry: sfn.RetryProps = {
      errors: [...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(2),
      maxAttempts: retries,
      backoffRate: 2,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    };
    const interruptedRetry: sfn.RetryProps = {
      errors: [...INTERRUPTED_ERRORS],
      interval: Duration.seconds(5),
      maxAttempts: 2,
      backoffRate: 2,
    };
    const round = {
      run: sfn.JsonPath.objectAt('$.run'),
      force: sfn.JsonPath.objectAt('$.force'),
      round: sfn.JsonPath.numberAt('$.round'),
      itemsKey: sfn.JsonPath.stringAt('$.itemsKey'),
      units: sfn.JsonPath.numberAt('$.units'),
      sites: sfn.JsonPath.numberAt('$.sites'),
      continued: sfn.JsonPath.numberAt('$.continued'),
    };
    const siteState = {
      run: sfn.JsonPath.objectAt('$.run'),
      force: sfn.JsonPath.objectAt('$.force'),
      site: sfn.JsonPath.objectAt('$.site'),
      step: sfn.JsonPath.objectAt('$.step'),
    };
    const stepSelector = {
      next: sfn.JsonPath.stringAt('$.Payload.next'),
      waitSeconds: sfn.JsonPath.numberAt('$.Payload.waitSeconds'),
      count: sfn.JsonPath.numberAt('$.Payload.count'),
      unit: sfn.JsonPath.numberAt('$.Payload.unit'),
      published: sfn.JsonPath.numberAt('$.Payload.published'),
      failed: sfn.JsonPath.numberAt('$.Payload.failed'),
      skipped: sfn.JsonPath.numberAt('$.Payload.skipped'),
    };

    // ---- Parent ----
    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      stateName: STATE.plan,
      lambdaFunction: props.planFunction,
      payload: sfn.TaskInput.fromObject({
        units: props.units.map((u) => ({ ...u, auth: { ...u.auth } })),
        execution: { name: sfn.JsonPath.stringAt('$$.Execution.Name'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime'), id: sfn.JsonPath.stringAt('$$.Execution.Id') },
        lockSeconds: executionTimeout.toSeconds(),
        request: sfn.JsonPath.objectAt('$'),
      }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    plan.addRetry(serviceRetry);

    // ---- Child: one site ----
    const step = new tasks.LambdaInvoke(this, 'Step', {
      stateName: STATE.step,
      lambdaFunction: props.collectFunction,
      payload: sfn.TaskInput.fromObject({ action: 'step', ...siteState }),
      resultSelector: stepSelector,
      resultPath: '$.step',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.collectTimeout.plus(Duration.minutes(1))),
    });
    step.addRetry(serviceRetry);
    step.addRetry(interruptedRetry);

    const publish = new tasks.LambdaInvoke(this, 'Publish', {
      stateName: STATE.publish,
      lambdaFunction: props.finalizeFunction,
      payload: sfn.TaskInput.fromObject({ action: 'publish', ...siteState }),
      resultSelector: stepSelector,
      resultPath: '$.step',
      retryOnServiceExceptions: false,
    });
    // Publishing is idempotent (it recognises files it already published), so an interrupted one is retried too.
    publish.addRetry(serviceRetry);
    publish.addRetry(interruptedRetry);

    // Records the current unit failed with a bounded error (the Catch's Cause carries a stack), and returns the
    // child's state without the error: ResultPath '$' replaces the whole state.
    const failed = new tasks.LambdaInvoke(this, 'Failed', {
      stateName: STATE.failed,
      lambdaFunction: props.collectFunction,
      payload: sfn.TaskInput.fromObject({ action: 'fail', ...siteState, error: sfn.JsonPath.objectAt('$.error') }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    failed.addRetry(serviceRetry);
    step.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    publish.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    // A unit the API rate limits for long (Bitbucket's hourly budget) returns its checkpoint with
    // `waitSeconds`; waiting here costs nothing, unlike sleeping in the Lambda.
    const pause = new sfn.Wait(this, 'Pause', { stateName: STATE.pause, time: sfn.WaitTime.secondsPath('$.step.waitSeconds') });
    const siteDone = new sfn.Succeed(this, 'SiteDone', { stateName: STATE.siteDone, outputPath: '$.step' });
    const continued = new sfn.Succeed(this, 'Continued', { stateName: STATE.continued, outputPath: '$.step' });
    const nextStep = new sfn.Choice(this, 'NextStep', { stateName: STATE.next })
      .when(sfn.Condition.stringEquals('$.step.next', 'done'), siteDone)
      .when(sfn.Condition.numberGreaterThanEquals('$.step.count', stepsPerExecution), continued)
      .when(sfn.Condition.stringEquals('$.step.next', 'publish'), publish)
      .when(sfn.Condition.stringEquals('$.step.next', 'wait'), pause)
      .otherwise(step);
    step.next(nextStep);
    publish.next(nextStep);
    failed.next(nextStep);
    pause.next(step);

    const map = new sfn.DistributedMap(this, 'Sites', {
      stateName: STATE.map,
      // Step Functions, "ItemReader (Map)": a JSON array in S3, one item per site.
      itemReader: new sfn.S3JsonItemReader({ bucket: props.dataBucket, key: sfn.JsonPath.stringAt('$.itemsKey') }),
      itemSelector: {
        run: sfn.JsonPath.objectAt('$.run'),
        force: sfn.JsonPath.objectAt('$.force'),
        site: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
        step: { ...FIRST_STEP },
      },
      maxConcurrency,
      // A failed child (a site) never holds back the others; finalize reports its units as failed.
      toleratedFailurePercentage: 100,
      // "ResultWriter (Map)": the children's results go to S3; the state keeps only their location.
      resultWriterV2: new sfn.ResultWriterV2({ bucket: props.dataBucket, prefix: MAP_RESULTS_PREFIX }),
      // Child executions are Standard (a site can take hours). A DistributedMap renders ProcessorConfig itself
      // (Mode DISTRIBUTED, ExecutionType from here): an executionType given to itemProcessor is ignored with a warning.
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: '$.map',
    });
    map.itemProcessor(step);

    const tally = new tasks.LambdaInvoke(this, 'Tally', {
      stateName: STATE.tally,
      lambdaFunction: props.finalizeFunction,
      payload: sfn.TaskInput.fromObject({ action: 'tally', ...round, resultKey: sfn.JsonPath.stringAt('$.map.ResultWriterDetails.Key') }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    tally.addRetry(serviceRetry);
    tally.addRetry(interruptedRetry);
    // The Map itself failed (e.g. its site list is unreadable): tally with no results, finalize reports every
    // unfinished unit failed.
    const mapFailed = new sfn.Pass(this, 'MapFailed', { stateName: 'Map failed', result: sfn.Result.fromObject({ ResultWriterDetails: { Key: '' } }), resultPath: '$.map' });
    map.addCatch(mapFailed, { errors: [sfn.Errors.ALL], resultPath: '$.mapError' });
    mapFailed.next(tally);

    const finalize = new tasks.LambdaInvoke(this, 'Finalize', {
      stateName: STATE.finalize,
      lambdaFunction: props.finalizeFunction,
      payload: sfn.TaskInput.fromObject({ action: 'finalize', ...round }),
      resultSelector: {
        status: sfn.JsonPath.stringAt('$.Payload.status'),
        published: sfn.JsonPath.numberAt('$.Payload.published'),
        failed: sfn.JsonPath.numberAt('$.Payload.failed'),
        skipped: sfn.JsonPath.numberAt('$.Payload.skipped'),
        manifestUri: sfn.JsonPath.stringAt('$.Payload.manifestUri'),
        message: sfn.JsonPath.stringAt('$.Payload.message'),
      },
      resultPath: '$.finalize',
      retryOnServiceExceptions: false,
    });
    // Finalize only reads records and writes the manifest: an interrupted one is retried too.
    finalize.addRetry(serviceRetry);
    finalize.addRetry(interruptedRetry);

    const report = new tasks.LambdaInvoke(this, 'Report', {
      stateName: STATE.report,
      lambdaFunction: props.reportFunction,
      payload: sfn.TaskInput.fromObject({ action: 'report', ...round }),
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.reportTimeout ?? Duration.minutes(10)),
    });
    report.addRetry(serviceRetry);

    // Not a Fail state: a redrive restarts the state that failed, and a Fail state would only fail again. This Task
    // fails the run (UnitsFailed) on the original attempt; on a redrive it returns one more round over the failed
    // units' sites, so "Redrive" collects exactly those (shared/workflow/redrive.ts).
    const runFailed = new tasks.LambdaInvoke(this, 'RunFailed', {
      stateName: STATE.runFailed,
      lambdaFunction: props.finalizeFunction,
      payload: sfn.TaskInput.fromObject({
        action: 'redrive',
        ...round,
        redriveCount: sfn.JsonPath.numberAt('$$.Execution.RedriveCount'),
        message: sfn.JsonPath.stringAt('$.finalize.message'),
      }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    runFailed.addRetry(serviceRetry);
    const runSucceeded = new sfn.Succeed(this, 'RunSucceeded', { stateName: STATE.runSucceeded, outputPath: '$.finalize' });
    const anyFailed = new sfn.Choice(this, 'AnyFailed', { stateName: STATE.anyFailed })
      .when(sfn.Condition.numberGreaterThan('$.finalize.failed', 0), runFailed)
      .otherwise(runSucceeded);
    // The report is a convenience: its failure or timeout never fails the run.
    report.addCatch(anyFailed, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });

    const more = new sfn.Choice(this, 'More', { stateName: STATE.more })
      .when(sfn.Condition.numberGreaterThan('$.continued', 0), map)
      .otherwise(finalize);
    plan.next(map);
    map.next(tally);
    tally.next(more);
    runFailed.next(more);
    finalize.next(report);
    report.next(anyFailed);

    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      // The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName ?? Names.uniqueId(this)}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      comment: 'Atlassian access collector: daily snapshot of who has access to what.',
      definitionBody: sfn.DefinitionBody.fromChainable(plan),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: executionTimeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Execution logging and X-Ray: logs:*LogDelivery* and xray:* APIs do not support resource-level permissions (Step Functions documentation).',
    });
    for (const fn of [props.planFunction, props.collectFunction, props.finalizeFunction, props.reportFunction]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnLogicalRef(fn)}.Arn>:*]`,
        reason: 'lambda:InvokeFunction on the function and its versions/aliases (ARN:*), as the CDK LambdaInvoke task grants.',
      });
    }
    const bucketRef = Stack.of(this).getLogicalId(props.dataBucket.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${bucketRef}>/*]`,
      reason: `The Distributed Map's ItemReader reads a site list and its ResultWriter writes results whose keys are named per run at run time (CDK grants them on the bucket's objects); they are under ${STATE_PREFIX}/.`,
    });
    const stack = Stack.of(this);
    // The run lock (shared/workflow/run-lock.ts): plan asks whether the execution holding a date's lock still runs.
    // A policy of its own, not the role's default policy: the state machine depends on the function, which
    // depends on its default policy.
    const planRole = props.planFunction.role;
    if (planRole) {
      const smName = Arn.split(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName ?? '';
      const lockPolicy = new iam.Policy(this, 'PlanReadsExecutions', {
        statements: [
          new iam.PolicyStatement({
            actions: ['states:DescribeExecution'],
            resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${smName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
          }),
        ],
      });
      lockPolicy.attachToRole(planRole);
      Validations.of(lockPolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}:*]`,
        reason: 'The run lock names the execution holding it at run time; plan may only describe executions of this state machine.',
      });
    }
    const smRef = stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement);
    // As cdk-nag renders the ARN: an unresolved region/account appears as <AWS::Region>/<AWS::AccountId>.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    for (const suffix of [':*', '/*:*']) {
      Validations.of(this.stateMachine).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${smRef}"}]}]}${suffix}]`,
        reason: 'The Distributed Map starts, describes and stops its own child executions (named at run time), as CDK grants for a DistributedMap.',
      });
    }
  }
}

/** `<LogicalId>` of a function, as cdk-nag prints it in an IAM5 finding. */
function fnLogicalRef(fn: lambda.IFunction): string {
  const stack = fn.stack;
  const cfn = fn.node.defaultChild;
  return cfn ? stack.getLogicalId(cfn as CfnElement) : fn.node.id;
}
