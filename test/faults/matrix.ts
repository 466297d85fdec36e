/**
 * Fault matrix: every product × every fault. Each cell first publishes a previous snapshot of the same
 * org/date (a clean run), then collects again under the fault. A cell passes when the run either
 * - completes, its published output equals the tenant's ground truth (no row lost, none doubled) and the
 *   previous snapshot's files are replaced, or
 * - fails with a message that names the org and product, and the previous snapshot is byte-for-byte untouched.
 * Anything else (a duplicate, a lost row, a published partial snapshot, an unclear failure) is BROKEN.
 *
 * Quick mode (`test/faults/matrix.test.ts`, in `npm test`): small tenants, one seed. Full mode (`npm run
 * bench`): larger tenants, three seeds.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run, Unit } from '../../shared/config.ts';
import type { Checkpoint, Stats } from '../../shared/contract.ts';
import { collect, publish, type CollectDeps } from '../../shared/engine/collect.ts';
import type { Credentials, OAuthSecret } from '../../shared/http/auth.ts';
import type { HttpClientOptions } from '../../shared/http/client.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { stagingPrefix } from '../../shared/sink/layout.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_BITBUCKET_CONSUMER, oauthApp, startSimulator, type FaultOptions, type OAuthSim, type ProductSim, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';
import { runChild } from '../bench/child.ts';
import { BENCH_PRODUCTS, type BenchProduct, type BenchTenant, type TenantShape } from '../bench/products.ts';
import { checkAgainstTruth, publishedFingerprint } from '../bench/verify.ts';
import { Rng } from '../../simulator/random.ts';

export type FaultId = 'storm' | '5xx' | 'reset' | 'slow' | 'truncated' | 'vanish' | 'refresh' | 'expired' | 'kill';

export interface FaultDef {
  readonly id: FaultId;
  readonly label: string;
  /** What a correct collector does under it. */
  readonly expect: 'complete' | 'fail';
}

export const FAULTS: readonly FaultDef[] = [
  { id: 'storm', label: '429 storm + Retry-After', expect: 'complete' },
  { id: '5xx', label: '5xx bursts', expect: 'complete' },
  { id: 'reset', label: 'reset mid-body', expect: 'complete' },
  { id: 'slow', label: 'slow past timeout', expect: 'complete' },
  { id: 'truncated', label: 'truncated JSON', expect: 'complete' },
  { id: 'vanish', label: 'parent vanishes', expect: 'complete' },
  { id: 'refresh', label: 'token expires (OAuth, renewable)', expect: 'complete' },
  { id: 'expired', label: 'token expires (not renewable)', expect: 'fail' },
  { id: 'kill', label: 'killed mid-invocation, resumed', expect: 'complete' },
];

export type Outcome = 'complete' | 'failed cleanly' | 'n/a' | 'BROKEN';

export interface Cell {
  product: string;
  fault: FaultId;
  seed: number;
  outcome: Outcome;
  /** True when the outcome is the one a correct collector gives (n/a counts as ok). */
  ok: boolean;
  detail: string;
  ms: number;
}

export interface MatrixOptions {
  mode: 'quick' | 'full';
  products?: readonly BenchProduct[];
  faults?: readonly FaultId[];
  log?: (s: string) => void;
}

const QUICK: TenantShape = { users: 300, groups: 8, memberships: 500, projects: 4, spaces: 4, repositories: 12, vanishing: 1 };
const FULL: TenantShape = { users: 3_000, groups: 40, memberships: 6_000, projects: 20, spaces: 20, repositories: 60, vanishing: 2 };
const DATE = '2026-11-28';
const PREV: Run = { id: 'prev', date: DATE };
const NEXT: Run = { id: 'next', date: DATE };
/** Client settings of the matrix: short timeout and backoff so faults cost milliseconds. */
const FAST_HTTP: Partial<Pick<HttpClientOptions, 'timeoutMs' | 'retry'>> = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const SLOW_MS = 1_200;
/**
 * Requests an access token of the renewable-token cell works for: each run outlives several tokens, and the
 * expiry falls on the same request whatever the machine's load (a lifetime in milliseconds raced the queue).
 */
const tokenUses = (mode: 'quick' | 'full'): number => (mode === 'quick' ? 10 : 40);

