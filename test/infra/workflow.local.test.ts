import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketEncryptionCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { gzipSync } from 'node:zlib';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCollectHandler } from '../../functions/handlers/collect.ts';
import { createFinalizeHandler } from '../../functions/handlers/finalize.ts';
import { handler as planHandler } from '../../functions/handlers/plan.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import { parseConfig } from '../../infra/config.ts';
import { siteHost, unitSlug, type Unit } from '../../shared/config.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type JiraSim, type Simulator } from '../../shared/simulator/index.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { DATA_PREFIX, manifestKey, STATE, UNITS_FAILED_ERROR } from '../../shared/workflow/names.ts';
import { FinalizeOutputSchema, ManifestSchema } from '../../shared/workflow/schemas.ts';
import { freshBucket, motoKms, motoS3, motoSecrets } from '../support/moto.ts';
import { dataBucketId, functionEnvironment, stateMachineDefinition, synthStack } from './support/synth.ts';

/**
 * The synthesized state machine, executed locally by aws-local-stepfunctions with the real plan, collect and
 * finalize handlers (Task states overridden by name), S3 and Secrets Manager in moto_server, and three
 * simulated Jira sites: acme/A (big: many invocations, one of them killed mid-way), acme/B (small, its first
 * invocation throttled), globex/C (wrong API token). The stack has `aws.kms` on: the moto bucket gets the
 * template's default encryption (SSE-KMS with a bucket key) with a key created in moto's KMS.
 */

const MAX_REQUESTS = 3;
const fastHttp = { timeoutMs: 3000, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 4 } };
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };

interface Site {
  key: 'A' | 'B' | 'C';
  org: string;
  tenant: JiraSim;
  sim?: Simulator;
  unit?: Unit;
}

const sites: Site[] = [
  { key: 'A', org: 'acme', tenant: jiraTenant({ seed: 41, users: 700, groups: 14, memberships: 400, projects: 6, vanishingGroups: 1 }) },
  { key: 'B', org: 'acme', tenant: jiraTenant({ seed: 42, users: 40, groups: 4, memberships: 30, projects: 2 }) },
  { key: 'C', org: 'globex', tenant: jiraTenant({ seed: 43, users: 30, groups: 3, memberships: 20, projects: 1 }) },
];

let s3: S3Client;
let secrets: SecretsManagerClient;
let bucket: string;
let definition: StateMachineDefinition;
/** ARN of the moto KMS key standing for the stack's customer-managed key. */
let keyArn: string;
const savedEnv = { ...process.env };
/** What the handlers log (console.log in Lambda): kept to check no credential leaks, not printed. */
const logLines: string[] = [];

function unitOf(key: Site['key']): Unit {
  const u = sites.find((s) => s.key === key)?.unit;
  if (!u) throw new Error(`site ${key} not started`);
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

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logLines.push(args.map(String).join(' ')));
  s3 = motoS3();
  secrets = motoSecrets();
  bucket = await freshBucket(s3, 'wf');
  const tag = Math.random().toString(36).slice(2, 8);
  for (const s of sites) {
    s.sim = await startSimulator({ products: [s.tenant], seed: 7 });
    const secretName = `wf-${tag}/${s.org}/${s.key}`;
    s.unit = { org: s.org, product: 'jira', siteUrl: s.sim.url, auth: { kind: 'basic', secretName } };
    const apiToken = s.key === 'C' ? 'revoked-token-0000' : DEFAULT_CREDENTIALS.apiToken;
    await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ email: DEFAULT_CREDENTIALS.email, apiToken }) }));
  }
  const config = parseConfig(
    {
      organizations: [
        { id: 'acme', units: [unitOf('A'), unitOf('B')].map(({ org: _org, ...u }) => u) },
        { id: 'globex', units: [unitOf('C')].map(({ org: _org, ...u }) => u) },
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
  expect(collectEnv.DATA_BUCKET).toBe(finalizeEnv.DATA_BUCKET);
  expect(collectEnv.DATA_PREFIX).toBe(finalizeEnv.DATA_PREFIX);
  expect(collectEnv.MAX_REQUESTS_PER_INVOCATION).toBe(String(MAX_REQUESTS));
  Object.assign(process.env, collectEnv, finalizeEnv);
}, 300_000); // one synth: seconds on an idle machine, more on a loaded one

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  await Promise.all(sites.map((s) => s.sim?.close()));
});

interface Counters {
  invocations: Map<string, number>;
  throttled: number;
  killed: number;
}

