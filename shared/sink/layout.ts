import { unitSlug, type Run, type Unit } from '../config.ts';

/**
 * Where parts live. Staged parts of a run are private to the unit; published parts sit in Hive
 * partitions `<table>/dt=<date>/org=<org>/` and are named after the unit, so units of one org that share a
 * table (two Jira sites) replace only their own files.
 */
export const STAGING_ROOT = '_staging';

export function stagingPrefix(run: Run, unit: Unit): string {
  return `${STAGING_ROOT}/run=${run.id}/org=${unit.org}/unit=${unitSlug(unit)}/`;
}

export function stagedPartKey(run: Run, unit: Unit, table: string, seq: number, k: number): string {
  return `${stagingPrefix(run, unit)}${table}/${partName(seq, k)}`;
}

export function partName(seq: number, k: number): string {
  return `part-${String(seq).padStart(5, '0')}-${String(k).padStart(3, '0')}.json.gz`;
}

/** Invocation sequence number of a staged part key, or undefined if the key is not a part. */
export function seqOfPart(key: string): number | undefined {
  const m = /part-(\d{5})-\d{3}\.json\.gz$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

export function partitionPrefix(table: string, run: Run, org: string): string {
  return `${table}/dt=${run.date}/org=${org}/`;
}

export function publishedPartKey(run: Run, unit: Unit, table: string, stagedName: string): string {
  return `${partitionPrefix(table, run, unit.org)}${unitSlug(unit)}--${run.id}--${stagedName}`;
}

/** Prefix of the published files of one unit in one partition (any run). */
export function publishedUnitPrefix(table: string, run: Run, unit: Unit): string {
  return `${partitionPrefix(table, run, unit.org)}${unitSlug(unit)}--`;
}

/**
 * Root, beside the tables, of the optional Parquet copies: `parquet/<table>/dt=<date>/org=<org>/`. A folder
 * of its own (not a `<table>/` sibling file) so that nothing that reads `<table>/dt=…/` meets a Parquet file,
 * and the JSON tables' Glue locations (`<table>/`) never contain one.
 */
export const PARQUET_ROOT = 'parquet';

/** `parquet/<table>/`, the location of a table's Parquet copy. */
export function parquetTablePrefix(table: string): string {
  return `${PARQUET_ROOT}/${table}/`;
}

/** `parquet/<table>/dt=<date>/`, or with `org` the one partition `…/org=<org>/`. */
export function parquetPartitionPrefix(table: string, date: string, org?: string): string {
  return `${parquetTablePrefix(table)}dt=${date}/${org === undefined ? '' : `org=${org}/`}`;
}
