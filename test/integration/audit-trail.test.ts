import { describe, expect, it } from 'vitest';
import { admin } from '../../functions/admin.ts';
import { adminAuditEvents } from '../../functions/admin-events.ts';
import { confluence } from '../../functions/confluence.ts';
import { confluenceAuditRecords } from '../../functions/confluence-audit.ts';
import type { Run, Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { diffRows, readPublished } from '../../shared/local/verify.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { adminEventsTruth } from '../../simulator/admin-events.ts';
import { confluenceAuditTruth } from '../../simulator/confluence-audit.ts';
import { adminTenant, confluenceTenant, DEFAULT_CREDENTIALS, type Simulator } from '../../simulator/index.ts';
import { tempDirs } from '../support/tmp.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

// Confluence's audit log and the organization's audit events (issue 14), against the simulated logs: exact tables
// with faults on and a resume at every page boundary, and the 403 of a plan without audit log.

const basic: Credentials = { kind: 'basic', email: DEFAULT_CREDENTIALS.email, apiToken: DEFAULT_CREDENTIALS.apiToken, source: 'the test' };
const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 }, concurrency: 1 };
const DAY = 86_400_000;
const T1 = Date.parse('2026-11-27T03:00:00.000Z');
const run: Run = { id: 'audit', date: '2026-11-27' };
const tmp = tempDirs('audit-trail');

function expectSameRows(expected: readonly Record<string, unknown>[], actual: readonly Record<string, unknown>[]): void {
  const d = diffRows(expected, actual);
  expect({ missing: d.missing.slice(0, 3), extra: d.extra.slice(0, 3), duplicates: d.duplicates.slice(0, 3) }).toEqual({ missing: [], extra: [], duplicates: [] });
}

describe('Confluence audit log', () => {
  // 2,300 records over 40 days: the 30-day backfill reads pages of 1,000.
  const tenant = confluenceTenant({ seed: 51, users: 30, groups: 3, memberships: 40, spaces: 2, audit: { background: { count: 2300, days: 40, until: T1 } } });
  const forbidden = confluenceTenant({ seed: 52, users: 30, groups: 3, memberships: 40, spaces: 2, audit: { forbidden: true, background: { count: 10, days: 5, until: T1 } } });
  const sim = simulatorForBlock({ products: [tenant], seed: 51, faults: { rate: 0.15, slowMs: 900, maxPerRequest: 2 } });
  const closed = simulatorForBlock({ products: [forbidden], seed: 52 });
  const unitFor = (s: Simulator): Unit => ({ org: 'acme', product: 'confluence', siteUrl: s.url, auth: { kind: 'basic' } });

  it('with faults on and a resume at every page boundary, stores exactly the last 30 days of records', async () => {
    // Prepare
    const store = new LocalStore(await tmp());
    // Act
    const out = await runUnit(run, unitFor(sim), () => ({ module: confluence, store, credentials: basic, http: fastHttp, maxRequests: 1, now: () => new Date(T1) }));
    // Assess
    expect(out.error).toBeUndefined();
    const want = confluenceAuditTruth(tenant.audit, T1 - 30 * DAY, T1);
    expect(want.length).toBeGreaterThan(1500);
    expectSameRows(want, await readPublished(store, confluenceAuditRecords.name, run, 'acme'));
  });

  it('a 403 leaves the table empty and counts the refusal, and the unit completes', async () => {
    // Prepare
    const store = new LocalStore(await tmp());
    // Act
    const out = await runUnit(run, unitFor(closed), () => ({ module: confluence, store, credentials: basic, now: () => new Date(T1) }));
    // Assess
    expect(out.error).toBeUndefined();
    expect(await readPublished(store, confluenceAuditRecords.name, run, 'acme')).toEqual([]);
    expect(out.stats?.refused.audit_records).toMatch(/Confluence Administrator/);
  });
});

describe('organization audit events', () => {
  const tenant = adminTenant({ seed: 61, users: 40, groups: 5, memberships: 60, audit: { background: { count: 1300, days: 40, until: T1 } } });
  const forbidden = adminTenant({ seed: 62, users: 40, groups: 5, memberships: 60, audit: { forbidden: true } });
  const sim = simulatorForBlock({ products: [tenant], seed: 61, faults: { rate: 0.15, slowMs: 900, maxPerRequest: 2 } });
  const closed = simulatorForBlock({ products: [forbidden], seed: 62 });
  const unitFor = (s: Simulator, t: typeof tenant): Unit => ({ org: 'acme', product: 'admin', siteUrl: s.url, orgId: t.model.orgId, auth: { kind: 'bearer' } });

  it('with faults on and a resume at every page boundary, stores exactly the last 30 days of events', async () => {
    // Prepare
    const store = new LocalStore(await tmp());
    // Act
    const out = await runUnit(run, unitFor(sim, tenant), () => ({ module: admin, store, credentials: bearer, http: fastHttp, maxRequests: 1, now: () => new Date(T1) }));
    // Assess
    expect(out.error).toBeUndefined();
    const want = adminEventsTruth(tenant.audit, T1 - 30 * DAY, T1);
    expect(want.length).toBeGreaterThan(900);
    expectSameRows(want, await readPublished(store, adminAuditEvents.name, run, 'acme'));
  });

  it('a 403 (a plan without the audit log) leaves the table empty and names the scope and plan', async () => {
    // Prepare
    const store = new LocalStore(await tmp());
    // Act
    const out = await runUnit(run, unitFor(closed, forbidden), () => ({ module: admin, store, credentials: bearer, now: () => new Date(T1) }));
    // Assess
    expect(out.error).toBeUndefined();
    expect(await readPublished(store, adminAuditEvents.name, run, 'acme')).toEqual([]);
    expect(out.stats?.refused.audit_events).toMatch(/read:events:admin.*Atlassian Guard/);
  });
});