/** Run the synthesized definition locally with the real handlers. */
function execute(input: { [k: string]: string | string[] }, runId: string, faults: { throttleHost?: string; killHost?: string; killAt?: number }) {
  const collectHandler = createCollectHandler({ s3: motoS3, secrets: motoSecrets, http: fastHttp });
  const finalizeHandler = createFinalizeHandler({ s3: motoS3 });
  const counters: Counters = { invocations: new Map(), throttled: 0, killed: 0 };
  const retried: string[] = [];
  const sm = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const payloadOf = (event: unknown): unknown => (event as { Payload: unknown }).Payload;
  const execution = sm.run(input, {
    context: { Execution: { Name: runId } },
    overrides: {
      retryIntervalOverrides: { [STATE.collect]: 0, [STATE.plan]: 0, [STATE.finalize]: 0 },
      taskResourceLocalHandlers: {
        [STATE.plan]: async (event) => ({ Payload: JSON.parse(JSON.stringify(await planHandler(payloadOf(event)))) }),
        [STATE.collect]: async (event) => {
          const payload = payloadOf(event) as { unit: Unit };
          const host = siteHost(payload.unit);
          if (host === faults.throttleHost && counters.throttled === 0) {
            counters.throttled++;
            // What the lambda:invoke integration raises when Lambda rejects the call: the function never ran.
            throw Object.assign(new Error('Rate Exceeded. (Service: Lambda, Status Code: 429)'), { name: 'Lambda.TooManyRequestsException' });
          }
          const n = (counters.invocations.get(host) ?? 0) + 1;
          counters.invocations.set(host, n);
          const result = await collectHandler(payload, lambdaContext);
          if (host === faults.killHost && n === faults.killAt) {
            // The function ran and staged parts, then was killed before returning its checkpoint.
            counters.killed++;
            throw Object.assign(new Error('Task timed out after 900.00 seconds'), { name: 'Sandbox.Timedout' });
          }
          return { Payload: JSON.parse(JSON.stringify(result)) };
        },
        [STATE.finalize]: async (event) => ({ Payload: JSON.parse(JSON.stringify(await finalizeHandler(payloadOf(event)))) }),
      },
    },
  });
  const events = (async () => {
    for await (const e of execution.eventLogs) {
      if (e.type === 'StateRetried') retried.push(`${e.state.name}:${(e as { retry: { retrier: { ErrorEquals: string[] } } }).retry.retrier.ErrorEquals[0]}`);
    }
  })();
  return { result: execution.result, events, counters, retried };
}

