import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { TRINO_VERSION, type TrinoClient } from './trino.ts';

/**
 * The Glue catalog the stack deploys, read from its synthesized CloudFormation template, and loaded into
 * Trino's Hive connector the way Athena reads it from Glue: every `AWS::Glue::Table` becomes a table of the
 * Hive file metastore with the same columns, partition keys, SerDe, SerDe parameters, input/output formats
 * and table parameters; every view keeps the `ViewOriginalText` the stack deploys (`/* Presto View: <base64
 * JSON> *\/`), which is the encoding Trino's Hive connector itself stores views in, so Trino decodes and
 * checks exactly what Athena would.
 *
 * Two differences, both forced: the S3 location becomes a local folder (`local:///<dir>/<table>/`), and the
 * partition projection parameters are dropped (Athena-only: Trino's Hive connector would read `projection.*`
 * with the configured org list, not the orgs on disk), so the partitions that exist are registered instead.
 */

const ColumnSchema = z.object({ Name: z.string(), Type: z.string(), Comment: z.string().optional() });
const TableInputSchema = z.object({
  Name: z.string(),
  TableType: z.enum(['EXTERNAL_TABLE', 'VIRTUAL_VIEW']),
  Parameters: z.record(z.string(), z.string()).default({}),
  PartitionKeys: z.array(ColumnSchema).default([]),
  StorageDescriptor: z.object({
    Columns: z.array(ColumnSchema),
    Location: z.unknown().optional(),
    InputFormat: z.string().optional(),
    OutputFormat: z.string().optional(),
    SerdeInfo: z.object({ SerializationLibrary: z.string().optional(), Parameters: z.record(z.string(), z.string()).optional() }).default({}),
  }),
  ViewOriginalText: z.string().optional(),
  ViewExpandedText: z.string().optional(),
});
export type GlueTableInput = z.infer<typeof TableInputSchema>;

const TemplateSchema = z.object({
  Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() })),
});

export interface TemplateCatalog {
  readonly database: string;
  readonly tables: readonly GlueTableInput[];
  readonly views: readonly GlueTableInput[];
  /** Named queries (AWS::Athena::NamedQuery): name and query string. */
  readonly namedQueries: readonly { name: string; sql: string }[];
}

/** The Glue tables, views and named queries of a synthesized template. */
export function templateCatalog(template: unknown): TemplateCatalog {
  const t = TemplateSchema.parse(template);
  const inputs: GlueTableInput[] = [];
  const databases = new Set<string>();
  const namedQueries: { name: string; sql: string }[] = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    if (r.Type === 'AWS::Glue::Table') {
      const p = z.object({ DatabaseName: z.string(), TableInput: TableInputSchema }).safeParse(r.Properties);
      if (!p.success) throw new Error(`template resource ${id}: not a Glue table this check understands: ${p.error.message}`);
      databases.add(p.data.DatabaseName);
      inputs.push(p.data.TableInput);
    }
    if (r.Type === 'AWS::Athena::NamedQuery') {
      const p = z.object({ Name: z.string(), QueryString: z.string() }).parse(r.Properties);
      namedQueries.push({ name: p.Name, sql: p.QueryString });
    }
  }
  if (databases.size !== 1) throw new Error(`expected the Glue tables of one database, found ${[...databases].join(', ') || 'none'}`);
  return {
    database: [...databases][0] as string,
    tables: inputs.filter((i) => i.TableType === 'EXTERNAL_TABLE'),
    views: inputs.filter((i) => i.TableType === 'VIRTUAL_VIEW'),
    namedQueries,
  };
}

const column = (c: { Name: string; Type: string; Comment?: string | undefined }) => ({ name: c.Name, type: c.Type, ...(c.Comment ? { comment: c.Comment } : {}), properties: {} });

/** The file metastore's record of a table (`<metastore>/<schema>/<table>/.trinoSchema`). */
export function tableMetadata(t: GlueTableInput, location: string | undefined): Record<string, unknown> {
  const parameters = Object.fromEntries(Object.entries(t.Parameters).filter(([k]) => !k.startsWith('projection.') && k !== 'storage.location.template'));
  const sd = t.StorageDescriptor;
  if (t.TableType === 'VIRTUAL_VIEW') {
    return {
      writerVersion: TRINO_VERSION,
      owner: 'athena-check',
      tableType: 'VIRTUAL_VIEW',
      dataColumns: sd.Columns.map(column),
      partitionColumns: [],
      parameters,
      originalStorageFormat: {},
      serdeParameters: {},
      viewOriginalText: t.ViewOriginalText,
      viewExpandedText: t.ViewExpandedText,
      columnStatistics: {},
    };
  }
  return {
    writerVersion: TRINO_VERSION,
    owner: 'athena-check',
    tableType: 'EXTERNAL_TABLE',
    dataColumns: sd.Columns.map(column),
    partitionColumns: t.PartitionKeys.map(column),
    parameters,
    originalStorageFormat: { serde: sd.SerdeInfo.SerializationLibrary, inputFormat: sd.InputFormat, outputFormat: sd.OutputFormat },
    serdeParameters: sd.SerdeInfo.Parameters ?? {},
    externalLocation: location,
    columnStatistics: {},
  };
}

/**
 * Replace the schema `catalog.database` in Trino's file metastore with the template's tables (over `dataRoot`,
 * a folder laid out like the bucket's `data/`) and views, then register every partition found on disk.
 */
export async function loadCatalog(trino: TrinoClient, metastoreDir: string, catalog: TemplateCatalog, dataRoot: string): Promise<{ partitions: number }> {
  const root = resolve(dataRoot);
  const schemaDir = join(metastoreDir, catalog.database);
  await trino.query(`DROP SCHEMA IF EXISTS ${catalog.database} CASCADE`).catch(() => undefined);
  rmSync(schemaDir, { recursive: true, force: true });
  rmSync(join(metastoreDir, `.${catalog.database}.trinoSchema`), { force: true });
  await trino.query(`CREATE SCHEMA ${catalog.database}`);
  for (const t of [...catalog.tables, ...catalog.views]) {
    const dir = join(schemaDir, t.Name);
    mkdirSync(dir, { recursive: true });
    const location = t.TableType === 'EXTERNAL_TABLE' ? `local://${join(root, t.Name)}` : undefined;
    if (location) mkdirSync(join(root, t.Name), { recursive: true });
    writeFileSync(join(dir, '.trinoSchema'), JSON.stringify(tableMetadata(t, location), null, 2));
  }
  let partitions = 0;
  for (const t of catalog.tables) {
    // Trino has no partition projection: register the dt=/org= folders that exist.
    await trino.query(`CALL system.sync_partition_metadata('${catalog.database}', '${t.Name}', 'FULL')`);
    const { rows } = await trino.query(`SELECT count(*) AS n FROM "${t.Name}$partitions"`);
    partitions += Number(rows[0]?.n ?? 0);
  }
  return { partitions };
}

const PrestoViewSchema = z.object({ originalSql: z.string(), catalog: z.string(), schema: z.string(), columns: z.array(z.object({ name: z.string(), type: z.string() })) });

/** The view definition the stack deploys, decoded from its ViewOriginalText. */
export function decodePrestoView(v: GlueTableInput) {
  const m = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(v.ViewOriginalText ?? '');
  if (!m?.[1]) throw new Error(`view ${v.Name}: ViewOriginalText is not a Presto view definition`);
  return PrestoViewSchema.parse(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')));
}

