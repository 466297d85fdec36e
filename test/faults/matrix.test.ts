import { describe, expect, it } from 'vitest';
import { FAULTS, matrixMarkdown, runMatrix } from './matrix.ts';
import { BENCH_PRODUCTS } from '../bench/products.ts';

// Quick mode of the fault matrix (the full one runs in `npm run bench`): every product × every fault on a
// small tenant, one seed. Each cell must complete with output equal to ground truth, or fail with a clear
// message leaving the previously published partition untouched.
describe('fault matrix (quick)', () => {
  it('every product survives every fault: complete and equal to ground truth, or a clean failure', async () => {
    const cells = await runMatrix({ mode: 'quick' });
    const table = matrixMarkdown(cells);
    process.stdout.write(`\n${table}\n`);
    expect(cells).toHaveLength(BENCH_PRODUCTS.length * FAULTS.length);
    expect(cells.filter((c) => !c.ok).map((c) => `${c.product} × ${c.fault}: ${c.outcome}: ${c.detail}`)).toEqual([]);
  }, 300_000); // a hang guard, not a speed target (the bench measures speed): a busy machine may take minutes
});
