import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaLogger, lambdaMetrics } from '../../functions/handlers/telemetry.ts';
import type { Unit } from '../../shared/config.ts';
import { emptyStats } from '../../shared/contract.ts';
import { Redactor } from '../../shared/redact.ts';

/** What Powertools writes (to the global console in dev mode; to stdout in Lambda). */
let lines: string[];
const saved = { ...process.env };
beforeEach(() => {
  lines = [];
  // Dev mode turns metrics off unless POWERTOOLS_METRICS_DISABLED says otherwise.
  Object.assign(process.env, { POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_SERVICE_NAME: 'acme-collector' });
  for (const level of ['log', 'info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

const unit: Unit = { org: 'acme', product: 'jira', siteUrl: 'https://acme.atlassian.net', auth: { kind: 'basic', secretName: 's/a' } };
type Emf = Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
const emf = () => lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);

describe('Lambda metrics (embedded metric format through Powertools Metrics)', () => {
  it('a published unit: its totals under dimensions service + Unit, and one UnitsPublished under service', () => {
    // Prepare
    const stats = { ...emptyStats(), rows: { jira_users: 700, jira_groups: 14 }, requests: 120, retries: 3, throttled: 2, invocations: 9, elapsedMs: 65_432 };
    // Act
    lambdaMetrics().unitSettled(unit, 'published', stats);
    // Assess
    const [perUnit, run] = emf();
    expect(perUnit?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'AtlassianAccessCollector',
        Dimensions: [['service', 'Unit']],
        Metrics: [
          { Name: 'UnitRows', Unit: 'Count' },
          { Name: 'UnitRequests', Unit: 'Count' },
          { Name: 'UnitRetries', Unit: 'Count' },
          { Name: 'UnitThrottled', Unit: 'Count' },
          { Name: 'UnitDurationSeconds', Unit: 'Seconds' },
          { Name: 'UnitInvocations', Unit: 'Count' },
          { Name: 'UnitPublished', Unit: 'Count' },
        ],
      },
    ]);
    expect(perUnit).toMatchObject({ service: 'acme-collector', Unit: 'acme/jira/acme.atlassian.net', UnitRows: 714, UnitRequests: 120, UnitRetries: 3, UnitThrottled: 2, UnitDurationSeconds: 65.4, UnitInvocations: 9, UnitPublished: 1 });
    expect(run?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(run).toMatchObject({ service: 'acme-collector', UnitsPublished: 1 });
    expect(emf()).toHaveLength(2);
  });

  it('a failed unit counts UnitPublished 0 and one UnitsFailed', () => {
    lambdaMetrics().unitSettled(unit, 'failed', emptyStats());
    const [perUnit, run] = emf();
    expect(perUnit).toMatchObject({ UnitPublished: 0, Unit: 'acme/jira/acme.atlassian.net' });
    expect(run).toMatchObject({ UnitsFailed: 1 });
    expect(run).not.toHaveProperty('UnitsPublished');
  });

  it('the freshness check: StaleUnits under service only', () => {
    lambdaMetrics().staleUnits(3);
    const [only] = emf();
    expect(only?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'AtlassianAccessCollector', Dimensions: [['service']], Metrics: [{ Name: 'StaleUnits', Unit: 'Count' }] });
    expect(only).toMatchObject({ StaleUnits: 3 });
  });
});

describe('Lambda logger (Powertools Logger behind the Redactor)', () => {
  it('never writes a registered secret, in the message or the fields', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-api-token');
    lambdaLogger(redactor).warn('retrying with s3cr3t-api-token', { header: 'Basic abc', nested: { token: 's3cr3t-api-token' } });
    const line = lines.find((l) => l.includes('retrying'));
    expect(line).toBeDefined();
    expect(line).not.toContain('s3cr3t-api-token');
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'WARN', service: 'acme-collector', message: 'retrying with [REDACTED]', nested: { token: '[REDACTED]' } });
  });
});
