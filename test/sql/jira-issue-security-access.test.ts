import { ALL_TABLES } from '../../functions/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator } from '../../simulator/index.ts';
import { expectedJiraIssueSecurityAccess } from '../../simulator/jira-issue-security.ts';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';

const canon = (r: Record<string, unknown>): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));

describe('jira_issue_security_access', () => {
  // Nested paths (accessPaths), a vanished group and a vanished project, archived and trashed projects, four schemes.
  const tenant = jiraTenant({ seed: 23, users: 150, groups: 24, memberships: 700, projects: 12, accessPaths: true, vanishingGroups: 1, vanishingProjects: 1, issueSecurity: { schemes: 4 } });
  let dir: string;
  let catalog: LocalCatalog;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jira-issue-security-'));
    const sim = await startSimulator({ products: [tenant], seed: 23 });
    try {
      const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', dir, '--date', '2026-11-28', '--run-id', 'r1'], {
        env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken },
        quiet: true,
      });
      expect(exitCode).toBe(0);
    } finally {
      await sim.close();
    }
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
  });
  afterAll(async () => {
    catalog?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("equals the simulator's independently computed truth, row for row", async () => {
    const { rows } = await catalog.query('SELECT * FROM jira_issue_security_access');
    const site = String(rows[0]?.site);
    const expected = expectedJiraIssueSecurityAccess(tenant.model).map((r) => ({ dt: '2026-11-28', org: 'acme', site, ...r }));
    const actual = rows.map((r) => canon(r)).sort();
    const want = expected.map((r) => canon(r)).sort();
    const missing = want.filter((k) => !actual.includes(k));
    const extra = actual.filter((k) => !want.includes(k));
    expect({ missing: missing.slice(0, 3), extra: extra.slice(0, 3) }).toEqual({ missing: [], extra: [] });
    expect(actual).toEqual(want);
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
