import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUsers, bitbucketWorkspaceMembers, confluenceUsers, jiraUsers } from '../../functions/index.ts';
import type { AnyTable } from '../../shared/schema/table.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { writePartition } from '../support/snapshots.ts';
import { ALL_TABLES } from '../../functions/index.ts';

/** A row of `t` with every column at a neutral value, overridden by `v`. */
function rowOf(t: AnyTable, v: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const c of t.columns) {
    if (c.name === 'site' || c.name === 'collected_at') continue;
    base[c.name] = c.nullable ? null : c.type === 'boolean' ? false : c.type === 'bigint' || c.type === 'double' ? 0 : c.type === 'array<string>' ? [] : 'x';
  }
  return { ...base, ...v };
}

// The same people across products: Ada everywhere (e-mail hidden in Jira and Confluence, known to the
// directory), Bob suspended in the directory but still active in Jira, Cy only in Bitbucket (no account id in
// one workspace), Dee only in the directory, Eve in Confluence with a visible e-mail the directory lacks.
const date = '2026-11-28';
let dir: string;
let rows: SqlRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'identities-'));
  const put = (t: AnyTable, site: string, product: string, list: Record<string, unknown>[]) =>
    writePartition(dir, { table: t.name, date, org: 'acme', site, product, rows: list.map((r) => rowOf(t, r)) });
  await put(jiraUsers, 'acme.atlassian.net', 'jira', [
    { account_id: 'ada', account_type: 'atlassian', display_name: 'Ada L.', email_address: null, active: true },
    { account_id: 'bob', account_type: 'atlassian', display_name: 'Bob', email_address: null, active: true },
  ]);
  await put(confluenceUsers, 'acme.atlassian.net', 'confluence', [
    { account_id: 'ada', display_name: 'Ada L.', email: null, account_status: 'active' },
    { account_id: 'eve', display_name: 'Eve', email: 'eve@contractor.example', account_status: 'active' },
  ]);
  await put(bitbucketWorkspaceMembers, 'api.bitbucket.org', 'bitbucket', [
    { workspace_uuid: '{w1}', account_id: 'ada', user_uuid: '{u-ada}', display_name: 'Ada', account_status: 'active', permission: 'owner' },
    { workspace_uuid: '{w1}', account_id: 'cy', user_uuid: '{u-cy}', display_name: 'Cy', account_status: 'active', permission: 'member' },
    { workspace_uuid: '{w2}', account_id: null, user_uuid: '{u-ghost}', display_name: 'Former user', account_status: null, permission: 'member' },
  ]);
  await put(adminUsers, 'api.atlassian.com', 'admin', [
    { account_id: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example', status: 'active', membership_status: 'active', last_active: '2026-11-27T10:00:00.000Z' },
    { account_id: 'bob', name: 'Bob Builder', email: 'bob@acme.example', status: 'suspended', membership_status: 'suspended', last_active: '2026-06-01T08:00:00.000Z' },
    { account_id: 'dee', name: 'Dee', email: null, status: 'active', membership_status: 'active', last_active: null },
  ]);
  const catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
  try {
    rows = [...(await catalog.query(`SELECT * FROM identities WHERE dt = '${date}' ORDER BY account_id`)).rows];
  } finally {
    catalog.close();
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const pick = (id: string) => rows.find((r) => r.account_id === id);

describe('identities view: one person across products', () => {
  it('lists each account once, including directory-only and product-only ones, but not id-less users', () => {
    expect(rows.map((r) => r.account_id)).toEqual(['ada', 'bob', 'cy', 'dee', 'eve']);
  });

  it('says where each person exists', () => {
    expect(pick('ada')).toMatchObject({ products: ['bitbucket', 'confluence', 'jira'], sites: ['acme.atlassian.net', 'api.bitbucket.org'], in_jira: true, in_confluence: true, in_bitbucket: true, in_directory: true });
    expect(pick('dee')).toMatchObject({ products: null, in_jira: false, in_directory: true, active_in_a_product: false });
    expect(pick('cy')).toMatchObject({ products: ['bitbucket'], in_directory: false, directory_status: null });
  });

  it('takes the e-mail from the directory when products hide it, else from a product', () => {
    expect(pick('ada')).toMatchObject({ email: 'ada@acme.example', email_source: 'directory', name: 'Ada Lovelace' });
    expect(pick('eve')).toMatchObject({ email: 'eve@contractor.example', email_source: 'product' });
    expect(pick('cy')).toMatchObject({ email: null, email_source: null, name: 'Cy' });
  });

  it('flags an account active in a product while suspended in the directory, and only that one', () => {
    expect(rows.filter((r) => r.active_while_suspended).map((r) => r.account_id)).toEqual(['bob']);
    expect(pick('bob')).toMatchObject({ directory_status: 'suspended', directory_last_active: '2026-06-01T08:00:00.000Z', active_in_a_product: true });
  });
});