/** Simulator fault settings of each injected fault. */
function faultOptions(f: FaultId, mode: 'quick' | 'full'): { faults?: FaultOptions; rateLimit?: SimulatorOptions['rateLimit']; latencyMs: number } {
  switch (f) {
    case 'storm':
      // The first N requests answer 429 Retry-After: 1; in full mode a tight bucket keeps rate limiting on all run long.
      return mode === 'quick'
        ? { faults: { rate: 0, rateLimitStorm: 2 }, latencyMs: 0 }
        : { faults: { rate: 0, rateLimitStorm: 4 }, rateLimit: { perSecond: 60, burst: 20 }, latencyMs: 0 };
    case '5xx':
      // Half the 503s carry Retry-After: 1, so each costs a second: fewer in quick mode.
      return { faults: { rate: mode === 'quick' ? 0.12 : 0.3, kinds: ['5xx'], maxPerRequest: mode === 'quick' ? 2 : 3 }, latencyMs: 0 };
    case 'reset':
      return { faults: { rate: 0.3, kinds: ['reset'], maxPerRequest: 3 }, latencyMs: 0 };
    case 'slow':
      return { faults: { rate: mode === 'quick' ? 0.08 : 0.1, kinds: ['slow'], slowMs: SLOW_MS, maxPerRequest: 2 }, latencyMs: 0 };
    case 'truncated':
      return { faults: { rate: 0.3, kinds: ['truncated'], maxPerRequest: 3 }, latencyMs: 0 };
    case 'vanish':
      return { latencyMs: 0 };
    case 'refresh':
      // Slow enough that access tokens expire part-way through the run, several times.
      return { latencyMs: 15 };
    case 'expired':
      return { latencyMs: 2 };
    case 'kill':
      // Slow enough that the child is still collecting when it is killed, even on the smallest tenant.
      return { latencyMs: 10 };
  }
}

interface CellEnv {
  /** Whether the faulted run goes through the `/ex/{product}/{cloudId}` gateway (some tables are site-only). */
  viaGateway?: boolean;
  p: BenchProduct;
  tenant: BenchTenant;
  sim: Simulator;
  app: OAuthSim | null;
  dir: string;
  store: LocalStore;
  prevFingerprint: Map<string, string>;
}

