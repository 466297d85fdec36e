import { describe, expect, it } from 'vitest';
import { jiraDc, jiraDcModule } from '../../functions/jira-dc.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import { moduleFor } from '../../functions/index.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { JIRA_DC_TOKENS, jiraDcTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { runCollect } from '../../cli/collect.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const pat = (token: string): Credentials => ({ kind: 'bearer', token, source: 'the test' });
const admin = pat(JIRA_DC_TOKENS.admin);
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('jira-dc-it');

function unitFor(sim: Simulator, org = 'acme'): Unit {
  return { org, product: 'jira-dc', siteUrl: `${sim.url}/jira`, auth: { kind: 'bearer' } };
}

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string) {
  await expectTablesEqualTruth(store, jiraTables, truth, { date, org: 'acme', deployment: 'data-center' });
}

describe('Jira Data Center collector against the simulated instance (context path /jira)', () => {
  it('is registered as --product jira-dc, writing deployment data-center', () => {
    expect(moduleFor('jira-dc')).toBe(jiraDc);
    expect(jiraDc.deployment).toBe('data-center');
    expect(jiraDc.tables).toBe(jiraTables);
  });
});

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests at the page sizes it asks', async () => {
    const tenant = jiraDcTenant({ seed: 3, users: 2100, groups: 20, memberships: 400, projects: 12, vanishingGroups: 2, vanishingProjects: 2 });
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jiraDc, store, credentials: admin }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
      for (const r of sim.requests().filter((x) => x.url.includes('maxResults='))) {
        const u = new URL(r.url, sim.url);
        const path = u.pathname;
        expect({ path, m: Number(u.searchParams.get('maxResults')) }).toEqual({
          path,
          m: { '/jira/rest/api/2/user/list': 1000, '/jira/rest/api/2/group/member': 50, '/jira/rest/api/2/groups/picker': 10_000 }[path],
        });
      }
    } finally {
      await sim.close();
    }
  });

  it('keeps paging past short pages of user/list and group/member and loses no row', async () => {
    const tenant = jiraDcTenant({ seed: 5, users: 2600, groups: 5, memberships: 40, projects: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 5, faults: { rate: 0.6, kinds: ['shortPage'], maxPerRequest: 1 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jiraDc, store, credentials: admin }));
      expect(out.error).toBeUndefined();
      expect(sim.stats().faults.shortPage ?? 0).toBeGreaterThan(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });

  it('on Jira before 10.3 (no user/list) lists active and inactive users through user/search?username=.', async () => {
    const tenant = jiraDcTenant({ seed: 7, users: 900, groups: 5, memberships: 30, projects: 2, version: [9, 12, 15] });
    const sim = await startSimulator({ products: [tenant], seed: 7, faults: { rate: 0.3, kinds: ['shortPage', '5xx'], maxPerRequest: 1 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'search', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jiraDc, store, credentials: admin, http: fastHttp }));
      expect(out.error).toBeUndefined();
      expect(sim.requests().some((r) => r.url.startsWith('/jira/rest/api/2/user/search?username=.'))).toBe(true);
      expect(sim.requests().some((r) => r.url.includes('/user/list'))).toBe(false);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });

  it("users: 'search' forced on Jira 9, without faults, makes exactly the minimum number of requests", async () => {
    const tenant = jiraDcTenant({ seed: 8, users: 700, groups: 5, memberships: 30, projects: 2, version: [9, 4, 0] });
    const sim = await startSimulator({ products: [tenant], seed: 8 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'search-min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jiraDcModule({ users: 'search' }), store, credentials: admin }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });
});

describe('failures', () => {
  const tenant = jiraDcTenant({ seed: 13, users: 120, groups: 6, memberships: 60, projects: 3 });
  const sim = simulatorForBlock({ products: [tenant], seed: 13 });

  it('an expired PAT ends with a 401 at /myself, names the endpoint below the context path, and publishes nothing', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'expired', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: jiraDc, store, credentials: pat(JIRA_DC_TOKENS.expired) }));
    expect(out.ok).toBe(false);
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toContain('[org acme, product jira-dc, site 127.0.0.1:');
    expect(out.error?.message).toContain('endpoint GET /jira/rest/api/2/myself, HTTP 401]');
    expect(out.error?.message).toContain('expired');
    expect(out.error?.message).not.toContain(JIRA_DC_TOKENS.expired);
    expect(await store.list('jira_')).toEqual([]);
  });

  it('the local command collects with ATLASSIAN_BEARER_TOKEN; an expired PAT exits 1 and leaves the previous partition untouched', async () => {
    const out = await tmp();
    const argv = ['--product', 'jira-dc', '--site-url', `${sim.url}/jira`, '--org', 'acme', '--out', out, '--date', '2026-11-28'];
    const good = await runCollect([...argv, '--run-id', 'good'], { quiet: true, env: { ATLASSIAN_BEARER_TOKEN: JIRA_DC_TOKENS.admin } });
    expect(good.exitCode).toBe(0);
    const store = new LocalStore(out);
    const before = await store.list('jira_');
    expect(before.length).toBeGreaterThan(0);
    const bad = await runCollect([...argv, '--run-id', 'bad'], { quiet: true, env: { ATLASSIAN_BEARER_TOKEN: JIRA_DC_TOKENS.expired } });
    expect(bad.exitCode).toBe(1);
    expect(bad.outcomes[0]?.error?.message).toContain('ATLASSIAN_BEARER_TOKEN');
    expect(await store.list('jira_')).toEqual(before);
  });

  it('a group picker answer capped below its total fails clearly instead of publishing a partial group list', async () => {
    const capped = jiraDcTenant({ seed: 17, users: 30, groups: 12, projects: 1, pageCaps: { groupsPicker: 5 } });
    const sim2 = await startSimulator({ products: [capped], seed: 17 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'capped', date: '2026-11-28' }, unitFor(sim2), () => ({ module: jiraDc, store, credentials: admin }));
      expect(out.ok).toBe(false);
      expect(out.error?.name).toBe('PayloadError');
      expect(out.error?.message).toContain('returned 5 of 12 groups');
      expect(out.error?.message).toContain('jira.ajax.autocomplete.limit');
      expect(await store.list('jira_')).toEqual([]);
    } finally {
      await sim2.close();
    }
  });
});
