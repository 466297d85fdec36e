import { runCollect } from '../../cli/collect.ts';
import { adminTenant, confluenceTenant, DEFAULT_CREDENTIALS, directoryPeople, jiraTenant, peopleOf, startSimulator } from '../../simulator/index.ts';
import { adminAddToGroup, adminEventsTruth, adminRestoreUser, adminSuspendUser } from '../../simulator/admin-events.ts';
import { NESTED_ADMIN_GROUP } from '../../simulator/jira.ts';
import { expectedJiraEffectivePermissions, type ExpectedJiraPermission } from '../../simulator/jira-effective.ts';
import { confluenceAuditTruth, confluenceBackground, confluenceGrantSpacePermission } from '../../simulator/confluence-audit.ts';
import { jiraAddToGroup, jiraBackground, jiraRemoveRoleUsers } from '../../simulator/jira-audit.ts';
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
  /** Added on day 2 to the same nested group by an organization admin (admin.atlassian.com): Jira logs nothing. */
  readonly orgGainer: string;
  /** The audit events the simulated admins logged with each change (simulator/jira-audit.ts, confluence-audit.ts). */
  readonly events: {
    /** "User added to group": the gainer joins the nested admin group. */
    readonly gainerJoined: string;
    /** "Project roles changed", one per user actor of project 0's Developers role (the loser among them), by account id. */
    readonly roleRemoved: Readonly<Record<string, string>>;
    /** "Space permission added" (Confluence records have no id: the collector's hash, see confluence_audit_records). */
    readonly spaceAdminGranted: string;
    /** About the gainer, between the snapshots, but no access change: "User details updated". */
    readonly unrelatedAboutGainer: string;
    /** The organization's `user_added_to_group` of the org gainer to the nested group. */
    readonly orgGainerJoined: string;
    /** Organization events that change no product access: the org gainer added to a group no site has, another account suspended and restored. */
    readonly unrelatedOrg: readonly string[];
  };
}

/**
 * Two collections of one organization, changed in between (test/sql/access-changes.test.ts, and the Trino check
 * of npm run athena:check): Jira collected over HTTP from the simulator on both dates, Confluence written from
 * its ground truth on both dates, and a second Confluence site on day 1 only (its day-2 run failed).
 */
