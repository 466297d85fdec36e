import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketEncryptionCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { gzipSync } from 'node:zlib';
import { ExecutionError, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCollectHandler } from '../../functions/handlers/collect.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/engine/collect.ts';
import { createFinalizeHandler } from '../../functions/handlers/finalize.ts';
import { createReportHandler } from '../../functions/handlers/report.ts';
import { QueryFailedError } from '../../shared/sql/errors.ts';
import { createPlanHandler } from '../../functions/handlers/plan.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import { parseConfig } from '../../infra/config.ts';
import { siteHost, unitId, unitSlug, type Product, type Unit } from '../../shared/config.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { confluenceTenant, DEFAULT_CREDENTIALS, jiraTenant, jsmTenant, startSimulator, type JiraSim, type ProductSim, type Simulator } from '../../simulator/index.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { DATA_PREFIX, manifestKey, runLockKey, STATE, UNITS_FAILED_ERROR } from '../../shared/workflow/names.ts';
import { FinalizeSummarySchema } from '../../shared/workflow/progress.ts';
import { ManifestSchema, SiteInputSchema, type Manifest } from '../../shared/workflow/schemas.ts';
import { readUnitState } from '../../shared/workflow/state-store.ts';
import { freshBucket, motoKms, motoS3, motoSecrets } from '../support/moto.ts';
import { runLocalWorkflow, type LocalExecution } from './support/local-workflow.ts';
import { dataBucketId, functionEnvironment, stateMachineDefinition, synthStack } from './support/synth.ts';

/**
 * The synthesized state machine (parent and child from the template), executed locally by aws-local-stepfunctions
 * with the real plan, collect and finalize handlers, S3 and Secrets Manager in moto_server, and simulated sites:
 * acme/A (big Jira: many invocations, one killed mid-way), acme/B (small, its first invocation throttled),
 * globex/C (wrong API token), and acme/D, one site serving Jira, JSM and Confluence (three units that share
 * one rate limit). The Distributed Map itself is simulated (see support/local-workflow.ts): aws-local-stepfunctions
 * cannot run ItemReader, ResultWriter or child executions.
 */

const MAX_REQUESTS = 3;
/** Connections per unit, as the deployed collect Lambda uses them: the budget of one site, whose units run one after another. */
const SITE_BUDGET = DEFAULT_CONCURRENCY;
const fastHttp = { timeoutMs: 3000, concurrency: SITE_BUDGET, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 4 } };
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };
/** Step Functions' limits (Quotas: 256 KiB of state payload, 25,000 history events per execution). */
const PAYLOAD_LIMIT = 256 * 1024;
const EVENT_LIMIT = 25_000;

interface Site {
  key: 'A' | 'B' | 'C' | 'D';
  org: string;
  tenants: { product: Product; tenant: ProductSim & { groundTruth(): Record<string, Record<string, unknown>[]> } }[];
  sim?: Simulator;
  units: Unit[];
}

const sites: Site[] = [
  { key: 'A', org: 'acme', tenants: [{ product: 'jira', tenant: jiraTenant({ seed: 41, users: 700, groups: 14, memberships: 400, projects: 6, vanishingGroups: 1 }) }], units: [] },
  { key: 'B', org: 'acme', tenants: [{ product: 'jira', tenant: jiraTenant({ seed: 42, users: 40, groups: 4, memberships: 30, projects: 2 }) }], units: [] },
  { key: 'C', org: 'globex', tenants: [{ product: 'jira', tenant: jiraTenant({ seed: 43, users: 30, groups: 3, memberships: 20, projects: 1 }) }], units: [] },
  {
    key: 'D',
    org: 'acme',
    tenants: [
      { product: 'jira', tenant: jiraTenant({ seed: 44, users: 120, groups: 6, memberships: 90, projects: 3 }) },
      { product: 'jsm', tenant: jsmTenant({ seed: 45, customers: 30, agents: 5, serviceDesks: 2, organizations: 2, platformRoutes: false }) },
      { product: 'confluence', tenant: confluenceTenant({ seed: 46, users: 40, groups: 3, memberships: 30, spaces: 3, personalSpaces: 1 }) },
    ],
    units: [],
  },
];

