import { gunzipSync } from 'node:zlib';
import type { Run } from '../config.ts';
import { partitionPrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';

export type Row = Record<string, unknown>;

/** Every row of a table's published partition for one org, parsed. */
export async function readPublished(store: BlobStore, table: string, run: Pick<Run, 'date'>, org: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const key of await store.list(partitionPrefix(table, { id: '', date: run.date }, org))) {
    if (!key.endsWith('.json.gz')) continue;
    for (const line of gunzipSync(await store.read(key)).toString('utf8').split('\n')) {
      if (line) rows.push(JSON.parse(line) as Row);
    }
  }
  return rows;
}

/** Canonical, order-free form of a row without the given columns (e.g. `collected_at`). */
export function canonical(row: Row, drop: readonly string[] = ['site', 'collected_at', 'deployment']): string {
  const keys = Object.keys(row).filter((k) => !drop.includes(k)).sort();
  return JSON.stringify(keys.map((k) => [k, row[k]]));
}

/** Differences between expected and actual rows as multisets: what is missing, extra or duplicated. */
export function diffRows(expected: readonly Row[], actual: readonly Row[], drop?: readonly string[]) {
  const count = (rows: readonly Row[]) => {
    const m = new Map<string, number>();
    for (const r of rows) {
      const k = canonical(r, drop);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const e = count(expected);
  const a = count(actual);
  const missing: string[] = [];
  const extra: string[] = [];
  const duplicates: string[] = [];
  for (const [k, n] of e) if ((a.get(k) ?? 0) < n) missing.push(k);
  for (const [k, n] of a) {
    const want = e.get(k) ?? 0;
    if (want === 0) extra.push(k);
    else if (n > want) duplicates.push(k);
  }
  return { missing, extra, duplicates, equal: !missing.length && !extra.length && !duplicates.length };
}
