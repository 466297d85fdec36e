import { runCollect } from '../../cli/collect.ts';
import { confluenceTenant, DEFAULT_CREDENTIALS, jiraTenant, startSimulator } from '../../simulator/index.ts';
import { NESTED_ADMIN_GROUP } from '../../simulator/jira.ts';
import { expectedJiraEffectivePermissions, type ExpectedJiraPermission } from '../../simulator/jira-effective.ts';
import { writeSnapshot } from './snapshots.ts';

export const CHANGES_D1 = '2026-11-27';
export const CHANGES_D2 = '2026-11-28';

/** What changed between the two snapshots of {@link writeTwoSnapshotTenant}, with the independent Jira truths. */
export interface TwoSnapshots {
  readonly before: ExpectedJiraPermission[];
  readonly after: ExpectedJiraPermission[];
  /** Joins the group holding project 0's Administrators role on day 2. */
  readonly gainer: string;
  /** Loses project 0's Developers role (user actor) on day 2. */
  readonly loser: string;
  /** Becomes admin of a Confluence space on day 2. */
  readonly spaceAdmin: string;
}

/**
 * Two collections of one organization, changed in between (test/sql/access-changes.test.ts, and the Trino check
 * of npm run athena:check): Jira collected over HTTP from the simulator on both dates, Confluence written from
 * its ground truth on both dates, and a second Confluence site on day 1 only (its day-2 run failed).
 */
export async function writeTwoSnapshotTenant(dir: string): Promise<TwoSnapshots> {
  const jira = jiraTenant({ seed: 5, users: 120, groups: 24, memberships: 500, projects: 10, accessPaths: true });
  const confluence = confluenceTenant({ seed: 5, users: 60, groups: 8, memberships: 120, spaces: 4, personalSpaces: 1 });
  const sim = await startSimulator({ products: [jira], seed: 5 });
  const env = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };
  const collect = async (date: string) => {
    const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', dir, '--date', date, '--run-id', `run-${date}`], { env, quiet: true });
    if (exitCode !== 0) throw new Error(`fixture: collecting Jira for ${date} exited ${exitCode}`);
  };
  const m = jira.model;
  try {
    // Day 1 as generated.
    const before = expectedJiraEffectivePermissions(m);
    await collect(CHANGES_D1);
    await writeSnapshot(dir, confluence.groundTruth(), { date: CHANGES_D1, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
    // A site collected on day 1 only (its day-2 run failed): never compared, so nothing reads as removed.
    await writeSnapshot(dir, confluence.groundTruth(), { date: CHANGES_D1, org: 'acme', site: 'other.atlassian.net', product: 'confluence' });

    // Day 2: an active user joins the group that holds the Administrators role of the first project (gains
    // ADMINISTER_PROJECTS there through group → project role → scheme), and the first project's Developers
    // role loses its user actors (whatever the scheme grants that role goes, unless granted otherwise).
    const nested = m.groups.find((g) => g.name === NESTED_ADMIN_GROUP);
    const project = m.projects.find((p) => p.index === 0);
    if (!nested || !project) throw new Error('fixture: nested group or project 0 missing');
    let u = 5;
    while (nested.members.includes(u) || !m.users.isActive(u) || m.users.accountType(u) !== 'atlassian') u++;
    const gainer = m.users.accountId(u);
    nested.members = Int32Array.from([...nested.members, u].sort((a, b) => a - b));
    const devs = project.roles.find((r) => r.roleIndex === 1);
    const removedUser = devs?.actors.find((a) => a.kind === 'user');
    if (!devs || removedUser?.kind !== 'user') throw new Error('fixture: project 0 Developers has no user actor');
    const loser = m.users.accountId(removedUser.userIndex);
    devs.actors = devs.actors.filter((a) => a.kind !== 'user');
    const after = expectedJiraEffectivePermissions(m);
    await collect(CHANGES_D2);

    // Confluence day 2: one user becomes admin of the first space through a new direct permission.
    const c = confluence.model;
    const space = c.spaces.find((s) => s.type !== 'personal' && !s.vanishing);
    if (!space) throw new Error('fixture: no space');
    let k = 2;
    while (space.permissions.some((p) => p.principalId === c.users.accountId(k)) || space.roleAssignments.some((a) => a.principalId === c.users.accountId(k))) k++;
    const spaceAdmin = c.users.accountId(k);
    space.permissions.push({ id: '990001', principalType: 'user', principalId: spaceAdmin, operation: 'administer', targetType: 'space' });
    await writeSnapshot(dir, confluence.groundTruth(), { date: CHANGES_D2, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
    return { before, after, gainer, loser, spaceAdmin };
  } finally {
    await sim.close();
  }
}
