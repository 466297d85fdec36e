import { describe, expect, it } from 'vitest';
import { confluenceDc } from '../../functions/confluence-dc.ts';
import { confluenceTables } from '../../functions/confluence.tables.ts';
import { moduleFor } from '../../functions/index.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { CONFLUENCE_DC_TOKENS, confluenceDcTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const pat = (token: string): Credentials => ({ kind: 'bearer', token, source: 'the test' });
const admin = pat(CONFLUENCE_DC_TOKENS.admin);
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('confluence-dc-it');

const unitFor = (sim: Simulator): Unit => ({ org: 'acme', product: 'confluence-dc', siteUrl: `${sim.url}/confluence`, auth: { kind: 'bearer' } });

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string) {
  await expectTablesEqualTruth(store, confluenceTables, truth, { date, org: 'acme', deployment: 'data-center' });
}

describe('Confluence Data Center collector against the simulated instance (context path /confluence)', () => {
  it('is registered as --product confluence-dc', () => {
    expect(moduleFor('confluence-dc')).toBe(confluenceDc);
    expect(confluenceDc.deployment).toBe('data-center');
  });
});

describe('short pages mid-list, positions reading: permission-filtered rows, next = start + limit (CONFSERVER-95396, CONFSERVER-36578)', () => {
  const options = { users: 900, groups: 10, memberships: 500, spaces: 14, vanishingGroups: 1, vanishingSpaces: 1, shortPages: { reading: 'positions' as const, rate: 0.3 } };

  it('with faults, resuming after every page boundary, every table equals ground truth and no row is read again', async () => {
    // Prepare
    const tenant = confluenceDcTenant({ seed: 21, ...options });
    const sim = await startSimulator({ products: [tenant], seed: 21, faults: { rate: 0.15, slowMs: 1500, maxPerRequest: 2 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short-resume', date: '2026-11-28' };
      // Act
      const out = await runUnit(run, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1 }));
      // Assess
      expect(out.error).toBeUndefined();
      expect(out.stats?.repeatsDropped).toBe(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });

  it('without faults, following next makes exactly the minimum number of requests, no row read again', async () => {
    // Prepare
    const tenant = confluenceDcTenant({ seed: 22, ...options });
    const sim = await startSimulator({ products: [tenant], seed: 22 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short-min', date: '2026-11-28' };
      // Act
      const out = await runUnit(run, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin }));
      // Assess
      expect(out.error).toBeUndefined();
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      expect(out.stats?.repeatsDropped).toBe(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date);
    } finally {
      await sim.close();
    }
  });
});

describe('request economy and failures', () => {
  const tenant = confluenceDcTenant({ seed: 3, users: 1000, groups: 9, memberships: 300, spaces: 12, vanishingGroups: 1, vanishingSpaces: 1 });
  const sim = simulatorForBlock({ products: [tenant], seed: 3 });

  it('without faults, makes exactly the minimum number of requests', async () => {
    const store = new LocalStore(await tmp());
    const run: Run = { id: 'min', date: '2026-11-28' };
    const out = await runUnit(run, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin }));
    expect(out.error).toBeUndefined();
    expect(out.stats?.requests).toBe(tenant.minimumRequests());
    await expectEqualsTruth(store, tenant.groundTruth(), run.date);
  });

  it('an expired PAT ends with a 401 naming the endpoint, and publishes nothing', async () => {
    const store = new LocalStore(await tmp());
    const out = await runUnit({ id: 'expired', date: '2026-11-28' }, unitFor(sim), () => ({ module: confluenceDc, store, credentials: pat(CONFLUENCE_DC_TOKENS.expired) }));
    expect(out.error?.name).toBe('AuthenticationError');
    expect(out.error?.message).toContain('endpoint GET /confluence/rest/api/user/current, HTTP 401]');
    expect(out.error?.message).toContain('expired');
    expect(await store.list('confluence_')).toEqual([]);
  });
});

describe('Confluence Data Center versions and settings that refuse a request', () => {
  it('before 9.1 (no space permissions endpoint) the unit fails naming the endpoint and both versions, and the previous snapshot stays', async () => {
    // Prepare: a snapshot published from a 9.2 instance, then the same site (same port) running 9.0.3.
    const store = new LocalStore(await tmp());
    const current = confluenceDcTenant({ seed: 21, users: 40, groups: 4, memberships: 30, spaces: 4 });
    const simA = await startSimulator({ products: [current], seed: 21 });
    const port = Number(new URL(simA.url).port);
    const first = await runUnit({ id: 'v92', date: '2026-11-27' }, unitFor(simA), () => ({ module: confluenceDc, store, credentials: admin }));
    await simA.close();
    expect(first.error).toBeUndefined();
    const old = confluenceDcTenant({ seed: 21, users: 40, groups: 4, memberships: 30, spaces: 4, version: '9.0.3' });
    const simB = await startSimulator({ products: [old], seed: 21, port });
    try {
      // Act
      const out = await runUnit({ id: 'v90', date: '2026-11-27' }, unitFor(simB), () => ({ module: confluenceDc, store, credentials: admin }));
      // Assess
      expect(out.error?.name).toBe('UnsupportedVersionError');
      expect(out.error?.message).toMatch(/endpoint GET \/confluence\/rest\/api\/space\/[^/]+\/permissions, HTTP 404\]/);
      expect(out.error?.message).toContain('only from 9.1.0 on');
      expect(out.error?.message).toContain('this instance reports version 9.0.3');
      expect(out.stats?.skipped ?? 0).toBe(0);
      await expectEqualsTruth(store, current.groundTruth(), '2026-11-27');
    } finally {
      await simB.close();
    }
  });

  it('before 8.4 (no user/list) the unit fails naming 8.4.0', async () => {
    const tenant = confluenceDcTenant({ seed: 22, users: 20, groups: 4, memberships: 10, spaces: 2, version: '8.3.1' });
    const sim = await startSimulator({ products: [tenant], seed: 22 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'v83', date: '2026-11-28' }, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin }));
      expect(out.error?.name).toBe('UnsupportedVersionError');
      expect(out.error?.message).toContain('GET /rest/api/user/list, which Confluence Data Center has only from 8.4.0 on');
      expect(out.error?.message).toContain('reports version 8.3.1');
    } finally {
      await sim.close();
    }
  });

  it('a group name with a slash behind Tomcat defaults fails naming the group and the setting', async () => {
    const tenant = confluenceDcTenant({ seed: 23, users: 30, groups: 4, memberships: 20, spaces: 2, slashGroups: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 23 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'slash', date: '2026-11-28' }, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin }));
      const slashed = tenant.model.groups.find((g) => g.name.includes('/'))?.name ?? '?';
      expect(out.error?.name).toBe('InstanceSettingError');
      expect(out.error?.message).toContain(`member list of group '${slashed}' (HTTP 400)`);
      expect(out.error?.message).toContain('encodedSolidusHandling="decode"');
      expect(await store.list('confluence_')).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('a group name with a slash is collected where the server allows encoded slashes', async () => {
    const tenant = confluenceDcTenant({ seed: 23, users: 30, groups: 4, memberships: 20, spaces: 2, slashGroups: 1, allowEncodedSlash: true });
    const sim = await startSimulator({ products: [tenant], seed: 23 });
    try {
      const store = new LocalStore(await tmp());
      const out = await runUnit({ id: 'slash-ok', date: '2026-11-28' }, unitFor(sim), () => ({ module: confluenceDc, store, credentials: admin }));
      expect(out.error).toBeUndefined();
      await expectEqualsTruth(store, tenant.groundTruth(), '2026-11-28');
    } finally {
      await sim.close();
    }
  });
});
