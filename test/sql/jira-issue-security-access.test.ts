import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jiraTenant } from '../../simulator/index.ts';
import { expectedJiraIssueSecurityAccess } from '../../simulator/jira-issue-security.ts';
import type { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { collectJira, expectViewEqualsOracle, type CollectedJira } from '../support/jira-view-fixture.ts';

describe('jira_issue_security_access', () => {
  // Nested paths (accessPaths), a vanished group and a vanished project, archived and trashed projects, four schemes.
  const tenant = jiraTenant({ seed: 23, users: 150, groups: 24, memberships: 700, projects: 12, accessPaths: true, vanishingGroups: 1, vanishingProjects: 1, issueSecurity: { schemes: 4 } });
  let collected: CollectedJira;
  let catalog: LocalCatalog;

  beforeAll(async () => {
    collected = await collectJira(tenant, 'jira-issue-security-');
    catalog = collected.catalog;
  });
  afterAll(async () => {
    await collected?.close();
  });

  it("equals the simulator's independently computed truth, row for row", async () => {
    const rows = await expectViewEqualsOracle(catalog, 'jira_issue_security_access', expectedJiraIssueSecurityAccess(tenant.model));
    expect(rows.length).toBeGreaterThan(200);
  });

  it('covers every path kind, marks inactive accounts, lists issue-dependent members as conditional', async () => {
    const { rows } = await catalog.query(`SELECT via, principal_type, bool_or(NOT account_active) AS some_inactive
      FROM (SELECT unnest(string_split(via, ', ')) AS via, principal_type, account_active FROM jira_issue_security_access)
      GROUP BY via, principal_type ORDER BY via`);
    const vias = rows.map((r) => r.via);
    for (const v of ['user', 'group', 'project_role_user', 'project_role_group', 'application_role', 'project_lead', 'anyone', 'reporter', 'assignee', 'userCustomField', 'groupCustomField']) expect(vias).toContain(v);
    expect(rows.find((r) => r.via === 'reporter')?.principal_type).toBe('conditional');
    expect(rows.find((r) => r.via === 'anyone')?.principal_type).toBe('anyone');
    expect(rows.some((r) => r.some_inactive === true)).toBe(true);
  });

  it('lists only projects that use a scheme, and every level of that scheme', async () => {
    const sec = tenant.model.issueSecurity;
    const { rows } = await catalog.query('SELECT DISTINCT project_id, level_id FROM jira_issue_security_access');
    const live = new Set(tenant.model.projects.filter((p) => !p.vanishing).map((p) => p.id));
    const want = sec.mappings
      .filter((m) => live.has(m.projectId))
      .flatMap((m) => (sec.schemes[m.schemeIndex]?.levels ?? []).map((l) => `${m.projectId}/${l.id}`))
      .sort();
    expect(rows.map((r) => `${r.project_id}/${r.level_id}`).sort()).toEqual(want);
    expect(tenant.model.projects.some((p) => !sec.mappings.some((m) => m.projectId === p.id))).toBe(true);
  });
});