let s3: S3Client;
let secrets: SecretsManagerClient;
let bucket: string;
let definition: StateMachineDefinition;
/** ARN of the moto KMS key standing for the stack's customer-managed key (the stack has `aws.kms` on). */
let keyArn: string;
let reportEnvironment: Record<string, string> = {};
const savedEnv = { ...process.env };
/** What the handlers log (console.log in Lambda): kept to check no credential leaks, not printed. */
const logLines: string[] = [];
/** Report queries run (each fails: there is no Athena here). */
const reports = { failed: 0 };

function site(key: Site['key']): Site {
  const s = sites.find((x) => x.key === key);
  if (!s) throw new Error(`no site ${key}`);
  return s;
}
function unitOf(key: Site['key'], product: Product = 'jira'): Unit {
  const u = site(key).units.find((x) => x.product === product);
  if (!u) throw new Error(`site ${key} has no ${product} unit`);
  return u;
}

async function putGz(key: string, rows: Record<string, unknown>[]): Promise<Buffer> {
  const body = gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return body;
}

async function getBytes(key: string): Promise<Buffer | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  } catch (e) {
    if ((e as Error).name === 'NoSuchKey') return undefined;
    throw e;
  }
}

async function manifestOf(id: string, date: string): Promise<Manifest> {
  return ManifestSchema.parse(JSON.parse((await getBytes(manifestKey({ id, date })))?.toString('utf8') ?? 'null'));
}

beforeAll(async () => {
  // Powertools Logger and Metrics write to the global console in dev mode (in Lambda, to their own on stdout).
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logLines.push(args.map(String).join(' ')));
  }
  s3 = motoS3();
  secrets = motoSecrets();
  bucket = await freshBucket(s3, 'wf');
  const tag = Math.random().toString(36).slice(2, 8);
  for (const s of sites) {
    // Site D answers after 25 ms, as a real site takes a while: requests a unit sends in parallel are then seen in flight together.
    s.sim = await startSimulator({ products: s.tenants.map((t) => t.tenant), seed: 7, ...(s.key === 'D' ? { latencyMs: 25 } : {}) });
    const secretName = `wf-${tag}/${s.org}/${s.key}`;
    s.units = s.tenants.map((t) => ({ org: s.org, product: t.product, siteUrl: s.sim?.url ?? '', auth: { kind: 'basic', secretName } }));
    const apiToken = s.key === 'C' ? 'revoked-token-0000' : DEFAULT_CREDENTIALS.apiToken;
    await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ email: DEFAULT_CREDENTIALS.email, apiToken }) }));
  }
  const strip = (u: Unit) => ({ product: u.product, siteUrl: u.siteUrl, auth: u.auth });
  const config = parseConfig(
    {
      organizations: [
        { id: 'acme', units: [...site('A').units, ...site('B').units, ...site('D').units].map(strip) },
        { id: 'globex', units: site('C').units.map(strip) },
      ],
      concurrency: 2,
      aws: { secrets: 'existing', kms: { mode: 'create' } },
    },
    'workflow test config',
  );
  const { template } = synthStack(config, { maxRequestsPerInvocation: MAX_REQUESTS });
  keyArn = (await motoKms().send(new CreateKeyCommand({ Description: 'workflow test: the stack key' }))).KeyMetadata?.Arn ?? '';
  const res = (template.toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }).Resources;
  const keyId = Object.keys(res).find((id) => res[id]?.Type === 'AWS::KMS::Key') ?? '';
  // The data bucket's encryption exactly as the template sets it, the key mapped to the moto key.
  const encryption: unknown = JSON.parse(
    JSON.stringify(res[dataBucketId(template)]?.Properties.BucketEncryption).replaceAll(JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }), JSON.stringify(keyArn)),
  );
  const rule = (encryption as { ServerSideEncryptionConfiguration: { BucketKeyEnabled: boolean; ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms'; KMSMasterKeyID: string } }[] }).ServerSideEncryptionConfiguration[0];
  expect(rule).toEqual({ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } });
  // CloudFormation's ServerSideEncryptionByDefault is the S3 API's ApplyServerSideEncryptionByDefault.
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: rule?.ServerSideEncryptionByDefault, BucketKeyEnabled: rule?.BucketKeyEnabled }] },
    }),
  );
  const ctx = { refs: { [dataBucketId(template)]: bucket } };
  definition = stateMachineDefinition(template, ctx) as unknown as StateMachineDefinition;
  // The Lambdas' environment exactly as the template sets it (bucket name mapped to the moto bucket).
  const collectEnv = functionEnvironment(template, 'collect', ctx);
  const finalizeEnv = functionEnvironment(template, 'finalize', ctx);
  const planEnv = functionEnvironment(template, 'plan', ctx);
  const reportEnv = functionEnvironment(template, 'report', ctx);
  expect(collectEnv.DATA_BUCKET).toBe(finalizeEnv.DATA_BUCKET);
  expect(planEnv.DATA_BUCKET).toBe(finalizeEnv.DATA_BUCKET);
  expect(collectEnv.DATA_PREFIX).toBe(finalizeEnv.DATA_PREFIX);
  expect(collectEnv.MAX_REQUESTS_PER_INVOCATION).toBe(String(MAX_REQUESTS));
  Object.assign(process.env, collectEnv, finalizeEnv, planEnv);
  // The report Lambda's own environment (its ATHENA_WORKGROUP would turn on finalize's Parquet conversion here).
  reportEnvironment = reportEnv;
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all(sites.map((s) => s.sim?.close()));
});

