import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyTable } from '../schema/table.ts';
import { PARQUET_ROOT } from '../sink/layout.ts';
import { duckdbType } from '../sql/tables.ts';

/**
 * The local Parquet copies (`<root>/parquet/<table>/dt=<date>/org=<org>/part-<fingerprint>.parquet`). The
 * file name carries a fingerprint of the table's columns (names and types, from its zod schema), so a copy
 * written before the schema changed is never read as current: readers fall back to the JSON partition
 * until `npm run parquet` writes it again.
 */

/** Fingerprint of a table's columns and their DuckDB types (12 hex digits). */
export function schemaFingerprint(t: AnyTable): string {
  return createHash('sha256')
    .update(JSON.stringify(t.columns.map((c) => [c.name, duckdbType(c.type)])))
    .digest('hex')
    .slice(0, 12);
}

/** Name of the one Parquet file of a partition, for the table's current schema. */
export function parquetFileName(t: AnyTable): string {
  return `part-${schemaFingerprint(t)}.parquet`;
}

/** A Hive partition of a table and the files in it (absolute paths). */
export interface PartitionFiles {
  readonly dt: string;
  readonly org: string;
  readonly dir: string;
  readonly files: readonly string[];
}

async function entries(dir: string, prefix: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((e) => e.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

/** Partitions under `dir` (`dt=*\/org=*\/`), with the files whose name `keep` accepts; partitions without any are left out. */
async function partitions(dir: string, keep: (file: string) => boolean, date?: string): Promise<PartitionFiles[]> {
  const out: PartitionFiles[] = [];
  for (const dt of await entries(dir, date ? `dt=${date}` : 'dt=')) {
    if (date && dt !== `dt=${date}`) continue;
    for (const org of await entries(join(dir, dt), 'org=')) {
      const p = join(dir, dt, org);
      const files = (await entries(p, '')).filter(keep).map((f) => join(p, f));
      if (files.length) out.push({ dt: dt.slice(3), org: org.slice(4), dir: p, files });
    }
  }
  return out;
}

/** The published JSON partitions of a table (`<root>/<table>/dt=*\/org=*\/*.json.gz`), optionally of one date. */
export function jsonPartitions(root: string, table: string, date?: string): Promise<PartitionFiles[]> {
  return partitions(join(root, table), (f) => f.endsWith('.json.gz'), date);
}

/** The folder of a table's Parquet copy. */
export function parquetTableDir(root: string, table: string): string {
  return join(root, PARQUET_ROOT, table);
}

/** Partitions of a table that have a Parquet copy for its current schema, optionally of one date. */
export function parquetPartitions(root: string, t: AnyTable, date?: string): Promise<PartitionFiles[]> {
  const name = parquetFileName(t);
  return partitions(parquetTableDir(root, t.name), (f) => f === name, date);
}

/** Every partition folder of a table's Parquet copy on `date`, whatever its files (to remove stale ones). */
export async function parquetPartitionDirs(root: string, table: string, date: string): Promise<{ org: string; dir: string }[]> {
  const dir = join(parquetTableDir(root, table), `dt=${date}`);
  return (await entries(dir, 'org=')).map((o) => ({ org: o.slice(4), dir: join(dir, o) }));
}
