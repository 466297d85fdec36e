import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { BlobStore } from '../sink/store.ts';
import { COVERAGE_ORDER, sortRows, type CoverageRow } from './data.ts';

/**
 * "Snapshots covered", unit by unit: every product (Cloud and Data Center) that published anything on the date,
 * read from the published file names (`<table>/dt=<date>/org=<org>/<product>-<host>--<run>--part-….json.gz`, see
 * shared/sink/layout.ts) rather than from one anchor table per product, so a unit that writes no settings table
 * (Confluence Data Center, JSM, Assets, Opsgenie, Trello) is listed too. The site and deployment come from the
 * first row of one of the unit's files (every row carries both).
 */

/** The products whose files are looked for, with their tables: the registry's modules (functions/index.ts). */
export type CoverageProducts = readonly { readonly product: string; readonly tables: readonly { readonly name: string }[] }[];

interface Unit {
  org: string;
  product: string;
  /** A published file of the unit, to read its site from. */
  key: string;
}

async function unitsOn(store: BlobStore, date: string, modules: CoverageProducts): Promise<Map<string, Unit>> {
  // Product names longest first, so `jira-dc-…` is not read as `jira` + `dc-…`.
  const products = modules.map((m) => m.product).sort((a, b) => b.length - a.length);
  const tables = [...new Set(modules.flatMap((m) => m.tables.map((t) => t.name)))].sort();
  const units = new Map<string, Unit>();
  for (const table of tables) {
    for (const key of await store.list(`${table}/dt=${date}/`)) {
      const m = /\/org=([^/]+)\/([^/]+?)--[^/]*\.json\.gz$/.exec(key);
      const org = m?.[1];
      const slug = m?.[2];
      if (!org || !slug) continue;
      const product = products.find((p) => slug.startsWith(`${p}-`));
      if (!product) continue;
      const id = `${org}\u0000${slug}`;
      if (!units.has(id)) units.set(id, { org, product, key });
    }
  }
  return units;
}

async function firstRow(store: BlobStore, key: string): Promise<Record<string, unknown> | undefined> {
  const stream = (await store.readStream(key)).pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line) return JSON.parse(line) as Record<string, unknown>;
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Label of a unit's product: `jira`, `jira-dc`, …; Data Center units say so even if a module name did not. */
const label = (product: string, deployment: unknown): string => (deployment === 'data-center' && !product.endsWith('-dc') ? `${product} (data center)` : product);

/** One row per (org, product, site) that published files on `date` or on `previous`. */
export async function unitCoverage(store: BlobStore, date: string, previous: string | null, modules: CoverageProducts): Promise<CoverageRow[]> {
  const out = new Map<string, CoverageRow>();
  const mark = async (d: string, onDate: boolean) => {
    for (const u of (await unitsOn(store, d, modules)).values()) {
      const row = await firstRow(store, u.key);
      const site = typeof row?.site === 'string' ? row.site : u.key.split('/').pop()?.split('--')[0] ?? '';
      const product = label(u.product, row?.deployment);
      const k = `${u.org}\u0000${product}\u0000${site}`;
      const c = out.get(k) ?? { org: u.org, product, site, on_date: false, on_previous: false };
      if (onDate) c.on_date = true;
      else c.on_previous = true;
      out.set(k, c);
    }
  };
  await mark(date, true);
  if (previous) await mark(previous, false);
  return sortRows([...out.values()], COVERAGE_ORDER);
}

/**
 * Snapshot dates in the store, ascending: the `dt=` partitions of collector_units (one row per completed unit,
 * every product) and, for snapshots older than that table, of the four tables the `snapshots` view also reads.
 */
export async function publishedDates(store: BlobStore): Promise<string[]> {
  const dates = new Set<string>();
  for (const table of ['collector_units', 'jira_settings', 'confluence_settings', 'bitbucket_workspaces', 'admin_orgs']) {
    for (const key of await store.list(`${table}/dt=`)) {
      const m = /^[^/]+\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key);
      if (m?.[1]) dates.add(m[1]);
    }
  }
  return [...dates].sort();
}
