import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../shared/contract.ts';
import type { Run, Unit } from '../../shared/config.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { roundItemsKey, UNITS_FAILED_ERROR } from '../../shared/workflow/names.ts';
import { redriveFailedUnits } from '../../shared/workflow/redrive.ts';
import type { UnitState } from '../../shared/workflow/schemas.ts';
import { readUnitState, writeUnitState } from '../../shared/workflow/state-store.ts';
import { tempDirs } from '../support/tmp.ts';

// The state that ends a run with failed units ('Run failed'): fails it on the original attempt, and on a redrive
// plans one more round over the failed units only, once per redrive.
const tmp = tempDirs('redrive');
const run: Run = { id: 'daily-0300', date: '2026-12-01' };
const unit = (host: string, product: Unit['product'] = 'jira'): Unit => ({ org: 'acme', product, siteUrl: `https://${host}`, auth: { kind: 'basic', secretName: 's' } });
const good = unit('good.atlassian.net');
const bad = unit('bad.atlassian.net');
const badToo = unit('bad.atlassian.net', 'confluence');

async function prepared(): Promise<LocalStore> {
  const state = new LocalStore(await tmp());
  await state.write(roundItemsKey(run, 0), Readable.from([JSON.stringify([{ host: 'good.atlassian.net', units: [good] }, { host: 'bad.atlassian.net', units: [bad, badToo] }])]));
  const record = (u: Unit, status: UnitState['status']): UnitState => ({ v: 1, unit: u, run, status, checkpoint: null, stats: emptyStats(), lastRun: run.id, updatedAt: '2026-12-01T04:00:00.000Z' });
  await writeUnitState(state, run.date, record(good, 'published'));
  await writeUnitState(state, run.date, { ...record(bad, 'failed'), error: { name: 'AuthenticationError', message: '401' } });
  await writeUnitState(state, run.date, record(badToo, 'published'));
  return state;
}

const event = (redriveCount: number) => ({ action: 'redrive', run, force: false, round: 0, itemsKey: roundItemsKey(run, 0), units: 3, sites: 2, continued: 0, redriveCount, message: '1 of 3 units failed: acme/jira/bad.atlassian.net' });

describe('Run failed', () => {
  it('fails the original attempt with UnitsFailed, naming the failed units and how to collect them again', async () => {
    // Prepare
    const state = await prepared();
    // Act
    const attempt = redriveFailedUnits(event(0), { state });
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: UNITS_FAILED_ERROR, message: expect.stringMatching(/1 of 3 units failed: acme\/jira\/bad\.atlassian\.net.*redrive this execution/) });
  });

  it('on a redrive, plans a round over the failed unit only and makes it collectable again', async () => {
    // Prepare
    const state = await prepared();
    // Act
    const round = await redriveFailedUnits(event(1), { state });
    // Assess
    expect(round).toMatchObject({ round: 1, continued: 1, sites: 1 });
    const items = JSON.parse((await state.read(round.itemsKey)).toString('utf8')) as unknown;
    expect(items).toEqual([{ host: 'bad.atlassian.net', units: [bad] }]);
    expect((await readUnitState(state, run.date, bad))?.status).toBe('collecting');
    expect((await readUnitState(state, run.date, good))?.status).toBe('published');
  });

  it('serves each redrive once: when the round it planned fails again, the run fails again until the next redrive', async () => {
    // Prepare: redrive 1 was served, and its round ended with the unit failed again.
    const state = await prepared();
    await redriveFailedUnits(event(1), { state });
    const again = await readUnitState(state, run.date, bad);
    await writeUnitState(state, run.date, { ...(again as UnitState), status: 'failed' });
    // Act
    const sameRedrive = redriveFailedUnits({ ...event(1), round: 1 }, { state });
    const nextRedrive = redriveFailedUnits({ ...event(2), round: 1 }, { state });
    // Assess
    await expect(sameRedrive).rejects.toMatchObject({ name: UNITS_FAILED_ERROR });
    await expect(nextRedrive).resolves.toMatchObject({ round: 2, continued: 1 });
  });
});
