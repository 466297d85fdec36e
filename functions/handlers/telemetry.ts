import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { unitId } from '../../shared/config.ts';
import type { Logger, Redactor } from '../../shared/redact.ts';
import { METRICS_NAMESPACE, RUN_METRICS, UNIT_METRICS, unitMetricValues, type MetricsSink } from '../../shared/workflow/metrics.ts';

/**
 * The Lambdas' log lines and metrics through Powertools for AWS Lambda (TypeScript). The service name (and the
 * metrics' `service` dimension) comes from POWERTOOLS_SERVICE_NAME, which the stack sets to its name.
 */

/**
 * The shared code's Logger on Powertools Logger (JSON lines with level, service, timestamp and the Lambda
 * request id), every message and field passed through the unit's Redactor first: no secret reaches a log.
 */
export function lambdaLogger(redactor: Redactor): Logger {
  const pt = new PowertoolsLogger();
  const clean = (fields?: Record<string, unknown>): Record<string, unknown> => (fields ? (JSON.parse(redactor.redact(JSON.stringify(fields))) as Record<string, unknown>) : {});
  return {
    info: (m, f) => pt.info(redactor.redact(m), clean(f)),
    warn: (m, f) => pt.warn(redactor.redact(m), clean(f)),
    error: (m, f) => pt.error(redactor.redact(m), clean(f)),
  };
}

/** Emit in the embedded metric format (one JSON line on stdout, which CloudWatch turns into metrics). */
function emit(dimensions: Record<string, string>, values: Record<string, { unit: (typeof MetricUnit)[keyof typeof MetricUnit]; value: number }>): void {
  const m = new Metrics({ namespace: METRICS_NAMESPACE, defaultDimensions: dimensions });
  for (const [name, { unit, value }] of Object.entries(values)) m.addMetric(name, unit, value);
  m.publishStoredMetrics();
}

/** The workflow's metrics (shared/workflow/metrics.ts) through Powertools Metrics. */
export function lambdaMetrics(): MetricsSink {
  return {
    unitSettled(unit, status, stats) {
      const values = Object.fromEntries(
        Object.entries(unitMetricValues(status, stats)).map(([name, value]) => [name, { unit: name === UNIT_METRICS.durationSeconds ? MetricUnit.Seconds : MetricUnit.Count, value }]),
      );
      emit({ Unit: unitId(unit) }, values);
      emit({}, { [status === 'published' ? RUN_METRICS.unitsPublished : RUN_METRICS.unitsFailed]: { unit: MetricUnit.Count, value: 1 } });
    },
    staleUnits(count) {
      emit({}, { [RUN_METRICS.staleUnits]: { unit: MetricUnit.Count, value: count } });
    },
  };
}
