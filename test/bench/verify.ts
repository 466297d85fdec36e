/**
 * Compare a published partition with the tenant's ground truth as multisets, streaming the parts, so an L
 * run (1.5 M membership rows) is checked without holding both sides as objects.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Run } from '../../shared/config.ts';
import { canonical } from '../../shared/local/verify.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import { partitionPrefix } from '../../shared/sink/layout.ts';
import type { BlobStore } from '../../shared/sink/store.ts';

export interface TableCheck {
  table: string;
  expected: number;
  actual: number;
  missing: number;
  extra: number;
  duplicates: number;
}

export interface TruthCheck {
  equal: boolean;
  rows: number;
  /** Compressed bytes of the published parts. */
  bytes: number;
  files: number;
  tables: TableCheck[];
  /** First differences, for messages. */
  sample: string[];
}

/** Published keys of every table of the unit's org partition, with the SHA-256 of each file. */
export async function publishedFingerprint(store: BlobStore, tables: readonly AnyTable[], run: Pick<Run, 'date'>, org: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const t of tables) {
    for (const key of await store.list(partitionPrefix(t.name, { id: '', date: run.date }, org))) {
      out.set(key, createHash('sha256').update(await store.read(key)).digest('hex'));
    }
  }
  return out;
}

export async function checkAgainstTruth(
  store: BlobStore,
  tables: readonly AnyTable[],
  truth: Record<string, Record<string, unknown>[]>,
  run: Pick<Run, 'date'>,
  org: string,
): Promise<TruthCheck> {
  const result: TruthCheck = { equal: true, rows: 0, bytes: 0, files: 0, tables: [], sample: [] };
  for (const t of tables) {
    const want = new Map<string, number>();
    const expected = truth[t.name] ?? [];
    for (const r of expected) {
      const k = canonical(r);
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const seen = new Map<string, number>();
    let actual = 0;
    let extra = 0;
    let duplicates = 0;
    for (const key of await store.list(partitionPrefix(t.name, { id: '', date: run.date }, org))) {
      if (!key.endsWith('.json.gz')) continue;
      result.files++;
      const raw = await store.read(key);
      result.bytes += raw.length;
      const lines = createInterface({ input: (await store.readStream(key)).pipe(createGunzip()), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        actual++;
        const k = canonical(JSON.parse(line) as Record<string, unknown>);
        const n = (seen.get(k) ?? 0) + 1;
        seen.set(k, n);
        const w = want.get(k) ?? 0;
        if (w === 0) {
          extra++;
          if (result.sample.length < 5) result.sample.push(`${t.name}: extra ${k}`);
        } else if (n > w) {
          duplicates++;
          if (result.sample.length < 5) result.sample.push(`${t.name}: duplicate ${k}`);
        }
      }
    }
    let missing = 0;
    for (const [k, w] of want) {
      const got = seen.get(k) ?? 0;
      if (got < w) {
        missing += w - got;
        if (result.sample.length < 5) result.sample.push(`${t.name}: missing ${k}`);
      }
    }
    result.rows += actual;
    result.tables.push({ table: t.name, expected: expected.length, actual, missing, extra, duplicates });
    if (missing || extra || duplicates) result.equal = false;
  }
  return result;
}