interface Faults {
  throttleUnit?: string;
  killUnit?: string;
  killAt?: number;
  /** Stop the whole execution (parent and children) during this unit's n-th or a later invocation, once `abortAfterPublished` is published. */
  abortUnit?: string;
  abortAt?: number;
  abortAfterPublished?: Unit;
  /** Called once, at the first collect step of the run (while the execution runs). */
  duringFirstStep?: () => Promise<void>;
}

/** Executions of this file that are running, by ARN: what DescribeExecution tells the plan Lambda (the run lock). */
const runningExecutions = new Set<string>();

/** Run the synthesized definition locally with the real handlers; counts collect invocations per unit. */
function execute(input: Record<string, unknown>, runId: string, faults: Faults = {}): LocalExecution & { invocations: Map<string, number>; counters: { throttled: number; killed: number } } {
  const collectHandler = createCollectHandler({ s3: motoS3, secrets: motoSecrets, http: fastHttp });
  const finalizeHandler = createFinalizeHandler({ s3: motoS3 });
  const planHandler = createPlanHandler({ s3: motoS3, isRunning: async (arn) => runningExecutions.has(arn) });
  // No Athena here: every report query fails, as Athena would with a broken view. The run's outcome must not change.
  const reportHandler = createReportHandler({
    s3: motoS3,
    env: reportEnvironment,
    runner: () => ({
      engine: 'athena',
      run: async (name) => {
        reports.failed++;
        throw new QueryFailedError(name, 'Athena query q-1 FAILED in workgroup atlassian-access: simulated');
      },
    }),
  });
  const invocations = new Map<string, number>();
  const counters = { throttled: 0, killed: 0 };
  let execution: LocalExecution | undefined;
  let aborted = false;
  let firstStepSeen = false;
  const run = runLocalWorkflow(input as never, runId, {
    definition,
    s3,
    plan: planHandler,
    finalize: (p) => finalizeHandler(p),
    report: (p) => reportHandler(p),
    collect: (p) => collectHandler(p, lambdaContext),
    aroundCollect: async (payload, call) => {
      const p = payload as { action: string };
      if (p.action !== 'step') return call();
      const input = SiteInputSchema.parse(payload);
      if (faults.duringFirstStep && !firstStepSeen) {
        firstStepSeen = true;
        await faults.duringFirstStep();
      }
      // The unit this step will work on: the first of the site whose record is not settled by this run.
      let id = '';
      for (const u of input.site.units) {
        const r = await readUnitState(new S3Store(s3, bucket), input.run.date, u);
        const settled = r && ((r.lastRun === input.run.id && (r.status === 'published' || r.status === 'failed')) || (r.status === 'published' && !input.force));
        if (!settled) {
          id = unitId(u);
          break;
        }
      }
      if (id && id === faults.throttleUnit && counters.throttled === 0) {
        counters.throttled++;
        // What the lambda:invoke integration raises when Lambda rejects the call: the function never ran.
        throw Object.assign(new Error('Rate Exceeded. (Service: Lambda, Status Code: 429)'), { name: 'Lambda.TooManyRequestsException' });
      }
      const n = (invocations.get(id) ?? 0) + 1;
      if (id) invocations.set(id, n);
      if (id && id === faults.abortUnit && n >= (faults.abortAt ?? 1) && !aborted) {
        // Hold this unit's step until the other unit (another site's child, running beside it) has published, so the
        // stop lands mid-way through this unit whichever child is faster on the machine, never after its last step.
        const other = faults.abortAfterPublished;
        for (let waited = 0; other && (await readUnitState(new S3Store(s3, bucket), input.run.date, other))?.status !== 'published'; waited += 50) {
          if (waited > 300_000) throw new Error(`test harness: ${unitId(other)} did not publish within 5 minutes while ${id} waited for it`);
          await new Promise((r) => setTimeout(r, 50));
        }
        aborted = true;
        execution?.abort();
      }
      const result = await call();
      if (id && id === faults.killUnit && n === faults.killAt) {
        // The function ran and wrote its parts and checkpoint, then was killed before returning.
        counters.killed++;
        throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
      }
      return result;
    },
  });
  execution = run;
  runningExecutions.add(run.executionArn);
  void run.result.then(
    () => runningExecutions.delete(run.executionArn),
    () => runningExecutions.delete(run.executionArn),
  );
  return Object.assign(run, { invocations, counters });
}

