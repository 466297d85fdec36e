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

/**
 * Staged parts sit under their invocation first (`seq=00042/<table>/part-00042-000.json.gz`), so the parts of
 * invocation `seq` and later are one listing that starts after {@link stagedSeqStart}, whatever number of
 * earlier invocations the unit has: checking for an earlier attempt's leftovers costs the same at the
 * 3,000th invocation as at the first.
 */
export function stagedPartKey(run: Run, unit: Unit, table: string, seq: number, k: number): string {
  return `${stagingPrefix(run, unit)}${seqFolder(seq)}/${table}/${partName(seq, k)}`;
}

/** A listing `startAfter` this key returns the staged parts of invocation `seq` and later, and none before. */
export function stagedSeqStart(run: Run, unit: Unit, seq: number): string {
  // `seq=00042` sorts before `seq=00042/…` and after every key of `seq=00041/…`.
  return `${stagingPrefix(run, unit)}${seqFolder(seq)}`;
}

function seqFolder(seq: number): string {
  return `seq=${String(seq).padStart(5, '0')}`;
}

/** The table and the part name of a staged part key (`…/seq=…/<table>/<name>`), or undefined for other keys. */
export function stagedPartOf(stagingKey: string, prefix: string): { table: string; name: string } | undefined {
  const segs = stagingKey.slice(prefix.length).split('/');
  const name = segs.at(-1);
  const table = segs.at(-2);
  if (!name || !table || seqOfPart(name) === undefined) return undefined;
  return { table, name };
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
