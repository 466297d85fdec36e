import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Config } from '../../../shared/config.ts';
import { parseConfig } from '../../../infra/config.ts';
import { REPO_ROOT } from '../../../infra/constructs/collector-functions.ts';
import { CollectorStack, type CollectorStackProps } from '../../../infra/stack.ts';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const json = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return json.context ?? {};
}

// Without an outdir each App writes a cdk.out* folder into the temp dir and leaves it there: give each one a folder
// this process removes when it exits.
const outdirs: string[] = [];
process.once('exit', () => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

/** An App that skips esbuild bundling (10x faster) but otherwise synthesizes like `cdk synth`. */
export function testApp(context: Record<string, unknown> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
}

export function exampleConfig(): Config {
  return parseConfig(JSON.parse(readFileSync(join(REPO_ROOT, 'collector.config.example.json'), 'utf8')), 'collector.config.example.json');
}

/** Synthesize the stack (with cdk-nag, which throws on an unacknowledged finding) and return its template. */
export function synthStack(config: Config, props: Omit<CollectorStackProps, 'config'> = {}): { stack: CollectorStack; template: Template } {
  const app = testApp();
  const stack = new CollectorStack(app, 'Collector', { config, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  return { stack, template: Template.fromStack(stack) };
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions → strings, so the synthesized state machine runs locally.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ResolveContext {
  /** Values of `Ref` by logical id (e.g. the data bucket → the moto bucket name). */
  readonly refs?: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly account?: string;
}

const PSEUDO: Record<string, (c: ResolveContext) => string> = {
  'AWS::Partition': () => 'aws',
  'AWS::Region': (c) => c.region ?? 'us-east-1',
  'AWS::AccountId': (c) => c.account ?? '123456789012',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': () => 'Collector',
};

/** Replace Ref, Fn::GetAtt and Fn::Join with strings. Unknown intrinsics throw, naming themselves. */
export function resolveIntrinsics(value: Json, ctx: ResolveContext = {}, template?: Record<string, { Type: string }>): Json {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, ctx, template));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0] as string;
    const v = value[k] as Json;
    if (k === 'Ref' && typeof v === 'string') {
      const pseudo = PSEUDO[v];
      if (pseudo) return pseudo(ctx);
      return ctx.refs?.[v] ?? v;
    }
    if (k === 'Fn::GetAtt' && Array.isArray(v)) {
      const [id, attr] = v as [string, string];
      const type = template?.[id]?.Type;
      if (attr === 'Arn' && type === 'AWS::Lambda::Function') return `arn:aws:lambda:${ctx.region ?? 'us-east-1'}:${ctx.account ?? '123456789012'}:function:${id}`;
      if (attr === 'Arn') return `arn:aws:${(type ?? 'unknown::x').split('::')[1]?.toLowerCase()}:::${ctx.refs?.[id] ?? id}`;
      return `${id}.${attr}`;
    }
    if (k === 'Fn::Join' && Array.isArray(v)) {
      const [sep, parts] = v as [string, Json[]];
      return parts.map((p) => resolveIntrinsics(p, ctx, template)).join(sep);
    }
    if (k.startsWith('Fn::')) throw new Error(`resolveIntrinsics: ${k} is not supported`);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(value[k] as Json, ctx, template)]));
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
}

function resources(template: Template): Record<string, CfnResource> {
  return (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
}

/** Logical id of the only resource of `type` (throws if there is not exactly one). */
export function onlyResource(template: Template, type: string): string {
  const ids = Object.entries(resources(template))
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

/** The state machine definition as runnable ASL. */
export function stateMachineDefinition(template: Template, ctx: ResolveContext = {}): Record<string, Json> {
  const res = resources(template);
  const id = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  const body = res[id]?.Properties?.DefinitionString as Json;
  const text = resolveIntrinsics(body, ctx, res);
  if (typeof text !== 'string') throw new Error('DefinitionString did not resolve to a string');
  return JSON.parse(text) as Record<string, Json>;
}

/** A Lambda's environment variables, resolved. Functions are found by their handler file (`collect`, …). */
export function functionEnvironment(template: Template, handler: 'plan' | 'collect' | 'finalize' | 'report', ctx: ResolveContext = {}): Record<string, string> {
  const res = resources(template);
  const entry = Object.entries(res).find(([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description ?? '').endsWith(`: ${handler}`));
  if (!entry) throw new Error(`no ${handler} function in the template`);
  const env = (entry[1].Properties?.Environment as { Variables?: Json } | undefined)?.Variables ?? {};
  return resolveIntrinsics(env, ctx, res) as Record<string, string>;
}

/** Logical id of the data bucket (the versioned one). */
export function dataBucketId(template: Template): string {
  const res = resources(template);
  const id = Object.entries(res).find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.VersioningConfiguration)?.[0];
  if (!id) throw new Error('no data bucket in the template');
  return id;
}
