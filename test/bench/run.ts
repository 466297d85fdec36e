/**
 * `npm run bench`: speed, scale and memory of the collector per product and tenant size, side by side with a
 * baseline client, then the full fault matrix. Writes `test/bench/results.md` and prints it.
 *
 *   npm run bench                                   # everything (S, M, L; every product; full fault matrix)
 *   npm run bench -- --sizes S,M --products jira     # a subset
 *   npm run bench -- --no-baseline --no-faults       # our client only
 *   npm run bench -- --baseline-sizes S,M            # the baseline only where it takes minutes, not tens
 *   npm run bench -- --sizes L --l-products jira --append   # add rows to the existing results.md
 *
 * L (issue 7) is defined for Jira, Confluence, Bitbucket and the Admin directory; the other products run S
 * and M unless `--l-products` names them.
 *   npm run bench -- --sizes L --products jira --cpu-prof /tmp/prof --no-baseline --no-faults
 *   npm run bench -- --max-old-space 64 --no-baseline --no-faults   # RSS with V8's old space capped
 *
 * Products run against their documented budget (Trello, Bitbucket) take a smaller or larger budget and another
 * time compression, so that a run is bound by the budget, not by a loaded machine's CPU, and still lasts minutes:
 *   npm run bench -- --sizes M --products bitbucket --budget 1000 --time-scale 160 --no-baseline --no-faults
 *
 * The simulator runs in this process; each collector run is a child process (its peak RSS is its own).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Run } from '../../shared/config.ts';
import { DEFAULT_CONCURRENCY } from '../../shared/engine/collect.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { startSimulator } from '../../simulator/index.ts';
import { BASELINE_CONCURRENCY, BASELINE_PAGE_SIZE } from './baseline.ts';
import { runChild, type ChildResult } from './child.ts';
import { BENCH_PRODUCTS, SHAPES, SIZES, type BenchProduct, type Size } from './products.ts';
import { checkAgainstTruth, type TruthCheck } from './verify.ts';
import { runMatrix, matrixMarkdown } from '../faults/matrix.ts';

/** Lambda timeout and the margin the collector keeps (README: 900 s, returns 90 s before). */
const LAMBDA_TIMEOUT_MS = 900_000;
const LAMBDA_MARGIN_MS = 90_000;
const SEED = 7;
/** Share of a documented budget the collector may use (the unit's `rateLimitShare` default). */
const BENCH_RATE_SHARE = 0.8;

interface Args {
  sizes: Size[];
  products: BenchProduct[];
  /** Sizes the baseline runs at. */
  baseline: Size[];
  faults: boolean;
  cpuProf?: string;
  /** V8 old-space cap of the collector process in MiB (`--max-old-space-size`), to show the live heap, not V8's lazy growth. */
  maxOldSpaceMiB?: number;
  out: string;
  /** Products that run at size L. */
  lProducts: string[];
  append: boolean;
  /** Documented budget of the budgeted products, in their unit (Bitbucket: requests per hour; Trello: per token window). */
  budget?: number;
  /** Time compression of every selected product instead of its own. */
  timeScale?: number;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = (get('--sizes')?.split(',') ?? [...SIZES]).map((s) => {
    if (!SIZES.includes(s as Size)) throw new Error(`unknown size ${s}; use ${SIZES.join(',')}`);
    return s as Size;
  });
  const names = get('--products')?.split(',');
  const products = names ? names.map((n) => {
    const p = BENCH_PRODUCTS.find((b) => b.product === n);
    if (!p) throw new Error(`unknown product ${n}; use ${BENCH_PRODUCTS.map((b) => b.product).join(',')}`);
    return p;
  }) : [...BENCH_PRODUCTS];
  const cpuProf = get('--cpu-prof');
  const maxOld = get('--max-old-space');
  if (maxOld !== undefined && !/^[1-9][0-9]*$/.test(maxOld)) throw new Error(`--max-old-space takes MiB, e.g. 64; got ${maxOld}`);
  const baselineSizes = get('--baseline-sizes')?.split(',') ?? sizes;
  const budget = get('--budget');
  if (budget !== undefined && !/^[1-9][0-9]*$/.test(budget)) throw new Error(`--budget takes requests per window, e.g. 1000; got ${budget}`);
  const timeScale = get('--time-scale');
  if (timeScale !== undefined && !/^[1-9][0-9]*$/.test(timeScale)) throw new Error(`--time-scale takes a divisor, e.g. 160; got ${timeScale}`);
  return {
    sizes,
    products,
    baseline: argv.includes('--no-baseline') ? [] : sizes.filter((s) => baselineSizes.includes(s)),
    faults: !argv.includes('--no-faults'),
    ...(cpuProf ? { cpuProf } : {}),
    ...(maxOld ? { maxOldSpaceMiB: Number(maxOld) } : {}),
    out: get('--out') ?? join(fileURLToPath(new URL('.', import.meta.url)), 'results.md'),
    lProducts: get('--l-products')?.split(',') ?? ['jira', 'confluence', 'bitbucket', 'admin'],
    append: argv.includes('--append'),
    ...(budget ? { budget: Number(budget) } : {}),
    ...(timeScale ? { timeScale: Number(timeScale) } : {}),
  };
}

