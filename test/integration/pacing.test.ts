/**
 * Issue 20: every product paced to its budget, faults on. Each product's documented budget is made small, so
 * that a small tenant needs several windows of it and pacing is exercised: Atlassian's points quota (Jira,
 * Confluence, JSM; `X-RateLimit-*`, `Beta-RateLimit-Policy`), the Admin API's per-minute limit, Trello's token
 * and key windows, Bitbucket's rolling hour (no headers: the unit carries the budget). Products without a
 * documented budget (Data Center, Assets, Opsgenie) run against the simulator's burst bucket, whose figures
 * the answers tell. The simulator counts every request sent beyond a budget or into a window a 429 closed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/config.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { RateBudgetRegistry } from '../../shared/http/pacing.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { startSimulator, type Simulator } from '../../simulator/index.ts';
import { BENCH_PRODUCTS, type TenantShape } from '../bench/products.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';

const SHAPE: TenantShape = { users: 300, groups: 8, memberships: 500, projects: 4, spaces: 4, repositories: 12, vanishing: 1 };

/**
 * Per product: the budget (in the product's unit, see `BenchProduct.tenant`) and the time scale that makes one
 * window about a second. Chosen so that the tenant needs two to four windows of the collector's 0.8 share.
 */
const PACED: Record<string, { budget: number; timeScale: number }> = {
  jira: { budget: 300, timeScale: 3600 },
  confluence: { budget: 600, timeScale: 3600 },
  jsm: { budget: 200, timeScale: 3600 },
  admin: { budget: 10, timeScale: 60 },
  trello: { budget: 5, timeScale: 10 },
  bitbucket: { budget: 40, timeScale: 3600 },
};
/** The burst bucket of products without a documented budget: requests per second, and its size. */
const BUCKET = { perSecond: 10, burst: 5 };

const fastHttp = { timeoutMs: 1000, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const tmp = tempDirs('pacing-it');

describe.each(BENCH_PRODUCTS.map((p) => [p.product, p] as const))('%s paced to its budget, faults on', (_name, p) => {
  const paced = PACED[p.product];
  const tenant = p.tenant(SHAPE, 5, paced ? { budget: paced.budget } : {});
  let sim: Simulator;
  afterAll(async () => sim?.close());

  it('sends no request into a closed window, and every table equals the ground truth', async () => {
    // Prepare
    sim = await startSimulator({
      products: [tenant.sim],
      seed: 5,
      ...(paced ? { budgets: { timeScale: paced.timeScale } } : { rateLimit: BUCKET }),
      faults: { rate: 0.15, kinds: ['5xx', 'reset', 'truncated', 'shortPage'], maxPerRequest: 2 },
    });
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'paced', date: '2026-12-06' };
    const unit = p.unit(sim.url, tenant, 'acme');
    // One budget for the unit's every invocation, as the process-wide registry keeps it in a warm Lambda.
    const registry = new RateBudgetRegistry();

    // Act
    const out = await runUnit(run, unit, () => ({
      module: p.module,
      store,
      credentials: p.credentials(),
      http: fastHttp,
      pacing: { registry, ...(paced ? { timeScale: paced.timeScale } : {}) },
    }));

    // Assess
    expect(out.error).toBeUndefined();
    expect(sim.stats().closedWindowRequests).toBe(0);
    await expectTablesEqualTruth(store, p.module.tables, tenant.groundTruth(), { date: run.date, org: 'acme' });
  });
});