async function expectTruth(key: Site['key'], date: string): Promise<void> {
  const store = new S3Store(s3, bucket, DATA_PREFIX);
  const s = site(key);
  for (const { product, tenant } of s.tenants) {
    // JSM's desk-project roles are Jira platform routes, served on a shared site by the Jira tenant (which does not
    // know the desk projects): JSM is checked in its own integration test, here only Jira and Confluence.
    if (product === 'jsm') continue;
    const host = siteHost(unitOf(key, product));
    const truth = tenant.groundTruth();
    for (const [table, expected] of Object.entries(truth)) {
      const rows = (await readPublished(store, table, { date }, s.org)).filter((r) => r.site === host);
      const d = diffRows(expected, rows);
      expect({ site: key, table, missing: d.missing.slice(0, 2), extra: d.extra.slice(0, 2), duplicates: d.duplicates.slice(0, 2) }).toEqual({
        site: key,
        table,
        missing: [],
        extra: [],
        duplicates: [],
      });
    }
  }
}

function figures(label: string, run: LocalExecution, elapsedMs: number): { parentBytes: number; childBytes: number; parentEvents: number; childEvents: number } {
  const childBytes = Math.max(...run.children.map((c) => c.maxPayloadBytes));
  const childEvents = Math.max(...run.children.map((c) => c.events));
  process.stdout.write(
    `[workflow.local] ${label}: children=${run.children.length} parent: maxPayload=${run.parent.maxPayloadBytes} B (${run.parent.maxPayloadState}) events=${run.parent.events}; ` +
      `child: maxPayload=${childBytes} B events=${childEvents}; elapsed=${elapsedMs} ms\n`,
  );
  return { parentBytes: run.parent.maxPayloadBytes, childBytes, parentEvents: run.parent.events, childEvents };
}