interface Measured {
  result: ChildResult & { killed?: boolean };
  check: TruthCheck | null;
  simRequests: number;
  rateLimited: number;
  /** Requests the simulator saw sent into a closed window (beyond the budget, or before a 429's window reopened). */
  closedWindow: number;
}

interface Row {
  product: string;
  size: Size;
  describe: string;
  timeScale: number;
  minimum: number;
  /** Lower bound of the elapsed time (ms, scaled time) and which limit sets it. */
  lowerBoundMs: number;
  binding: 'rate limit' | 'latency';
  /**
   * A budget of `C` requests per window `W` kept in every window (the share of a rolling or sliding window):
   * requests j and j + C are at least W apart, so the last one goes no earlier than ⌊(n − 1) / C⌋ · W, after the
   * first window's remainder at the latency bound. The rate bound above, (n − C) / (C / W), is up to one window
   * lower than any client can reach.
   */
  windowBoundMs?: number;
  ours: Measured;
  baseline: Measured | null;
}

/**
 * Fastest possible run at the configured concurrency: N requests cannot go faster than the rate limit
 * allows (the first `burst` are free), nor than `concurrency` round trips at a time.
 */
export function lowerBoundMs(n: number, perSecond: number, burst: number, latencyMs: number, concurrency: number): { ms: number; binding: 'rate limit' | 'latency' } {
  const byRate = (Math.max(0, n - burst) / perSecond) * 1000;
  const byLatency = (n * latencyMs) / concurrency;
  return byRate >= byLatency ? { ms: byRate, binding: 'rate limit' } : { ms: byLatency, binding: 'latency' };
}

