/**
 * Short, permission-filtered pages on a Confluence Data Center instance (`_links.next` = start + limit over positions
 * before the filter, CONFSERVER-95396/36578; simulator/confluence-dc.ts with `shortPages: positions`): what the
 * collector of this tree requests and writes, per table, against the ground truth.
 *
 *   npx tsx test/bench/short-pages-dc.ts [users]        # default 3000
 *
 * No faults, so the figures are exact and repeatable.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confluenceDc } from '../../functions/confluence-dc.ts';
import type { Run, Unit } from '../../shared/config.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { CONFLUENCE_DC_TOKENS, confluenceDcTenant } from '../../simulator/confluence-dc.ts';
import { startSimulator } from '../../simulator/server.ts';

const users = Number(process.argv[2] ?? 3000);
const tenant = confluenceDcTenant({ seed: 7, users, groups: 30, memberships: users, spaces: 300, shortPages: { reading: 'positions' } });
const sim = await startSimulator({ products: [tenant], seed: 7 });
const dir = await mkdtemp(join(tmpdir(), 'short-pages-dc-'));
try {
  const store = new LocalStore(dir);
  const run: Run = { id: 'short-dc', date: '2026-11-28' };
  const unit: Unit = { org: 'acme', product: 'confluence-dc', siteUrl: `${sim.url}/confluence`, auth: { kind: 'bearer' } };
  const out = await runUnit(run, unit, () => ({ module: confluenceDc, store, credentials: { kind: 'bearer', token: CONFLUENCE_DC_TOKENS.admin, source: 'bench' } }));
  if (out.error) throw out.error;
  console.log(`requests ${out.stats?.requests} (minimum following next: ${tenant.minimumRequests()})`);
  console.log('| table | rows / truth | missing | extra | rows written twice |');
  console.log('|---|---|---|---|---|');
  const truth = tenant.groundTruth();
  for (const t of ['confluence_users', 'confluence_groups', 'confluence_group_members', 'confluence_spaces', 'confluence_space_permissions']) {
    const rows = await readPublished(store, t, run, 'acme');
    const d = diffRows(truth[t] ?? [], rows);
    console.log(`| ${t} | ${rows.length} / ${(truth[t] ?? []).length} | ${d.missing.length} | ${d.extra.length} | ${d.duplicates.length} |`);
  }
} finally {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
}
