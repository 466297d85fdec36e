import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsm, JSM_PAGE_SIZES } from '../../functions/jsm.ts';
import { jsmTables } from '../../functions/jsm.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, jsmTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { shortPageReadings } from '../support/short-pages.ts';
import { tempDirs } from '../support/tmp.ts';
import { collectThenWrongToken, WRONG_TOKEN } from '../support/cli.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('jsm-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string, org: string) {
  await expectTablesEqualTruth(store, jsmTables, truth, { date, org });
}

function unitFor(sim: Simulator, org = 'acme'): Unit {
  return { org, product: 'jsm', siteUrl: sim.url, auth: { kind: 'basic' } };
}

describe('JSM collector against the simulated tenant', () => {
  const tenant = jsmTenant({ seed: 11, customers: 260, agents: 9, serviceDesks: 7, organizations: 9, vanishingDesks: 1, vanishingOrganizations: 1 });
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ products: [tenant], seed: 11, rateLimit: { perSecond: 100 }, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } });
  });
  afterAll(async () => sim.close());

  it('the tenant has the odd cases the tests rely on', () => {
    const t = tenant.groundTruth();
    expect(t.jsm_customers?.some((r) => r.email_address === null)).toBe(true);
    expect(t.jsm_customers?.some((r) => r.active === false)).toBe(true);
    expect(t.jsm_customers?.some((r) => /[^\x00-\x7f]/.test(String(r.display_name)))).toBe(true);
    expect(tenant.model.desks.some((d) => d.customers.length === 0)).toBe(true);
    expect(tenant.model.desks.some((d) => d.customers.length > 2 * tenant.model.caps.customers)).toBe(true);
    expect(tenant.model.desks.some((d) => !d.vanishing && !d.roles.some((r) => r.name === 'Service Desk Team'))).toBe(true);
    expect(t.jsm_agents?.some((r) => r.actor_type === 'group')).toBe(true);
  });

  it('with faults on, every table equals ground truth', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'faults', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: jsm, store, credentials: creds, http: fastHttp }));
    expect(out.error).toBeUndefined();
    expect(out.stats?.retries).toBeGreaterThan(0);
    expect(out.stats?.skipped).toBe(2);
    await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
    // Paced to the budget the headers tell (the server's X-RateLimit-*): nothing sent into a closed window.
    expect(sim.stats().closedWindowRequests).toBe(0);
  });

  it('resuming after every page boundary (one request per invocation) gives identical output, no duplicate', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'resume', date: '2026-11-28' };
    let maxCheckpoint = 0;
    const out = await runUnit(run, unitFor(sim), () => ({ module: jsm, store, credentials: creds, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1 }), {
      onInvocation: (_n, bytes) => (maxCheckpoint = Math.max(maxCheckpoint, bytes)),
    });
    expect(out.error).toBeUndefined();
    expect(out.invocations).toBeGreaterThan(tenant.minimumRequests() / 2);
    expect(maxCheckpoint).toBeLessThan(64 * 1024);
    await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
  });
});

shortPageReadings({
  title: 'short pages mid-list',
  tenant: (reading) => {
    const t = jsmTenant({ seed: 21, customers: 260, agents: 9, serviceDesks: 7, organizations: 9, vanishingDesks: 1, vanishingOrganizations: 1, shortPages: { reading } });
    return { sim: t, truth: () => t.groundTruth() };
  },
  module: jsm,
  tables: jsmTables,
  unit: (sim) => unitFor(sim),
  credentials: creds,
  http: fastHttp,
  tmp,
});

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests, paging past capped pages (Q5)', async () => {
    const tenant = jsmTenant({ seed: 3, customers: 420, agents: 15, serviceDesks: 60, organizations: 120, vanishingDesks: 2, vanishingOrganizations: 2 });
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jsm, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
      const paged = sim.requests().filter((r) => r.url.startsWith('/rest/servicedeskapi/'));
      expect(paged.length).toBeGreaterThan(0);
      for (const r of paged) expect(new URL(r.url, sim.url).searchParams.get('limit')).toBe(String(JSM_PAGE_SIZES.customers));
    } finally {
      await sim.close();
    }
  });

  it('keeps paging past short pages and loses no customer', async () => {
    const tenant = jsmTenant({ seed: 5, customers: 300, serviceDesks: 3, organizations: 3 });
    const sim = await startSimulator({ products: [tenant], seed: 5, faults: { rate: 0.6, kinds: ['shortPage'], maxPerRequest: 1 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jsm, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(sim.stats().faults.shortPage ?? 0).toBeGreaterThan(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
    } finally {
      await sim.close();
    }
  });
});

describe('OAuth 2.0 / scoped token', () => {
  it('a bearer token through /ex/jira/{cloudId} collects the same rows', async () => {
    const tenant = jsmTenant({ seed: 17, customers: 80, serviceDesks: 3, organizations: 3 });
    const sim = await startSimulator({ products: [tenant], seed: 17 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'gateway', date: '2026-11-28' };
      const unit: Unit = { ...unitFor(sim), apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, auth: { kind: 'bearer' } };
      const out = await runUnit(run, unit, () => ({ module: jsm, store, credentials: { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' } }));
      expect(out.error).toBeUndefined();
      expect(sim.requests().every((r) => r.url.startsWith(`/ex/jira/${sim.cloudId}/`) || r.url === '/_edge/tenant_info')).toBe(true);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
    } finally {
      await sim.close();
    }
  });
});

describe('failures', () => {
  const tenant = jsmTenant({ seed: 13, customers: 60, serviceDesks: 3, organizations: 3 });
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ products: [tenant], seed: 13 });
  });
  afterAll(async () => sim.close());

  it('a 401 ends with a clear message, exit code 1, and leaves the previous partition untouched', async () => {
    const out = await tmp();
    const { good, bad, publishedBefore: before } = await collectThenWrongToken('jsm', sim.url, out);
    expect(good.exitCode).toBe(0);
    const store = new LocalStore(out);
    expect(before.length).toBeGreaterThan(0);

    expect(bad.exitCode).toBe(1);
    const err = bad.outcomes[0]?.error;
    expect(err?.name).toBe('AuthenticationError');
    expect(err?.message).toContain('[org acme, product jsm, site 127.0.0.1:');
    expect(err?.message).toContain('endpoint GET /rest/servicedeskapi/servicedesk, HTTP 401]');
    expect(err?.message).not.toContain(WRONG_TOKEN);
    expect(await store.list('jsm_')).toEqual(before);
  });

  it('a 403 names the missing permission and publishes nothing', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'limited', date: '2026-11-28' };
    const limited: Credentials = { kind: 'basic', email: DEFAULT_LIMITED_CREDENTIALS.email, apiToken: DEFAULT_LIMITED_CREDENTIALS.apiToken, source: 'the test' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: jsm, store, credentials: limited }));
    expect(out.ok).toBe(false);
    expect(out.error?.name).toBe('PermissionError');
    expect(out.error?.message).toMatch(/customer\/?.*HTTP 403\].*Grant the account permission to view the service desk's customers/);
    expect(await store.list('jsm_')).toEqual([]);
  });
});