async function measure(p: BenchProduct, size: Size, a: Args, log: (s: string) => void): Promise<Row> {
  const shape = SHAPES[size];
  const t0 = Date.now();
  const budget = p.budgeted ? a.budget : undefined;
  const tenant = p.tenant(shape, SEED, budget ? { budget } : {});
  const minimum = tenant.minimumRequests();
  const k = a.timeScale ?? p.timeScale;
  const windowMs = p.budgetWindowMs ?? 1000;
  const perSecond = (budget ? budget / (windowMs / 1000) : p.profile.perSecond) * k;
  // Burst: one second of traffic, as the sustained rate's bucket (simulator default); a documented budget's
  // burst is one window of requests.
  const burst = p.budgeted ? (budget ?? p.profile.burst) : Math.max(p.profile.burst, Math.round(perSecond));
  const latencyMs = p.profile.latencyMs / k;
  const sim = await startSimulator({
    products: [tenant.sim],
    seed: SEED,
    latencyMs,
    ...(p.budgeted ? { budgets: { timeScale: k } } : { rateLimit: { perSecond, burst } }),
  });
  log(`${p.product} ${size}: tenant ready in ${Date.now() - t0} ms (${tenant.describe}; minimum ${minimum} requests; ${perSecond.toFixed(0)}/s, ${latencyMs.toFixed(1)} ms)`);
  let truth: Record<string, Record<string, unknown>[]> | null = null;
  const run = async (mode: 'ours' | 'baseline'): Promise<Measured> => {
    sim.resetStats();
    const dir = await mkdtemp(join(tmpdir(), `bench-${p.product}-${size}-${mode}-`));
    try {
      const runId: Run = { id: `bench-${mode}`, date: '2026-11-28' };
      const unit = p.unit(sim.url, tenant, 'acme');
      const result = await runChild(
        {
          kind: 'unit',
          product: p.product,
          mode,
          unit,
          run: runId,
          outDir: dir,
          credentials: p.credentials(),
          concurrency: DEFAULT_CONCURRENCY,
          invocationTimeoutMs: LAMBDA_TIMEOUT_MS / k,
          safetyMarginMs: LAMBDA_MARGIN_MS / k,
          timeScale: k,
          ...(p.budgeted ? { pacingTimeScale: k } : {}),
        },
        {
          nodeFlags: [
            ...(a.cpuProf && mode === 'ours' ? ['--cpu-prof', '--cpu-prof-dir', a.cpuProf] : []),
            ...(a.maxOldSpaceMiB ? [`--max-old-space-size=${a.maxOldSpaceMiB}`] : []),
          ],
        },
      );
      const st = sim.stats();
      truth ??= tenant.groundTruth();
      const check = result.ok ? await checkAgainstTruth(new LocalStore(dir), p.module.tables, truth, runId, 'acme') : null;
      log(
        `  ${mode}: ${result.ok ? 'ok' : `FAILED ${result.error?.name}: ${result.error?.message}`} ${result.stats?.requests ?? '?'} requests, ${(result.elapsedMs / 1000).toFixed(1)} s, ` +
          `${st.faults.rateLimited ?? 0} 429s, ${st.closedWindowRequests} closed-window, RSS ${(result.maxRssBytes / 2 ** 20).toFixed(0)} MiB (heap ${((result.peakHeapBytes ?? 0) / 2 ** 20).toFixed(0)}), CPU ${(result.cpuMs / 1000).toFixed(1)} s, ${result.invocations} invocations, ` +
          `${check ? (check.equal ? 'equals ground truth' : `DIFFERS: ${check.sample.join('; ')}`) : 'not checked'}`,
      );
      if (process.env.BENCH_TRACE) for (const e of result.trace ?? []) log(`    ${e.stream}: ${e.fromMs}–${e.toMs} ms, ${e.requests} requests, ${e.pages} pages`);
      return { result, check, simRequests: st.requests, rateLimited: st.faults.rateLimited ?? 0, closedWindow: st.closedWindowRequests };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  try {
    const ours = await run('ours');
    const baseline = a.baseline.includes(size) ? await run('baseline') : null;
    // A documented budget: the collector may use its share of it (rateLimitShare, default 0.8), the rest is
    // left to the customer's other tools; the bound is that share's.
    const share = p.budgeted ? BENCH_RATE_SHARE : 1;
    const lb = lowerBoundMs(minimum, perSecond * share, Math.floor(burst * share), latencyMs, DEFAULT_CONCURRENCY);
    const perWindow = Math.floor(burst * share);
    const windowBoundMs = p.budgeted
      ? Math.floor((minimum - 1) / perWindow) * (windowMs / k) + ((((minimum - 1) % perWindow) + 1) * latencyMs) / DEFAULT_CONCURRENCY
      : undefined;
    if (windowBoundMs !== undefined) log(`  bound: ${(lb.ms / 1000).toFixed(1)} s (rate), ${(windowBoundMs / 1000).toFixed(1)} s (${perWindow} per ${(windowMs / k / 1000).toFixed(1)} s window); elapsed / window bound ${(ours.result.elapsedMs / windowBoundMs).toFixed(2)}`);
    return { product: p.product, size, describe: budget ? `${tenant.describe}; budget ${budget} per window` : tenant.describe, timeScale: k, minimum, lowerBoundMs: lb.ms, binding: lb.binding, ...(windowBoundMs !== undefined ? { windowBoundMs } : {}), ours, baseline };
  } finally {
    await sim.close();
  }
}

const fmt = (n: number, d = 2): string => n.toFixed(d);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)}`;
const secs = (ms: number): string => (ms >= 10_000 ? (ms / 1000).toFixed(0) : (ms / 1000).toFixed(1));
function human(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
const verdict = (m: Measured): string => (!m.result.ok ? `failed: ${m.result.error?.name}` : m.check?.equal ? 'yes' : 'NO');

export function resultsMarkdown(rows: readonly Row[], products: readonly BenchProduct[], title = '# Benchmark results'): string {
  const out: string[] = [];
  out.push(title, '');
  out.push(
    `Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (2 cores, Node ${process.version}). Each collector run is a child process; ` +
      `the simulated tenant serves it over loopback from the parent process. Concurrency ${DEFAULT_CONCURRENCY} for our client; the baseline asks ` +
      `${BASELINE_PAGE_SIZE} rows a page, ${BASELINE_CONCURRENCY} request at a time, through the same engine and module.`,
    '',
  );
  out.push('## Profile: rate limits and latency', '');
  out.push('| product | rate limit (real) | latency (real) | time scale | source |', '|---|---|---|---|---|');
  for (const p of products) {
    out.push(`| ${p.product} | ${fmt(p.profile.perSecond)}/s | ${p.profile.latencyMs} ms (assumed: Atlassian publishes no latency) | ÷${p.timeScale} | ${p.profile.source} |`);
  }
  out.push(
    '',
    'Time is compressed uniformly per product so that L finishes in minutes: latency, the rate-limit refill and the Lambda budget ' +
      '(900 s timeout, checkpoint 90 s before) are all divided by the time scale; the bucket holds one second of traffic; ' +
      'Retry-After stays in whole seconds, as Atlassian sends it. Elapsed times below are the compressed ones; "real" multiplies by the scale.',
    '',
  );
  out.push('## Speed, scale, memory', '');
  out.push(
    '| product | size | requests / minimum | elapsed / lower bound | elapsed (real) | peak RSS MiB (heap) | invocations | bytes / row | 429s | closed-window requests | = truth | baseline requests / minimum | baseline elapsed (real) | baseline / ours elapsed | baseline RSS MiB | baseline = truth |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    const o = r.ours;
    const b = r.baseline;
    const req = o.result.stats?.requests ?? 0;
    const rowsN = o.check?.rows ?? 0;
    out.push(
      [
        r.product,
        r.size,
        `${req} / ${r.minimum} = **${fmt(req / r.minimum, 3)}**`,
        `${secs(o.result.elapsedMs)} s / ${secs(r.lowerBoundMs)} s (${r.binding}) = **${fmt(o.result.elapsedMs / r.lowerBoundMs)}**` +
          (r.windowBoundMs !== undefined ? `; / ${secs(r.windowBoundMs)} s (windows) = **${fmt(o.result.elapsedMs / r.windowBoundMs)}**` : ''),
        human(o.result.elapsedMs * r.timeScale),
        `**${mib(o.result.maxRssBytes)}** (${mib(o.result.peakHeapBytes ?? 0)})`,
        String(o.result.invocations),
        rowsN ? fmt((o.check?.bytes ?? 0) / rowsN, 1) : '-',
        String(o.rateLimited),
        String(o.closedWindow),
        verdict(o),
        b ? `${b.result.stats?.requests ?? '?'} / ${r.minimum} = ${fmt((b.result.stats?.requests ?? 0) / r.minimum)}` : '-',
        b ? human(b.result.elapsedMs * r.timeScale) : '-',
        b ? `**${fmt(b.result.elapsedMs / o.result.elapsedMs, 1)}×**` : '-',
        b ? mib(b.result.maxRssBytes) : '-',
        b ? verdict(b) : '-',
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'),
    );
  }
  out.push('');
  out.push(
    'Targets (issue 7): requests / minimum ≤ 1.05; elapsed / lower bound ≤ 1.15, where the lower bound is the larger of ' +
      '(minimum − burst) / rate and minimum × latency / concurrency; peak RSS flat from S to L and under 256 MiB (whole Node process of the collector, ' +
      '`process.resourceUsage().maxRSS`); every run\'s published output equals the tenant\'s ground truth (multiset of rows: no row lost, none doubled).',
    '',
  );
  out.push('| product | size | tenant |', '|---|---|---|');
  for (const r of rows) out.push(`| ${r.product} | ${r.size} | ${r.describe} |`);
  out.push('');
  return out.join('\n');
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const rows: Row[] = [];
  const cap = a.maxOldSpaceMiB ? `; V8 old space capped at ${a.maxOldSpaceMiB} MiB` : '';
  const title = a.append ? `# Benchmark results, further run (${a.sizes.join(', ')}; ${a.products.map((p) => p.product).join(', ')}${cap})` : `# Benchmark results${cap ? ` (${cap.slice(2)})` : ''}`;
  const before = a.append ? `${await readFile(a.out, 'utf8').catch(() => '')}\n` : '';
  // Written after every run, so an interrupted benchmark still leaves what it measured.
  const save = (md: string) => writeFile(a.out, before + md);
  for (const size of a.sizes) {
    for (const p of a.products) {
      if (size === 'L' && !a.lProducts.includes(p.product)) continue;
      rows.push(await measure(p, size, a, log));
      await save(`${resultsMarkdown(rows, a.products, title)}\n_(benchmark in progress)_\n`);
    }
  }
  let md = rows.length ? resultsMarkdown(rows, a.products, title) : '';
  if (a.faults) {
    log('fault matrix (full)…');
    const cells = await runMatrix({ mode: 'full', products: a.products, log });
    md += `\n${matrixMarkdown(cells)}\n`;
  }
  await save(md);
  process.stdout.write(md);
  const bad = rows.some((r) => !r.ours.result.ok || !r.ours.check?.equal || (r.baseline && (!r.baseline.result.ok || !r.baseline.check?.equal)));
  if (bad) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
