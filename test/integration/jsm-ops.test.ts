import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSM_OPS_PAGE_SIZE, jsmOps } from '../../functions/jsm-ops.ts';
import { jsmOpsTables } from '../../functions/jsm-ops.tables.ts';
import { runCollect } from '../../cli/collect.ts';
import type { Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jsmOpsTenant, startSimulator, type JsmOpsSim, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { allText, tempDirs } from '../support/tmp.ts';
import { WRONG_TOKEN } from '../support/cli.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const date = '2026-11-28';
const tmp = tempDirs('jsm-ops-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>) {
  await expectTablesEqualTruth(store, jsmOpsTables, truth, { date, org: 'acme' });
}

/** The simulator serves the operations API at the intro page's basic-auth path, on the site's origin. */
function unitFor(sim: Simulator, tenant: JsmOpsSim, extra: Partial<Unit> = {}): Unit {
  return { org: 'acme', product: 'jsm-ops', siteUrl: sim.url, apiBaseUrl: `${sim.url}/jsm/ops/api/{cloudId}`, orgId: tenant.model.orgId, auth: { kind: 'basic' }, ...extra };
}

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests: size=100, rotations expanded in the list', async () => {
    const tenant = jsmOpsTenant({ seed: 5, teams: 5, vanishingTeams: 1, schedules: 201, integrations: 100, bigTeamEscalations: 120 });
    const sim = await startSimulator({ products: [tenant], seed: 5 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'min', date }, unitFor(sim, tenant), () => ({ module: jsmOps, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth());
      const urls = sim.requests().map((r) => new URL(r.url, sim.url));
      const ops = urls.filter((u) => u.pathname.includes('/jsm/ops/api/'));
      expect(ops.every((u) => u.searchParams.get('size') === String(JSM_OPS_PAGE_SIZE))).toBe(true);
      expect(urls.filter((u) => u.pathname.endsWith('/v1/schedules')).map((u) => u.searchParams.get('expand'))).toEqual(['rotation', 'rotation', 'rotation']);
    } finally {
      await sim.close();
    }
  });

  it('a server that caps size below the one asked still yields every row (jsmOps.pageSize and the cap are both unpublished)', async () => {
    const tenant = jsmOpsTenant({ seed: 6, teams: 3, schedules: 45, integrations: 12, maxPageSize: 10 });
    const sim = await startSimulator({ products: [tenant], seed: 6 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'cap', date }, unitFor(sim, tenant, { jsmOps: { pageSize: 25 } }), () => ({ module: jsmOps, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      await expectEqualsTruth(store, tenant.groundTruth());
      expect(sim.requests().some((r) => new URL(r.url, sim.url).searchParams.get('size') === '25')).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe('auth and permissions', () => {
  let tenant: JsmOpsSim;
  let sim: Simulator;
  beforeAll(async () => {
    tenant = jsmOpsTenant({ seed: 8, teams: 3, schedules: 10, integrations: 5 });
    sim = await startSimulator({ products: [tenant], seed: 8 });
  });
  afterAll(async () => sim.close());

  it('a wrong API token ends with a 401 through the local command, exit 1, nothing published, token in no file', async () => {
    const out = await tmp();
    const argv = ['--product', 'jsm-ops', '--site-url', sim.url, '--api-base-url', `${sim.url}/jsm/ops/api/{cloudId}`, '--org-id', tenant.model.orgId, '--org', 'acme', '--out', out, '--date', date];
    const bad = await runCollect([...argv, '--run-id', 'bad'], { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: WRONG_TOKEN } });
    expect(bad.exitCode).toBe(1);
    expect(bad.outcomes[0]?.error?.name).toBe('AuthenticationError');
    expect(bad.outcomes[0]?.error?.message).toMatch(/HTTP 401\]/);
    expect(bad.outcomes[0]?.error?.message).toContain('lacks the scope read:ops-config:jira-service-management');
    expect(bad.outcomes[0]?.error?.message).not.toContain(WRONG_TOKEN);
    expect(await new LocalStore(out).list('jsm_ops_')).toEqual([]);
    const good = await runCollect([...argv, '--run-id', 'good'], { quiet: true, env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken } });
    expect(good.exitCode).toBe(0);
    await expectEqualsTruth(new LocalStore(out), tenant.groundTruth());
    const files = await allText(out);
    expect(files).not.toContain(WRONG_TOKEN);
    expect(files).not.toContain(DEFAULT_CREDENTIALS.apiToken);
  });

  it('a unit without orgId is refused with a message that says where to find it', async () => {
    const store = new LocalStore(await tmp());
    const { orgId: _drop, ...unit } = unitFor(sim, tenant);
    const out = await runUnit({ id: 'no-org', date }, unit, () => ({ module: jsmOps, store, credentials: creds }));
    expect(out.error?.name).toBe('ConfigError');
    expect(out.error?.message).toMatch(/needs orgId .*admin\.atlassian\.com/);
  });
});
