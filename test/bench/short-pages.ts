/**
 * Short pages mid-list on an Assets tenant, in both readings of `startAt` (simulator/paging.ts): what the
 * collector of this tree requests and writes. Prints one Markdown row per reading: requests (and the minimum a client
 * following the server's own next start needs), rows of assets_objects against the ground truth (missing, extra,
 * rows written more than once) and the repeated rows the key guard dropped (`repeatsDropped`, "repeated rows dropped" in the summary).
 *
 *   npx tsx test/bench/short-pages.ts [objectsPerType]        # default 600: about 4,000 objects
 *
 * No faults, so the figures are exact and repeatable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assets } from '../../functions/assets.ts';
import type { Run, Unit } from '../../shared/config.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { canonical, diffRows, readPublished } from '../../shared/local/verify.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { assetsTenant } from '../../simulator/assets.ts';
import { DEFAULT_CREDENTIALS, startSimulator } from '../../simulator/server.ts';

const objectsPerType = Number(process.argv[2] ?? 600);
const SEED = 7;

console.log('| reading | requests / minimum | assets_objects rows / truth | missing | extra | rows read twice | repeatsDropped |');
console.log('|---|---|---|---|---|---|---|');
for (const reading of ['positions', 'returned'] as const) {
  const tenant = assetsTenant({ seed: SEED, workspaces: 1, schemas: 3, typesPerSchema: 5, objectsPerType, shortPages: { reading } });
  const types = tenant.model.workspaces.flatMap((w) => w.schemas.flatMap((s) => s.types.map((t) => t.id)));
  const sim = await startSimulator({ products: [tenant], seed: SEED });
  const dir = await mkdtemp(join(tmpdir(), 'short-pages-'));
  try {
    const store = new LocalStore(dir);
    const run: Run = { id: `short-${reading}`, date: '2026-11-28' };
    const unit: Unit = { org: 'acme', product: 'assets', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, assets: { objectTypes: types }, auth: { kind: 'bearer' } };
    const out = await runUnit(run, unit, () => ({ module: assets, store, credentials: { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'bench' } }));
    if (out.error) throw out.error;
    const truth = tenant.groundTruth(types).assets_objects ?? [];
    const rows = await readPublished(store, 'assets_objects', run, 'acme');
    const d = diffRows(truth, rows);
    const doubled = rows.length - new Set(rows.map((r) => canonical(r))).size;
    // Older trees have no repeatsDropped in their stats.
    const dropped = (out.stats as { repeatsDropped?: number } | undefined)?.repeatsDropped;
    console.log(
      `| ${reading} | ${out.stats?.requests ?? '?'} / ${tenant.minimumRequests(types)} | ${rows.length} / ${truth.length} | ${d.missing.length} | ${d.extra.length} | ${doubled} | ${dropped ?? '— (not counted)'} |`,
    );
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}
