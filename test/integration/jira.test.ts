import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jira } from '../../functions/jira.ts';
import { jiraTables } from '../../functions/jira.tables.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Checkpoint } from '../../shared/contract.ts';
import { collect, publish, type CollectDeps } from '../../shared/engine/collect.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { runCollect } from '../../cli/collect.ts';
import { expectTablesEqualTruth } from '../support/truth.ts';
import { shortPageReadings } from '../support/short-pages.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };

const tmp = tempDirs('jira-it');

async function expectEqualsTruth(store: LocalStore, truth: Record<string, Record<string, unknown>[]>, date: string, org: string) {
  await expectTablesEqualTruth(store, jiraTables, truth, { date, org });
}

function unitFor(sim: Simulator, org = 'acme'): Unit {
  return { org, product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } };
}

shortPageReadings({
  title: 'short pages of the bare-array user list mid-list',
  tenant: (reading) => {
    const t = jiraTenant({ seed: 21, users: 3300, groups: 4, memberships: 120, projects: 3, vanishingGroups: 1, vanishingProjects: 1, shortPages: { reading } });
    return { sim: t, truth: () => t.groundTruth() };
  },
  module: jira,
  tables: jiraTables,
  unit: (sim) => unitFor(sim),
  credentials: creds,
  http: fastHttp,
  tmp,
});

describe('request economy', () => {
  it('without faults, makes exactly the minimum number of requests at maximum page sizes', async () => {
    const tenant = jiraTenant({ seed: 3, users: 2100, groups: 60, memberships: 1500, projects: 120, vanishingGroups: 2, vanishingProjects: 2 });
    const sim = await startSimulator({ products: [tenant], seed: 3 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'min', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds }));
      expect(out.stats?.requests).toBe(tenant.minimumRequests());
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
      const asked = sim.requests().filter((r) => r.url.includes('maxResults='));
      for (const r of asked) {
        const m = Number(new URL(r.url, sim.url).searchParams.get('maxResults'));
        const path = new URL(r.url, sim.url).pathname;
        expect({ path, m }).toEqual({ path, m: {
          '/rest/api/3/users/search': 1000,
          '/rest/api/3/group/bulk': 50,
          '/rest/api/3/group/member': 50,
          '/rest/api/3/project/search': 100,
          '/rest/api/3/issuesecurityschemes/search': 50,
          '/rest/api/3/issuesecurityschemes/level': 50,
          '/rest/api/3/issuesecurityschemes/level/member': 50,
          '/rest/api/3/issuesecurityschemes/project': 50,
        }[path] });
      }
    } finally {
      await sim.close();
    }
  });

  it('keeps paging past short pages of users/search and loses no user', async () => {
    const tenant = jiraTenant({ seed: 5, users: 3500, groups: 3, memberships: 10, projects: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 5, faults: { rate: 0.6, kinds: ['shortPage'], maxPerRequest: 1 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'short', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(sim.stats().faults.shortPage ?? 0).toBeGreaterThan(0);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
    } finally {
      await sim.close();
    }
  });

  it('honours 429 Retry-After under a rate-limit storm and still completes', async () => {
    const tenant = jiraTenant({ seed: 9, users: 50, groups: 2, memberships: 20, projects: 1 });
    const sim = await startSimulator({ products: [tenant], seed: 9, faults: { rate: 0, rateLimitStorm: 2 } });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'storm', date: '2026-11-28' };
      const started = Date.now();
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.retries).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
    } finally {
      await sim.close();
    }
  });
});

describe('failures', () => {
  const tenant = jiraTenant({ seed: 13, users: 120, groups: 5, memberships: 60, projects: 3 });
  const sim = simulatorForBlock({ products: [tenant], seed: 13 });

  it('writes the documented layout and no secret into any file', async () => {
    const out = await tmp();
    const r = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', out, '--date', '2026-11-28', '--run-id', 'layout'], {
      quiet: true,
      env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken },
    });
    expect(r.exitCode).toBe(0);
    const files = (await readdir(out, { recursive: true })).filter((f) => f.endsWith('.json.gz')).sort();
    expect(files.length).toBeGreaterThanOrEqual(jiraTables.length);
    for (const f of files) expect(f).toMatch(/^(jira_[a-z_]+|collector_units)\/dt=2026-11-28\/org=acme\/[a-z0-9-]+--layout--part-\d{5}-\d{3}\.json\.gz$/);
    for (const f of files) {
      const text = gunzipSync(await readFile(join(out, f))).toString('utf8');
      expect(text).not.toContain(DEFAULT_CREDENTIALS.apiToken);
      for (const line of text.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('collected_at');
    }
  });
});

describe('installed apps', () => {
  it('are read from the Universal Plugin Manager; an account that may not use it leaves the table empty, not the unit failed', async () => {
    const tenant = jiraTenant({ seed: 17, users: 30, groups: 2, memberships: 20, projects: 1, appsForbidden: true });
    const sim = await startSimulator({ products: [tenant], seed: 17 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'apps', date: '2026-11-28' };
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds }));
      expect(out.error).toBeUndefined();
      expect(out.stats?.skipped).toBe(1);
      await expectEqualsTruth(store, { ...tenant.groundTruth(), jira_installed_apps: [] }, run.date, 'acme');
    } finally {
      await sim.close();
    }
  });
});

describe('checkpoint contract', () => {
  it('an invocation retried from the same checkpoint (Lambda timeout) doubles nothing', async () => {
    const tenant = jiraTenant({ seed: 21, users: 1200, groups: 12, memberships: 400, projects: 4 });
    const sim = await startSimulator({ products: [tenant], seed: 21 });
    try {
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'retry', date: '2026-11-28' };
      const unit = unitFor(sim);
      const deps = (): CollectDeps => ({ module: jira, store, credentials: creds, maxRequests: 5 });
      let res = await collect({ run, unit, checkpoint: null }, deps());
      let n = 0;
      while (!res.done) {
        const cp = JSON.parse(JSON.stringify(res.checkpoint)) as Checkpoint;
        if (n++ % 2 === 0) await collect({ run, unit, checkpoint: cp }, deps()); // the attempt whose answer was lost
        res = await collect({ run, unit, checkpoint: cp }, deps());
      }
      await publish(store, run, unit, jira);
      await expectEqualsTruth(store, tenant.groundTruth(), run.date, 'acme');
      const truth = tenant.groundTruth();
      expect(res.stats.rows.jira_users).toBe(truth.jira_users?.length);
    } finally {
      await sim.close();
    }
  });
});
