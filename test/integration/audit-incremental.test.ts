import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jira } from '../../functions/jira.ts';
import { jiraAuditRecords } from '../../functions/jira-audit.ts';
import type { Run, Unit } from '../../shared/config.ts';
import { collect, type CollectDeps } from '../../shared/engine/collect.ts';
import { localWatermarks, watermarkKey } from '../../shared/engine/incremental.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { diffRows, readPublished, type Row } from '../../shared/local/verify.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { jiraBackground, jiraAuditTruth } from '../../simulator/jira-audit.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

// The audit trail collected incrementally (issue 14): Jira's audit records through the engine's incremental
// streams (shared/engine/incremental.ts), against the simulated tenant's log (simulator/jira-audit.ts).

const creds: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const wrong: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: 'revoked', source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 03:00 UTC on the first collection day. */
const T1 = Date.parse('2026-11-27T03:00:00.000Z');
const tmp = tempDirs('audit-it');

const unitFor = (sim: Simulator): Unit => ({ org: 'acme', product: 'jira', siteUrl: sim.url, auth: { kind: 'basic' } });
const small = { users: 40, groups: 4, memberships: 60, projects: 2 } as const;

/** Every stored audit row of the org over the given dates. */
async function storedAudit(store: LocalStore, dates: readonly string[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const date of dates) out.push(...(await readPublished(store, jiraAuditRecords.name, { date }, 'acme')));
  return out;
}

function expectSameRows(expected: readonly Row[], actual: readonly Row[]): void {
  const d = diffRows(expected, actual);
  expect({ missing: d.missing.slice(0, 3), extra: d.extra.slice(0, 3), duplicates: d.duplicates.slice(0, 3) }).toEqual({ missing: [], extra: [], duplicates: [] });
}

