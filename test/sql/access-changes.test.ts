import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpectedJiraPermission } from '../../simulator/jira-effective.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { CHANGES_D1 as D1, CHANGES_D2 as D2, writeTwoSnapshotTenant } from '../support/access-changes-fixture.ts';
import { ALL_TABLES } from '../../functions/index.ts';

const key = (r: { project_id: unknown; permission: unknown; principal_type: unknown; account_id: unknown }) => `${r.project_id}|${r.permission}|${r.principal_type}|${r.account_id ?? r.principal_type}`;

describe('access_changes between two snapshots', () => {
  let dir: string;
  let catalog: LocalCatalog;
  let before: ExpectedJiraPermission[];
  let after: ExpectedJiraPermission[];
  let gainer: string;
  let orgGainer: string;
  let loser: string;
  let spaceAdmin: string;
  let changes: SqlRow[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-changes-'));
    ({ before, after, gainer, orgGainer, loser, spaceAdmin } = await writeTwoSnapshotTenant(dir));
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    changes = [...(await catalog.query(`SELECT * FROM access_changes WHERE from_dt = '${D1}' AND to_dt = '${D2}'`)).rows];
  });
  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('Jira additions and removals equal the difference of the two truths', () => {
    const b = new Set(before.map(key));
    const a = new Set(after.map(key));
    const wantAdded = [...a].filter((k) => !b.has(k)).sort();
    const wantRemoved = [...b].filter((k) => !a.has(k)).sort();
    const jiraChanges = changes.filter((c) => c.product === 'jira');
    const got = (change: string) =>
      jiraChanges
        .filter((c) => c.change === change)
        .map((c) => key({ project_id: c.resource_id, permission: c.permission, principal_type: c.principal_type, account_id: c.account_id }))
        .sort();
    expect(wantAdded.length).toBeGreaterThan(0);
    expect(wantRemoved.length).toBeGreaterThan(0);
    expect(got('added')).toEqual(wantAdded);
    expect(got('removed')).toEqual(wantRemoved);
  });

  it('"who gained admin since yesterday" is one query', async () => {
    const { rows } = await catalog.query(
      `SELECT product, resource_key, account_id, via FROM access_changes WHERE from_dt = '${D1}' AND to_dt = '${D2}' AND change = 'added' AND privileged ORDER BY product, account_id`,
    );
    expect(rows.some((r) => r.product === 'jira' && r.account_id === gainer && String(r.via).includes('project_role_group'))).toBe(true);
    expect(rows.some((r) => r.product === 'confluence' && r.account_id === spaceAdmin)).toBe(true);
    // The org gainer joined the same group through the organization directory.
    expect(rows.some((r) => r.product === 'jira' && r.account_id === orgGainer && String(r.via).includes('project_role_group'))).toBe(true);
    expect(rows.every((r) => r.account_id === gainer || r.account_id === orgGainer || r.account_id === spaceAdmin)).toBe(true);
  });

  it('lists what the Developers user lost, and nothing for a site not collected on the later date', () => {
    expect(changes.some((c) => c.change === 'removed' && c.account_id === loser && c.product === 'jira')).toBe(true);
    expect(changes.filter((c) => c.site === 'other.atlassian.net')).toEqual([]);
    expect(changes.filter((c) => c.product === 'confluence').map((c) => [c.change, c.account_id, c.permission])).toEqual([['added', spaceAdmin, 'admin']]);
  });
});
