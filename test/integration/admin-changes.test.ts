import { beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../../functions/admin.ts';
import { adminAuditEvents } from '../../functions/admin-events.tables.ts';
import { adminGroupMembers, adminUsers } from '../../functions/admin.tables.ts';
import type { Unit } from '../../shared/config.ts';
import type { Credentials } from '../../shared/http/auth.ts';
import { readPublished, type Row } from '../../shared/local/verify.ts';
import { runUnit } from '../../shared/local/runner.ts';
import { LocalStore } from '../../shared/sink/store.ts';
import { adminAddToGroup, adminBackground, adminRemoveFromGroup, adminRestoreUser, adminSuspendUser } from '../../simulator/admin-events.ts';
import { adminTenant, DEFAULT_CREDENTIALS, startSimulator } from '../../simulator/index.ts';
import { tempDirs } from '../support/tmp.ts';

// The simulated organization changes between two collections and logs each change as an org audit event
// (issue 14): every difference between the two directory snapshots is explained by the event that caused it, and
// unrelated events (background activity, a suspension undone before the second collection) explain none.

const bearer: Credentials = { kind: 'bearer', token: DEFAULT_CREDENTIALS.bearerToken, source: 'the test' };
const fastHttp = { timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 8 } };
const HOUR = 3_600_000;
const T1 = Date.parse('2026-11-27T03:00:00.000Z');
const T2 = T1 + 24 * HOUR;
const D1 = '2026-11-27';
const D2 = '2026-11-28';
const tmp = tempDirs('admin-changes');

/** One difference between the two snapshots: a membership added or removed, or a user's membership status. */
interface Change {
  key: string;
  account: string;
  group: string | null;
}

function changes(before: readonly Row[], after: readonly Row[], keyOf: (r: Row) => string, change: (r: Row, side: 'added' | 'removed') => Change): Change[] {
  const b = new Set(before.map(keyOf));
  const a = new Set(after.map(keyOf));
  return [...after.filter((r) => !b.has(keyOf(r))).map((r) => change(r, 'added')), ...before.filter((r) => !a.has(keyOf(r))).map((r) => change(r, 'removed'))];
}

/** The events of `events` that name the change's account, and its group when it has one. */
function explaining(c: Change, events: readonly Row[]): string[] {
  return events
    .filter((e) => (e.affected_account_ids as string[]).includes(c.account) && (c.group === null || (e.group_ids as string[]).includes(c.group)))
    .map((e) => String(e.event_id))
    .sort();
}

describe('organization changes between two collections, each logged as an audit event', () => {
  const tenant = adminTenant({ seed: 71, users: 90, groups: 6, memberships: 160, audit: { background: { count: 30, days: 5, until: T1 } } });
  const m = tenant.model;
  let found: Change[];
  let events: Row[];
  let caused: Record<string, string>;
  let undone: string[];

  beforeAll(async () => {
    // Prepare: day 1 as generated, then the admins change the directory, then day 2.
    const sim = await startSimulator({ products: [tenant], seed: 71, faults: { rate: 0.1, slowMs: 900, maxPerRequest: 2 } });
    try {
      const store = new LocalStore(await tmp());
      const unit: Unit = { org: 'acme', product: 'admin', siteUrl: sim.url, orgId: m.orgId, auth: { kind: 'bearer' } };
      const collect = async (date: string, at: number) => {
        const out = await runUnit({ id: `run-${date}`, date }, unit, () => ({ module: admin, store, credentials: bearer, http: fastHttp, now: () => new Date(at) }));
        if (out.error) throw out.error;
      };
      await collect(D1, T1);
      const g0 = m.groups[1];
      const g1 = m.groups.find((g) => g !== g0 && g.members.length > 0);
      if (!g0 || !g1) throw new Error('test: groups missing');
      const joiner = [...Array(m.users.count).keys()].find((u) => u > 7 && !g0.members.includes(u) && m.users.membershipStatus(u) === 'active');
      const leaver = g1.members[0];
      const active = [...Array(m.users.count).keys()].filter((u) => u > 7 && u !== joiner && u !== leaver && m.users.membershipStatus(u) === 'active');
      const [suspended, suspendedAndRestored] = active;
      if (joiner === undefined || leaver === undefined || suspended === undefined || suspendedAndRestored === undefined) throw new Error('test: no account to change');
      adminBackground(m, tenant.audit, 12, T1 + HOUR, T2 - HOUR);
      const id = (u: number) => m.users.accountId(u);
      caused = {
        [`+${g0.id}|${id(joiner)}`]: adminAddToGroup(m, tenant.audit, g0, joiner, 0, T1 + 2 * HOUR).id,
        [`-${g1.id}|${id(leaver)}`]: adminRemoveFromGroup(m, tenant.audit, g1, leaver, 0, T1 + 3 * HOUR).id,
        [`status|${id(suspended)}`]: adminSuspendUser(m, tenant.audit, suspended, 0, T1 + 4 * HOUR).id,
      };
      undone = [adminSuspendUser(m, tenant.audit, suspendedAndRestored, 0, T1 + 5 * HOUR).id, adminRestoreUser(m, tenant.audit, suspendedAndRestored, 0, T1 + 6 * HOUR).id];
      await collect(D2, T2);

      // Act: the differences between the snapshots, and the events logged between them.
      const read = async (table: string, date: string) => readPublished(store, table, { date }, 'acme');
      const membership = (r: Row) => `${String(r.group_id)}|${String(r.account_id)}`;
      found = [
        ...changes(await read(adminGroupMembers.name, D1), await read(adminGroupMembers.name, D2), membership, (r, side) => ({
          key: `${side === 'added' ? '+' : '-'}${membership(r)}`,
          account: String(r.account_id),
          group: String(r.group_id),
        })),
        ...changes(await read(adminUsers.name, D1), await read(adminUsers.name, D2), (r) => `${String(r.account_id)}|${String(r.membership_status)}|${String(r.status)}`, (r) => ({
          key: `status|${String(r.account_id)}`,
          account: String(r.account_id),
          group: null,
        })),
      ];
      const since = new Date(T1).toISOString();
      events = (await read(adminAuditEvents.name, D2)).filter((e) => String(e.event_time) > since);
    } finally {
      await sim.close();
    }
  });

  it('the directory changed exactly as the admins changed it', () => {
    // Assess: a status change shows as the user's row removed and added again (one key).
    expect([...new Set(found.map((c) => c.key))].sort()).toEqual(Object.keys(caused).sort());
  });

  it('every change is explained by exactly the event that caused it', () => {
    // Assess
    for (const c of found) expect({ change: c.key, events: explaining(c, events) }).toEqual({ change: c.key, events: [caused[c.key]] });
  });

  it('background activity and a suspension undone before the second collection explain nothing', () => {
    // Prepare
    const explainingAny = new Set(found.flatMap((c) => explaining(c, events)));
    const unrelated = events.map((e) => String(e.event_id)).filter((id) => !Object.values(caused).includes(id));
    // Assess
    expect(unrelated.length).toBeGreaterThanOrEqual(12 + undone.length);
    expect(undone.every((id) => unrelated.includes(id))).toBe(true);
    expect(unrelated.filter((id) => explainingAny.has(id))).toEqual([]);
  });
});
