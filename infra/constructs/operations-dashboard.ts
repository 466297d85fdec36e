import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, RUN_METRICS, UNIT_METRICS } from '../../shared/workflow/metrics.ts';

export interface OperationsDashboardProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The `service` dimension of the Lambdas' metrics (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** Alarms shown in the status widget. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** @default `<serviceName>-operations` */
  readonly dashboardName?: string;
}

/**
 * The CloudWatch dashboard of the daily run: runs by outcome, units published/failed/stale per day, and per unit
 * (one line each, found with SEARCH on the `Unit` dimension) rows, requests, retries, 429s, duration and
 * invocations of each date, beside the alarms' state.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const day = Duration.days(1);
    const sm = props.stateMachine;
    const run = (metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: props.serviceName }, statistic: 'Sum', period: day, label });
    const perUnit = (metricName: string, label: string) =>
      new cloudwatch.GraphWidget({
        title: `${label} per unit`,
        width: 8,
        period: day,
        left: [
          new cloudwatch.MathExpression({
            // One line per unit: every Unit value of this deployment's metric.
            expression: `SEARCH('{${METRICS_NAMESPACE},Unit,service} MetricName="${metricName}" service="${props.serviceName}"', 'Maximum', 86400)`,
            label: '',
            period: day,
          }),
        ],
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${props.serviceName}-operations`,
      defaultInterval: Duration.days(14),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Runs',
            width: 8,
            period: day,
            left: [
              sm.metricSucceeded({ period: day, statistic: 'Sum', label: 'succeeded' }),
              sm.metricFailed({ period: day, statistic: 'Sum', label: 'failed' }),
              sm.metricTimedOut({ period: day, statistic: 'Sum', label: 'timed out' }),
              sm.metricAborted({ period: day, statistic: 'Sum', label: 'aborted' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Units',
            width: 8,
            period: day,
            left: [run(RUN_METRICS.unitsPublished, 'published'), run(RUN_METRICS.unitsFailed, 'failed')],
            right: [new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: RUN_METRICS.staleUnits, dimensionsMap: { service: props.serviceName }, statistic: 'Maximum', period: day, label: 'stale (> 26 h)' })],
          }),
        ],
        [perUnit(UNIT_METRICS.rows, 'Rows'), perUnit(UNIT_METRICS.requests, 'Requests'), perUnit(UNIT_METRICS.retries, 'Retries')],
        [perUnit(UNIT_METRICS.throttled, '429 answers'), perUnit(UNIT_METRICS.durationSeconds, 'Collect seconds'), perUnit(UNIT_METRICS.invocations, 'Invocations')],
      ],
    });
  }
}
