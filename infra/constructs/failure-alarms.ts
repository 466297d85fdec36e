import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FRESHNESS_HOURS, METRICS_NAMESPACE, RUN_METRICS } from '../../shared/workflow/metrics.ts';
import { cloudWatchAlarmsStatement } from './encryption-key.ts';
import { requireProp } from './validate.ts';

export interface FailureAlarmsProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The `service` dimension the Lambdas emit their metrics with (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** Dead-letter queue of the schedule: a message means a run was never started. @default no alarm */
  readonly scheduleDeadLetterQueue?: sqs.IQueue;
  /** E-mail subscribed to the alarm topic (confirm the subscription mail). @default no subscription */
  readonly email?: string;
  /**
   * Customer-managed key of the topic (config `aws.kms`); its policy must let CloudWatch alarms of this account
   * use it (CollectorKey adds that to a key it creates). @default a key of the topic's own
   */
  readonly key?: kms.IKey;
}

/**
 * An SNS topic (encrypted with its own KMS key, TLS only) and alarms on it: a run failed, timed out or
 * was aborted; a unit has not published for 26 hours (two alarms: the check at the end of each run, and no
 * publish at all, for when no run gets that far); a scheduled start was given up (dead-letter queue).
 * Separate alarms, each back to OK by itself (missing data is not breaching, except for "nothing published"),
 * so a unit that stays stale for days does not hide a new failed run.
 */
export class FailureAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly runAlarm: cloudwatch.Alarm;
  /** A unit of the last run has not published for 26 h (StaleUnits >= 1, emitted by finalize). */
  readonly staleAlarm: cloudwatch.Alarm;
  /** No unit published for 26 h (UnitsPublished missing or 0 in each of 26 hourly periods). */
  readonly nothingPublishedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailureAlarmsProps) {
    super(scope, id);
    if (props.email !== undefined) requireProp(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email), 'FailureAlarmsProps', 'email', `must be an e-mail address (got '${props.email}')`);

    // CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key: a customer key
    // whose policy lets this account's CloudWatch alarms (and no other account's: aws:SourceAccount/SourceArn) use it.
    let key = props.key;
    if (!key) {
      const own = new kms.Key(this, 'TopicKey', {
        description: 'Encrypts the Atlassian access collector alarm topic',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      own.addToResourcePolicy(cloudWatchAlarmsStatement());
      key = own;
    }
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Atlassian access collector alarms', masterKey: key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subs.EmailSubscription(props.email));
    const action = new actions.SnsAction(this.topic);

    const period = Duration.minutes(5);
    this.runAlarm = new cloudwatch.Alarm(this, 'RunFailed', {
      alarmDescription: 'An Atlassian access collector run failed, timed out or was aborted. Its manifest (manifests/dt=<date>/) names the failed units and errors.',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: props.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: props.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: props.stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        period,
        label: 'runs that did not succeed',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.runAlarm.addAlarmAction(action);

    const runMetric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: props.serviceName }, statistic, period: Duration.hours(1) });
    this.staleAlarm = new cloudwatch.Alarm(this, 'UnitsStale', {
      alarmDescription: `A unit of the Atlassian access collector has not published for more than ${FRESHNESS_HOURS} hours (checked at the end of each run). The finalize log line "units not published for more than 26 hours" and the manifest name them: a revoked token, a removed permission, or a unit failing every day.`,
      metric: runMetric(RUN_METRICS.staleUnits, 'Maximum'),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.staleAlarm.addAlarmAction(action);
    this.nothingPublishedAlarm = new cloudwatch.Alarm(this, 'NothingPublished', {
      alarmDescription: `No unit of the Atlassian access collector has published for ${FRESHNESS_HOURS} hours: the schedule, the state machine or every credential is broken. Check the last execution and the schedule.`,
      metric: runMetric(RUN_METRICS.unitsPublished, 'Sum'),
      threshold: 1,
      // 26 hourly periods, every one without a publish (CloudWatch allows Period x EvaluationPeriods up to 7 days).
      evaluationPeriods: FRESHNESS_HOURS,
      datapointsToAlarm: FRESHNESS_HOURS,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.nothingPublishedAlarm.addAlarmAction(action);

    if (props.scheduleDeadLetterQueue) {
      const dlq = new cloudwatch.Alarm(this, 'ScheduleGaveUp', {
        alarmDescription: 'The schedule could not start an Atlassian access collector run (see the dead-letter queue).',
        metric: props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      dlq.addAlarmAction(action);
    }
  }
}
