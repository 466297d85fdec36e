import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CONFLUENCE_DC_TOKENS, confluenceDcTenant, startSimulator, type Simulator } from '../../shared/simulator/index.ts';

const tenant = confluenceDcTenant({ seed: 2, users: 450, groups: 8, memberships: 100, spaces: 12, vanishingGroups: 1, vanishingSpaces: 1 });
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ products: [tenant], seed: 2 });
});
afterAll(async () => sim.close());

async function get(path: string, token: string | null = CONFLUENCE_DC_TOKENS.admin): Promise<{ status: number; body: unknown }> {
  const res = await request(`${sim.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: JSON.parse(await res.body.text()) as unknown };
}

describe('simulated Confluence Data Center instance', () => {
  it('is seeded and has the odd cases: deactivated users, hidden e-mails, unicode, empty groups and spaces, personal and archived spaces', () => {
    expect(confluenceDcTenant({ seed: 2, users: 450, groups: 8, memberships: 100, spaces: 12, vanishingGroups: 1, vanishingSpaces: 1 }).model).toEqual(tenant.model);
    const { users, groups, spaces } = tenant.model;
    expect(users[4]?.active).toBe(false);
    expect(users.some((u) => u.email === null)).toBe(true);
    expect(groups.some((g) => g.members.length === 0)).toBe(true);
    expect(groups.some((g) => /[^\x20-\x7e]/.test(g.name))).toBe(true);
    expect(spaces.some((s) => s.type === 'personal')).toBe(true);
    expect(spaces.some((s) => s.status === 'archived')).toBe(true);
    expect(spaces.some((s) => s.perms.length === 0)).toBe(true);
  });

  it('serves below the context path only; 401 for missing and expired PATs, 403 for a non-admin PAT', async () => {
    expect((await get('/confluence/rest/api/user/current')).status).toBe(200);
    expect((await get('/rest/api/user/current')).status).toBe(404);
    expect((await get('/confluence/rest/api/user/current', null)).status).toBe(401);
    expect(await get('/confluence/rest/api/user/current', CONFLUENCE_DC_TOKENS.expired)).toMatchObject({ status: 401, body: { statusCode: 401, message: 'The personal access token has expired.' } });
    expect((await get('/confluence/rest/api/user/list', CONFLUENCE_DC_TOKENS.limited)).status).toBe(403);
  });

  it('pages with start/limit, caps the limit at 200 and drops _links.next on the last page', async () => {
    const first = (await get('/confluence/rest/api/user/list?start=0&limit=1000')).body as { limit: number; size: number; _links: { next?: string } };
    expect(first).toMatchObject({ limit: 200, size: 200 });
    expect(first._links.next).toContain('start=200');
    const last = (await get('/confluence/rest/api/user/list?start=400&limit=200')).body as { size: number; _links: { next?: string } };
    expect(last.size).toBe(50);
    expect(last._links.next).toBeUndefined();
  });

  it('lists archived spaces only with status=archived; permissions name users by userKey and groups by name; vanished ones 404', async () => {
    const current = (await get('/confluence/rest/api/space?limit=100')).body as { results: { status: string }[] };
    expect(current.results.every((s) => s.status === 'current')).toBe(true);
    const archived = (await get('/confluence/rest/api/space?status=archived&limit=100')).body as { results: { status: string }[] };
    expect(archived.results.length).toBeGreaterThan(0);
    const perms = (await get('/confluence/rest/api/space/S0/permissions')).body as { subject: { type: string; userKey?: string; name?: string } }[];
    expect(perms.some((p) => p.subject.type === 'user' && /^[0-9a-f]{32}$/.test(p.subject.userKey ?? ''))).toBe(true);
    expect(perms.some((p) => p.subject.type === 'group' && p.subject.name === 'confluence-administrators')).toBe(true);
    const gone = tenant.model.spaces.find((s) => s.vanishing)?.key ?? '';
    expect((await get(`/confluence/rest/api/space/${encodeURIComponent(gone)}/permissions`)).status).toBe(404);
  });
});
