import { describe, expect, it } from 'vitest';
import { jsm, JSM_PAGE_SIZES } from '../../functions/jsm.ts';
import { jsmTables } from '../../functions/jsm.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jsmTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { shortPageReadings } from '../support/short-pages.ts';
import { tempDirs } from '../support/tmp.ts';

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
