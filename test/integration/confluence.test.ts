import { describe, expect, it } from 'vitest';
import { confluence, CONFLUENCE_PAGE_SIZES } from '../../functions/confluence.ts';
import { confluenceTables } from '../../functions/confluence.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { readPublished } from '../../shared/local/verify.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import {
  CONFLUENCE_USER_SEARCH_WINDOW,
  confluenceTenant,
  DEFAULT_CREDENTIALS,
  startSimulator,
  type ConfluenceTenantOptions,
  type Simulator,
} from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const DATE = '2026-11-28';

const tmpDir = tempDirs('confluence-it');
const tmp = async (): Promise<LocalStore> => new LocalStore(await tmpDir());

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>) {
  await expectTablesEqualTruth(store, confluenceTables, truth, { date: DATE, org: 'acme' });
}

const unitFor = (sim: Simulator, extra: Partial<Unit> = {}): Unit => ({ org: 'acme', product: 'confluence', siteUrl: sim.url, auth: { kind: 'basic' }, ...extra });

/** Collect one tenant; returns the outcome, the store and the simulator's request log. */
async function collectTenant(opts: ConfluenceTenantOptions, sim: Pick<Parameters<typeof startSimulator>[0], 'faults' | 'rateLimit'> = {}, run: Partial<{ maxRequests: number; concurrency: number; credentials: Credentials; unit: Partial<Unit> }> = {}) {
  const tenant = confluenceTenant(opts);
  const s = await startSimulator({ products: [tenant], seed: opts.seed ?? 1, faults: sim.faults, ...(sim.rateLimit ? { rateLimit: sim.rateLimit } : {}) });
  try {
    const store = await tmp();
    let maxCheckpoint = 0;
    const out = await runUnit({ id: 'r', date: DATE }, unitFor(s, run.unit), () => ({ module: confluence, store, credentials: run.credentials ?? creds, http: { ...fastHttp, concurrency: run.concurrency }, maxRequests: run.maxRequests }), {
      onInvocation: (_n, bytes) => (maxCheckpoint = Math.max(maxCheckpoint, bytes)),
    });
    return { tenant, out, store, requests: s.requests(), stats: s.stats(), maxCheckpoint, cloudId: s.cloudId };
  } finally {
    await s.close();
  }
}

