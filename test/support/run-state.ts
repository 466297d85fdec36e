import { emptyStats, type Stats } from '../../shared/contract.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { BlobStore } from '../../shared/sink/store.ts';
import { roundItemsKey } from '../../shared/workflow/names.ts';
import { groupBySite } from '../../shared/workflow/plan.ts';
import type { Round, UnitState } from '../../shared/workflow/schemas.ts';
import { writeJson, writeUnitState } from '../../shared/workflow/state-store.ts';

/** A unit's record as a child would have left it; `lastRun` defaults to the run itself. */
export interface SeededUnit {
  unit: Unit;
  status?: UnitState['status'];
  stats?: Stats;
  error?: UnitState['error'];
  files?: number;
  lastRun?: string;
}

/** Write what plan and the children leave in `state/` for a run (site list of round 0, unit records); returns the round. */
export async function seedRunState(state: BlobStore, run: Run, units: readonly SeededUnit[], opts: { force?: boolean } = {}): Promise<Round> {
  const sites = groupBySite(units.map((u) => u.unit));
  await writeJson(state, roundItemsKey(run, 0), sites);
  for (const u of units) {
    if (!u.status) continue;
    await writeUnitState(state, run.date, {
      v: 1,
      unit: u.unit,
      run,
      status: u.status,
      checkpoint: null,
      stats: u.stats ?? emptyStats(),
      lastRun: u.lastRun ?? run.id,
      ...(u.error ? { error: u.error } : {}),
      ...(u.files !== undefined ? { files: u.files } : {}),
      updatedAt: '2026-11-28T03:05:00.000Z',
    });
  }
  return { run, force: opts.force ?? false, round: 0, itemsKey: roundItemsKey(run, 0), units: units.length, sites: sites.length, continued: 0 };
}
