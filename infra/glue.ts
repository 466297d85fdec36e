import { glueType, type AnyTable } from '../shared/schema/table.ts';

/** A Glue column as CloudFormation wants it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
}

/** Glue comments are limited to 255 characters. */
const COMMENT_MAX = 255;

/**
 * Glue columns of an output table, generated from its zod schema (`TableDef.columns`): the only place
 * column lists come from. Timestamps stay `string` (see {@link glueType}): the files hold ISO-8601
 * text with a `Z` offset, which the OpenX JSON SerDe would otherwise have to parse (a format it
 * misreads silently yields NULL); analysts convert with `from_iso8601_timestamp(col)`.
 */
export function glueColumns(table: AnyTable): GlueColumn[] {
  return table.columns.map((c) => {
    const comment = [c.description, c.nullable ? 'nullable' : undefined].filter(Boolean).join('; ');
    return {
      name: c.name,
      type: glueType(c.type),
      ...(comment ? { comment: comment.slice(0, COMMENT_MAX) } : {}),
    };
  });
}

/** Partition keys of every table, in key order (`<table>/dt=<date>/org=<org>/`). */
export const PARTITION_KEYS: readonly GlueColumn[] = [
  { name: 'dt', type: 'string', comment: 'snapshot date, yyyy-MM-dd (UTC)' },
  { name: 'org', type: 'string', comment: 'organization id from the deployment config' },
];

/** SerDe of the gzip NDJSON output files. */
export const JSON_SERDE = {
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  parameters: {
    // A malformed line is an error, never a silently skipped row.
    'ignore.malformed.json': 'FALSE',
    'dots.in.keys': 'FALSE',
  },
} as const;

export const TEXT_INPUT_FORMAT = 'org.apache.hadoop.mapred.TextInputFormat';
export const TEXT_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

/**
 * Table parameters: JSON/gzip classification, and partition projection on `dt` (a date from
 * `retentionDays` ago up to today) and `org` (the configured orgs), so a new snapshot is queryable the
 * moment it is published, with no crawler and no `MSCK REPAIR TABLE`.
 */
export function projectionParameters(opts: { location: string; orgs: readonly string[]; retentionDays: number }): Record<string, string> {
  return {
    classification: 'json',
    compressionType: 'gzip',
    typeOfData: 'file',
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': `NOW-${opts.retentionDays}DAYS,NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'projection.org.type': 'enum',
    'projection.org.values': opts.orgs.join(','),
    'storage.location.template': `${opts.location}dt=\${dt}/org=\${org}/`,
  };
}

/** Storage of the optional Parquet copies (`<table>_parquet`, see shared/parquet/athena.ts). */
export const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
export const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
export const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';

/** Parameters of a Parquet copy's table: Parquet classification, the same partition projection as the JSON table. */
export function parquetTableParameters(opts: { location: string; orgs: readonly string[]; retentionDays: number }): Record<string, string> {
  const { classification: _json, compressionType: _gzip, ...projection } = projectionParameters(opts);
  return { ...projection, classification: 'parquet' };
}
