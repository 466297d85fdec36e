import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../shared/cli/collect.ts';
import { confluenceTenant, DEFAULT_CREDENTIALS, jiraTenant, startSimulator } from '../../shared/simulator/index.ts';
import { NESTED_ADMIN_GROUP } from '../../shared/simulator/jira.ts';
import { expectedJiraEffectivePermissions, type ExpectedJiraPermission } from '../../shared/simulator/jira-effective.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { writeSnapshot } from '../support/snapshots.ts';

const D1 = '2026-11-27';
const D2 = '2026-11-28';
const key = (r: { project_id: unknown; permission: unknown; principal_type: unknown; account_id: unknown }) => `${r.project_id}|${r.permission}|${r.principal_type}|${r.account_id ?? r.principal_type}`;

describe('access_changes between two snapshots', () => {
  const jira = jiraTenant({ seed: 5, users: 120, groups: 24, memberships: 500, projects: 10, accessPaths: true });
  const confluence = confluenceTenant({ seed: 5, users: 60, groups: 8, memberships: 120, spaces: 4, personalSpaces: 1 });
  let dir: string;
  let catalog: LocalCatalog;
  let before: ExpectedJiraPermission[];
  let after: ExpectedJiraPermission[];
  let gainer: string;
  let loser: string;
  let spaceAdmin: string;
  let changes: SqlRow[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-changes-'));
    const sim = await startSimulator({ products: [jira], seed: 5 });
    const env = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };
    const collect = async (date: string) => {
      const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', dir, '--date', date, '--run-id', `run-${date}`], { env, quiet: true });
      expect(exitCode).toBe(0);
    };
    const m = jira.model;
    try {
      // Day 1 as generated.
      before = expectedJiraEffectivePermissions(m);
      await collect(D1);
      await writeSnapshot(dir, confluence.groundTruth(), { date: D1, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
      // A site collected on day 1 only (its day-2 run failed): never compared, so nothing reads as removed.
      await writeSnapshot(dir, confluence.groundTruth(), { date: D1, org: 'acme', site: 'other.atlassian.net', product: 'confluence' });

      // Day 2: an active user joins the group that holds the Administrators role of the first project (gains
      // ADMINISTER_PROJECTS there through group → project role → scheme), and the first project's Developers
      // role loses its user actors (whatever the scheme grants that role goes, unless granted otherwise).
      const nested = m.groups.find((g) => g.name === NESTED_ADMIN_GROUP);
      const project = m.projects.find((p) => p.index === 0);
      if (!nested || !project) throw new Error('fixture: nested group or project 0 missing');
      let u = 5;
      while (nested.members.includes(u) || !m.users.isActive(u) || m.users.accountType(u) !== 'atlassian') u++;
      gainer = m.users.accountId(u);
      nested.members = Int32Array.from([...nested.members, u].sort((a, b) => a - b));
      const devs = project.roles.find((r) => r.roleIndex === 1);
      const removedUser = devs?.actors.find((a) => a.kind === 'user');
      if (!devs || removedUser?.kind !== 'user') throw new Error('fixture: project 0 Developers has no user actor');
      loser = m.users.accountId(removedUser.userIndex);
      devs.actors = devs.actors.filter((a) => a.kind !== 'user');
      after = expectedJiraEffectivePermissions(m);
      await collect(D2);

      // Confluence day 2: one user becomes admin of the first space through a new direct permission.
      const c = confluence.model;
      const space = c.spaces.find((s) => s.type !== 'personal' && !s.vanishing);
      if (!space) throw new Error('fixture: no space');
      let k = 2;
      while (space.permissions.some((p) => p.principalId === c.users.accountId(k)) || space.roleAssignments.some((a) => a.principalId === c.users.accountId(k))) k++;
      spaceAdmin = c.users.accountId(k);
      space.permissions.push({ id: '990001', principalType: 'user', principalId: spaceAdmin, operation: 'administer', targetType: 'space' });
      await writeSnapshot(dir, confluence.groundTruth(), { date: D2, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
    } finally {
      await sim.close();
    }
    catalog = await LocalCatalog.open(dir);
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
    expect(rows.every((r) => r.account_id === gainer || r.account_id === spaceAdmin)).toBe(true);
  });

  it('lists what the Developers user lost, and nothing for a site not collected on the later date', () => {
    expect(changes.some((c) => c.change === 'removed' && c.account_id === loser && c.product === 'jira')).toBe(true);
    expect(changes.filter((c) => c.site === 'other.atlassian.net')).toEqual([]);
    expect(changes.filter((c) => c.product === 'confluence').map((c) => [c.change, c.account_id, c.permission])).toEqual([['added', spaceAdmin, 'admin']]);
  });
});