// Minutes each on an idle machine; on a 2-core machine shared with several test runs the first takes over 10.
describe('synthesized workflow (parent + child per site), run locally', { timeout: 1_200_000 }, () => {
  it('publishes each good unit equal to ground truth, keeps the failed unit\u2019s previous snapshot, fails the run, with bounded state', async () => {
    const date = '2026-11-27';
    const runId = 'exec-local-1';
    const [A, B, C] = [unitOf('A'), unitOf('B'), unitOf('C')];
    // Pre-seeded: globex/C has a snapshot from an earlier run of the same day; acme/A a stale one that must be replaced.
    const oldC = `${DATA_PREFIX}/jira_users/dt=${date}/org=globex/${unitSlug(C)}--earlier-run--part-00000-000.json.gz`;
    const oldCBytes = await putGz(oldC, [{ account_id: 'previous', site: siteHost(C) }]);
    const staleA = `${DATA_PREFIX}/jira_users/dt=${date}/org=acme/${unitSlug(A)}--earlier-run--part-00000-000.json.gz`;
    await putGz(staleA, [{ account_id: 'stale', site: siteHost(A) }]);
    for (const s of sites) s.sim?.resetStats();

    const started = Date.now();
    const run = execute({ date }, runId, { throttleUnit: unitId(B), killUnit: unitId(A), killAt: 3 });
    const error = await run.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    const f = figures('6 units on 4 sites', run, Date.now() - started);

    // The execution ends failed, with the Fail state's error, after finalize ran.
    expect(error).toBeInstanceOf(ExecutionError);
    const cause = (error as ExecutionError).cause as Error;
    expect(cause.name).toBe(UNITS_FAILED_ERROR);
    expect(cause.message).toMatch(/1 of 6 units failed: globex\/jira\/.* \(AuthenticationError/);

    // Throttled call and killed invocation were retried by the state machine (not caught as failures).
    expect(run.counters.throttled).toBe(1);
    expect(run.counters.killed).toBe(1);
    expect(run.retried).toContain(`${STATE.step}:Lambda.ServiceException`);
    expect(run.retried).toContain(`${STATE.step}:Lambda.ClientExecutionTimeoutException`);

    // Good units: published, equal to ground truth, table by table; the stale file replaced.
    for (const key of ['A', 'B', 'D'] as const) await expectTruth(key, date);
    expect(await getBytes(staleA)).toBeUndefined();

    // Failed unit: its previous snapshot is untouched and nothing else was published for it.
    expect(await getBytes(oldC)).toEqual(oldCBytes);
    const store = new S3Store(s3, bucket, DATA_PREFIX);
    for (const t of jiraTables) {
      const keys = await store.list(`${t.name}/dt=${date}/org=globex/`);
      expect(keys).toEqual(t.name === 'jira_users' ? [oldC.slice(DATA_PREFIX.length + 1)] : []);
    }
    expect(await store.list(`_staging/run=${runId}/org=acme/`)).toEqual([]);

    // The manifest names every unit, its counters and the failed unit's bounded error.
    const manifest = await manifestOf(runId, date);
    expect(manifest.status).toBe('failed');
    expect(manifest.totals).toMatchObject({ units: 6, published: 5, failed: 1, skipped: 0 });
    const mC = manifest.units.find((u) => u.unit === unitId(C));
    expect(mC?.error?.name).toBe('AuthenticationError');
    expect(mC?.error?.message).toMatch(/401|token|credential/i);
    expect(mC?.error?.message.length).toBeLessThanOrEqual(2001);
    const mA = manifest.units.find((u) => u.unit === unitId(A));
    for (const t of jiraTables) expect(mA?.rows[t.name] ?? 0, t.name).toBe((site('A').tenants[0]?.tenant.groundTruth()[t.name] ?? []).length);
    // A needed many invocations; the killed one had stored its checkpoint in S3 before it died, so the retried
    // step went on from there: no invocation was repeated.
    expect(mA?.invocations).toBeGreaterThanOrEqual(5);
    expect(run.invocations.get(unitId(A))).toBe(mA?.invocations);

    // The parent's and the children's state stay far under the limits (counts and keys only in the parent).
    expect(f.parentBytes).toBeLessThan(4 * 1024);
    expect(f.childBytes).toBeLessThan(16 * 1024);
    expect(f.parentEvents).toBeLessThan(EVENT_LIMIT / 10);
    expect(f.childEvents).toBeLessThan(EVENT_LIMIT / 10);
    expect(Math.max(f.parentBytes, f.childBytes)).toBeLessThan(PAYLOAD_LIMIT / 16);

    // Per-unit metrics in the embedded metric format, once per settled unit, equal to the manifest's counters.
    const emf = logLines
      .filter((l) => l.includes('"_aws"') && l.includes('"Unit"'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } });
    const emfA = emf.filter((e) => e.Unit === unitId(A));
    expect(emfA).toHaveLength(1);
    expect(emfA[0]?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'AtlassianAccessCollector', Dimensions: [['service', 'Unit']] });
    expect(emfA[0]).toMatchObject({ UnitRows: Object.values(mA?.rows ?? {}).reduce((a, b) => a + b, 0), UnitRequests: mA?.requests, UnitInvocations: mA?.invocations, UnitPublished: 1, service: 'atlassian-access-collector' });
    expect(process.env.POWERTOOLS_SERVICE_NAME).toBe('atlassian-access-collector'); // the stack name, from the template
    expect(emf.filter((e) => e.Unit === unitId(C)).map((e) => e.UnitPublished)).toEqual([0]);

    // The handlers logged, and never a credential.
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [DEFAULT_CREDENTIALS.apiToken, 'revoked-token-0000']) expect(logLines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('a run stopped mid-way is finished by the next execution for the date: resumed from the stored checkpoints, published units not collected again', async () => {
    const date = '2026-11-28';
    const A = unitOf('A');
    const B = unitOf('B');
    // Stopped while A is mid-way (its 4th invocation or later) and B, collected beside it, has published.
    const first = execute({ date }, 'exec-killed', { abortUnit: unitId(A), abortAt: 4, abortAfterPublished: B });
    const stopped = await first.result.then(
      () => 'finished',
      (e: unknown) => (e as Error).name,
    );
    await first.settled();
    expect(stopped).toBe('ExecutionAbortedError');
    // What the stopped execution settled, from the unit records in S3.
    const state = new S3Store(s3, bucket);
    const all = sites.flatMap((s) => s.units);
    const publishedFirst = [];
    for (const u of all) if ((await readUnitState(state, date, u))?.status === 'published') publishedFirst.push(unitId(u));
    expect(publishedFirst).toContain(unitId(B));
    // The stopped execution never reached finalize: its run lock is left behind, stale now that it no longer runs.
    expect(JSON.parse((await getBytes(runLockKey(date)))?.toString('utf8') ?? '{}')).toMatchObject({ runId: 'exec-killed', date });
    const aRecord = await readUnitState(state, date, A);
    expect(aRecord?.status).toBe('collecting');
    expect(aRecord?.run.id).toBe('exec-killed');

    const second = execute({ date }, 'exec-resume');
    const error = await second.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((error as ExecutionError).cause as Error).name).toBe(UNITS_FAILED_ERROR); // globex/C still has a revoked token
    // The second execution took the stale lock over and released it at its end.
    expect(await getBytes(runLockKey(date))).toBeUndefined();
    expect(logLines.some((l) => l.includes('taking over a stale run lock') && l.includes('exec-killed'))).toBe(true);
    // No unit the first execution published was collected again; A resumed in the first execution's staging.
    for (const id of publishedFirst) expect(second.invocations.get(id) ?? 0, id).toBe(0);
    const aAfter = await readUnitState(state, date, A);
    expect(aAfter?.status).toBe('published');
    expect(aAfter?.run.id).toBe('exec-killed');
    // Every good unit equals ground truth: nothing doubled, nothing lost.
    for (const key of ['A', 'B', 'D'] as const) await expectTruth(key, date);
    const manifest = await manifestOf('exec-resume', date);
    expect(manifest.totals).toMatchObject({ units: 6, failed: 1, skipped: publishedFirst.length, published: 5 - publishedFirst.length });
    // A's invocations across the two executions are exactly those its record counts: the second went on from the
    // stored checkpoint, none was repeated and A did not start over.
    const mA = manifest.units.find((u) => u.unit === unitId(A));
    const [firstA, secondA] = [first.invocations.get(unitId(A)) ?? 0, second.invocations.get(unitId(A)) ?? 0];
    expect(firstA + secondA).toBe(mA?.invocations);
    expect(secondA).toBeGreaterThan(0);
    // Nothing of the stopped execution is left staged: every unit it started was published from its staging.
    expect(await new S3Store(s3, bucket, DATA_PREFIX).list(`_staging/run=exec-killed/`)).toEqual([]);
    process.stdout.write(`[workflow.local] stopped during A's invocation ${first.invocations.get(unitId(A))}: ${publishedFirst.length} unit(s) published by the first execution; the second resumed A and published ${manifest.totals.published}\n`);
  });

  it('one rate budget per site: three products on one site never have more requests in flight together than one unit\u2019s connections', async () => {
    const D = site('D');
    D.sim?.resetStats();
    // As deployed: no request cap per invocation (the other tests' cap of 3 keeps a unit's fan-out small), so each
    // unit's streams fan out over all its connections.
    const cap = process.env.MAX_REQUESTS_PER_INVOCATION;
    delete process.env.MAX_REQUESTS_PER_INVOCATION;
    try {
      const run = execute({ units: D.units.map(unitId), date: '2026-11-29' }, 'exec-budget');
      const out = FinalizeSummarySchema.parse(await run.result);
      expect(out).toMatchObject({ status: 'succeeded', published: 3, failed: 0 });
    } finally {
      process.env.MAX_REQUESTS_PER_INVOCATION = cap;
    }
    // The simulator counts requests in progress at once (arrived, not yet answered) across the site's three products:
    // more than one (a unit uses its connections in parallel, so units in parallel would add up), never above one unit's.
    const stats = D.sim?.stats();
    process.stdout.write(`[workflow.local] site D (jira, jsm, confluence): ${stats?.requests} requests, highest concurrent ${stats?.maxConcurrent}, budget ${SITE_BUDGET}\n`);
    expect(stats?.maxConcurrent).toBeGreaterThan(1);
    expect(stats?.maxConcurrent).toBeLessThanOrEqual(SITE_BUDGET);
  });

  it('a run narrowed to one unit succeeds; forced, it collects a unit already published that date', async () => {
    const date = '2026-11-27'; // B was published by the first test's execution
    const B = unitOf('B');
    const reportsBefore = reports.failed;
    const again = execute({ units: [unitId(B)], date }, 'exec-unit');
    const out = FinalizeSummarySchema.parse(await again.result);
    // The Report state ran and failed (its queries failed): the run still succeeded, through the state's Catch.
    expect(reports.failed).toBe(reportsBefore + 1);
    expect(out).toMatchObject({ status: 'succeeded', published: 0, failed: 0, skipped: 1 });
    expect(again.invocations.get(unitId(B)) ?? 0).toBe(0);

    const forced = execute({ units: [unitId(B)], date, force: true }, 'exec-forced');
    const outForced = FinalizeSummarySchema.parse(await forced.result);
    expect(outForced).toMatchObject({ status: 'succeeded', published: 1, failed: 0, skipped: 0 });
    expect(forced.invocations.get(unitId(B))).toBeGreaterThan(0);
    await expectTruth('B', date);
  });

  it('refuses a second execution for a date that is still running, naming the running one; the lock is released at the end', async () => {
    const date = '2026-11-29';
    const B = unitOf('B');
    let refused: unknown;
    let lockWhileRunning: unknown;
    const first = execute({ units: [unitId(B)], date }, 'exec-lock-first', {
      duringFirstStep: async () => {
        lockWhileRunning = JSON.parse((await getBytes(runLockKey(date)))?.toString('utf8') ?? '{}');
        const second = execute({ date }, 'exec-lock-second');
        refused = await second.result.then(
          () => undefined,
          (e: unknown) => (e as ExecutionError).cause,
        );
      },
    });
    const out = FinalizeSummarySchema.parse(await first.result);
    expect(out).toMatchObject({ status: 'succeeded', published: 1, failed: 0 });
    expect(lockWhileRunning).toMatchObject({ v: 1, date, runId: 'exec-lock-first', executionArn: first.executionArn });
    // The second execution failed in its first state, with a message that names the running one and what to do.
    expect((refused as Error).name).toBe('RunLockedError');
    expect((refused as Error).message).toContain(`snapshot date ${date} is already being collected by execution exec-lock-first (${first.executionArn}`);
    expect((refused as Error).message).toContain('Wait for it to finish (npm run sync -- --wait follows a run), or stop it (aws stepfunctions stop-execution --execution-arn');
    // It collected nothing and wrote no manifest; the first released the lock when it finished.
    expect(await getBytes(manifestKey({ id: 'exec-lock-second', date }))).toBeUndefined();
    expect(await getBytes(runLockKey(date))).toBeUndefined();
    const next = execute({ units: [unitId(B)], date }, 'exec-lock-next');
    expect(FinalizeSummarySchema.parse(await next.result)).toMatchObject({ status: 'succeeded', published: 0, skipped: 1 });
  });

  it('running the failed date again, once the cause is fixed, re-collects only the failed unit (what sync --rerun does)', async () => {
    const date = '2026-11-27'; // the first test's run: globex/C failed (revoked token), the others published
    const C = unitOf('C');
    await secrets.send(new PutSecretValueCommand({ SecretId: C.auth.secretName, SecretString: JSON.stringify({ email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken }) }));
    const rerun = execute({ date }, 'exec-rerun-failed');
    const out = FinalizeSummarySchema.parse(await rerun.result);
    expect(out).toMatchObject({ status: 'succeeded', published: 1, failed: 0, skipped: 5 });
    expect([...rerun.invocations.keys()]).toEqual([unitId(C)]);
    await expectTruth('C', date);
  });

  it('redriving a run that ended with a failed unit collects only that unit again and the run succeeds', async () => {
    // Prepare: globex/C's token is revoked for this date's run; the five other units publish.
    const date = '2026-11-26';
    const C = unitOf('C');
    const put = (apiToken: string) => secrets.send(new PutSecretValueCommand({ SecretId: C.auth.secretName, SecretString: JSON.stringify({ email: DEFAULT_CREDENTIALS.email, apiToken }) }));
    await put('revoked-token-0000');
    const run = execute({ date }, 'exec-redriven');
    const error = await run.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((error as ExecutionError).cause as Error).name).toBe(UNITS_FAILED_ERROR);
    expect((await manifestOf('exec-redriven', date)).totals).toMatchObject({ units: 6, published: 5, failed: 1 });
    const before = new Map(run.invocations);
    // Act: the cause is fixed and the execution redriven (it continues at the state that failed, 'Run failed').
    await put(DEFAULT_CREDENTIALS.apiToken);
    const out = FinalizeSummarySchema.parse(await run.redrive());
    // Assess: only C was invoked again; the run's manifest now has every unit published; C equals ground truth.
    const again = [...run.invocations].filter(([id, n]) => n > (before.get(id) ?? 0)).map(([id]) => id);
    expect(again).toEqual([unitId(C)]);
    expect(out).toMatchObject({ status: 'succeeded', published: 6, failed: 0 });
    expect((await manifestOf('exec-redriven', date)).totals).toMatchObject({ units: 6, published: 6, failed: 0 });
    await expectTruth('C', date);
  });

  it('with aws.kms on, every published object and manifest is SSE-KMS with the stack’s key', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.startsWith(`${DATA_PREFIX}/jira_`) || k.startsWith('manifests/'));
    expect(keys.length).toBeGreaterThan(10);
    const heads = await Promise.all(keys.map(async (Key) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key }))));
    expect(new Set(heads.map((h) => `${h.ServerSideEncryption} ${h.SSEKMSKeyId}`))).toEqual(new Set([`aws:kms ${keyArn}`]));
  });
});
