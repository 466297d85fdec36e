import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraTenant } from '../../simulator/index.ts';
import { NESTED_ADMIN_GROUP } from '../../simulator/jira.ts';
import { expectedJiraEffectivePermissions } from '../../simulator/jira-effective.ts';
import type { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { collectJira, expectViewEqualsOracle, type CollectedJira } from '../support/jira-view-fixture.ts';

describe('jira_effective_permissions', () => {
  // Nested paths guaranteed (accessPaths), a vanished group and a vanished project, archived and trashed projects.
  const tenant = jiraTenant({ seed: 23, users: 150, groups: 24, memberships: 700, projects: 12, accessPaths: true, vanishingGroups: 1, vanishingProjects: 1 });
  let collected: CollectedJira;
  let catalog: LocalCatalog;

  beforeAll(async () => {
    collected = await collectJira(tenant, 'jira-effective-');
    catalog = collected.catalog;
  });
  afterAll(async () => {
    await collected?.close();
  });

  it("equals the simulator's independently computed truth, row for row", async () => {
    const rows = await expectViewEqualsOracle(catalog, 'jira_effective_permissions', expectedJiraEffectivePermissions(tenant.model));
    expect(rows.length).toBeGreaterThan(500);
  });

  it('covers every path kind, marks inactive accounts and archived/trashed projects, lists conditional grants', async () => {
    const { rows } = await catalog.query(`SELECT via, principal_type, bool_or(NOT account_active) AS some_inactive, bool_or(project_archived) AS archived, bool_or(project_deleted) AS deleted
      FROM (SELECT unnest(string_split(via, ', ')) AS via, principal_type, account_active, project_archived, project_deleted FROM jira_effective_permissions)
      GROUP BY via, principal_type ORDER BY via`);
    const vias = rows.map((r) => r.via);
    for (const v of ['user', 'group', 'project_role_user', 'project_role_group', 'application_role', 'project_lead', 'anyone', 'reporter', 'assignee', 'userCustomField', 'groupCustomField']) expect(vias).toContain(v);
    expect(rows.find((r) => r.via === 'reporter')?.principal_type).toBe('conditional');
    expect(rows.some((r) => r.some_inactive === true)).toBe(true);
    expect(rows.some((r) => r.archived === true) && rows.some((r) => r.deleted === true)).toBe(true);
  });

  it('answers "who can administer the first project, and why" through group → project role → scheme', async () => {
    const model = tenant.model;
    const project = model.projects.find((p) => p.index === 0);
    const group = model.groups.find((g) => g.name === NESTED_ADMIN_GROUP);
    const inactive = model.users.get(4);
    const { rows } = await catalog.query(`SELECT account_id, account_active, via, paths FROM jira_effective_permissions
      WHERE project_key = '${project?.key}' AND permission = 'ADMINISTER_PROJECTS' AND account_id = '${inactive.accountId}'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.account_active).toBe(false);
    expect(String(rows[0]?.via)).toContain('project_role_group');
    expect(String(rows[0]?.paths)).toMatch(new RegExp(`role=10002 > group=${group?.groupId}`));
  });
});