/** Run `fn` over `items`, `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function runMatrix(o: MatrixOptions): Promise<Cell[]> {
  const products = o.products ?? BENCH_PRODUCTS;
  const faults = FAULTS.filter((f) => !o.faults || o.faults.includes(f.id));
  const seeds = o.mode === 'quick' ? [1] : [1, 2, 3];
  const jobs: { p: BenchProduct; f: FaultDef; seed: number }[] = [];
  // The cells that wait on Retry-After and timeouts start first, so they overlap with the rest.
  const slowFirst: readonly FaultId[] = ['5xx', 'storm', 'slow', 'kill'];
  const ordered = [...faults].sort((a, b) => rank(a.id) - rank(b.id));
  function rank(id: FaultId): number {
    const i = slowFirst.indexOf(id);
    return i < 0 ? slowFirst.length : i;
  }
  for (const f of ordered) for (const p of products) for (const seed of seeds) jobs.push({ p, f, seed });
  const root = await mkdtemp(join(tmpdir(), 'fault-matrix-'));
  try {
    return await pool(jobs, o.mode === 'quick' ? 8 : 4, async ({ p, f, seed }) => {
      const started = Date.now();
      let cell: Omit<Cell, 'ms' | 'ok' | 'product' | 'fault' | 'seed'>;
      cell = { outcome: 'BROKEN', detail: 'not run' };
      // The faulted simulator reuses the clean one's port (the site host names the unit's files); another cell
      // may take that port in between: run the cell again then.
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          cell = await runCell(p, f, seed, o.mode, join(root, `${p.product}-${f.id}-${seed}-${attempt}`));
          break;
        } catch (e) {
          cell = { outcome: 'BROKEN', detail: `harness error: ${e instanceof Error ? e.message : String(e)}` };
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
        }
      }
      const ok = cell.outcome === 'n/a' || (f.expect === 'complete' ? cell.outcome === 'complete' : cell.outcome === 'failed cleanly');
      const full: Cell = { product: p.product, fault: f.id, seed, ...cell, ok, ms: Date.now() - started };
      o.log?.(`  ${full.product} × ${f.label} (seed ${seed}): ${full.outcome}${ok ? '' : ' (UNEXPECTED)'} — ${full.detail} [${full.ms} ms]`);
      return full;
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function runCell(p: BenchProduct, f: FaultDef, seed: number, mode: 'quick' | 'full', dir: string): Promise<Omit<Cell, 'ms' | 'ok' | 'product' | 'fault' | 'seed'>> {
  if (f.id === 'refresh' && !p.refreshable) return { outcome: 'n/a', detail: 'no renewable credential kind (API keys do not refresh)' };
  const shape = mode === 'quick' ? QUICK : FULL;
  const tenant = p.tenant(shape, seed, f.id === 'refresh' ? { accessUses: tokenUses(mode) } : {});
  const app = f.id === 'refresh' && p.refreshable === 'oauth2' ? oauthApp({ accessUses: tokenUses(mode) }) : null;
  const store = new LocalStore(dir);

  // The previous snapshot of this org and date, published by a clean run.
  // Same port before and after, so the unit (whose site host names its files) is the same one.
  const clean = await startSimulator({ products: [tenant.sim], seed });
  const port = Number(new URL(clean.url).port);
  try {
    const prev = await runUnit(PREV, p.unit(clean.url, tenant, 'acme'), () => ({ module: p.module, store, credentials: p.credentials() }));
    if (!prev.ok) return { outcome: 'BROKEN', detail: `clean run failed: ${prev.error?.message}` };
  } finally {
    await clean.close();
  }
  const prevFingerprint = await publishedFingerprint(store, p.module.tables, NEXT, 'acme');

  const fo = faultOptions(f.id, mode);
  const products: ProductSim[] = app ? [tenant.sim, app] : [tenant.sim];
  const sim = await startSimulator({ port, products, seed, latencyMs: fo.latencyMs, ...(fo.faults ? { faults: fo.faults } : {}), ...(fo.rateLimit ? { rateLimit: fo.rateLimit } : {}) });
  const env: CellEnv = { p, tenant, sim, app, dir, store, prevFingerprint };
  try {
    if (f.id === 'kill') return await killCell(env, seed);
    const { unit, credentials } = access(env, f.id);
    env.viaGateway = unit.apiBaseUrl !== undefined && p.gateway !== null;
    // 'expired', access tokens: the token stops working once the run made 40 % of its requests, while requests
    // are in flight. Other credentials: the first invocation (40 % of the requests) runs with the good one,
    // later invocations get the one the product rejects.
    const revokeAt = Math.ceil(tenant.minimumRequests() * 0.4);
    const perInvocation = f.id === 'expired' && p.expiry !== 'access-token' ? { maxRequests: revokeAt } : {};
    const watch = f.id === 'expired' && p.expiry === 'access-token' ? setInterval(() => sim.stats().requests >= revokeAt && sim.tokens.revokeAll(), 1) : undefined;
    const out = await runUnit(NEXT, unit, () => ({ module: p.module, store, credentials: credentials(), http: FAST_HTTP, ...perInvocation })).finally(() => clearInterval(watch));
    const faulted = Object.entries(sim.stats().faults).map(([k, v]) => `${k} ${v}`).join(', ');
    // Requests the simulator saw sent into a closed window (after a 429, before its Retry-After passed).
    const closed = f.id === 'storm' ? `; closed-window requests ${sim.stats().closedWindowRequests}` : '';
    const extra = `${faulted ? `faults: ${faulted}; ` : ''}retries ${out.stats?.retries ?? 0}${closed}`;
    if (out.ok && f.id === 'vanish' && !out.stats?.skipped) return { outcome: 'BROKEN', detail: 'no vanished parent was skipped' };
    if (out.ok && f.id === 'expired') return judge(env, out.ok, undefined, `token outlived the run (${out.stats?.requests} requests)`);
    if (out.ok && f.id === 'refresh' && (app ? app.refreshes() : 2) < 2) return judge(env, true, undefined, 'token never expired');
    return judge(env, out.ok, out.error, out.ok ? `${extra}${f.id === 'vanish' ? `; skipped ${out.stats?.skipped}` : ''}${app ? `; refreshes ${app.refreshes()}` : ''}` : extra);
  } finally {
    await sim.close();
  }
}

/** Unit and credentials of a cell: the product's own, or an expiring token for the token faults. */
function access(env: CellEnv, f: FaultId): { unit: Unit; credentials: () => Credentials } {
  const { p, tenant, sim, app } = env;
  const base = p.unit(sim.url, tenant, 'acme');
  const gatewayBase = p.gateway ? { apiBaseUrl: `${sim.url}/ex/${p.gateway}/{cloudId}` } : {};
  if (f === 'expired' && p.expiry === 'access-token') {
    // A static bearer token (API key / access token) that stops working mid-run and cannot be renewed.
    const token = sim.tokens.issue(3_600_000, 'sim-expiring');
    return { unit: { ...base, ...gatewayBase, auth: { kind: 'bearer' } }, credentials: () => ({ kind: 'bearer', token, source: 'the fault matrix' }) };
  }
  if (f === 'expired' && p.expiry !== 'access-token') {
    const rejected = p.expiry.credentials;
    let invocations = 0;
    return { unit: base, credentials: () => (invocations++ === 0 ? p.credentials() : rejected()) };
  }
  if (f === 'refresh' && app) {
    let secret: OAuthSecret = { clientId: app.clientId, clientSecret: app.clientSecret, refreshToken: app.currentRefreshToken() };
    const tokenUrl = `${sim.url}/oauth/token`;
    return {
      unit: { ...base, ...gatewayBase, auth: { kind: 'oauth2', tokenUrl } },
      // Read again per invocation, as the Lambda reads its secret: the refresh token rotates.
      credentials: () => ({ kind: 'oauth2', secret, tokenUrl, source: 'the fault matrix', persist: async (s) => void (secret = s) }),
    };
  }
  if (f === 'refresh' && p.refreshable === 'client-credentials' && tenant.tokenPath) {
    const tokenUrl = `${sim.url}${tenant.tokenPath}`;
    return {
      unit: { ...base, auth: { kind: 'client-credentials', tokenUrl } },
      credentials: () => ({ kind: 'client-credentials', clientId: DEFAULT_BITBUCKET_CONSUMER.key, clientSecret: DEFAULT_BITBUCKET_CONSUMER.secret, tokenUrl, source: 'the fault matrix' }),
    };
  }
  return { unit: base, credentials: () => p.credentials() };
}

