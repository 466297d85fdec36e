import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Writes rows as a published partition (`<table>/dt=<date>/org=<org>/<file>.json.gz`), the layout the
 * collector produces, adding `site` and `collected_at`. For tests that need a snapshot of several products
 * quickly, from the simulators' ground truth, without running the collectors.
 */
export async function writePartition(root: string, o: { table: string; date: string; org: string; site: string; product: string; rows: readonly Record<string, unknown>[] }): Promise<void> {
  const dir = join(root, o.table, `dt=${o.date}`, `org=${o.org}`);
  await mkdir(dir, { recursive: true });
  const collectedAt = `${o.date}T03:00:00.000Z`;
  const body = o.rows.map((r) => JSON.stringify({ ...r, site: o.site, collected_at: collectedAt })).join('\n');
  await writeFile(join(dir, `${o.product}-${o.site.replace(/[^a-z0-9]+/gi, '-')}--test--part-00001-000.json.gz`), gzipSync(body ? `${body}\n` : ''));
}

/** Every table of a ground truth (table name → rows) as one snapshot of one site. */
export async function writeSnapshot(root: string, truth: Record<string, readonly Record<string, unknown>[]>, o: { date: string; org: string; site: string; product: string }): Promise<void> {
  for (const [table, rows] of Object.entries(truth)) await writePartition(root, { ...o, table, rows });
}
