import { expect } from 'vitest';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import type { LocalStore } from '../../shared/sink/store.ts';

/**
 * Every table's published partition equals the simulator's ground truth as a multiset: no row missing, extra
 * or doubled (the first few offenders are shown per table). With `deployment`, every row must carry it too.
 */
export async function expectTablesEqualTruth(
  store: LocalStore,
  tables: readonly AnyTable[],
  truth: Record<string, Record<string, unknown>[]>,
  at: { date: string; org: string; deployment?: 'cloud' | 'data-center' },
): Promise<void> {
  for (const t of tables) {
    const actual = await readPublished(store, t.name, { date: at.date }, at.org);
    if (at.deployment) for (const r of actual) expect(r.deployment).toBe(at.deployment);
    const d = diffRows(truth[t.name] ?? [], actual);
    expect({ table: t.name, missing: d.missing.slice(0, 3), extra: d.extra.slice(0, 3), duplicates: d.duplicates.slice(0, 3) }).toEqual({
      table: t.name,
      missing: [],
      extra: [],
      duplicates: [],
    });
  }
}
