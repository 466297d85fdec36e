import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminModule } from '../../functions/admin.ts';
import { adminTables } from '../../functions/admin.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import type { Logger } from '../../shared/redact.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { adminTenant, DEFAULT_CREDENTIALS, startSimulator, type AdminSim, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';

const creds: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 300, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('admin-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string) {
  await expectTablesEqualTruth(store, adminTables, truth, { date, org: 'acme' });
}

function unitFor(sim: Simulator, tenant: AdminSim): Unit {
  return { org: 'acme', product: 'admin', siteUrl: sim.url, orgId: tenant.model.orgId, auth: { kind: 'bearer' } };
}

describe('organization directory collector against the simulated org', () => {
  // 520 users (6 pages), 230 groups (3 pages, one with ~1/3 of the memberships, empty ones), v1 pages of 2,
  // API Access pages of 7 (the token listing, service accounts and their credentials span several pages).
  const tenant = adminTenant({ seed: 11, users: 520, groups: 230, memberships: 2400, domains: 5, policies: 4, vanishingUsers: 3, vanishingGroups: 2, v1PageSize: 2, accessPageSize: 3, serviceAccounts: 5 });
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ products: [tenant], seed: 11, rateLimit: { perSecond: 100 }, faults: { rate: 0.08, slowMs: 900, maxPerRequest: 2 } });
  });
  afterAll(async () => sim.close());

  it('with faults on, every table equals ground truth', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'faults', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: creds, http: fastHttp }));
    expect(out.error).toBeUndefined();
    expect(out.stats?.retries).toBeGreaterThan(0);
    // The vanished groups; tokens come from the organization listing, so no account vanishes before its tokens.
    expect(out.stats?.skipped).toBe(2);
    const faults = sim.stats().faults;
    expect(Object.keys(faults).length).toBeGreaterThanOrEqual(3);
    await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    // Paced to the budget the headers tell (the server's X-RateLimit-*): nothing sent into a closed window.
    expect(sim.stats().closedWindowRequests).toBe(0);
    const truth = tenant.groundTruth();
    for (const t of ['admin_users', 'admin_groups', 'admin_group_members', 'admin_group_role_assignments', 'admin_api_tokens', 'admin_user_product_access', 'admin_policies', 'admin_domains', 'admin_service_accounts', 'admin_service_account_api_tokens', 'admin_service_account_oauth_clients']) {
      expect(truth[t]?.length, t).toBeGreaterThan(0);
    }
  });
});

describe('resume', () => {
  it('resuming after every page boundary (one request per invocation) gives identical output, no duplicate', async () => {
    const tenant = adminTenant({ seed: 4, users: 230, groups: 120, memberships: 700, vanishingUsers: 2, vanishingGroups: 1, v1PageSize: 2, accessPageSize: 4 });
    const sim = await startSimulator({ products: [tenant], seed: 4 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'resume', date: '2026-11-28' };
      let maxCheckpoint = 0;
      // One worker, so every invocation ends at the very next page boundary.
      const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: creds, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1 }), {
        onInvocation: (_n, bytes) => (maxCheckpoint = Math.max(maxCheckpoint, bytes)),
      });
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      // One invocation per page; a vanished group's 404 is no page; the last invocation finds the end.
      expect(out.invocations).toBe(tenant.minimumRequests() - 1 + 1);
      expect(out.stats?.skipped).toBe(1);
      // The checkpoint holds at most one page of ids (100) waiting for their child requests.
      expect(maxCheckpoint).toBeLessThan(16 * 1024);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });
});

