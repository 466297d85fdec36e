import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { REPO_ROOT } from '../../infra/constructs/collector-functions.ts';
import type { CollectorStack } from '../../infra/stack.ts';
import { testApp } from './support/synth.ts';

/** cdk-nag (AwsSolutions) and cfn-lint over the app exactly as `cdk synth` builds it (infra/app.ts, example config). */

let stack: CollectorStack;
let template: Record<string, unknown>;
let dir: string;

beforeAll(async () => {
  const built = buildApp(testApp({ config: join(REPO_ROOT, 'collector.config.example.json') }));
  stack = built.stack;
  built.app.synth(); // throws if cdk-nag reports an unacknowledged finding
  template = Template.fromStack(stack).toJSON() as Record<string, unknown>;
  dir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('cdk-nag AwsSolutions', () => {
  it('reports zero unacknowledged findings', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('also for an environment-specific stack (cdk synth with a region resolves ARNs differently)', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'eu-central-1';
    try {
      const envStack = buildApp(testApp({ config: join(REPO_ROOT, 'collector.config.example.json') })).stack;
      expect(envStack.region).toBe('eu-central-1');
      expect(new AwsSolutionsChecks().validateScope(envStack).violations.map((v) => v.ruleName)).toEqual([]);
    } finally {
      for (const [k, v] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('every acknowledgement says why', () => {
    const acks = Object.values(template.Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>).flatMap(
      (r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );
    expect(acks.length).toBeGreaterThan(5);
    for (const a of acks) expect(a.reason.length, a.id).toBeGreaterThanOrEqual(40);
  });
});

describe('cfn-lint', () => {
  it('reports no error on the synthesized template', async () => {
    const file = join(dir, 'Collector.template.json');
    await writeFile(file, JSON.stringify(template));
    const run = promisify(execFile);
    let stdout: string;
    try {
      ({ stdout } = await run('cfn-lint', ['--format', 'json', '--', file], { maxBuffer: 16 * 1024 * 1024 }));
    } catch (e) {
      // cfn-lint exits non-zero when it reports anything, warnings included (exit 4); errors set bit 2.
      const err = e as { code?: number | string; stdout?: string };
      if (err.code === 'ENOENT') throw new Error('cfn-lint is not installed (pip install cfn-lint)');
      stdout = err.stdout ?? '[]';
    }
    const findings = JSON.parse(stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`)).toEqual([]);
  });
});
