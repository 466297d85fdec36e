import { z } from 'zod';

/**
 * Column types that every output table may use. They map one to one onto Glue/Athena types
 * (see {@link glueType}) and onto the JSON value written for each row.
 */
export type ColumnType = 'string' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'array<string>';

/** One column of an output table, derived from its zod schema. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description?: string;
}

/** Column helpers: the only zod shapes a table schema may use, so column types stay fixed. */
export const col = {
  string: () => z.string(),
  int: () => z.int(),
  double: () => z.number(),
  bool: () => z.boolean(),
  /** ISO-8601 date-time with offset, e.g. `2026-11-28T15:20:00.000Z`. */
  timestamp: () => z.iso.datetime({ offset: true }),
  stringArray: () => z.array(z.string()),
};

/** Columns every row carries, whatever the product. */
export const baseColumns = {
  /** Host of the site or API the row came from, e.g. `acme.atlassian.net`. */
  site: z.string().min(1),
  /** When the collector read the row (ISO-8601, UTC). */
  collected_at: z.iso.datetime({ offset: true }),
  /** `cloud` or `data-center`: Cloud and Data Center share table names, so one query covers both. */
  deployment: z.enum(['cloud', 'data-center']).default('cloud'),
};

type BaseShape = typeof baseColumns;

/** A table definition: the single source of truth for row type, validation, Glue columns and docs. */
export interface TableDef<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** snake_case table name, e.g. `jira_users`. */
  readonly name: string;
  /** What one row is. */
  readonly description: string;
  /** Columns that identify a row within one (site, snapshot). */
  readonly key: readonly string[];
  /** Full row schema, base columns included (strict: unknown columns are rejected). */
  readonly schema: z.ZodType<Record<string, unknown>>;
  /** Columns in declaration order, for Glue and docs. */
  readonly columns: readonly ColumnInfo[];
  /** Type-level only: the column shape, for {@link RowOf} and {@link RowInput}. Never set. */
  readonly __shape?: Shape;
}

/** Row type of a table definition. */
export type RowOf<T> = T extends TableDef<infer S> ? z.infer<z.ZodObject<S & BaseShape>> : never;
/** Row type without the base columns the engine fills in. */
export type RowInput<T> = T extends TableDef<infer S> ? z.infer<z.ZodObject<S>> : never;
/** Any table, whatever its columns. */
export type AnyTable = TableDef<z.ZodRawShape>;

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** Define an output table. Throws when a column name or type is outside the allowed set. */
export function defineTable<Shape extends z.ZodRawShape>(def: {
  name: string;
  description: string;
  key: readonly (keyof Shape & string)[];
  columns: Shape;
}): TableDef<Shape> {
  if (!SNAKE.test(def.name)) throw new Error(`table name '${def.name}' must be snake_case`);
  const shape = { ...def.columns, ...baseColumns } as Shape & BaseShape;
  const schema = z.object(shape).strict() as unknown as z.ZodType<Record<string, unknown>>;
  const columns: ColumnInfo[] = Object.entries(shape).map(([name, s]) => {
    if (!SNAKE.test(name)) throw new Error(`column '${def.name}.${name}' must be snake_case`);
    return { name, ...columnType(def.name, name, s as z.ZodType), ...describe(s as z.ZodType) };
  });
  for (const k of def.key) {
    if (!(k in def.columns)) throw new Error(`key column '${def.name}.${k}' is not a column`);
  }
  return { name: def.name, description: def.description, key: def.key, schema, columns };
}

function describe(s: z.ZodType): { description?: string } {
  return s.description ? { description: s.description } : {};
}

interface ZodDefLike {
  type: string;
  format?: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
}

function defOf(s: z.ZodType): ZodDefLike {
  return (s as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

function columnType(table: string, name: string, s: z.ZodType): { type: ColumnType; nullable: boolean } {
  const d = defOf(s);
  if (d.type === 'nullable' && d.innerType) return { type: columnType(table, name, d.innerType).type, nullable: true };
  if (d.type === 'default' && d.innerType) return columnType(table, name, d.innerType);
  if (d.type === 'string') return { type: d.format === 'datetime' ? 'timestamp' : 'string', nullable: false };
  if (d.type === 'enum') return { type: 'string', nullable: false };
  if (d.type === 'number') return { type: d.format === 'safeint' ? 'bigint' : 'double', nullable: false };
  if (d.type === 'boolean') return { type: 'boolean', nullable: false };
  if (d.type === 'array' && d.element && defOf(d.element).type === 'string') return { type: 'array<string>', nullable: false };
  throw new Error(`column '${table}.${name}' has unsupported zod type '${d.type}'; use the col.* helpers`);
}

/** Glue/Athena type of a column type. */
export function glueType(t: ColumnType): string {
  return t === 'timestamp' ? 'string' : t;
}