describe('API tokens when the organization listing is refused', () => {
  it('falls back to one request per managed account, resumable at every page boundary, and says so in source', async () => {
    const tenant = adminTenant({ seed: 4, users: 230, groups: 40, memberships: 300, vanishingUsers: 2, vanishingGroups: 1, forbidden: ['org-api-tokens'] });
    const sim = await startSimulator({ products: [tenant], seed: 4 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'fallback', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: creds, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1 }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      // The refused listing and the 404s of vanished accounts and group are no page; the last invocation finds the end.
      expect(out.invocations).toBe(tenant.minimumRequests() - 4 + 1);
      expect(out.stats?.skipped).toBe(4);
      const truth = tenant.groundTruth();
      expect(truth.admin_api_tokens?.length).toBeGreaterThan(0);
      expect(truth.admin_api_tokens?.every((t) => t.source === 'per-account')).toBe(true);
      await expectEqualsTruth(store, truth, run.date);
    } finally {
      await sim.close();
    }
  });

  it('the listing costs a few pages where the fallback costs one request per managed account', () => {
    const listing = adminTenant({ seed: 9, users: 2_000, groups: 10, memberships: 100 });
    const refused = adminTenant({ seed: 9, users: 2_000, groups: 10, memberships: 100, forbidden: ['org-api-tokens'] });
    expect(listing.minimumRequests()).toBeLessThan(refused.minimumRequests() * 0.05);
  });
});

describe('API Access endpoints refused', () => {
  async function refused(forbidden: ('org-api-tokens' | 'service-accounts' | 'service-account-credentials' | 'api-tokens')[]) {
    const tenant = adminTenant({ seed: 13, users: 60, serviceAccounts: 3, forbidden });
    const sim = await startSimulator({ products: [tenant], seed: 13 });
    const notes: string[] = [];
    const log: Logger = { info: (_m, f) => f?.reason !== undefined && notes.push(String(f.reason)), warn: () => undefined, error: () => undefined };
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'refused', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: creds, http: fastHttp, log }));
      return { out, notes, store, run, tenant };
    } finally {
      await sim.close();
    }
  }

  it('a key without read:service-accounts:admin leaves the service account tables empty, counted, naming the scope', async () => {
    const { out, notes, store, run, tenant } = await refused(['service-accounts']);
    expect(out.error).toBeUndefined();
    expect(out.stats?.skipped).toBe(1);
    expect(notes.some((n) => /service-accounts, HTTP 403\].*read:service-accounts:admin/.test(n))).toBe(true);
    const truth = tenant.groundTruth();
    expect(truth.admin_service_accounts).toEqual([]);
    await expectEqualsTruth(store, truth, run.date);
  });

  it('a key without read:tokens:admin names that scope and still fills admin_api_tokens per account', async () => {
    const { out, notes } = await refused(['org-api-tokens']);
    expect(out.error).toBeUndefined();
    expect(notes.some((n) => /api-tokens, HTTP 403\].*read:tokens:admin/.test(n))).toBe(true);
    expect(out.stats?.rows.admin_api_tokens).toBeGreaterThan(0);
  });
});

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests, asking the maximum page sizes', async () => {
    const tenant = adminTenant({ seed: 3, users: 1050, groups: 205, memberships: 3000, vanishingUsers: 2, vanishingGroups: 2 });
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      expect(out.stats?.retries).toBe(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
      expect(tenant.requestedLimits()).toEqual({
        'GET /admin/v2/orgs/{orgId}/directories': [100],
        'POST /admin/v2/orgs/{orgId}/workspaces': [1000],
        'POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search': [100],
        'GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments': [100],
        'POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search': [100],
      });
      // Bearer only, and never the deprecated GET twins of the searches.
      const log = sim.requests();
      // Role assignments are asked only of groups whose counts.resources is not 0 (the vanished ones included).
      const asked = new Set(log.filter((r) => r.url.includes('/role-assignments')).map((r) => /groups\/([^/]+)\/role-assignments/.exec(r.url)?.[1]));
      const withResources = tenant.model.groups.filter((g) => g.resources > 0).map((g) => g.id);
      expect(withResources.length).toBeLessThan(tenant.model.groups.length);
      expect([...asked].sort()).toEqual([...withResources].sort());
      expect(log.every((r) => r.authorization === 'bearer')).toBe(true);
      expect(log.some((r) => r.method === 'GET' && /\/(users|groups)(\?|$)/.test(r.url))).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('without the organization listing, bounds the API token requests: active managed accounts only, or none', async () => {
    const tenant = adminTenant({ seed: 8, users: 260, groups: 12, memberships: 300, forbidden: ['org-api-tokens'] });
    const sim = await startSimulator({ products: [tenant], seed: 8 });
    try {
      for (const apiTokens of ['active', 'none'] as const) {
        const store = new LocalStore(await tmp());
        const run: Run = { id: `tokens-${apiTokens}`, date: '2026-11-28' };
        const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: adminModule({ apiTokens }), store, credentials: creds }));
        expect(out.error).toBeUndefined();
        expect(out.stats?.requests).toBe(tenant.minimumRequests({ apiTokens }));
        await expectEqualsTruth(store, tenant.groundTruth({ apiTokens }), run.date);
      }
      expect(tenant.minimumRequests({ apiTokens: 'none' })).toBeLessThan(tenant.minimumRequests({ apiTokens: 'active' }));
      expect(tenant.minimumRequests({ apiTokens: 'active' })).toBeLessThan(tenant.minimumRequests());
    } finally {
      await sim.close();
    }
  });
});

