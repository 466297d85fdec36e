import { ALL_TABLES } from '../../functions/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { CHANGES_D1 as D1, CHANGES_D2 as D2, writeTwoSnapshotTenant, type TwoSnapshots } from '../support/access-changes-fixture.ts';

// access_changes_explained on the changing tenant: the simulated admins change access between the two collections
// and Jira, Confluence and the organization log each change (test/support/access-changes-fixture.ts).
describe('access_changes_explained between two snapshots', () => {
  let dir: string;
  let catalog: LocalCatalog;
  let fx: TwoSnapshots;
  let rows: SqlRow[];
  let changes: SqlRow[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'explained-'));
    fx = await writeTwoSnapshotTenant(dir);
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    rows = [...(await catalog.query(`SELECT * FROM access_changes_explained WHERE from_dt = '${D1}' AND to_dt = '${D2}'`)).rows];
    changes = [...(await catalog.query(`SELECT * FROM access_changes WHERE from_dt = '${D1}' AND to_dt = '${D2}'`)).rows];
  });
  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const keyOf = (r: SqlRow) => [r.product, r.site, r.change, r.resource_id, r.permission, r.principal_type, r.principal_id].join('|');

  it('every change is explained, by exactly the event that caused it', () => {
    // Prepare
    const want: Record<string, string> = { ...fx.events.roleRemoved, [fx.gainer]: fx.events.gainerJoined, [fx.spaceAdmin]: fx.events.spaceAdminGranted, [fx.orgGainer]: fx.events.orgGainerJoined };
    // Assess
    expect(new Set(rows.map(keyOf))).toEqual(new Set(changes.map(keyOf)));
    for (const r of rows) {
      expect({ account: r.account_id, explanation: r.explanation, event: r.event_id }).toEqual({ account: r.account_id, explanation: 'explained', event: want[String(r.account_id)] });
    }
  });

  it('names who did it, what and when', () => {
    // Assess
    const gained = rows.filter((r) => r.account_id === fx.gainer);
    expect(gained.length).toBeGreaterThan(0);
    expect(gained.map((r) => [r.event_source, r.action, r.matched_on])).toEqual(gained.map(() => ['jira_audit_records', 'User added to group', 'group']));
    expect(gained.every((r) => typeof r.actor === 'string' && r.actor.length > 0 && typeof r.event_time === 'string')).toBe(true);
    const lost = rows.filter((r) => r.account_id === fx.loser);
    expect(lost.map((r) => [r.change, r.action, r.matched_on])).toEqual(lost.map(() => ['removed', 'Project roles changed', 'resource']));
    const space = rows.filter((r) => r.product === 'confluence');
    expect(space.map((r) => [r.account_id, r.event_source, r.action])).toEqual([[fx.spaceAdmin, 'confluence_audit_records', 'Space permission added']]);
  });

  it('an event about the same person that changed no access explains nothing', () => {
    // Assess
    expect(rows.filter((r) => r.event_id === fx.events.unrelatedAboutGainer)).toEqual([]);
  });

  it('a change made in the organization directory is explained by the organization event that caused it', () => {
    // Prepare
    const joined = rows.filter((r) => r.account_id === fx.orgGainer);
    // Assess
    expect(joined.length).toBeGreaterThan(0);
    expect(joined.map((r) => [r.product, r.change, r.event_source, r.event_id, r.action, r.matched_on])).toEqual(
      joined.map(() => ['jira', 'added', 'admin_audit_events', fx.events.orgGainerJoined, 'user_added_to_group', 'group']),
    );
  });

  it('organization events that changed no access (a group no site has, a suspension undone) explain nothing', () => {
    // Assess
    expect(fx.events.unrelatedOrg.length).toBe(3);
    expect(rows.filter((r) => fx.events.unrelatedOrg.includes(String(r.event_id)))).toEqual([]);
  });
});
