import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { jsmOpsTenant, opsgenieTenant } from '../../simulator/index.ts';
import { writeSnapshot } from '../support/snapshots.ts';
import { ALL_TABLES } from '../../functions/index.ts';

const date = '2026-11-28';
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('oncall_access view: one query across an Opsgenie to JSM operations migration', () => {
  it('has one row per team membership, filled rotation slot and escalation rule of both products, each with its source', async () => {
    // Prepare: an organization mid-migration, with both products collected on the same day.
    const dir = await mkdtemp(join(tmpdir(), 'oncall-'));
    dirs.push(dir);
    const og = opsgenieTenant({ seed: 4, users: 40, teams: 4 }).groundTruth();
    const ops = jsmOpsTenant({ seed: 4, teams: 4, schedules: 12 }).groundTruth();
    await writeSnapshot(dir, og, { date, org: 'acme', site: 'api.opsgenie.com', product: 'opsgenie' });
    await writeSnapshot(dir, ops, { date, org: 'acme', site: 'api.atlassian.com', product: 'jsm-ops' });
    const filled = (rows: readonly Record<string, unknown>[] | undefined, col: string) => (rows ?? []).filter((r) => r[col] !== 'none').length;
    const expected = [
      { source: 'jsm-ops', via: 'escalation_recipient', n: filled(ops.jsm_ops_escalation_recipients, 'recipient_type') },
      { source: 'jsm-ops', via: 'schedule_participant', n: filled(ops.jsm_ops_schedule_participants, 'participant_type') },
      { source: 'jsm-ops', via: 'team_member', n: ops.jsm_ops_team_members?.length ?? 0 },
      { source: 'opsgenie', via: 'escalation_recipient', n: filled(og.opsgenie_escalation_recipients, 'recipient_type') },
      { source: 'opsgenie', via: 'schedule_participant', n: filled(og.opsgenie_schedule_participants, 'participant_type') },
      { source: 'opsgenie', via: 'team_member', n: og.opsgenie_team_members?.length ?? 0 },
    ];

    // Act
    const catalog = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    let counts: { source: unknown; via: unknown; n: unknown }[];
    let unnamedSchedules: unknown;
    try {
      counts = (await catalog.query(`SELECT source, via, count(*) AS n FROM oncall_access WHERE dt = '${date}' GROUP BY source, via ORDER BY source, via`)).rows.map((r) => ({ source: r.source, via: r.via, n: Number(r.n) }));
      unnamedSchedules = (await catalog.query(`SELECT count(*) AS n FROM oncall_access WHERE via = 'schedule_participant' AND container_name IS NULL`)).rows[0]?.n;
    } finally {
      catalog.close();
    }

    // Assess
    expect(counts).toEqual(expected);
    expect(Number(unnamedSchedules)).toBe(0);
  });
});
