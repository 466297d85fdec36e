import { afterAll, beforeAll, expect } from 'vitest';
import { startSimulator, type ProductSim, type Simulator } from '../../simulator/index.ts';

type Rows = readonly Record<string, unknown>[];
type Tenant = ProductSim & { groundTruth(): Record<string, Rows> };

/** Rows as a sorted list of key-sorted JSON: compares tables as multisets, whatever the order of rows or keys. */
export const canon = (rows: Rows): string[] => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))))).sort();

/**
 * Faults do not change the data: with 30 % of requests faulted (at most two per request), a client that retries
 * (`crawl`) still reads exactly the tenant's ground truth, and every kind of fault was served at least once.
 */
export async function expectTruthThroughFaults(tenant: Tenant, crawl: (sim: Simulator) => Promise<{ tables: Record<string, Rows> }>): Promise<void> {
  const sim = await startSimulator({ seed: 9, products: [tenant], faults: { rate: 0.3, slowMs: 400, maxPerRequest: 2 } });
  try {
    const { tables } = await crawl(sim);
    const truth = tenant.groundTruth();
    for (const [name, rows] of Object.entries(truth)) expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
    const faults = sim.stats().faults;
    for (const kind of ['5xx', 'reset', 'slow', 'truncated', 'shortPage']) expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
  } finally {
    await sim.close();
  }
}

/**
 * The same seed gives identical responses on `paths` (the simulator's own URL masked) and an identical ground truth;
 * another seed gives a different response on `paths[differs]`.
 */
export async function expectSeededResponses(tenantOf: (seed: number) => Tenant, paths: readonly string[], authorization: string, differs: number): Promise<void> {
  const read = async (seed: number): Promise<string[]> => {
    const sim = await startSimulator({ seed, products: [tenantOf(seed)] });
    try {
      const out: string[] = [];
      for (const p of paths) out.push((await (await fetch(`${sim.url}${p}`, { headers: { authorization } })).text()).replaceAll(sim.url, 'BASE'));
      return out;
    } finally {
      await sim.close();
    }
  };
  const a = await read(21);
  expect(await read(21)).toEqual(a);
  expect((await read(22))[differs]).not.toEqual(a[differs]);
  expect(JSON.stringify(tenantOf(21).groundTruth())).toBe(JSON.stringify(tenantOf(21).groundTruth()));
}

/**
 * A simulator for the tests of the enclosing `describe` block: started in its `beforeAll`, closed in its
 * `afterAll`. The returned object stands for the running simulator (`sim.url`, `sim.requests()`, ...) inside the
 * block's hooks and tests.
 */
export function simulatorForBlock(opts: Parameters<typeof startSimulator>[0]): Simulator {
  let running: Simulator | undefined;
  beforeAll(async () => {
    running = await startSimulator(opts);
  });
  afterAll(async () => running?.close());
  return new Proxy({} as Simulator, {
    get: (_target, property) => {
      if (!running) throw new Error('the simulator starts in beforeAll: use it inside a test or a hook of the describe block');
      const value: unknown = Reflect.get(running, property, running);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(running) : value;
    },
  });
}

/**
 * The installed-app rows a crawler reads from a UPM listing (`GET <site>/rest/plugins/1.0/`: `{plugins: [...]}`),
 * written independently of functions/upm.ts so the simulator's answer is checked against the published shape.
 */
export function upmAppRows(plugins: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
  return plugins.map((a) => ({
    app_key: a.key,
    name: str(a.name),
    version: str(a.version),
    enabled: a.enabled ?? null,
    user_installed: a.userInstalled ?? null,
    vendor_name: str((a.vendor as Record<string, unknown> | undefined)?.name),
  }));
}
