import { Duration, Names, RemovalPolicy, Validations, type CfnElement } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { Unit } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { STATE, UNITS_FAILED_ERROR } from '../../shared/workflow/names.ts';
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
 * timeout (`Sandbox.Timedout`). Retried from the SAME checkpoint: the collector discards the staged parts
 * of the interrupted attempt itself before it writes again.
 */
export const INTERRUPTED_ERRORS = ['Lambda.ClientExecutionTimeoutException', 'States.Timeout', 'Sandbox.Timedout'] as const;

export interface CollectorWorkflowProps {
  readonly planFunction: lambda.IFunction;
  readonly collectFunction: lambda.IFunction;
  readonly finalizeFunction: lambda.IFunction;
  /** Timeout of the collect function; the task times out one minute after it. */
  readonly collectTimeout: Duration;
  /** The units to collect, secret names filled in. Written into the definition (no secrets, only names). */
  readonly units: readonly Unit[];
  /** Units collected at once (Map MaxConcurrency). @default 4 */
  readonly maxConcurrency?: number;
  /** Name of the state machine. @default a name CloudFormation generates */
  readonly stateMachineName?: string;
  /** Longest a run may take. @default Duration.hours(23) (a daily run ends before the next starts) */
  readonly executionTimeout?: Duration;
  /** Retention of the execution log group. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Retries of a throttled or failed Lambda call, per state entry. @default 6 */
  readonly serviceRetryAttempts?: number;
}

/**
 * The daily run as a Step Functions state machine (JSONPath):
 *
 * plan → Map over units (bounded concurrency) { collect → done? ↺ with the returned checkpoint;
 * Retry on Lambda service errors, throttling and interrupted invocations; Catch everything else as a
 * failed-unit record } → finalize (publish the completed units, write the manifest) → fail the execution
 * if any unit failed, after the good ones were published.
 *
 * Execution logging (ALL events, without execution data: payloads carry unit settings and error
 * messages, never credentials, but there is no need to copy them to CloudWatch) and X-Ray tracing are on.
 */
export class CollectorWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CollectorWorkflowProps) {
    super(scope, id);
    const maxConcurrency = props.maxConcurrency ?? 4;
    const retries = props.serviceRetryAttempts ?? 6;
    requireInt(maxConcurrency, 'CollectorWorkflowProps', 'maxConcurrency', 1, 40);
    requireInt(retries, 'CollectorWorkflowProps', 'serviceRetryAttempts', 0, 20);
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

    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      stateName: STATE.plan,
      lambdaFunction: props.planFunction,
      payload: sfn.TaskInput.fromObject({
        units: props.units.map((u) => ({ ...u, auth: { ...u.auth } })),
        execution: { name: sfn.JsonPath.stringAt('$$.Execution.Name'), startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
        request: sfn.JsonPath.objectAt('$'),
      }),
      resultSelector: { run: sfn.JsonPath.objectAt('$.Payload.run'), units: sfn.JsonPath.listAt('$.Payload.units') },
      retryOnServiceExceptions: false,
    });
    plan.addRetry(serviceRetry);

    // Per unit: { run, unit, stats, checkpoint? }. No null anywhere: CDK drops nulls, and a path to a
    // missing field is a States.Runtime error that Catch cannot catch. `checkpoint` is absent on the first
    // invocation (the collector treats absent as null); `stats` is the last known counters, for the manifest.
    const collect = new tasks.LambdaInvoke(this, 'Collect', {
      stateName: STATE.collect,
      lambdaFunction: props.collectFunction,
      payload: sfn.TaskInput.fromJsonPathAt('$'),
      resultSelector: {
        done: sfn.JsonPath.stringAt('$.Payload.done'),
        checkpoint: sfn.JsonPath.objectAt('$.Payload.checkpoint'),
        stats: sfn.JsonPath.objectAt('$.Payload.stats'),
        waitSeconds: sfn.JsonPath.numberAt('$.Payload.waitSeconds'),
      },
      resultPath: '$.result',
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(props.collectTimeout.plus(Duration.minutes(1))),
    });
    collect.addRetry(serviceRetry);
    collect.addRetry(interruptedRetry);

    const failed = new sfn.Pass(this, 'Failed', {
      stateName: STATE.failed,
      parameters: {
        status: 'failed',
        unit: sfn.JsonPath.objectAt('$.unit'),
        stats: sfn.JsonPath.objectAt('$.stats'),
        error: sfn.JsonPath.objectAt('$.error'),
      },
    });
    collect.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const collected = new sfn.Pass(this, 'Collected', {
      stateName: STATE.collected,
      parameters: { status: 'collected', unit: sfn.JsonPath.objectAt('$.unit'), stats: sfn.JsonPath.objectAt('$.result.stats') },
    });
    const next = new sfn.Pass(this, 'Next', {
      stateName: STATE.next,
      parameters: {
        run: sfn.JsonPath.objectAt('$.run'),
        unit: sfn.JsonPath.objectAt('$.unit'),
        checkpoint: sfn.JsonPath.objectAt('$.result.checkpoint'),
        stats: sfn.JsonPath.objectAt('$.result.stats'),
      },
    });
    next.next(collect);
    // A unit the API rate limits for long (Bitbucket's hourly budget) returns its checkpoint with
    // `waitSeconds`; waiting here costs nothing, unlike sleeping in the Lambda. 0 passes straight through.
    const pause = new sfn.Wait(this, 'Pause', { stateName: STATE.pause, time: sfn.WaitTime.secondsPath('$.result.waitSeconds') });
    pause.next(next);
    const done = new sfn.Choice(this, 'Done', { stateName: STATE.done })
      .when(sfn.Condition.booleanEquals('$.result.done', true), collected)
      .otherwise(pause);

    const map = new sfn.Map(this, 'Units', {
      stateName: STATE.map,
      itemsPath: '$.units',
      itemSelector: {
        run: sfn.JsonPath.objectAt('$.run'),
        unit: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
        stats: emptyStats(),
      },
      maxConcurrency,
      resultPath: '$.results',
    });
    map.itemProcessor(collect.next(done));

    const finalize = new tasks.LambdaInvoke(this, 'Finalize', {
      stateName: STATE.finalize,
      lambdaFunction: props.finalizeFunction,
      payload: sfn.TaskInput.fromObject({ run: sfn.JsonPath.objectAt('$.run'), results: sfn.JsonPath.listAt('$.results') }),
      outputPath: '$.Payload',
      retryOnServiceExceptions: false,
    });
    // Finalize is idempotent (it recognises units it already published), so an interrupted one is retried too.
    finalize.addRetry(serviceRetry);
    finalize.addRetry(interruptedRetry);

    const runFailed = new sfn.Fail(this, 'RunFailed', { stateName: STATE.runFailed, error: UNITS_FAILED_ERROR, causePath: '$.message' });
    const runSucceeded = new sfn.Succeed(this, 'RunSucceeded', { stateName: STATE.runSucceeded });
    const anyFailed = new sfn.Choice(this, 'AnyFailed', { stateName: STATE.anyFailed })
      .when(sfn.Condition.numberGreaterThan('$.failed', 0), runFailed)
      .otherwise(runSucceeded);

    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      // The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName ?? Names.uniqueId(this)}`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      comment: 'Atlassian access collector: daily snapshot of who has access to what.',
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(map).next(finalize).next(anyFailed)),
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
    for (const fn of [props.planFunction, props.collectFunction, props.finalizeFunction]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnLogicalRef(fn)}.Arn>:*]`,
        reason: 'lambda:InvokeFunction on the function and its versions/aliases (ARN:*), as the CDK LambdaInvoke task grants.',
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
