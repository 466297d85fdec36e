/**
 * One collector run in its own process, so its peak RSS is the collector's alone and runs do not pollute
 * each other. Started by {@link runChild} with an IPC channel: it receives one {@link ChildJob}, answers one
 * {@link ChildResult} and exits.
 *
 * - `unit`: the workflow's invoke-until-done loop (`runUnit`) with a Lambda-like time budget per invocation,
 *   then publish.
 * - `invocation`: one `collect()` call from a checkpoint (the fault matrix kills it part-way).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Product, Run, Unit } from '../../shared/config.ts';
import type { Checkpoint, Stats } from '../../shared/contract.ts';
import { collect, type CollectDeps } from '../../shared/engine/collect.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import type { HttpClientOptions } from '../../shared/http/client.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { productModules } from '../../functions/index.ts';
import { baselineModule, BASELINE_CONCURRENCY } from './baseline.ts';

export interface ChildJob {
  kind: 'unit' | 'invocation';
  product: Product;
  mode: 'ours' | 'baseline';
  unit: Unit;
  run: Run;
  outDir: string;
  credentials: Credentials;
  concurrency: number;
  /** Lambda timeout and safety margin, already time-scaled (ms). */
  invocationTimeoutMs?: number;
  safetyMarginMs?: number;
  maxRequests?: number;
  http?: Partial<Pick<HttpClientOptions, 'timeoutMs' | 'retry'>>;
  /** For `invocation`: the checkpoint to resume from. */
  checkpoint?: Checkpoint | null;
  /** The benchmark's time compression: the workflow's rate-limit wait between invocations is divided by it too. */
  timeScale?: number;
  /** Divide the documented rate-limit windows by this (products run at their documented budget). */
  pacingTimeScale?: number;
}

export interface ChildResult {
  ok: boolean;
  error?: { name: string; message: string };
  stats?: Stats;
  invocations: number;
  elapsedMs: number;
  /** Peak resident set size of this process (bytes). */
  maxRssBytes: number;
  /** Largest V8 heap in use seen (sampled every 100 ms), bytes. */
  peakHeapBytes?: number;
  cpuMs: number;
  /** Per stream: wall-clock span (ms from the start) and requests made in it, in first-seen order. */
  trace?: { stream: string; fromMs: number; toMs: number; requests: number; pages: number }[];
  /** For `invocation`. */
  done?: boolean;
  checkpoint?: Checkpoint | null;
}

async function main(job: ChildJob): Promise<ChildResult> {
  const base = productModules[job.product];
  if (!base) throw new Error(`no module for ${job.product}`);
  const module = job.mode === 'baseline' ? baselineModule(base) : base;
  const concurrency = job.mode === 'baseline' ? BASELINE_CONCURRENCY : job.concurrency;
  const store = new LocalStore(job.outDir);
  const t0 = Date.now();
  const trace = new Map<string, { stream: string; fromMs: number; toMs: number; requests: number; pages: number; lastRequests: number }>();
  let lastRequests = 0;
  const deps = (): CollectDeps => {
    const started = Date.now();
    return {
      onProgress: (pr) => {
        const t = Date.now() - t0;
        let e = trace.get(pr.stream);
        if (!e) trace.set(pr.stream, (e = { stream: pr.stream, fromMs: t, toMs: t, requests: 0, pages: 0, lastRequests: 0 }));
        e.toMs = t;
        e.pages++;
        e.requests += Math.max(0, pr.requests - lastRequests);
        lastRequests = Math.max(lastRequests, pr.requests);
      },
      module,
      store,
      credentials: job.credentials,
      http: { ...job.http, concurrency },
      // The baseline is the naive client: no pacing.
      ...(job.mode === 'baseline' ? { pacing: { off: true } } : job.pacingTimeScale !== undefined ? { pacing: { timeScale: job.pacingTimeScale } } : {}),
      ...(job.invocationTimeoutMs !== undefined ? { remainingMs: () => (job.invocationTimeoutMs ?? 0) - (Date.now() - started) } : {}),
      ...(job.safetyMarginMs !== undefined ? { safetyMarginMs: job.safetyMarginMs } : {}),
      ...(job.maxRequests !== undefined ? { maxRequests: job.maxRequests } : {}),
    };
  };
  const started = Date.now();
  if (job.kind === 'invocation') {
    const r = await collect({ run: job.run, unit: job.unit, checkpoint: job.checkpoint ?? null }, deps());
    return { ok: true, stats: r.stats, done: r.done, checkpoint: r.checkpoint, invocations: 1, elapsedMs: Date.now() - started, ...usage() };
  }
  const k = job.timeScale ?? 1;
  const out = await runUnit(job.run, job.unit, deps, { sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms / k)) });
  return {
    trace: [...trace.values()].map(({ lastRequests: _, ...e }) => e),
    ok: out.ok,
    ...(out.error ? { error: { name: out.error.name, message: out.error.message } } : {}),
    ...(out.stats ? { stats: out.stats } : {}),
    invocations: out.invocations,
    elapsedMs: Date.now() - started,
    ...usage(),
  };
}

function usage(): { maxRssBytes: number; cpuMs: number } {
  const u = process.resourceUsage();
  return { maxRssBytes: u.maxRSS * 1024, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) };
}

const CHILD = fileURLToPath(import.meta.url);

/** Options of the child process. */
export interface ChildOptions {
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  /** Called once the child is running (the fault matrix kills it from here). */
  onStart?: (kill: () => void) => void;
}

/** Run `job` in a fresh Node process; resolves with its result, or `killed: true` when it died by a signal. */
export function runChild(job: ChildJob, opts: ChildOptions = {}): Promise<ChildResult & { killed?: boolean }> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      execArgv: ['--import', 'tsx', ...(opts.nodeFlags ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, BENCH_CHILD: '1' },
    });
    let result: ChildResult | undefined;
    child.on('message', (m) => {
      result = m as ChildResult;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result) resolve(result);
      else if (signal) resolve({ ok: false, killed: true, invocations: 0, elapsedMs: 0, maxRssBytes: 0, cpuMs: 0, error: { name: 'Killed', message: `child killed by ${signal}` } });
      else reject(new Error(`benchmark child exited with code ${code} and no result`));
    });
    child.send(job);
    opts.onStart?.(() => child.kill('SIGKILL'));
  });
}

let peakHeap = 0;
if (process.env.BENCH_CHILD === '1' && process.send) {
  setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 100).unref();
  process.once('message', (job) => {
    main(job as ChildJob).then(
      (r) => process.send?.({ ...r, peakHeapBytes: peakHeap }, () => process.exit(0)),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        process.send?.({ ok: false, error: { name: err.name, message: err.message }, invocations: 0, elapsedMs: 0, ...usage() } satisfies ChildResult, () => process.exit(0));
      },
    );
  });
}
