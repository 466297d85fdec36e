import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '../../shared/config.ts';
import type { CollectDeps, ProductModule } from '../../shared/engine/collect.ts';
import { runUnit, type UnitOutcome } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import { startSimulator, type ProductSim, type RequestLogEntry, type Simulator, type SimulatorOptions, type SimulatorStats } from '../../simulator/index.ts';
import { collectThenWrongToken, WRONG_TOKEN } from './cli.ts';
import { expectTablesEqualTruth } from './truth.ts';

export type Truth = Record<string, Record<string, unknown>[]>;
type SimOptions = Omit<SimulatorOptions, 'products'>;

/** What one product brings to the contract every product must meet (see {@link productContracts}). */
export interface ProductContract {
  /** The `--product` name, for the test titles. */
  product: string;
  /** The simulated tenant (with faults), its ground truth and the fewest requests that read it. */
  tenant: ProductSim;
  truth: () => Truth;
  module: ProductModule;
  tables: readonly AnyTable[];
  deployment?: 'cloud' | 'data-center';
  credentials: CollectDeps['credentials'];
  unit: (sim: Simulator) => Unit;
  /** The simulator of the faults run (faults, rate limits, budgets); the resume run uses it too unless `resumeSimulator` says otherwise. */
  simulator: SimOptions;
  /** A simulator of its own for the resume run (e.g. without faults). */
  resumeSimulator?: SimOptions;
  /** Added to every run's dependencies (e.g. `pacing`). */
  deps?: Partial<Pick<CollectDeps, 'pacing'>>;
  faults: {
    /** Parents that vanish between listing and reading (404s), skipped and counted. */
    skipped: number;
    /** Fault kinds the simulator must have drawn at least once. */
    kinds: readonly string[];
    /** What else this product guarantees in that run (request paths, auth scheme, ...). */
    assess?: (r: { out: UnitOutcome; requests: RequestLogEntry[]; stats: SimulatorStats }) => void;
  };
  resume: {
    /** Fewest invocations a resume at every page boundary takes (a vanished parent's 404 is no page boundary). */
    invocationsAtLeast: (out: UnitOutcome) => number;
    /** Largest checkpoint allowed, bytes. @default 64 KiB */
    maxCheckpointBytes?: number;
  };
}

/** A simulator of `products` running for the enclosing `describe` block. */
function simulatorFor(options: SimulatorOptions): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator(options);
  });
  afterAll(async () => sim?.close());
  return () => {
    if (!sim) throw new Error('the simulator of this describe block has not started (call it inside a test)');
    return sim;
  };
}

const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const DATE = '2026-11-28';

/**
 * The contract every product must meet, one `describe` per product: with faults on (5xx, resets, stalls,
 * truncated JSON, short pages, rate limits) every table equals the tenant's ground truth, paced so that nothing is
 * sent into a closed window; resuming at every page boundary (one request per invocation, one connection) gives
 * the same tables, no row doubled, with a small checkpoint.
 */
export function productContracts(cases: readonly ProductContract[], tmp: () => Promise<string>): void {
  describe.each(cases.map((c) => ({ ...c, name: c.product })))('$name meets the product contract', (c) => {
    const simulator = simulatorFor({ ...c.simulator, products: [c.tenant] });
    const expectEqualsTruth = (store: LocalStore): Promise<void> =>
      expectTablesEqualTruth(store, c.tables, c.truth(), { date: DATE, org: 'acme', ...(c.deployment ? { deployment: c.deployment } : {}) });

    it('with faults on, every table equals ground truth; vanished parents are skipped; nothing sent into a closed window', async () => {
      // Prepare
      const sim = simulator();
      const store = new LocalStore(await tmp());
      sim.resetStats();
      // Act
      const out = await runUnit({ id: 'faults', date: DATE }, c.unit(sim), () => ({ module: c.module, store, credentials: c.credentials, http: fastHttp, ...c.deps }));
      // Assess
      expect(out.error).toBeUndefined();
      expect(out.stats?.retries).toBeGreaterThan(0);
      expect(out.stats?.skipped).toBe(c.faults.skipped);
      const stats = sim.stats();
      for (const kind of c.faults.kinds) expect(stats.faults[kind] ?? 0, kind).toBeGreaterThan(0);
      await expectEqualsTruth(store);
      // Paced to the budget the headers tell: nothing sent into a closed window.
      expect(stats.closedWindowRequests).toBe(0);
      c.faults.assess?.({ out, requests: sim.requests(), stats });
    });

    it('resuming after every page boundary (one request per invocation) gives identical output, no duplicate', async () => {
      // Prepare: one worker, so every invocation ends at the very next page boundary.
      const own = c.resumeSimulator ? await startSimulator({ ...c.resumeSimulator, products: [c.tenant] }) : undefined;
      try {
        const store = new LocalStore(await tmp());
        let maxCheckpoint = 0;
        // Act
        const out = await runUnit(
          { id: 'resume', date: DATE },
          c.unit(own ?? simulator()),
          () => ({ module: c.module, store, credentials: c.credentials, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1, ...c.deps }),
          { onInvocation: (_n, bytes) => (maxCheckpoint = Math.max(maxCheckpoint, bytes)) },
        );
        // Assess
        expect(out.error).toBeUndefined();
        expect(out.invocations).toBeGreaterThanOrEqual(c.resume.invocationsAtLeast(out));
        expect(maxCheckpoint).toBeLessThan(c.resume.maxCheckpointBytes ?? 64 * 1024);
        await expectEqualsTruth(store);
      } finally {
        await own?.close();
      }
    });
  });
}

