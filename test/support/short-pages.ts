import { describe, expect, it } from 'vitest';
import type { Run, Unit } from '../../shared/config.ts';
import type { CollectDeps, ProductModule } from '../../shared/engine/collect.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import type { ShortPageReading } from '../../simulator/paging.ts';
import { type ProductSim, type Simulator } from '../../simulator/index.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import { expectTablesEqualTruth } from './truth.ts';
import { simulatorForBlock } from './simulator-checks.ts';

/**
 * The offset-paging contract every product with short pages mid-list must meet, in both readings of what the next
 * offset counts (simulator/paging.ts): with faults on and one request per invocation (a resume at every page
 * boundary), every table equals ground truth; in the `positions` reading the key guard drops the rows read again,
 * in the `returned` reading nothing is read again.
 */
export function shortPageReadings<T extends { sim: ProductSim; truth: () => Record<string, Record<string, unknown>[]> }>(o: {
  title: string;
  /** The tenant for one reading, and its ground truth. */
  tenant: (reading: ShortPageReading) => T;
  module: ProductModule;
  tables: readonly AnyTable[];
  /** The unit collected from the running simulator, for this reading's tenant. */
  unit: (sim: Simulator, tenant: T) => Unit;
  credentials: CollectDeps['credentials'];
  http: NonNullable<CollectDeps['http']>;
  tmp: () => Promise<string>;
}): void {
  describe.each([
    { reading: 'positions' as const, repeats: 'the rows read again are dropped' },
    { reading: 'returned' as const, repeats: 'no row is read again' },
  ])(`${o.title}, $reading reading (the offset counts $reading)`, ({ reading, repeats }) => {
    const tenant = o.tenant(reading);
    const sim = simulatorForBlock({ products: [tenant.sim], seed: 21, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } });

    it(`with faults, resuming after every page boundary, every table equals ground truth and ${repeats}`, async () => {
      // Prepare
      const store = new LocalStore(await o.tmp());
      const run: Run = { id: `short-${reading}`, date: '2026-11-28' };
      // Act
      const out = await runUnit(run, o.unit(sim, tenant), () => ({ module: o.module, store, credentials: o.credentials, http: { ...o.http, concurrency: 1 }, maxRequests: 1 }));
      // Assess
      expect(out.error).toBeUndefined();
      if (reading === 'positions') expect(out.stats?.repeatsDropped).toBeGreaterThan(0);
      else expect(out.stats?.repeatsDropped).toBe(0);
      await expectTablesEqualTruth(store, o.tables, tenant.truth(), { date: run.date, org: 'acme' });
    });
  });
}
