import { appendFile } from 'node:fs/promises';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterAll, expect, it, vi } from 'vitest';
import { createCollectHandler } from '../../functions/handlers/collect.ts';
import { createFinalizeHandler } from '../../functions/handlers/finalize.ts';
import { createPlanHandler } from '../../functions/handlers/plan.ts';
import { parseConfig } from '../../infra/config.ts';
import { siteHost, type Unit } from '../../shared/config.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type JiraSim, type Simulator } from '../../simulator/index.ts';
import { S3Store } from '../../shared/sink/s3-store.ts';
import { DATA_PREFIX, manifestKey } from '../../shared/workflow/names.ts';
import { ManifestSchema } from '../../shared/workflow/schemas.ts';
import { freshBucket, motoS3, motoSecrets } from '../support/moto.ts';
import { runLocalWorkflow, type LocalExecution } from '../infra/support/local-workflow.ts';
import { dataBucketId, functionEnvironment, stateMachineDefinition, synthStack } from '../infra/support/synth.ts';

/**
 * `npm run bench:scale`: the synthesized workflow, run locally as test/infra/workflow.local.test.ts runs it
 * (real handlers, moto_server, simulated tenants over loopback HTTP; the Distributed Map simulated as described
 * in test/infra/support/local-workflow.ts), at the sizes of issue 11:
 *
 * 1. 500 units on 50 sites: 50 simulated Jira sites, each collected for 10 organizations (10 units per site, so
 *    the sites' units run one after another inside one child, as the products of one site do).
 * 2. One unit that needs about 3,000 invocations: 3,000 groups read one request per invocation
 *    (MAX_REQUESTS_PER_INVOCATION=1, one connection), with the default bound of 1,000 steps per child execution,
 *    so the site continues over several rounds from its stored checkpoint.
 *
 * Records the largest state payload and the most history events of the parent and of any child, elapsed time,
 * and checks the output against ground truth. Appends a table to test/bench/scale-results.md.
 */

/** Sizes, overridable for a quicker run: SCALE_SITES × 10 units; SCALE_GROUPS invocations of the big unit; SCALE_STEPS per child. */
const SITES = Number(process.env.SCALE_SITES ?? 50);
const GROUPS = Number(process.env.SCALE_GROUPS ?? 3000);
const STEPS = process.env.SCALE_STEPS ? Number(process.env.SCALE_STEPS) : undefined;
const PAYLOAD_LIMIT = 256 * 1024;
const EVENT_LIMIT = 25_000;
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };
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

  const collect = createCollectHandler({ s3: motoS3, secrets: motoSecrets, http: { timeoutMs: 5000, ...sc.http, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 4 } } });
  const finalize = createFinalizeHandler({ s3: motoS3 });
  const plan = createPlanHandler({ s3: motoS3 });
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
  void secrets;
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
  expect(r.run.parent.maxPayloadBytes).toBeLessThan(PAYLOAD_LIMIT);
  expect(Math.max(...r.run.children.map((c) => c.maxPayloadBytes))).toBeLessThan(PAYLOAD_LIMIT);
  expect(r.run.parent.events).toBeLessThan(EVENT_LIMIT);
  expect(Math.max(...r.run.children.map((c) => c.events))).toBeLessThan(EVENT_LIMIT);
  expect(r.planPayloadBytes).toBeLessThan(PAYLOAD_LIMIT);
}

async function record(row: string): Promise<void> {
  const text = [`<!-- ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, npm run bench:scale -->`, ...HEADER, row, ''].join('\n');
  process.stdout.write(`${text}\n`);
  await appendFile(new URL('./scale-results.md', import.meta.url), `${text}\n`);
}

it('one unit of about 3,000 invocations: every child stays under the history limit, the site continues over rounds', async () => {
  const { s3, secrets, auth } = await setup();
  const bigTenant = jiraTenant({ seed: 9, users: 20, groups: GROUPS, memberships: GROUPS, projects: 1 });
  const bigSim = await startSimulator({ products: [bigTenant], seed: 7 });
  sims.push(bigSim);
  const big: Unit = { org: 'big', product: 'jira', siteUrl: bigSim.url, auth };
  const b = await runScenario({ label: '3000 invocations', units: [big], tenants: new Map([[siteHost(big), bigTenant]]), maxRequests: 1, concurrency: 1, http: { concurrency: 1 } }, s3, secrets);
  const mb = b.manifest.units[0];
  expect(mb?.status).toBe('published');
  expect(mb?.invocations).toBeGreaterThanOrEqual(GROUPS);
  const store = new S3Store(s3, b.bucket, DATA_PREFIX);
  for (const [t, expected] of Object.entries(bigTenant.groundTruth())) {
    const got = (await readPublished(store, t, { date: b.date }, 'big')).filter((r) => r.site === siteHost(big));
    const d = diffRows(expected, got);
    expect({ t, missing: d.missing.length, extra: d.extra.length, duplicates: d.duplicates.length }).toEqual({ t, missing: 0, extra: 0, duplicates: 0 });
  }
  expectWithinLimits(b);
  await record(report(`1 unit, ${mb?.invocations} invocations, ${STEPS ?? 1000} steps per child`, b, bigSim.stats().maxConcurrent));
});

it('500 units on 50 sites: the parent keeps counts only, every child stays small', async () => {
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
    for (let o = 0; o < 10; o++) units.push({ org: `org-${String(o).padStart(2, '0')}`, product: 'jira', siteUrl: sim.url, auth });
  }
  const a = await runScenario({ label: '500 units', units, tenants: small, concurrency: 40, http: { concurrency: 4 } }, s3, secrets);
  expect(a.manifest.totals).toMatchObject({ units: SITES * 10, published: SITES * 10, failed: 0 });
  for (const u of a.manifest.units) {
    const truth = small.get(u.site)?.groundTruth() ?? {};
    for (const [t, expected] of Object.entries(truth)) expect(u.rows[t] ?? 0, `${u.unit} ${t}`).toBe(expected.length);
  }
  expectWithinLimits(a);
  await record(report(`${SITES * 10} units, ${SITES} sites (10 units per site)`, a, Math.max(...siteSims.map((s) => s.stats().maxConcurrent))));
});

function report(label: string, r: Awaited<ReturnType<typeof runScenario>>, maxConcurrent: number): string {
  const childBytes = Math.max(...r.run.children.map((c) => c.maxPayloadBytes));
  const childEvents = Math.max(...r.run.children.map((c) => c.events));
  const rounds = new Set(r.run.children.map((c) => c.name.replace(/-\d+$/, ''))).size;
  return `| ${label} | ${r.run.children.length} (${rounds}) | ${kb(r.run.parent.maxPayloadBytes)} | ${kb(childBytes)} | ${r.run.parent.events} | ${childEvents.toLocaleString('en-US')} | ${kb(r.planPayloadBytes)} | ${maxConcurrent} | ${r.manifest.totals.invocations.toLocaleString('en-US')} | ${(r.elapsedMs / 1000).toFixed(0)} s |`;
}