/** `> n / 2` as a lower bound for integers. */
export const moreThanHalfOf = (n: number): number => Math.floor(n / 2) + 1;

/** A credential that authenticates but lacks the admin right or scope the product needs. */
export interface PermissionContract {
  product: string;
  /** A small tenant; the simulator runs without faults. */
  tenant: ProductSim;
  seed: number;
  module: ProductModule;
  unit: (sim: Simulator) => Unit;
  /** The limited credential, and its secret part (which no message may print). */
  credentials: CollectDeps['credentials'];
  secret: string;
  /** What the message must say: the endpoint and status, the right or scope, the fix (strings: contained; patterns: matched). */
  says: readonly (string | RegExp)[];
  /** Table name prefix of the product's tables. */
  tables: string;
}

/**
 * Every product refuses to publish half an inventory: a credential without the admin right fails the unit with a
 * PermissionError that names the endpoint and HTTP 403, the right or scope to grant and how, never prints the
 * credential, and publishes nothing.
 */
export function permissionContracts(cases: readonly PermissionContract[], tmp: () => Promise<string>): void {
  describe.each(cases.map((c) => ({ ...c, name: c.product })))('$name without the admin right', (c) => {
    const simulator = simulatorFor({ products: [c.tenant], seed: c.seed });

    it('fails with a 403 naming the endpoint, the missing permission and the fix; prints no secret; publishes nothing', async () => {
      // Prepare
      const store = new LocalStore(await tmp());
      // Act
      const out = await runUnit({ id: 'limited', date: DATE }, c.unit(simulator()), () => ({ module: c.module, store, credentials: c.credentials }));
      // Assess
      expect(out.ok).toBe(false);
      expect(out.error?.name).toBe('PermissionError');
      for (const s of c.says) {
        if (typeof s === 'string') expect(out.error?.message).toContain(s);
        else expect(out.error?.message).toMatch(s);
      }
      expect(out.error?.message).not.toContain(c.secret);
      expect(await store.list(c.tables)).toEqual([]);
    });
  });
}

/** A basic-auth product collected through `npm run collect`, then again with a wrong API token. */
export interface WrongTokenContract {
  product: string;
  tenant: ProductSim;
  seed: number;
  /** The first request, which the 401 answers, e.g. `GET /rest/api/3/myself`. */
  endpoint: string;
}

/**
 * A wrong API token ends the command with exit code 1 and an AuthenticationError that names the org, product, site,
 * endpoint and HTTP 401 and says which environment variables to check, never prints the token, and leaves the
 * partition an earlier run published untouched.
 */
export function wrongTokenContracts(cases: readonly WrongTokenContract[], tmp: () => Promise<string>): void {
  describe.each(cases.map((c) => ({ ...c, name: c.product })))('$name with a wrong API token', (c) => {
    const simulator = simulatorFor({ products: [c.tenant], seed: c.seed });

    it('a 401 ends with a clear message, exit code 1, and leaves the previous partition untouched', async () => {
      // Prepare, Act: a good run, then a wrong token for the same date.
      const out = await tmp();
      const { good, bad, publishedBefore: before } = await collectThenWrongToken(c.product, simulator().url, out);
      // Assess
      expect(good.exitCode).toBe(0);
      expect(before.length).toBeGreaterThan(0);
      expect(bad.exitCode).toBe(1);
      const err = bad.outcomes[0]?.error;
      expect(err?.name).toBe('AuthenticationError');
      expect(err?.message).toContain(`[org acme, product ${c.product}, site 127.0.0.1:`);
      expect(err?.message).toContain(`endpoint ${c.endpoint}, HTTP 401]`);
      expect(err?.message).toContain('ATLASSIAN_EMAIL and ATLASSIAN_API_TOKEN');
      expect(err?.message).not.toContain(WRONG_TOKEN);
      expect(await new LocalStore(out).list(`${c.product}_`)).toEqual(before);
    });
  });
}