describe('failures', () => {
  async function failing(tenant: AdminSim, credentials: Credentials = creds, unitPatch: Partial<Unit> = {}) {
    const sim = await startSimulator({ products: [tenant], seed: 13 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'fail', date: '2026-11-28' }, { ...unitFor(sim, tenant), ...unitPatch }, () => ({ module: admin, store, credentials, http: fastHttp }));
      return { out, published: await store.list('admin_') };
    } finally {
      await sim.close();
    }
  }

  it('a wrong API key ends at the first request with a clear 401 and publishes nothing', async () => {
    const { out, published } = await failing(adminTenant({ seed: 13, users: 40 }), { kind: 'bearer', token: 'wrong-key-123456', source: 'the test' });
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toMatch(/\[org acme, product admin, site 127\.0\.0\.1:\d+, endpoint GET \/admin\/v1\/orgs\/[0-9a-f-]+, HTTP 401\]/);
    expect(out.error?.message).not.toContain('wrong-key-123456');
    expect(published).toEqual([]);
  });

  it('a key without read:directories:admin fails on users/search naming the scope, and publishes nothing', async () => {
    const { out, published } = await failing(adminTenant({ seed: 13, users: 40, forbidden: ['users'] }));
    expect(out.error?.name).toBe('PermissionError');
    expect(out.error?.message).toMatch(/endpoint POST \/admin\/v2\/orgs\/[0-9a-f-]+\/directories\/-\/users\/search, HTTP 403\].*read:directories:admin/);
    expect(published).toEqual([]);
  });

  it('a key that may read API tokens neither in the listing nor per account fails naming the user management permission', async () => {
    const { out } = await failing(adminTenant({ seed: 13, users: 40, forbidden: ['org-api-tokens', 'api-tokens'] }));
    expect(out.error?.name).toBe('PermissionError');
    expect(out.error?.message).toMatch(/endpoint GET \/users\/[^/]+\/manage\/api-tokens, HTTP 403\].*apiToken\.read/);
  });

  it('a key without read:workspaces:admin fails naming that scope', async () => {
    const { out } = await failing(adminTenant({ seed: 13, users: 40, forbidden: ['workspaces'] }));
    expect(out.error?.message).toMatch(/HTTP 403\].*read:workspaces:admin/);
  });

  it('a unit without orgId is a ConfigError naming the field', async () => {
    const { out, published } = await failing(adminTenant({ seed: 13, users: 40 }), creds, { orgId: undefined });
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toContain("'orgId' is required");
    expect(published).toEqual([]);
  });

  it('an orgId the key does not know names the endpoint and the API answer', async () => {
    const { out } = await failing(adminTenant({ seed: 13, users: 40 }), creds, { orgId: '00000000-0000-4000-8000-000000000000' });
    expect(out.error?.name).toBe('NotFoundError');
    expect(out.error?.message).toContain('Organization not found');
  });
});
