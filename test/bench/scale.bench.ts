import { appendFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, expect, it, vi } from 'vitest';
import { createCollectHandler } from '../../functions/handlers/collect.ts';
import { createFinalizeHandler } from '../../functions/handlers/finalize.ts';
import { createPlanHandler } from '../../functions/handlers/plan.ts';
import { parseConfig } from '../../infra/config.ts';
import { siteHost, unitId, type Unit } from '../../shared/config.ts';
import { diffRows } from '../../shared/local/verify.ts';
import { publishedUnitPrefix } from '../../shared/sink/layout.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type JiraSim, type Simulator } from '../../simulator/index.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { DATA_PREFIX, manifestKey } from '../../shared/workflow/names.ts';
import { ManifestSchema } from '../../shared/workflow/schemas.ts';
import { freshBucket, motoS3, motoSecrets } from '../support/moto.ts';
import { runLocalWorkflow, type LocalExecution } from '../infra/support/local-workflow.ts';
import { dataBucketId, functionEnvironment, stateMachineDefinition, synthStack } from '../infra/support/synth.ts';

/**
 * `npm run bench:scale`: the synthesized workflow, run locally as test/infra/workflow.local.test.ts runs it
 * (real handlers, moto_server, simulated tenants over loopback HTTP), at the sizes of issue 11:
 *
 * 1. 500 units on 100 sites: 100 simulated Jira sites, each collected for 5 organizations (5 units per site,
 *    which run one after another inside the site's child, as the products of one site do).
 * 2. One unit that needs more than 3,000 invocations: a tiny Jira tenant of 3,000 groups (a few with a member),
 *    read one request per invocation (MAX_REQUESTS_PER_INVOCATION=1, one connection), with the default bound of
 *    1,000 steps per child execution, so the site continues over 4 rounds from its stored checkpoint.
 *
 * What is simulated (aws-local-stepfunctions cannot run a Distributed Map): the Map state itself. The harness
 * (test/infra/support/local-workflow.ts) reads the ItemReader's site list from S3, runs the child state machine
 * taken unchanged from the template once per item (at most MaxConcurrency at once) and writes the results in the
 * ResultWriter's layout; every other state of parent and child runs as the template says. Lambda and Wait
 * durations are not simulated (no 15-minute invocations, no rate-limit waits).
 *
 * Records, from the local run, the largest state payload of any state transition in the parent and in any child,
 * and the history events of the parent and of the busiest child (computed per state entered from the published
 * per-state counts, see local-workflow.ts), and asserts each under half its Step Functions limit (256 KiB of state
 * payload, 25,000 events). Checks the output against ground truth and appends a table to test/bench/scale-results.md.
 */

/**
 * Sizes, overridable for a quicker run: SCALE_SITES × SCALE_UNITS_PER_SITE units; SCALE_GROUPS groups (one
 * invocation each) in the big unit; SCALE_STEPS steps per child execution (default: the stack's 1,000).
 */
const SITES = Number(process.env.SCALE_SITES ?? 100);
const UNITS_PER_SITE = Number(process.env.SCALE_UNITS_PER_SITE ?? 5);
const GROUPS = Number(process.env.SCALE_GROUPS ?? 3000);
const STEPS = process.env.SCALE_STEPS ? Number(process.env.SCALE_STEPS) : undefined;
/** Step Functions quotas: 256 KiB of state payload, 25,000 history events per execution. */
const PAYLOAD_LIMIT = 256 * 1024;
const EVENT_LIMIT = 25_000;
/**
 * The margin asserted: every figure under half its limit (128 KiB, 12,500 events). The parent's largest payload is
 * the plan Task's, which carries the configured units (about 127 B each: 64 KB at 500 units); a child's is its
 * site's unit list and one step; a child's history is about 7 events per step, at most 1,000 steps.
 */
const PAYLOAD_BOUND = PAYLOAD_LIMIT / 2;
const EVENT_BOUND = EVENT_LIMIT / 2;
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };
// The bench measures the workflow, not the template: skip CDK's built-in CloudFormation validation of each synth
// (about 25 s of WebAssembly per synth on a loaded 2-core machine; `npm run lint:cfn` and the stack tests check it).
process.env.CDK_VALIDATION = 'false';
const sims: Simulator[] = [];
const savedEnv = { ...process.env };

afterAll(async () => {
  process.env = savedEnv;
  vi.restoreAllMocks();
  await Promise.all(sims.map((s) => s.close()));
});

interface Scenario {
  label: string;
  units: Unit[];
  tenants: Map<string, JiraSim>;
  maxRequests?: number;
  concurrency: number;
  http: { concurrency: number };
}

