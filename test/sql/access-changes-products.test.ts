import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { bitbucketTenant, confluenceTenant, DEFAULT_CREDENTIALS, JIRA_DC_TOKENS, jiraDcTenant, startSimulator } from '../../simulator/index.ts';
import type { ProductSim } from '../../simulator/server.ts';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { ALL_TABLES } from '../../functions/index.ts';

// Issue 15: for every product access_changes covers (effective_access: Jira, Confluence, Bitbucket; Cloud and
// Data Center), one access edit between two collections appears in access_changes as exactly the rows it causes.
// Jira Cloud is covered by access-changes.test.ts and Confluence Data Center by access-changes-dc.test.ts.
const D1 = '2026-11-27';
const D2 = '2026-11-28';

/** One access_changes row as the test compares it. */
type ChangeKey = readonly [change: string, resource_key: string, permission: string, principal_type: string, principal_id: string];

interface ProductCase<T extends ProductSim> {
  readonly name: string;
  readonly tenant: () => T;
  /** What `npm run collect` gets besides --org, --out, --date and --run-id. */
  readonly argv: (simUrl: string) => string[];
  readonly env: Record<string, string>;
  /** Edits the tenant's access between the collections and returns the rows that edit causes, from the model. */
  readonly edit: (tenant: T) => ChangeKey[];
}

const basic = { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken };

/** Collects `c` on two dates with its edit in between and returns access_changes between them, and the expected rows. */
async function changesAcrossEdit<T extends ProductSim>(c: ProductCase<T>): Promise<{ got: ChangeKey[]; want: ChangeKey[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'access-changes-products-'));
  const tenant = c.tenant();
  const sim = await startSimulator({ products: [tenant], seed: 61 });
  let catalog: LocalCatalog | undefined;
  try {
    const collect = async (date: string) => {
      const { exitCode } = await runCollect([...c.argv(sim.url), '--org', 'acme', '--out', dir, '--date', date, '--run-id', `run-${date}`], { env: c.env, quiet: true });
      if (exitCode !== 0) throw new Error(`${c.name}: collecting ${date} exited ${exitCode}`);
    };
    await collect(D1);
    const want = c.edit(tenant);
    await collect(D2);
    catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    const { rows } = await catalog.query(`SELECT change, resource_key, permission, principal_type, principal_id FROM access_changes WHERE from_dt = '${D1}' AND to_dt = '${D2}'`);
    const got = rows.map((r): ChangeKey => [String(r.change), String(r.resource_key), String(r.permission), String(r.principal_type), String(r.principal_id)]);
    return { got: got.sort(byKey), want: [...want].sort(byKey) };
  } finally {
    catalog?.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const byKey = (a: ChangeKey, b: ChangeKey): number => (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0);

const confluenceCloud: ProductCase<ReturnType<typeof confluenceTenant>> = {
  name: 'Confluence Cloud',
  tenant: () => confluenceTenant({ seed: 61, users: 40, groups: 4, memberships: 40, spaces: 3, personalSpaces: 0 }),
  argv: (url) => ['--product', 'confluence', '--site-url', url],
  env: basic,
  // A user with no access to a space (no grant to them or to a group of theirs) is made its admin directly.
  edit: (t) => {
    const m = t.model;
    const space = m.spaces.find((s) => s.type !== 'personal' && !s.vanishing);
    if (!space) throw new Error('fixture: no space');
    const groupsOf = (u: number) => new Set(m.groups.filter((g) => g.members.includes(u)).map((g) => g.id));
    const reaches = (u: number) => {
      const id = m.users.accountId(u);
      const gs = groupsOf(u);
      return space.permissions.some((p) => (p.principalType === 'user' && p.principalId === id) || (p.principalType === 'group' && gs.has(p.principalId))) ||
        space.roleAssignments.some((a) => (a.principalType === 'USER' && a.principalId === id) || (a.principalType === 'GROUP' && gs.has(a.principalId)));
    };
    let u = 1;
    while (reaches(u)) u++;
    const id = m.users.accountId(u);
    space.permissions.push({ id: '990001', principalType: 'user', principalId: id, operation: 'administer', targetType: 'space' });
    return [['added', space.key, 'admin', 'account', id]];
  },
};

const bitbucket: ProductCase<ReturnType<typeof bitbucketTenant>> = {
  name: 'Bitbucket Cloud',
  tenant: () => bitbucketTenant({ seed: 61, workspaces: 1, users: 30, projects: 2, repositories: 6 }),
  argv: (url) => ['--product', 'bitbucket', '--site-url', url],
  env: basic,
  // A user loses their only grant on a repository: a direct repository permission (not an owner, no project grant).
  edit: (t) => {
    const ws = t.model.workspaces[0];
    if (!ws) throw new Error('fixture: no workspace');
    const owners = new Set(ws.members.filter((m) => m.permission === 'owner').map((m) => m.user));
    for (const repo of ws.repositories) {
      const project = ws.projects[repo.project];
      if (repo.vanishing || !project) continue;
      const grant = repo.users.find((g) => !owners.has(g.user) && !project.users.some((p) => p.user === g.user));
      if (!grant) continue;
      const user = t.model.users[grant.user];
      if (!user) continue;
      repo.users = repo.users.filter((g) => g !== grant);
      return [['removed', repo.fullName, grant.permission, 'account', user.accountId ?? user.uuid]];
    }
    throw new Error('fixture: no repository with a sole direct user grant');
  },
};

const jiraDataCenter: ProductCase<ReturnType<typeof jiraDcTenant>> = {
  name: 'Jira Data Center',
  tenant: () => jiraDcTenant({ seed: 61, users: 60, groups: 5, memberships: 40, projects: 4 }),
  argv: (url) => ['--product', 'jira-dc', '--site-url', `${url}/jira`],
  env: { ATLASSIAN_BEARER_TOKEN: JIRA_DC_TOKENS.admin },
  // The first project's scheme grants an active user a permission it granted nobody ("View voters and watchers"):
  // every project on that scheme gains one row for that user.
  edit: (t) => {
    const m = t.model;
    const project = m.projects.find((p) => !p.vanishing);
    const scheme = project ? m.schemes[project.scheme] : undefined;
    if (!project || !scheme) throw new Error('fixture: no project');
    const permission = 'VIEW_VOTERS_AND_WATCHERS';
    if (m.schemes.some((s) => s.grants.some((g) => g.permission === permission))) throw new Error(`fixture: ${permission} already granted`);
    // An active user other than the collector's own account (user 0).
    const user = m.users.findIndex((u) => u.active && u.index > 0);
    const id = 990_001;
    scheme.grants.push({ id, permission, type: 'user', user });
    const grant = t.groundTruth().jira_permission_grants?.find((g) => g.grant_id === String(id));
    const account = String(grant?.holder_value);
    return m.projects.filter((p) => p.scheme === project.scheme && !p.vanishing).map((p): ChangeKey => ['added', p.key, permission, 'account', account]);
  },
};

describe.each([
  ['Confluence Cloud', () => changesAcrossEdit(confluenceCloud)],
  ['Bitbucket Cloud', () => changesAcrossEdit(bitbucket)],
  ['Jira Data Center', () => changesAcrossEdit(jiraDataCenter)],
] as const)('access_changes on %s', (_name, run) => {
  it('lists exactly the rows one access edit between two collections causes', async () => {
    // Prepare, Act: two collections from the simulated tenant, the edit between them.
    const { got, want } = await run();
    // Assess
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });
});
