import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../../functions/admin.ts';
import { bitbucket } from '../../functions/bitbucket.ts';
import { confluence } from '../../functions/confluence.ts';
import { jira } from '../../functions/jira.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { adminTenant, bitbucketTenant, confluenceTenant, DEFAULT_CREDENTIALS, directoryPeople, jiraTenant, startSimulator } from '../../simulator/index.ts';
import { LocalCatalog, type SqlRow } from '../../shared/sql/duckdb.ts';
import { ALL_TABLES } from '../../functions/index.ts';

// One small organization whose Jira, Confluence and Bitbucket draw their people from the directory, each
// product collected over HTTP from its own simulator, then the identities view over the output.
const date = '2026-11-28';
const basic: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const directory = adminTenant({ seed: 5, users: 60, groups: 4, memberships: 60, sites: 1 });
const people = (product: 'jira' | 'confluence' | 'bitbucket') => directoryPeople(directory.model, { product, stillActive: 2, limit: 30 });
const jiraSim = jiraTenant({ seed: 5, users: 50, groups: 4, memberships: 60, projects: 2, people: people('jira') });
const confluenceSim = confluenceTenant({ seed: 5, users: 40, groups: 3, memberships: 40, spaces: 2, personalSpaces: 1, people: people('confluence') });
const bitbucketSim = bitbucketTenant({ seed: 5, workspaces: 1, users: 40, projects: 1, repositories: 2, people: people('bitbucket') });
const truth = { jira: jiraSim.groundTruth(), confluence: confluenceSim.groundTruth(), bitbucket: bitbucketSim.groundTruth(), admin: directory.groundTruth() };

const ids = (rows: Record<string, unknown>[] | undefined, where: (r: Record<string, unknown>) => boolean = () => true): Set<string> =>
  new Set((rows ?? []).filter(where).flatMap((r) => (typeof r.account_id === 'string' ? [r.account_id] : [])));
const inDirectory = ids(truth.admin.admin_users);
const inJira = ids(truth.jira.jira_users);
const inConfluence = ids(truth.confluence.confluence_users);
const inBitbucket = ids(truth.bitbucket.bitbucket_workspace_members);

let dir: string;
let rows: SqlRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shared-people-'));
  const store = new LocalStore(dir);
  const sims = await Promise.all([jiraSim, confluenceSim, bitbucketSim, directory].map((t) => startSimulator({ products: [t], seed: 5 })));
  try {
    const [j, c, b, a] = sims;
    if (!j || !c || !b || !a) throw new Error('simulators did not start');
    const run = { id: 'people', date };
    const outcomes = await Promise.all([
      runUnit(run, { org: 'acme', product: 'jira', siteUrl: j.url, auth: { kind: 'basic' } }, () => ({ module: jira, store, credentials: basic, http: fastHttp })),
      runUnit(run, { org: 'acme', product: 'confluence', siteUrl: c.url, auth: { kind: 'basic' } }, () => ({ module: confluence, store, credentials: basic, http: fastHttp })),
      runUnit(run, { org: 'acme', product: 'bitbucket', siteUrl: b.url, auth: { kind: 'basic' } }, () => ({ module: bitbucket, store, credentials: basic, http: fastHttp })),
      runUnit(run, { org: 'acme', product: 'admin', siteUrl: a.url, orgId: directory.model.orgId, auth: { kind: 'bearer' } }, () => ({ module: admin, store, credentials: bearer, http: fastHttp })),
    ]);
    for (const o of outcomes) expect(o.error).toBeUndefined();
  } finally {
    await Promise.all(sims.map((s) => s.close()));
  }
  const catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
  try {
    rows = [...(await catalog.query(`SELECT * FROM identities WHERE dt = '${date}' AND org = 'acme'`)).rows];
  } finally {
    catalog.close();
  }
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('identities over collected products that share the directory people', () => {
  it('has one row with every product for a person in Jira, Confluence, Bitbucket and the directory', () => {
    const everywhere = [...inDirectory].filter((id) => inJira.has(id) && inConfluence.has(id) && inBitbucket.has(id));
    expect(everywhere.length).toBeGreaterThan(0);
    for (const id of everywhere) {
      const mine = rows.filter((r) => r.account_id === id);
      expect(mine).toHaveLength(1);
      const listed = truth.admin.admin_users?.find((r) => r.account_id === id);
      expect(mine[0]).toMatchObject({ products: ['bitbucket', 'confluence', 'jira'], in_directory: true, in_jira: true, in_confluence: true, in_bitbucket: true, name: listed?.name });
    }
  });

  it('flags exactly the accounts a product lists as active while the directory has them suspended or deactivated', () => {
    const suspended = ids(truth.admin.admin_users, (r) => r.status === 'suspended' || r.status === 'deactivated' || r.membership_status === 'suspended');
    const active = new Set([
      ...ids(truth.jira.jira_users, (r) => r.active === true),
      ...ids(truth.confluence.confluence_users, (r) => r.account_status === 'active'),
      ...ids(truth.bitbucket.bitbucket_workspace_members, (r) => r.account_status === 'active'),
    ]);
    const expected = [...suspended].filter((id) => active.has(id)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(
      rows
        .filter((r) => r.active_while_suspended)
        .map((r) => String(r.account_id))
        .sort(),
    ).toEqual(expected);
  });

  it('says an account that exists only in Jira is not in the directory', () => {
    const jiraOnly = [...inJira].filter((id) => !inDirectory.has(id) && !inConfluence.has(id) && !inBitbucket.has(id));
    expect(jiraOnly.length).toBeGreaterThan(0);
    for (const id of jiraOnly) expect(rows.find((r) => r.account_id === id)).toMatchObject({ in_directory: false, products: ['jira'], directory_status: null });
  });
});
