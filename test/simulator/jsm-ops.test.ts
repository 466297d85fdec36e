/**
 * The JSM operations simulator against the reference's samples over real HTTP: basic auth, offset/size paging
 * with `links.next`, `{errors: [{title}]}` bodies, the Teams API's cursor and members pages; determinism and the
 * odd cases of the seeded model the collector tests rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, DEFAULT_LIMITED_CREDENTIALS, jsmOpsTenant, startSimulator, type JsmOpsSim, type Simulator } from '../../simulator/index.ts';

const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
const ADMIN = basic(DEFAULT_CREDENTIALS.email, DEFAULT_CREDENTIALS.apiToken);
type Json = Record<string, unknown>;
interface List {
  values: Json[];
  links: { next?: string };
}

describe('JSM operations simulator', () => {
  let tenant: JsmOpsSim;
  let sim: Simulator;
  let ops: string;
  beforeAll(async () => {
    tenant = jsmOpsTenant({ seed: 3, teams: 4, vanishingTeams: 1, schedules: 45 });
    sim = await startSimulator({ products: [tenant], seed: 3 });
    ops = `${sim.url}/jsm/ops/api/${sim.cloudId}/v1`;
  });
  afterAll(async () => sim.close());

  async function get<T>(url: string, authorization: string | null = ADMIN): Promise<{ status: number; body: T }> {
    const res = await fetch(url, { headers: authorization ? { authorization } : {} });
    return { status: res.status, body: (await res.json()) as T };
  }

  it('answers a wrong token with 401 and a non-admin with 403 on custom user roles, in the reference error shape', async () => {
    const wrong = await get<Json>(`${ops}/schedules`, basic(DEFAULT_CREDENTIALS.email, 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ errors: [{ title: expect.any(String) }] });
    const limited = await get<Json>(`${ops}/roles`, basic(DEFAULT_LIMITED_CREDENTIALS.email, DEFAULT_LIMITED_CREDENTIALS.apiToken));
    expect(limited.status).toBe(403);
  });

  it('pages schedules by offset/size: default 20, links.next until the last page, rotations only with expand', async () => {
    const first = await get<List>(`${ops}/schedules`);
    expect(first.body.values).toHaveLength(20);
    expect(first.body.links.next).toBe('/v1/schedules?offset=20&size=20');
    expect(first.body.values[0]?.rotations).toBeUndefined();
    const capped = await get<List>(`${ops}/schedules?size=500&expand=rotation`);
    expect(capped.body.values).toHaveLength(45);
    expect(capped.body.links.next).toBeUndefined();
    expect(capped.body.values[1]?.rotations).toBeInstanceOf(Array);
  });

  it('lists teams with an opaque cursor and members in pages of at most 50; an unknown organization is 404', async () => {
    const teams = await get<{ entities: Json[]; cursor?: string }>(`${sim.url}/gateway/api/public/teams/v1/org/${tenant.model.orgId}/teams?size=3`);
    expect(teams.body.entities).toHaveLength(3);
    const rest = await get<{ entities: Json[]; cursor?: string }>(`${sim.url}/gateway/api/public/teams/v1/org/${tenant.model.orgId}/teams?size=3&cursor=${teams.body.cursor ?? ''}`);
    expect(rest.body.entities).toHaveLength(1);
    expect(rest.body.cursor).toBeUndefined();
    expect((await get<Json>(`${sim.url}/gateway/api/public/teams/v1/org/other/teams`)).status).toBe(404);

    const big = tenant.model.teams[1];
    const res = await fetch(`${sim.url}/gateway/api/public/teams/v1/org/${tenant.model.orgId}/teams/${big?.id ?? ''}/members`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ first: 500 }),
    });
    const page = (await res.json()) as { results: Json[]; pageInfo: { hasNextPage: boolean; endCursor?: string } };
    expect(page.results).toHaveLength(50);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('a vanished team is listed by the Teams API but answers 404 on its operations lists', async () => {
    const gone = tenant.model.teams.find((t) => t.vanishing);
    expect(gone).toBeDefined();
    const r = await get<Json>(`${ops}/teams/${gone?.id ?? ''}/escalations`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ errors: [{ title: expect.stringContaining('does not exist') }] });
  });

  it('has the odd cases the collector tests rely on, and is deterministic per seed', () => {
    const t = tenant.groundTruth();
    expect(t.jsm_ops_schedule_participants?.some((r) => r.participant_type === 'none' && r.participant_id === null)).toBe(true);
    expect(t.jsm_ops_integrations?.some((r) => r.owner_team_id === null)).toBe(true);
    expect(tenant.model.teams[0]?.members).toEqual([]);
    expect(tenant.model.teams.some((x) => x.escalations.some((e) => e.rules.length === 0))).toBe(true);
    expect(JSON.stringify(jsmOpsTenant({ seed: 3, teams: 4, vanishingTeams: 1, schedules: 45 }).model)).toBe(JSON.stringify(tenant.model));
    expect(JSON.stringify(jsmOpsTenant({ seed: 4, teams: 4, vanishingTeams: 1, schedules: 45 }).model)).not.toBe(JSON.stringify(tenant.model));
  });
});