describe('Confluence Cloud collector against the simulated tenant', () => {
  const opts: ConfluenceTenantOptions = { seed: 11, users: 1300, groups: 22, memberships: 2400, spaces: 14, personalSpaces: 4, vanishingGroups: 1, vanishingSpaces: 1, vanishingUsers: 2 };

  it('the same collector on the gateway base with a bearer token', async () => {
    const tenant = confluenceTenant(opts);
    const sim = await startSimulator({ products: [tenant], seed: 11 });
    try {
      const store = await tmp();
      const unit = unitFor(sim, { apiBaseUrl: `${sim.url}/ex/confluence/{cloudId}`, auth: { kind: 'bearer' } });
      const out = await runUnit({ id: 'gw', date: DATE }, unit, () => ({ module: confluence, store, credentials: bearer, http: fastHttp }));
      expect(out.error).toBeUndefined();
      const api = sim.requests().filter((q) => q.url.includes('/wiki/'));
      expect(api.every((q) => q.url.startsWith(`/ex/confluence/${sim.cloudId}/wiki/`) && q.authorization === 'bearer')).toBe(true);
      expect(api.some((q) => q.url.includes('cursor='))).toBe(true);
      // Through the gateway the collector skips installed apps (UPM answers on the site only): one request fewer.
      expect(out.stats?.requests).toBe(tenant.minimumRequests() - 1);
      await expectEqualsTruth(store, { ...tenant.groundTruth(), confluence_installed_apps: [] });
    } finally {
      await sim.close();
    }
  });
});

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests, at the maximum page sizes', async () => {
    const r = await collectTenant({ seed: 3, users: 2100, groups: 40, memberships: 3000, spaces: 30, personalSpaces: 5, vanishingGroups: 2, vanishingSpaces: 2, vanishingUsers: 1 });
    expect(r.out.stats?.requests).toBe(r.tenant.minimumRequests());
    await expectEqualsTruth(r.store, r.tenant.groundTruth());
    const sizes: Record<string, number> = {
      '/wiki/rest/api/search/user': CONFLUENCE_PAGE_SIZES.userSearch,
      '/wiki/rest/api/group': CONFLUENCE_PAGE_SIZES.groups,
      membersByGroupId: 200,
      v2: 250,
      '/wiki/rest/api/audit': 1000,
    };
    for (const q of r.requests.filter((x) => x.url.includes('limit='))) {
      const u = new URL(q.url, 'http://x');
      const kind = u.pathname.startsWith('/wiki/api/v2/') ? 'v2' : u.pathname.endsWith('/membersByGroupId') ? 'membersByGroupId' : u.pathname;
      expect({ path: u.pathname, limit: Number(u.searchParams.get('limit')) }).toEqual({ path: u.pathname, limit: sizes[kind] });
    }
    expect(r.requests.filter((q) => q.method === 'POST' && q.url.endsWith('/wiki/api/v2/users-bulk')).length).toBe(Math.ceil(2100 / 250));
  });

  it('reads each space-role mode: PRE_ROLES asks no role endpoint, ROLES gives every space its assignments', async () => {
    const pre = await collectTenant({ seed: 4, users: 200, spaces: 8, roleMode: 'PRE_ROLES', vanishingSpaces: 1 });
    expect(pre.out.stats?.requests).toBe(pre.tenant.minimumRequests());
    expect(pre.requests.some((q) => q.url.includes('role-assignments') || q.url.includes('/space-roles'))).toBe(false);
    expect(pre.out.stats?.skipped).toBe(1);
    await expectEqualsTruth(pre.store, pre.tenant.groundTruth());
    const roles = await collectTenant({ seed: 4, users: 400, spaces: 8, roleMode: 'ROLES' });
    expect(roles.out.stats?.requests).toBe(roles.tenant.minimumRequests());
    expect(roles.out.stats?.rows.confluence_space_role_assignments).toBeGreaterThan(250);
    await expectEqualsTruth(roles.store, roles.tenant.groundTruth());
  });

  it('above the 10,000-user search window: the first 10,000 users, flagged as capped, never asking past the window; memberships stay complete', async () => {
    const users = CONFLUENCE_USER_SEARCH_WINDOW + 300;
    const r = await collectTenant({ seed: 7, users, groups: 4, memberships: 6000, spaces: 2, personalSpaces: 0, vanishingUsers: 1 });
    expect(r.out.error).toBeUndefined();
    expect(r.out.stats?.requests).toBe(r.tenant.minimumRequests());
    const truth = r.tenant.groundTruth();
    await expectEqualsTruth(r.store, truth);
    expect(truth.confluence_users?.length).toBe(CONFLUENCE_USER_SEARCH_WINDOW - 1);
    const settings = await readPublished(r.store, 'confluence_settings', { date: DATE }, 'acme');
    expect(settings.filter((s) => String(s.key).startsWith('users.')).map((s) => [s.key, s.value])).toEqual(
      expect.arrayContaining([
        ['users.search_total_size', String(users)],
        ['users.search_capped', 'true'],
      ]),
    );
    const starts = r.requests.filter((q) => q.url.includes('/search/user')).map((q) => Number(new URL(q.url, 'http://x').searchParams.get('start')));
    expect(Math.max(...starts)).toBe(CONFLUENCE_USER_SEARCH_WINDOW - CONFLUENCE_PAGE_SIZES.userSearch);
    const listed = new Set((await readPublished(r.store, 'confluence_users', { date: DATE }, 'acme')).map((u) => u.account_id));
    const members = await readPublished(r.store, 'confluence_group_members', { date: DATE }, 'acme');
    expect(members.some((m) => !listed.has(m.account_id))).toBe(true);
  });

  it('a search page size lowered silently by the server and short pages lose no user', async () => {
    const r = await collectTenant({ seed: 5, users: 900, groups: 6, memberships: 1500, spaces: 4, pageCaps: { userSearch: 100 } }, { faults: { rate: 0.5, kinds: ['shortPage'], maxPerRequest: 1 } });
    expect(r.out.error).toBeUndefined();
    expect(r.stats.faults.shortPage ?? 0).toBeGreaterThan(0);
    await expectEqualsTruth(r.store, r.tenant.groundTruth());
  });
});