/** Classify a finished run (see the file comment). */
async function judge(env: CellEnv, ok: boolean, error: Error | undefined, detail: string): Promise<Omit<Cell, 'ms' | 'ok' | 'product' | 'fault' | 'seed'>> {
  const { p, tenant, store, prevFingerprint } = env;
  const now = await publishedFingerprint(store, p.module.tables, NEXT, 'acme');
  if (ok) {
    const truth = tenant.groundTruth();
    for (const t of env.viaGateway ? (p.gatewayOmits ?? []) : []) truth[t] = [];
    const check = await checkAgainstTruth(store, p.module.tables, truth, NEXT, 'acme');
    if (!check.equal) return { outcome: 'BROKEN', detail: `published output differs from ground truth: ${check.sample.slice(0, 2).join('; ')}` };
    const stale = [...now.keys()].filter((k) => prevFingerprint.has(k));
    if (stale.length) return { outcome: 'BROKEN', detail: `previous snapshot files left next to the new one: ${stale[0]}` };
    const staged = await store.list(stagingPrefix(NEXT, p.unit('http://x', tenant, 'acme')));
    if (staged.length) return { outcome: 'BROKEN', detail: `staging not cleared: ${staged[0]}` };
    return { outcome: 'complete', detail: `= truth (${check.rows} rows); ${detail}` };
  }
  const unchanged = now.size === prevFingerprint.size && [...now].every(([k, h]) => prevFingerprint.get(k) === h);
  if (!unchanged) return { outcome: 'BROKEN', detail: `failed (${error?.message ?? '?'}) and the previous snapshot changed` };
  const clear = error !== undefined && error.message.includes(`org acme, product ${p.product}`);
  if (!clear) return { outcome: 'BROKEN', detail: `failed without naming org and product: ${error?.name}: ${error?.message}` };
  const msg = error?.message ?? '';
  const brief = msg.length > 240 ? `${msg.slice(0, 120)}…${msg.slice(-110)}` : msg;
  return { outcome: 'failed cleanly', detail: `${error?.name}: ${brief}; previous snapshot untouched` };
}

/**
 * The process dies mid-invocation, as a Lambda at its timeout: invocation 1 returns a checkpoint; invocation 2
 * runs in a child process that is SIGKILLed at a random point after it staged parts; then the unit resumes
 * from the last returned checkpoint (invocation 1's) until done.
 */