describe('synthesized state machine, run locally', () => {
  it('publishes the good units equal to ground truth, keeps the failed unit\u2019s previous snapshot, fails the run', async () => {
    const date = '2026-11-27';
    const runId = 'exec-local-1';
    const [A, B, C] = [unitOf('A'), unitOf('B'), unitOf('C')];
    // Pre-seeded: globex/C has a snapshot from an earlier run of the same day; acme/A a stale one that must be replaced.
    const oldC = `${DATA_PREFIX}/jira_users/dt=${date}/org=globex/${unitSlug(C)}--earlier-run--part-00000-000.json.gz`;
    const oldCBytes = await putGz(oldC, [{ account_id: 'previous', site: siteHost(C) }]);
    const staleA = `${DATA_PREFIX}/jira_users/dt=${date}/org=acme/${unitSlug(A)}--earlier-run--part-00000-000.json.gz`;
    await putGz(staleA, [{ account_id: 'stale', site: siteHost(A) }]);

    const started = Date.now();
    const run = execute({ date }, runId, { throttleHost: siteHost(B), killHost: siteHost(A), killAt: 3 });
    const error = await run.result.then(
      () => undefined,
      (e: unknown) => e,
    );
    await run.events;
    const elapsedMs = Date.now() - started;

    // The execution ends failed, with the Fail state's error, after finalize ran.
    expect(error).toBeInstanceOf(ExecutionError);
    const cause = (error as ExecutionError).cause as Error;
    expect(cause.name).toBe(UNITS_FAILED_ERROR);
    expect(cause.message).toMatch(/1 of 3 units failed: globex\/jira\/.* \(AuthenticationError/);

    // Throttled call and killed invocation were retried by the state machine (not caught as failures).
    expect(run.counters.throttled).toBe(1);
    expect(run.counters.killed).toBe(1);
    expect(run.retried).toContain(`${STATE.collect}:Lambda.ServiceException`);
    expect(run.retried).toContain(`${STATE.collect}:Lambda.ClientExecutionTimeoutException`);

    // Good units: published, equal to ground truth, table by table.
    const store = new S3Store(s3, bucket, DATA_PREFIX);
    for (const site of sites.filter((s) => s.key !== 'C')) {
      const host = siteHost(unitOf(site.key));
      const truth = site.tenant.groundTruth();
      for (const t of jiraTables) {
        const rows = (await readPublished(store, t.name, { date }, site.org)).filter((r) => r.site === host);
        const d = diffRows(truth[t.name] ?? [], rows);
        expect({ site: site.key, table: t.name, missing: d.missing.slice(0, 2), extra: d.extra.slice(0, 2), duplicates: d.duplicates.slice(0, 2) }).toEqual({
          site: site.key,
          table: t.name,
          missing: [],
          extra: [],
          duplicates: [],
        });
      }
    }
    expect(await getBytes(staleA)).toBeUndefined();

    // Failed unit: its previous snapshot is untouched and nothing else was published for it.
    expect(await getBytes(oldC)).toEqual(oldCBytes);
    for (const t of jiraTables) {
      const keys = await store.list(`${t.name}/dt=${date}/org=globex/`);
      expect(keys).toEqual(t.name === 'jira_users' ? [oldC.slice(DATA_PREFIX.length + 1)] : []);
    }
    // Staging of the published units is cleared.
    expect(await store.list(`_staging/run=${runId}/org=acme/`)).toEqual([]);

    // The manifest names every unit, its counters and the failed unit's error.
    const manifest = ManifestSchema.parse(JSON.parse((await getBytes(manifestKey({ id: runId, date })))?.toString('utf8') ?? 'null'));
    expect(manifest.status).toBe('failed');
    expect(manifest.totals).toMatchObject({ units: 3, published: 2, failed: 1 });
    const byKey = new Map(manifest.units.map((u) => [u.site, u]));
    const mA = byKey.get(siteHost(A));
    const mB = byKey.get(siteHost(B));
    const mC = byKey.get(siteHost(C));
    expect(mA?.status).toBe('published');
    expect(mB?.status).toBe('published');
    expect(mC?.status).toBe('failed');
    expect(mC?.error?.name).toBe('AuthenticationError');
    expect(mC?.error?.message).toMatch(/401|token|credential/i);
    expect(mC?.error?.message).not.toContain('revoked-token-0000');
    for (const site of sites.filter((s) => s.key !== 'C')) {
      const m = byKey.get(siteHost(unitOf(site.key)));
      const truth = site.tenant.groundTruth();
      for (const t of jiraTables) expect(m?.rows[t.name] ?? 0, `${site.key} ${t.name}`).toBe((truth[t.name] ?? []).length);
    }
    // A needed many invocations; the killed one is not counted (its checkpoint was never returned).
    expect(mA?.invocations).toBeGreaterThanOrEqual(5);
    expect(run.counters.invocations.get(siteHost(A))).toBe((mA?.invocations ?? 0) + 1);
    expect(mA?.requests).toBeGreaterThan(0);

    // The handlers logged, and never a credential.
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [DEFAULT_CREDENTIALS.apiToken, 'revoked-token-0000']) expect(logLines.filter((l) => l.includes(secret))).toEqual([]);

    // Figures for the report.
    process.stdout.write(
      `[workflow.local] units=3 invocations=${[...run.counters.invocations.values()].reduce((a, b) => a + b, 0)} ` +
        `(A=${run.counters.invocations.get(siteHost(A))}, B=${run.counters.invocations.get(siteHost(B))}, C=${run.counters.invocations.get(siteHost(C))}) ` +
        `throttled=1 killed=1 rows=${manifest.totals.rows} requests=${manifest.totals.requests} elapsed=${elapsedMs}ms\n`,
    );
  });

  it('a run narrowed to one org succeeds and returns the finalize summary', async () => {
    const date = '2026-11-28';
    const run = execute({ orgs: ['acme'], date }, 'exec-local-2', {});
    const output = FinalizeOutputSchema.parse(await run.result);
    await run.events;
    expect(output.status).toBe('succeeded');
    expect(output.failed).toBe(0);
    expect(output.published).toBe(2);
    expect(output.manifestUri).toBe(`s3://${bucket}/${manifestKey({ id: 'exec-local-2', date })}`);
    expect(output.units.map((u) => u.status)).toEqual(['published', 'published']);
    expect(run.counters.invocations.get(siteHost(unitOf('C')))).toBeUndefined();
  });

  it('with aws.kms on, every published object and manifest is SSE-KMS with the stack’s key', async () => {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.startsWith(`${DATA_PREFIX}/jira_`) || k.startsWith('manifests/'));
    expect(keys.length).toBeGreaterThan(10);
    const heads = await Promise.all(keys.map(async (Key) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key }))));
    expect(new Set(heads.map((h) => `${h.ServerSideEncryption} ${h.SSEKMSKeyId}`))).toEqual(new Set([`aws:kms ${keyArn}`]));
  });
});