async function runScenario(sc: Scenario, s3: S3Client, secrets: SecretsManagerClient) {
  const bucket = await freshBucket(s3, 'scale');
  const byOrg = new Map<string, Unit[]>();
  for (const u of sc.units) byOrg.set(u.org, [...(byOrg.get(u.org) ?? []), u]);
  const config = parseConfig(
    {
      organizations: [...byOrg].map(([id, us]) => ({ id, units: us.map((u) => ({ product: u.product, siteUrl: u.siteUrl, auth: u.auth })) })),
      concurrency: sc.concurrency,
      aws: { secrets: 'existing' },
    },
    `${sc.label} config`,
  );
  const { template } = synthStack(config, { ...(sc.maxRequests ? { maxRequestsPerInvocation: sc.maxRequests } : {}), ...(STEPS ? { stepsPerExecution: STEPS } : {}) });
  const ctx = { refs: { [dataBucketId(template)]: bucket } };
  const definition = stateMachineDefinition(template, ctx) as unknown as StateMachineDefinition & { States: Record<string, { Parameters?: unknown }> };
  // The plan Task's payload carries the configured units (written into the definition): its size bounds units per stack.
  const planPayloadBytes = Buffer.byteLength(JSON.stringify(definition.States['Plan run']?.Parameters ?? {}), 'utf8');
  process.env = { ...savedEnv, ...functionEnvironment(template, 'collect', ctx), ...functionEnvironment(template, 'finalize', ctx), ...functionEnvironment(template, 'plan', ctx) };
  if (!sc.maxRequests) delete process.env.MAX_REQUESTS_PER_INVOCATION;

  // One S3 and one Secrets Manager client for every invocation (a Lambda builds them per invocation): the bench
  // measures the workflow, and a new client and connection per call only loads the shared machine.
  const collect = createCollectHandler({ s3: () => s3, secrets: () => secrets, http: { timeoutMs: 5000, ...sc.http, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 4 } } });
  const finalize = createFinalizeHandler({ s3: () => s3 });
  const plan = createPlanHandler({ s3: () => s3 });
  const date = '2026-12-01';
  const runId = `scale-${sc.label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  const started = Date.now();
  const run: LocalExecution = runLocalWorkflow({ date } as never, runId, {
    definition,
    s3,
    plan,
    finalize: (p) => finalize(p),
    // The bench measures collection; the report (Athena in AWS) is not part of it and answers nothing here.
    report: async () => ({ report: '' }),
    collect: (p) => collect(p, lambdaContext),
  });
  await run.result;
  const elapsedMs = Date.now() - started;
  const manifest = ManifestSchema.parse(JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey({ id: runId, date }) }))).Body!.transformToString()));
  return { run, manifest, elapsedMs, planPayloadBytes, bucket, date };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const HEADER = [
  '| run | child executions (rounds) | largest state, parent | largest state, child | events, parent | most events, one child | plan payload | highest concurrent requests on a site | invocations | elapsed |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

async function setup(): Promise<{ s3: S3Client; secrets: SecretsManagerClient; auth: Unit['auth'] }> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const s3 = motoS3();
  const secrets = motoSecrets();
  const secretName = `scale-${Math.random().toString(36).slice(2, 8)}/basic`;
  await secrets.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken }) }));
  return { s3, secrets, auth: { kind: 'basic', secretName } };
}

function expectWithinLimits(r: Awaited<ReturnType<typeof runScenario>>): void {
  const f = figures(r);
  process.stdout.write(`[bench:scale] largest parent state: ${f.parentBytes} B in '${r.run.parent.maxPayloadState}'; Map errors: ${JSON.stringify(r.run.mapErrors)}\n`);
  // The Map itself must not fail: its Catch would carry the error into the parent's state and skip the results.
  expect(r.run.mapErrors).toEqual([]);
  expect(f.parentBytes).toBeLessThan(PAYLOAD_BOUND);
  expect(f.childBytes).toBeLessThan(PAYLOAD_BOUND);
  expect(r.planPayloadBytes).toBeLessThan(PAYLOAD_BOUND);
  expect(f.parentEvents).toBeLessThan(EVENT_BOUND);
  expect(f.childEvents).toBeLessThan(EVENT_BOUND);
}

/** The largest payload and the most events of the parent and of any child execution. */
function figures(r: Awaited<ReturnType<typeof runScenario>>): { parentBytes: number; childBytes: number; parentEvents: number; childEvents: number } {
  return {
    parentBytes: r.run.parent.maxPayloadBytes,
    childBytes: Math.max(...r.run.children.map((c) => c.maxPayloadBytes)),
    parentEvents: r.run.parent.events,
    childEvents: Math.max(...r.run.children.map((c) => c.events)),
  };
}

async function record(row: string): Promise<void> {
  const text = [`<!-- ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, npm run bench:scale -->`, ...HEADER, row, ''].join('\n');
  process.stdout.write(`${text}\n`);
  await appendFile(new URL('./scale-results.md', import.meta.url), `${text}\n`);
}

/** The rows published for one unit (its own files in the table's partition: `<unit>--<run>--part-…`). */
async function publishedRows(store: S3Store, table: string, date: string, unit: Unit): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const key of await store.list(publishedUnitPrefix(table, { id: '', date }, unit))) {
    if (!key.endsWith('.json.gz')) continue;
    for (const line of gunzipSync(await store.read(key)).toString('utf8').split('\n')) if (line) rows.push(JSON.parse(line) as Record<string, unknown>);
  }
  return rows;
}

async function expectPublishedEqualsTruth(r: Awaited<ReturnType<typeof runScenario>>, s3: S3Client, unit: Unit, tenant: JiraSim): Promise<void> {
  const store = new S3Store(s3, r.bucket, DATA_PREFIX);
  for (const [t, expected] of Object.entries(tenant.groundTruth())) {
    const got = await publishedRows(store, t, r.date, unit);
    const d = diffRows(expected, got);
    expect({ unit: unitId(unit), t, missing: d.missing.length, extra: d.extra.length, duplicates: d.duplicates.length }).toEqual({ unit: unitId(unit), t, missing: 0, extra: 0, duplicates: 0 });
  }
}

it('one unit of more than 3,000 invocations: every child stays under the history limit, the site continues over rounds', async () => {
  const { s3, secrets, auth } = await setup();
  // Tiny: 3,000 groups, one in ten with a member; each group's member list is one request, so one invocation.
  const bigTenant = jiraTenant({ seed: 9, users: 20, groups: GROUPS, memberships: Math.ceil(GROUPS / 10), projects: 1 });
  const bigSim = await startSimulator({ products: [bigTenant], seed: 7 });
  sims.push(bigSim);
  const big: Unit = { org: 'big', product: 'jira', siteUrl: bigSim.url, auth };
  const b = await runScenario({ label: '3000 invocations', units: [big], tenants: new Map([[siteHost(big), bigTenant]]), maxRequests: 1, concurrency: 1, http: { concurrency: 1 } }, s3, secrets);
  const mb = b.manifest.units[0];
  expect(mb?.status).toBe('published');
  expect(mb?.invocations).toBeGreaterThanOrEqual(GROUPS);
  await expectPublishedEqualsTruth(b, s3, big, bigTenant);
  // Recorded before the limits are asserted: a measurement past a bound is a result too.
  await record(report(`1 unit, ${mb?.invocations.toLocaleString('en-US')} invocations, ${STEPS ?? 1000} steps per child`, b, bigSim.stats().maxConcurrent));
  expectWithinLimits(b);
});

it('500 units on 100 sites: the parent keeps counts only, every child stays small', async () => {
  const { s3, secrets, auth } = await setup();
  const small = new Map<string, JiraSim>();
  const units: Unit[] = [];
  const siteSims: Simulator[] = [];
  for (let s = 0; s < SITES; s++) {
    const tenant = jiraTenant({ seed: 100 + s, users: 6, groups: 2, memberships: 5, projects: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 7 });
    sims.push(sim);
    siteSims.push(sim);
    small.set(new URL(sim.url).host, tenant);
    for (let o = 0; o < UNITS_PER_SITE; o++) units.push({ org: `org-${String(o).padStart(2, '0')}`, product: 'jira', siteUrl: sim.url, auth });
  }
  const a = await runScenario({ label: '500 units', units, tenants: small, concurrency: 40, http: { concurrency: 4 } }, s3, secrets);
  expect(a.manifest.totals).toMatchObject({ units: units.length, published: units.length, failed: 0 });
  // Every unit's row counts equal its site's ground truth; the first site's units, table by table, row by row.
  for (const u of a.manifest.units) {
    const truth = small.get(u.site)?.groundTruth() ?? {};
    for (const [t, expected] of Object.entries(truth)) expect(u.rows[t] ?? 0, `${u.unit} ${t}`).toBe(expected.length);
  }
  for (const u of units.filter((x) => x.siteUrl === units[0]?.siteUrl)) await expectPublishedEqualsTruth(a, s3, u, small.get(siteHost(u)) as JiraSim);
  await record(report(`${units.length} units, ${SITES} sites (${UNITS_PER_SITE} units per site)`, a, Math.max(...siteSims.map((s) => s.stats().maxConcurrent))));
  expectWithinLimits(a);
});

function report(label: string, r: Awaited<ReturnType<typeof runScenario>>, maxConcurrent: number): string {
  const childBytes = Math.max(...r.run.children.map((c) => c.maxPayloadBytes));
  const childEvents = Math.max(...r.run.children.map((c) => c.events));
  const rounds = new Set(r.run.children.map((c) => c.name.replace(/-\d+$/, ''))).size;
  return `| ${label} | ${r.run.children.length} (${rounds}) | ${kb(r.run.parent.maxPayloadBytes)} | ${kb(childBytes)} | ${r.run.parent.events} | ${childEvents.toLocaleString('en-US')} | ${kb(r.planPayloadBytes)} | ${maxConcurrent} | ${r.manifest.totals.invocations.toLocaleString('en-US')} | ${(r.elapsedMs / 1000).toFixed(0)} s |`;
}
