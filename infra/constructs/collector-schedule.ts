import { Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { requireInt, requireProp } from './validate.ts';

export interface CollectorScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  /** EventBridge Scheduler expression. @default 'cron(0 3 * * ? *)' (daily, 03:00) */
  readonly expression?: string;
  /** IANA time zone of the expression. @default 'UTC' */
  readonly timeZone?: string;
  /** Whether the schedule starts runs. @default true */
  readonly enabled?: boolean;
  /** Retries when StartExecution fails (throttled, service error). @default 5 */
  readonly retryAttempts?: number;
  /** Give up starting a run after this long. @default Duration.hours(6) */
  readonly maxEventAge?: Duration;
}

/**
 * EventBridge Scheduler schedule that starts the workflow with input `{}` (all units, today's date).
 * A start that still fails after the retries lands in a dead-letter queue (alarmed).
 */
export class CollectorSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: CollectorScheduleProps) {
    super(scope, id);
    const expression = props.expression ?? 'cron(0 3 * * ? *)';
    const retryAttempts = props.retryAttempts ?? 5;
    const maxEventAge = props.maxEventAge ?? Duration.hours(6);
    requireProp(/^(cron|rate|at)\(.+\)$/.test(expression), 'CollectorScheduleProps', 'expression', `must be cron(...), rate(...) or at(...) (got '${expression}')`);
    requireInt(retryAttempts, 'CollectorScheduleProps', 'retryAttempts', 0, 185);
    requireProp(
      maxEventAge.toSeconds() >= 60 && maxEventAge.toSeconds() <= 86400,
      'CollectorScheduleProps',
      'maxEventAge',
      'must be between 1 minute and 24 hours',
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedule target.',
    });

    this.schedule = new scheduler.Schedule(this, 'Daily', {
      schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.of(props.timeZone ?? 'UTC')),
      description: 'Starts the Atlassian access collector run',
      enabled: props.enabled ?? true,
      target: new targets.StepFunctionsStartExecution(props.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts,
        maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
  }
}
