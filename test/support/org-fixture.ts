import { adminTenant, bitbucketTenant, confluenceTenant, jiraTenant } from '../../simulator/index.ts';
import type { JiraSim } from '../../simulator/jira.ts';
import { writeSnapshot } from './snapshots.ts';

type Rows = Record<string, Record<string, unknown>[]>;

/**
 * One organization across every product, from the simulators' ground truth, with the same people in each
 * product (account i of Confluence, Bitbucket and the directory is account i of Jira), so the cross-product
 * views (dormant_access, external_access) and the report have something to join. Jira is the tenant with the
 * nested access paths; the directory's first site hosts both Jira and Confluence.
 */
export interface OrgFixture {
  jira: JiraSim;
  truth: { jira: Rows; confluence: Rows; bitbucket: Rows; admin: Rows };
  site: string;
  bitbucketSite: string;
  adminSite: string;
  /** Jira account id of user index i. */
  account(i: number): string;
}

const ACCOUNT_COLUMNS: Record<string, readonly string[]> = {
  confluence_users: ['account_id'],
  confluence_group_members: ['account_id'],
  confluence_spaces: ['author_id'],
  admin_users: ['account_id'],
  admin_user_product_access: ['account_id'],
  admin_group_members: ['account_id'],
  admin_api_tokens: ['account_id'],
};

function remap(truth: Rows, map: ReadonlyMap<string, string>): Rows {
  const out: Rows = {};
  for (const [table, rows] of Object.entries(truth)) {
    const cols = ACCOUNT_COLUMNS[table] ?? [];
    out[table] = rows.map((r) => {
      const c: Record<string, unknown> = { ...r };
      for (const col of cols) if (typeof c[col] === 'string') c[col] = map.get(c[col] as string) ?? c[col];
      if (table === 'confluence_space_permissions' && c.principal_type === 'user') c.principal_id = map.get(String(c.principal_id)) ?? c.principal_id;
      if (table === 'confluence_space_role_assignments' && c.principal_type === 'USER') c.principal_id = map.get(String(c.principal_id)) ?? c.principal_id;
      return c;
    });
  }
  return out;
}

export function orgFixture(seed = 31): OrgFixture {
  const users = 160;
  const jira = jiraTenant({ seed, users, groups: 24, memberships: 700, projects: 10, accessPaths: true });
  const account = (i: number): string => jira.model.users.accountId(i);
  const confluence = confluenceTenant({ seed, users: 120, groups: 10, memberships: 260, spaces: 6, personalSpaces: 2 });
  const bitbucket = bitbucketTenant({ seed, workspaces: 2, users: 80, projects: 3, repositories: 6, accountIds: Array.from({ length: 80 }, (_, i) => account(i)) });
  const admin = adminTenant({ seed, users: 150, groups: 8, memberships: 300, sites: 1 });

  const cMap = new Map<string, string>();
  for (let i = 0; i < confluence.model.users.count; i++) cMap.set(confluence.model.users.accountId(i), account(i));
  const aMap = new Map<string, string>();
  for (let i = 0; i < admin.model.users.count; i++) aMap.set(admin.model.users.accountId(i), account(i));
  const adminTruth = remap(admin.groundTruth(), aMap);
  const hostUrl = adminTruth.admin_workspaces?.find((w) => w.type === 'jira')?.host_url;
  const site = typeof hostUrl === 'string' ? hostUrl.replace(/^https?:\/\//, '').replace(/\/.*$/, '') : 'acme.atlassian.net';
  return {
    jira,
    truth: { jira: jira.groundTruth(), confluence: remap(confluence.groundTruth(), cMap), bitbucket: bitbucket.groundTruth(), admin: adminTruth },
    site,
    bitbucketSite: 'api.bitbucket.org',
    adminSite: 'api.atlassian.com',
    account,
  };
}

/** Write the fixture as one snapshot of org `org` on `date` (every product). */
export async function writeOrgSnapshot(root: string, f: OrgFixture, date: string, org = 'acme', truth = f.truth): Promise<void> {
  await writeSnapshot(root, truth.jira, { date, org, site: f.site, product: 'jira' });
  await writeSnapshot(root, truth.confluence, { date, org, site: f.site, product: 'confluence' });
  await writeSnapshot(root, truth.bitbucket, { date, org, site: f.bitbucketSite, product: 'bitbucket' });
  await writeSnapshot(root, truth.admin, { date, org, site: f.adminSite, product: 'admin' });
}
