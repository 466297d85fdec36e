import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator } from '../../simulator/index.ts';
import { NESTED_ADMIN_GROUP } from '../../simulator/jira.ts';
import { expectedJiraEffectivePermissions } from '../../simulator/jira-effective.ts';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { ALL_TABLES } from '../../functions/index.ts';

const canon = (r: Record<string, unknown>): string => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));

describe('jira_effective_permissions', () => {
  // Nested paths guaranteed (accessPaths), a vanished group and a vanished project, archived and trashed projects.
  const tenant = jiraTenant({ seed: 23, users: 150, groups: 24, memberships: 700, projects: 12, accessPaths: true, vanishingGroups: 1, vanishingProjects: 1 });
  let dir: string;
  let catalog: LocalCatalog;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jira-effective-'));
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
    const { rows } = await catalog.query('SELECT * FROM jira_effective_permissions');
    const site = String(rows[0]?.site);
    const expected = expectedJiraEffectivePermissions(tenant.model).map((r) => ({ dt: '2026-11-28', org: 'acme', site, ...r }));
    const actual = rows.map((r) => canon(r)).sort();
    const want = expected.map((r) => canon(r)).sort();
    const missing = want.filter((k) => !actual.includes(k));
    const extra = actual.filter((k) => !want.includes(k));
    expect({ missing: missing.slice(0, 3), extra: extra.slice(0, 3) }).toEqual({ missing: [], extra: [] });
    expect(actual).toEqual(want);
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