describe('Jira audit records, collected incrementally', () => {
  describe('the first collection (backfill)', () => {
    // 2,500 records over 40 days: the 30-day backfill reads two full pages of 1,000 and a short one.
    const tenant = jiraTenant({ seed: 41, ...small, audit: { background: { count: 2500, days: 40, until: T1 } } });
    const sim = simulatorForBlock({ products: [tenant], seed: 41, faults: { rate: 0.15, slowMs: 900, maxPerRequest: 2 } });

    it('with faults on and a resume at every page boundary, stores exactly the last 30 days of records', async () => {
      // Prepare
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'backfill', date: '2026-11-27' };
      // Act
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds, http: { ...fastHttp, concurrency: 1 }, maxRequests: 1, now: () => new Date(T1) }));
      // Assess
      expect(out.error).toBeUndefined();
      const want = jiraAuditTruth(tenant.audit, T1 - 30 * DAY, T1);
      expect(want.length).toBeGreaterThan(1800);
      expectSameRows(want, await storedAudit(store, [run.date]));
    });
  });

  describe('three consecutive days with a failure on day 2', () => {
    const tenant = jiraTenant({ seed: 42, ...small, audit: { background: { count: 300, days: 40, until: T1 } } });
    let sim: Simulator;
    let store: LocalStore;
    const dates = ['2026-11-27', '2026-11-28', '2026-11-29'];
    beforeAll(async () => {
      sim = await startSimulator({ products: [tenant], seed: 42, faults: { rate: 0.1, slowMs: 900, maxPerRequest: 2 } });
      store = new LocalStore(await tmp());
      const unit = unitFor(sim);
      const deps = (at: number, credentials: Credentials = creds): CollectDeps => ({ module: jira, store, credentials, http: fastHttp, now: () => new Date(at) });

      // Day 1.
      const d1 = await runUnit({ id: 'day1', date: dates[0]! }, unit, () => deps(T1));
      if (d1.error) throw d1.error;
      // Between day 1 and day 2: new records, and one the API lists late (it happened 10 minutes before day 1's
      // collection, inside the overlap window, but appears only now).
      jiraBackground(tenant.model, tenant.audit, 40, T1 + HOUR, T1 + 20 * HOUR);
      tenant.audit.append(T1 - 10 * 60_000, { summary: 'User created', category: 'user management', eventSource: '', remoteAddress: '10.0.0.9', associatedItems: [], changedValues: [] });
      // Day 2 fails: its first invocation stages a page, the second is refused (a revoked token), never published.
      const T2 = T1 + DAY;
      const run2: Run = { id: 'day2', date: dates[1]! };
      const first = await collect({ run: run2, unit, checkpoint: null }, { ...deps(T2), maxRequests: 6 });
      expect(first.done).toBe(false);
      await expect(collect({ run: run2, unit, checkpoint: first.checkpoint }, deps(T2, wrong))).rejects.toThrow(/401/);
      // Between day 2 and day 3: more records.
      jiraBackground(tenant.model, tenant.audit, 40, T2 + HOUR, T2 + 20 * HOUR);
      // Day 3.
      const d3 = await runUnit({ id: 'day3', date: dates[2]! }, unit, () => deps(T1 + 2 * DAY));
      if (d3.error) throw d3.error;
    });
    afterAll(async () => sim.close());

    it('every record of the three days is stored exactly once, the late one and day 2 ones included', async () => {
      // Assess
      const want = jiraAuditTruth(tenant.audit, T1 - 30 * DAY, T1 + 2 * DAY);
      expectSameRows(want, await storedAudit(store, dates));
    });

    it('the failed day published nothing: day 3 stored what day 2 should have', async () => {
      // Assess
      expect(await storedAudit(store, [dates[1]!])).toEqual([]);
      const day3 = await storedAudit(store, [dates[2]!]);
      expect(day3.filter((r) => r.action === 'User created').length).toBe(1);
      expect(day3.length).toBe(81);
    });

    it('the watermark is the last published collection', async () => {
      // Assess
      const where = localWatermarks(store);
      const mark = JSON.parse((await store.read(watermarkKey(where, unitFor(sim)))).toString('utf8')) as { date: string; streams: Record<string, { to: string }> };
      expect(mark.date).toBe(dates[2]);
      expect(mark.streams.audit_records?.to).toBe(new Date(T1 + 2 * DAY).toISOString());
    });
  });

  describe('the same date collected again', () => {
    const tenant = jiraTenant({ seed: 44, ...small, audit: { background: { count: 200, days: 40, until: T1 } } });
    const sim = simulatorForBlock({ products: [tenant], seed: 44 });

    it('replaces that date with the same records, read from where the date started', async () => {
      // Prepare
      const store = new LocalStore(await tmp());
      const unit = unitFor(sim);
      const d1 = await runUnit({ id: 'first', date: '2026-11-27' }, unit, () => ({ module: jira, store, credentials: creds, now: () => new Date(T1) }));
      if (d1.error) throw d1.error;
      jiraBackground(tenant.model, tenant.audit, 5, T1 + HOUR, T1 + 2 * HOUR);
      // Act: the same date again, later that day (a forced re-run replaces the date's files)
      const again = await runUnit({ id: 'again', date: '2026-11-27' }, unit, () => ({ module: jira, store, credentials: creds, now: () => new Date(T1 + 3 * HOUR) }));
      // Assess
      expect(again.error).toBeUndefined();
      expectSameRows(jiraAuditTruth(tenant.audit, T1 + 3 * HOUR - 30 * DAY, T1 + 3 * HOUR), await storedAudit(store, ['2026-11-27']));
    });
  });

  describe('a site without audit log (403)', () => {
    const tenant = jiraTenant({ seed: 43, ...small, audit: { forbidden: true, background: { count: 20, days: 5, until: T1 } } });
    const sim = simulatorForBlock({ products: [tenant], seed: 43 });

    it('completes the unit, leaves the table empty, and counts the refusal with the plan and permission it needs', async () => {
      // Prepare
      const store = new LocalStore(await tmp());
      const run: Run = { id: 'free', date: '2026-11-27' };
      // Act
      const out = await runUnit(run, unitFor(sim), () => ({ module: jira, store, credentials: creds, now: () => new Date(T1) }));
      // Assess
      expect(out.error).toBeUndefined();
      expect(await storedAudit(store, [run.date])).toEqual([]);
      expect(out.stats?.refused.audit_records).toMatch(/paid Jira plan/);
      expect(out.stats?.refused.audit_records).toMatch(/Administer Jira/);
      expect(await store.list(watermarkKey(localWatermarks(store), unitFor(sim)))).toEqual([]);
    });
  });
});