export async function writeTwoSnapshotTenant(dir: string): Promise<TwoSnapshots> {
  // The organization's directory: its groups are the site's (same seed, so the same group ids), and its first
  // six active people with Jira access are Jira users 5 to 10 (the rest of Jira's users are Jira's own).
  const admin = adminTenant({ seed: 5, users: 60, groups: 30, memberships: 120, sites: 1 });
  const directory = directoryPeople(admin.model, { product: 'jira' });
  const people = [...Array(directory.count).keys()].map((k) => directory.person(k)).filter((p) => p.active).slice(0, 6);
  const jira = jiraTenant({ seed: 5, users: 120, groups: 24, memberships: 500, projects: 10, accessPaths: true, people: peopleOf(people) });
  const confluence = confluenceTenant({ seed: 5, users: 60, groups: 8, memberships: 120, spaces: 4, personalSpaces: 1 });
  const sim = await startSimulator({ products: [jira], seed: 5 });
  const env = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };
  const collect = async (date: string) => {
    const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', dir, '--date', date, '--run-id', `run-${date}`], { env, quiet: true });
    if (exitCode !== 0) throw new Error(`fixture: collecting Jira for ${date} exited ${exitCode}`);
  };
  const m = jira.model;
  const orgSite = { org: 'acme', site: 'api.atlassian.com', product: 'admin' };
  try {
    // Day 1 as generated.
    const before = expectedJiraEffectivePermissions(m);
    await collect(CHANGES_D1);
    const orgFrom = Date.now();
    await writeSnapshot(dir, admin.groundTruth(), { ...orgSite, date: CHANGES_D1 });
    await writeSnapshot(dir, confluence.groundTruth(), { date: CHANGES_D1, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
    // A site collected on day 1 only (its day-2 run failed): never compared, so nothing reads as removed.
    await writeSnapshot(dir, confluence.groundTruth(), { date: CHANGES_D1, org: 'acme', site: 'other.atlassian.net', product: 'confluence' });

    // Day 2: an active user joins the group that holds the Administrators role of the first project (gains
    // ADMINISTER_PROJECTS there through group → project role → scheme), and the first project's Developers
    // role loses its user actors (whatever the scheme grants that role goes, unless granted otherwise).
    const nested = m.groups.find((g) => g.name === NESTED_ADMIN_GROUP);
    const project = m.projects.find((p) => p.index === 0);
    if (!nested || !project) throw new Error('fixture: nested group or project 0 missing');
    // The org gainer: a directory person who is an active Jira user outside the nested group.
    const a = admin.model;
    const orgU = [...Array(m.users.count).keys()].find((i) => !nested.members.includes(i) && m.users.isActive(i) && m.users.accountType(i) === 'atlassian' && a.users.count > 0 && [...Array(a.users.count).keys()].some((k) => a.users.accountId(k) === m.users.accountId(i)));
    const orgA = orgU === undefined ? -1 : [...Array(a.users.count).keys()].find((k) => a.users.accountId(k) === m.users.accountId(orgU)) ?? -1;
    const orgNested = a.groups[nested.index];
    const orgOnly = a.groups[a.groups.length - 1];
    if (orgU === undefined || orgA < 0 || orgNested?.id !== nested.groupId || !orgOnly || orgOnly.index < m.groups.length) throw new Error('fixture: no directory person or group shared with Jira');
    let u = 5;
    while (u === orgU || nested.members.includes(u) || !m.users.isActive(u) || m.users.accountType(u) !== 'atlassian') u++;
    const gainer = m.users.accountId(u);
    // Each change is made by an admin (user 0) and logged by Jira as it happens, between the two collections,
    // among unrelated records (simulator/jira-audit.ts).
    const between = Date.now();
    jiraBackground(m, jira.audit, 12, between - 5_000, between);
    const joined = jiraAddToGroup(m, jira.audit, nested, u, 0, Date.now());
    const devs = project.roles.find((r) => r.roleIndex === 1);
    const removedUser = devs?.actors.find((a) => a.kind === 'user');
    if (!devs || removedUser?.kind !== 'user') throw new Error('fixture: project 0 Developers has no user actor');
    const loser = m.users.accountId(removedUser.userIndex);
    const roleRecords = jiraRemoveRoleUsers(m, jira.audit, project, 1, 0, Date.now());
    const roleRemoved: Record<string, string> = {};
    for (const e of roleRecords) for (const i of e.payload.associatedItems) if (i.typeName === 'USER' && i.id) roleRemoved[i.id] = e.id;
    const unrelated = jira.audit.append(Date.now(), {
      authorAccountId: m.users.accountId(0),
      summary: 'User details updated',
      category: 'user management',
      eventSource: '',
      remoteAddress: '10.0.0.7',
      objectItem: { id: gainer, name: m.users.displayName(u), typeName: 'USER' },
      associatedItems: [],
      changedValues: [{ fieldName: 'email', changedFrom: 'old@example.com', changedTo: 'new@example.com' }],
    });
    if (!roleRemoved[loser]) throw new Error('fixture: no audit record for the removed role actor');
    // An organization admin adds the org gainer to the nested group in the directory (the site shows the
    // directory's groups, so Jira's group gains the member, and only the organization logs it); then events that
    // change no access: the same person added to a group no site has, another account suspended and restored.
    const orgJoined = adminAddToGroup(a, admin.audit, orgNested, orgA, 0, Date.now());
    nested.members = Int32Array.from([...nested.members, orgU]).sort();
    const other = [...Array(a.users.count).keys()].find((k) => k > 7 && k !== orgA && a.users.membershipStatus(k) === 'active');
    if (other === undefined) throw new Error('fixture: no other directory account');
    const unrelatedOrg = [adminAddToGroup(a, admin.audit, orgOnly, orgA, 0, Date.now()).id, adminSuspendUser(a, admin.audit, other, 0, Date.now()).id, adminRestoreUser(a, admin.audit, other, 0, Date.now()).id];
    await writeSnapshot(dir, { ...admin.groundTruth(), admin_audit_events: adminEventsTruth(admin.audit, orgFrom, Date.now()) }, { ...orgSite, date: CHANGES_D2 });
    const after = expectedJiraEffectivePermissions(m);
    await collect(CHANGES_D2);

    // Confluence day 2: one user becomes admin of the first space through a new direct permission.
    const c = confluence.model;
    const space = c.spaces.find((s) => s.type !== 'personal' && !s.vanishing);
    if (!space) throw new Error('fixture: no space');
    let k = 2;
    while (space.permissions.some((p) => p.principalId === c.users.accountId(k)) || space.roleAssignments.some((a) => a.principalId === c.users.accountId(k))) k++;
    const spaceAdmin = c.users.accountId(k);
    // Between the two written snapshots (taken at 03:00 UTC on each date), among unrelated records.
    const d1At = Date.parse(`${CHANGES_D1}T03:00:00.000Z`);
    const d2At = Date.parse(`${CHANGES_D2}T03:00:00.000Z`);
    confluenceBackground(c, confluence.audit, 8, d1At + 1, d2At);
    confluenceGrantSpacePermission(c, confluence.audit, space, k, 'administer', 0, d1At + 9 * 3_600_000);
    const confluenceAudit = confluenceAuditTruth(confluence.audit, d1At + 1, d2At);
    const granted = confluenceAudit.find((r) => r.action === 'Space permission added');
    if (!granted) throw new Error('fixture: no Confluence audit record for the grant');
    await writeSnapshot(dir, { ...confluence.groundTruth(), confluence_audit_records: confluenceAudit }, { date: CHANGES_D2, org: 'acme', site: 'acme.atlassian.net', product: 'confluence' });
    return {
      before,
      after,
      gainer,
      loser,
      spaceAdmin,
      orgGainer: m.users.accountId(orgU),
      events: { gainerJoined: joined.id, roleRemoved, spaceAdminGranted: granted.event_id, unrelatedAboutGainer: unrelated.id, orgGainerJoined: orgJoined.id, unrelatedOrg },
    };
  } finally {
    await sim.close();
  }
}
