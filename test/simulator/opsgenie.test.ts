/**
 * The Opsgenie product against its published REST docs over real HTTP: GenieKey auth, offset/limit paging with
 * `paging.next`, default and maximum page sizes, `{data, took, requestId}` envelopes, error bodies, 401/403/404,
 * `expand=rotation`; determinism; sizes and odd cases of the seeded model.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, opsgenieTenant, type Simulator } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const ADMIN = `GenieKey ${DEFAULT_CREDENTIALS.genieKey ?? ''}`;
const TEAM_KEY = `GenieKey ${DEFAULT_LIMITED_CREDENTIALS.genieKey ?? ''}`;

type Json = Record<string, unknown>;
interface Envelope<T = Json> {
  data: T;
  paging?: { next?: string; first?: string; last?: string };
  totalCount?: number;
  took: number;
  requestId: string;
}

async function get<T>(sim: Simulator, path: string, authorization: string | null = ADMIN): Promise<{ status: number; body: T }> {
  const url = /^https?:/.test(path) ? path : `${sim.url}${path}`;
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as T };
}

describe('Opsgenie simulator', () => {
  const tenant = opsgenieTenant({ seed: 3, users: 245, teams: 6, vanishingTeams: 1 });
  const sim = simulatorForBlock({ products: [tenant], seed: 3 });

  it('authenticates GenieKey only: no header, a wrong key, Basic and Bearer get 401 in Opsgenie error shape', async () => {
    for (const auth of [null, 'GenieKey nope', `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`, 'Bearer sim-bearer-token']) {
      const r = await get<Json>(sim, '/v2/teams', auth);
      expect(r.status, String(auth)).toBe(401);
      expect(r.body).toMatchObject({ message: 'Could not authenticate' });
      expect(typeof r.body.requestId).toBe('string');
    }
  });

  it('users: default page 20, maximum 100, offset paging with paging.next until the end; sorted by username', async () => {
    const first = await get<Envelope<Json[]>>(sim, '/v2/users');
    expect(first.body.data).toHaveLength(20);
    expect(first.body.totalCount).toBe(245);
    const capped = await get<Envelope<Json[]>>(sim, '/v2/users?limit=500');
    expect(capped.body.data).toHaveLength(100);
    const seen: string[] = [];
    let url: string | undefined = `/v2/users?limit=100&offset=0&sort=username&order=asc`;
    let pages = 0;
    while (url) {
      const r: { status: number; body: Envelope<Json[]> } = await get<Envelope<Json[]>>(sim, url);
      expect(r.status).toBe(200);
      seen.push(...r.body.data.map((u) => String(u.id)));
      url = r.body.paging?.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(245);
    const bad = await get<Json>(sim, '/v2/users?limit=0');
    expect(bad.status).toBe(422);
  });

  it('the team integration key is refused account-wide configuration with 403', async () => {
    const r = await get<Json>(sim, '/v2/users', TEAM_KEY);
    expect(r.status).toBe(403);
    expect(String(r.body.message)).toMatch(/team integration key/);
    expect((await get<Json>(sim, '/v2/roles', TEAM_KEY)).status).toBe(403);
  });

  it('teams: Get Team carries members; an empty team has none; a vanished team answers 404', async () => {
    const list = (await get<Envelope<Json[]>>(sim, '/v2/teams')).body.data;
    expect(list).toHaveLength(6);
    const empty = await get<Envelope<Json>>(sim, `/v2/teams/${String(list[0]?.id)}?identifierType=id`);
    expect(empty.body.data.members).toBeUndefined();
    const big = await get<Envelope<{ members: Json[] }>>(sim, `/v2/teams/${String(list[1]?.id)}`);
    expect(big.body.data.members.length).toBeGreaterThan(100);
    const gone = await get<Json>(sim, `/v2/teams/${String(list[5]?.id)}`);
    expect(gone.status).toBe(404);
    expect(String(gone.body.message)).toMatch(/No team exists/);
  });

  it('schedules carry rotations only with expand=rotation', async () => {
    const plain = (await get<Envelope<Json[]>>(sim, '/v2/schedules')).body.data;
    expect(plain.every((s) => s.rotations === undefined)).toBe(true);
    const expanded = (await get<Envelope<Json[]>>(sim, '/v2/schedules?expand=rotation')).body.data;
    expect(expanded.every((s) => Array.isArray(s.rotations))).toBe(true);
  });

  it('the model has the odd cases: blocked, unverified, unicode, custom roles, none slots, rule-less escalations', () => {
    const m = tenant.model;
    expect(m.users.some((u) => u.blocked)).toBe(true);
    expect(m.users.some((u) => !u.verified)).toBe(true);
    expect(m.users.some((u) => /[^\x00-\x7f]/.test(u.fullName))).toBe(true);
    expect(m.users.some((u) => m.customRoles.some((r) => r.id === u.role.id))).toBe(true);
    expect(m.schedules.some((s) => s.rotations.some((r) => r.participants.some((p) => p.type === 'none')))).toBe(true);
    expect(m.escalations.some((e) => e.rules.length === 0)).toBe(true);
    expect(m.escalations.some((e) => e.rules.some((r) => r.recipient.type === 'schedule'))).toBe(true);
    const t = tenant.groundTruth();
    expect(t.opsgenie_team_members?.length).toBe(m.teams.filter((x) => !x.vanishing).reduce((a, x) => a + x.members.length, 0));
  });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(opsgenieTenant({ seed: 3, users: 245, teams: 6, vanishingTeams: 1 }).groundTruth())).toBe(JSON.stringify(tenant.groundTruth()));
    expect(JSON.stringify(opsgenieTenant({ seed: 4, users: 245, teams: 6 }).groundTruth())).not.toBe(JSON.stringify(tenant.groundTruth()));
  });
});
