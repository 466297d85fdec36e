import { describe, expect, it } from 'vitest';
import { jira } from '../../functions/jira.ts';
import { jiraIssueSecurityLevelMembers, jiraIssueSecurityLevels, jiraIssueSecurityProjects, jiraIssueSecuritySchemes, jiraTables } from '../../functions/jira.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import type { Logger } from '../../shared/redact.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const tmp = tempDirs('jira-issue-security-it');
const securityTables = [jiraIssueSecuritySchemes, jiraIssueSecurityLevels, jiraIssueSecurityLevelMembers, jiraIssueSecurityProjects];

const unitFor = (sim: Simulator): Unit => ({ org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } });

describe('Jira issue-level security against the simulated tenant', () => {
  // Small caps (the server silently lowers maxResults, facts sheet Q2) so every listing spans several pages.
  const tenant = jiraTenant({
    seed: 31,
    users: 120,
    groups: 12,
    memberships: 300,
    projects: 10,
    vanishingProjects: 1,
    issueSecurity: { schemes: 4, pageCaps: { schemes: 3, levels: 4, members: 5, projects: 2 } },
  });
  const sim = simulatorForBlock({ products: [tenant], seed: 31, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } });

  it('the truth spans several pages of every listing and every holder type', () => {
    const truth = tenant.groundTruth();
    const caps = tenant.model.issueSecurity.caps;
    expect((truth.jira_issue_security_schemes ?? []).length).toBeGreaterThan(caps.schemes);
    expect((truth.jira_issue_security_levels ?? []).length).toBeGreaterThan(caps.levels);
    expect((truth.jira_issue_security_level_members ?? []).length).toBeGreaterThan(caps.members);
    expect((truth.jira_issue_security_projects ?? []).length).toBeGreaterThan(caps.projects);
    const types = new Set((truth.jira_issue_security_level_members ?? []).map((m) => m.holder_type));
    for (const t of ['user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'reporter', 'assignee', 'anyone', 'userCustomField', 'groupCustomField']) expect(types).toContain(t);
  });

  it('with faults on, every table equals ground truth', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'faults', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds, http: fastHttp }));
    expect(out.error).toBeUndefined();
    expect(out.stats?.retries).toBeGreaterThan(0);
    await expectTablesEqualTruth(store, jiraTables, tenant.groundTruth(), { date: run.date, org: 'acme' });
  });

  it('resuming after every page boundary (one request per invocation) gives identical output, no duplicate', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'resume', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1 }));
    expect(out.error).toBeUndefined();
    expect(out.invocations).toBeGreaterThan(tenant.minimumRequests() / 2);
    await expectTablesEqualTruth(store, jiraTables, tenant.groundTruth(), { date: run.date, org: 'acme' });
  });
});

describe('request economy of the issue security listings', () => {
  it('without faults, one request per page of each listing, at the documented default page size', async () => {
    const tenant = jiraTenant({ seed: 33, users: 60, groups: 6, memberships: 100, projects: 14, issueSecurity: { schemes: 12 } });
    const sim = await startSimulator({ products: [tenant], seed: 33 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds }));
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectTablesEqualTruth(store, securityTables, tenant.groundTruth(), { date: run.date, org: 'acme' });
      const asked = sim.requests().filter((r) => r.url.includes('/issuesecurityschemes/'));
      expect(asked.length).toBeGreaterThan(4);
      for (const r of asked) expect(new URL(r.url, sim.url).searchParams.get('maxResults')).toBe('50');
    } finally {
      await sim.close();
    }
  });
});

describe('an account without Administer Jira', () => {
  it('gets 403 on the issue security listings: the four tables stay empty, each refusal is counted and names the permission, the unit succeeds', async () => {
    const tenant = jiraTenant({ seed: 35, users: 40, groups: 3, memberships: 30, projects: 3, issueSecurity: { forbidden: true } });
    const sim = await startSimulator({ products: [tenant], seed: 35 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'forbidden', date: '2026-11-28' };
      const said: { stream: unknown; reason: unknown }[] = [];
      const log: Logger = { info: (_m, f) => void (f?.reason !== undefined && said.push({ stream: f.stream, reason: f.reason })), warn() {}, error() {} };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds, log }));
      expect(out.error).toBeUndefined();
      expect(out.ok).toBe(true);
      expect(said.map((s) => s.stream)).toEqual(['issue_security_schemes', 'issue_security_levels', 'issue_security_level_members', 'issue_security_projects']);
      for (const s of said) expect(String(s.reason)).toMatch(/HTTP 403\].*Administer Jira/);
      expect(out.stats?.skipped).toBe(4);
      const truth = tenant.groundTruth();
      for (const t of securityTables) expect(truth[t.name]).toEqual([]);
      await expectTablesEqualTruth(store, jiraTables, truth, { date: run.date, org: 'acme' });
      expect((truth.jira_users ?? []).length).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  });
});