async function killCell(env: CellEnv, seed: number): Promise<Omit<Cell, 'ms' | 'ok' | 'product' | 'fault' | 'seed'>> {
  const { p, tenant, sim, store, dir } = env;
  const unit = p.unit(sim.url, tenant, 'acme');
  const deps = (maxRequests?: number): CollectDeps => ({ module: p.module, store, credentials: p.credentials(), http: FAST_HTTP, ...(maxRequests ? { maxRequests } : {}) });
  const first = await collect({ run: NEXT, unit, checkpoint: null }, deps(Math.max(2, Math.floor(tenant.minimumRequests() / 5))));
  if (first.done || !first.checkpoint) return { outcome: 'BROKEN', detail: 'tenant too small: the first invocation finished' };
  const wire = JSON.stringify(first.checkpoint);

  // The kill lands while the child waits inside its k-th request (k drawn from the seed, in the second half
  // of what is left), so it is always mid-invocation with parts staged, however fast the machine is.
  const rng = new Rng(seed * 7919 + 17);
  const left = Math.max(2, tenant.minimumRequests() - first.stats.requests);
  const killAtRequest = Math.max(1, Math.floor(left / 2 + rng.next() * (left * 0.4)));
  const staging = join(dir, ...stagingPrefix(NEXT, unit).split('/'));
  let stagedAtKill = 0;
  const frozen = sim.freezeAt(killAtRequest);
  const child = await runChild(
    { kind: 'invocation', product: p.product, mode: 'ours', unit, run: NEXT, outDir: dir, credentials: p.credentials(), concurrency: 4, http: FAST_HTTP, checkpoint: JSON.parse(wire) as Checkpoint },
    {
      onStart: (kill) => {
        void frozen.then(async () => {
          stagedAtKill = (await readdir(staging, { recursive: true }).catch(() => [])).filter((n) => n.includes('part-')).length;
          kill();
        });
      },
    },
  );
  sim.thaw();
  if (!child.killed) return { outcome: 'BROKEN', detail: `the child was not killed (it ${child.ok ? 'finished first' : `failed: ${child.error?.message}`}); use a larger tenant` };
  // Nothing of the killed attempt may be visible in the published partition.
  const between = await publishedFingerprint(store, p.module.tables, NEXT, 'acme');
  const untouched = between.size === env.prevFingerprint.size && [...between].every(([k, h]) => env.prevFingerprint.get(k) === h);
  if (!untouched) return { outcome: 'BROKEN', detail: 'the killed invocation changed the published partition' };

  // Resume from the last checkpoint that was returned, exactly as the workflow retries a timed-out invocation.
  let checkpoint: Checkpoint | null = JSON.parse(wire) as Checkpoint;
  let stats: Stats | undefined;
  let invocations = 1;
  for (;;) {
    invocations++;
    const r = await collect({ run: NEXT, unit, checkpoint }, deps(Math.max(5, Math.floor(tenant.minimumRequests() / 3))));
    stats = r.stats;
    if (r.done) break;
    checkpoint = JSON.parse(JSON.stringify(r.checkpoint)) as Checkpoint;
  }
  await publish(store, NEXT, unit, p.module);
  return judge(env, true, undefined, `invocation 2 killed inside its request ${killAtRequest} with ${stagedAtKill} parts staged; resumed from invocation 1's checkpoint in ${invocations - 1} invocations, ${stats?.requests} requests in all`);
}

/** The matrix as a Markdown table: one row per product, one column per fault. */
export function matrixMarkdown(cells: readonly Cell[]): string {
  const products = [...new Set(cells.map((c) => c.product))];
  const faults = FAULTS.filter((f) => cells.some((c) => c.fault === f.id));
  const seeds = new Set(cells.map((c) => c.seed)).size;
  const lines: string[] = [];
  lines.push(`## Fault matrix (${seeds} seed${seeds > 1 ? 's' : ''} per cell)`, '');
  lines.push(`| product | ${faults.map((f) => f.label).join(' | ')} |`, `|---|${faults.map(() => '---').join('|')}|`);
  for (const p of products) {
    const row = faults.map((f) => {
      const cs = cells.filter((c) => c.product === p && c.fault === f.id);
      if (cs.every((c) => c.outcome === 'n/a')) return 'n/a';
      const broken = cs.filter((c) => !c.ok);
      const mark = (c: Cell) => (c.outcome === 'complete' ? '✓ = truth' : c.outcome === 'failed cleanly' ? '✓ clean failure' : c.outcome);
      if (broken.length) return `**✗ ${broken.map((c) => `${c.outcome} (seed ${c.seed})`).join(', ')}**`;
      return [...new Set(cs.map(mark))].join(' / ');
    });
    lines.push(`| ${p} | ${row.join(' | ')} |`);
  }
  lines.push(
    '',
    '✓ = truth: the run completed and its published output equals the ground truth (no row lost or doubled), the previous snapshot replaced, staging cleared. ' +
      '✓ clean failure: the run failed with a message naming org, product and endpoint, and the previously published partition is byte-for-byte unchanged.',
    '',
  );
  const broken = cells.filter((c) => !c.ok);
  if (broken.length) {
    lines.push('Unexpected outcomes:', '');
    for (const c of broken) lines.push(`- ${c.product} × ${c.fault} (seed ${c.seed}): ${c.outcome}: ${c.detail}`);
    lines.push('');
  }
  return lines.join('\n');
}
