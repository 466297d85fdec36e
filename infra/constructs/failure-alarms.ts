import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { cloudWatchAlarmsStatement } from './encryption-key.ts';
import { requireProp } from './validate.ts';

export interface FailureAlarmsProps {
  readonly stateMachine: sfn.IStateMachine;
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
 * was aborted; a scheduled start was given up (dead-letter queue).
 */
export class FailureAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly runAlarm: cloudwatch.Alarm;

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
