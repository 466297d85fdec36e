import { describe, expect, it } from 'vitest';
import { assets } from '../../functions/assets.ts';
import { assetsTables } from '../../functions/assets.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { assetsTenant, DEFAULT_CREDENTIALS, startSimulator, type AssetsSim, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { shortPageReadings } from '../support/short-pages.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('assets-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string, org: string) {
  await expectTablesEqualTruth(store, assetsTables, truth, { date, org });
}

/** The documented gateway form (OAuth 2.0 / scoped token): JSM workspace lookup and Assets under one base. */
function gatewayUnit(sim: Simulator, objectTypes: string[]): Unit {
  return { org: 'acme', product: 'assets', siteUrl: sim.url, apiBaseUrl: `${sim.url}/ex/jira/{cloudId}`, assets: { objectTypes }, auth: { kind: 'bearer' } };
}

/** Types to collect: the multi-page type, the empty abstract one, and one by id. */
function pick(tenant: AssetsSim): string[] {
  const s = tenant.model.workspaces[0]?.schemas[0];
  return [s?.types[1]?.name ?? '', s?.types[0]?.name ?? '', tenant.model.workspaces[0]?.schemas[1]?.types[2]?.id ?? ''];
}

shortPageReadings({
  title: 'short pages mid-list',
  tenant: (reading) => {
    const t = assetsTenant({ seed: 21, schemas: 30, typesPerSchema: 3, objectsPerType: 150, vanishingSchemas: 1, shortPages: { reading } });
    const types = pick(t);
    return { sim: t, truth: () => t.groundTruth(types), types };
  },
  module: assets,
  tables: assetsTables,
  unit: (sim, t) => gatewayUnit(sim, t.types),
  credentials: bearer,
  http: fastHttp,
  tmp,
});

describe('request economy and edge cases', () => {
  it('without faults, makes exactly the minimum number of requests', async () => {
    const tenant = assetsTenant({ seed: 3, workspaces: 2, schemas: 27, typesPerSchema: 3, objectsPerType: 101, vanishingSchemas: 2 });
    const types = pick(tenant);
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, gatewayUnit(sim, types), () => ({ module: assets, store, credentials: bearer }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests(types));
      await expectEqualsTruth(store, tenant.groundTruth(types), run.date, 'acme');
      const aql = sim.requests().filter((r) => r.url.includes('/object/aql'));
      expect(aql.length).toBeGreaterThan(0);
      for (const r of aql) expect(new URL(r.url, sim.url).searchParams.get('includeAttributes')).toBe('false');
    } finally {
      await sim.close();
    }
  });

  it('a site without Assets yields no rows and one request', async () => {
    const tenant = assetsTenant({ seed: 4, workspaces: 0 });
    const sim = await startSimulator({ products: [tenant], seed: 4 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'none', date: '2026-11-28' }, gatewayUnit(sim, []), () => ({ module: assets, store, credentials: bearer }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('keeps paging past short pages', async () => {
    const tenant = assetsTenant({ seed: 5, schemas: 30, typesPerSchema: 3, objectsPerType: 150 });
    const types = pick(tenant);
    const sim = await startSimulator({ products: [tenant], seed: 5, faults: { rate: 0.6, kinds: ['shortPage'], maxPerRequest: 1 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short', date: '2026-11-28' };
      const out = await runUnit(run, gatewayUnit(sim, types), () => ({ module: assets, store, credentials: bearer }));
      expect(out.error).toBeUndefined();
      expect(sim.stats().faults.shortPage ?? 0).toBeGreaterThan(0);
      await expectEqualsTruth(store, tenant.groundTruth(types), run.date, 'acme');
    } finally {
      await sim.close();
    }
  });
});

describe('failures', () => {
  const tenant = assetsTenant({ seed: 13, schemas: 2 });
  const sim = simulatorForBlock({ products: [tenant], seed: 13 });

  it('a 401 names the endpoint and publishes nothing', async () => {
    const store = new LocalStore(await tmp());
    const out = await runUnit({ id: 'bad', date: '2026-11-28' }, gatewayUnit(sim, []), () => ({ module: assets, store, credentials: { kind: 'bearer', token: 'wrong-token-value-123', source: 'the test' } }));
    expect(out.ok).toBe(false);
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toContain('endpoint GET /ex/jira/');
    expect(out.error?.message).toContain('/rest/servicedeskapi/assets/workspace, HTTP 401]');
    expect(out.error?.message).not.toContain('wrong-token-value-123');
    expect(await store.list('assets_')).toEqual([]);
  });
});
