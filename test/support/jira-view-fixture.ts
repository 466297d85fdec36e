/**
 * One Jira tenant collected through `npm run collect`'s code into a temporary output folder, opened as the local
 * SQL catalog, and a view compared with its simulator oracle row for row. Shared by the view tests that check a
 * Jira view against an independent TypeScript computation (jira_effective_permissions, jira_issue_security_access).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { DEFAULT_CREDENTIALS, startSimulator, type jiraTenant } from '../../simulator/index.ts';

export const VIEW_FIXTURE_DATE = '2026-11-28';

export interface CollectedJira {
  readonly catalog: LocalCatalog;
  close(): Promise<void>;
}

/** Collect `tenant` (seed 23, org acme, one date) and open the output as the local catalog. */
export async function collectJira(tenant: ReturnType<typeof jiraTenant>, prefix: string): Promise<CollectedJira> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const sim = await startSimulator({ products: [tenant], seed: 23 });
  try {
    const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', dir, '--date', VIEW_FIXTURE_DATE, '--run-id', 'r1'], {
      env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken },
      quiet: true,
    });
    expect(exitCode).toBe(0);
  } finally {
    await sim.close();
  }
  const catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
  return {
    catalog,
    close: async () => {
      catalog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const canon = (r: Record<string, unknown>): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));

/** Assert that `view` equals the oracle's rows (each completed with dt, org and the collected site); returns the view's rows. */
export async function expectViewEqualsOracle<T extends object>(catalog: LocalCatalog, view: string, oracle: readonly T[]): Promise<readonly SqlRow[]> {
  const { rows } = await catalog.query(`SELECT * FROM ${view}`);
  const site = String(rows[0]?.site);
  const actual = rows.map((r) => canon(r)).sort();
  const want = oracle.map((r) => canon({ dt: VIEW_FIXTURE_DATE, org: 'acme', site, ...r })).sort();
  const missing = want.filter((k) => !actual.includes(k));
  const extra = actual.filter((k) => !want.includes(k));
  expect({ missing: missing.slice(0, 3), extra: extra.slice(0, 3) }).toEqual({ missing: [], extra: [] });
  expect(actual).toEqual(want);
  return rows;
}
