import { z } from 'zod';
import { configSchema, unitFields, type Product } from '../shared/config.ts';

export type { Product, ProductOptions } from '../shared/config.ts';
import type { ProductModule } from '../shared/engine/collect.ts';
import { collectorUnits } from '../shared/engine/units-table.ts';
import { ConfigError } from '../shared/errors.ts';
import type { AnyTable } from '../shared/schema/table.ts';
import { jira } from './jira.ts';
import { admin } from './admin.ts';
import { bitbucket } from './bitbucket.ts';
import { confluence } from './confluence.ts';
import { jiraDc } from './jira-dc.ts';
import { confluenceDc } from './confluence-dc.ts';
import { opsgenie } from './opsgenie.ts';
import { jsmOps } from './jsm-ops.ts';
import { trello } from './trello.ts';
import { jsm } from './jsm.ts';
import { assets } from './assets.ts';

/** Each entry's key is its module's product name (a mismatch does not compile). */
function registry<R extends { readonly [P in keyof R & string]: ProductModule<P, z.ZodRawShape> }>(modules: R): Readonly<R> {
  return modules;
}

/**
 * Every product module, by product name: the list of products. Adding a product is one line here (and its
 * module, simulator and tests); its name, options, credentials, title and tables come from its module. The
 * order is the order of the usage text and of the table reference.
 */
export const productModules = registry({
  jira,
  confluence,
  bitbucket,
  admin,
  jsm,
  assets,
  opsgenie,
  'jsm-ops': jsmOps,
  trello,
  'jira-dc': jiraDc,
  'confluence-dc': confluenceDc,
});

type Registry = typeof productModules;
declare module '../shared/config.ts' {
  // The registry fills in shared/config.ts's Product and ProductOptions: shared/ imports nothing from functions/.
  interface ProductRegistry extends Registry {}
  interface ProductOptions extends AllProductOptions {}
}

/** The products, in registry order. */
export const PRODUCTS = Object.keys(productModules) as [Product, ...Product[]];
export const ProductSchema = z.enum(PRODUCTS);

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every product's unit options shape, merged (Admin and JSM operations both take `orgId`, the same field). */
type OptionsShape = UnionToIntersection<{ [P in Product]: (typeof productModules)[P]['options']['shape'] }[Product]>;
/** The unit options of every product (each optional; a module reads its own). */
type AllProductOptions = { [K in keyof OptionsShape]?: z.output<OptionsShape[K]> };

/** Every product module, in registry order. */
export const MODULES: readonly ProductModule[] = PRODUCTS.map((p): ProductModule => productModules[p]);

/** The module of a product. */
export function moduleFor(product: Product): ProductModule {
  const m: ProductModule | undefined = (productModules as Readonly<Record<string, ProductModule>>)[product];
  if (!m) throw new ConfigError(`product '${product}' has no collector in this version; use one of ${PRODUCTS.join(', ')}, or upgrade.`);
  return m;
}

/** A unit of the config file: the common fields and every product's options, unknown keys refused. */
export const UnitConfigSchema = z.object({
  ...unitFields,
  product: ProductSchema,
  ...Object.assign({}, ...PRODUCTS.map((p) => productModules[p].options.shape)),
} as Omit<typeof unitFields, 'product'> & { product: typeof ProductSchema } & OptionsShape);

/** The deployment config (`cdk deploy`, `npm run collect -- --config`, `npm run sync`). */
export const ConfigSchema = configSchema(UnitConfigSchema.omit({ org: true }));

/**
 * Every output table of every product module, once (products may share tables, e.g. Jira Cloud and Data
 * Center), and collector_units, whatever a deployment collects: the SQL views read across products, so the
 * catalog (Glue; DuckDB locally) has every table, empty when a product is not collected.
 */
export function allTables(): AnyTable[] {
  const seen = new Map<string, AnyTable>([[collectorUnits.name, collectorUnits]]);
  for (const p of PRODUCTS) for (const t of productModules[p].tables) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.values()];
}

export const ALL_TABLES: readonly AnyTable[] = allTables();

export { jira, jiraStreams, JIRA_PAGE_SIZES } from './jira.ts';
export * from './jira.tables.ts';
export * from './admin.tables.ts';
export * from './bitbucket.tables.ts';
export * from './confluence.tables.ts';
export * from './opsgenie.tables.ts';
export * from './jsm-ops.tables.ts';
export * from './trello.tables.ts';
export * from './jsm.tables.ts';
export * from './assets.tables.ts';
