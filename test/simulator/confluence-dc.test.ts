import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CONFLUENCE_DC_TOKENS, confluenceDcTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const tenant = confluenceDcTenant({ seed: 2, users: 450, groups: 8, memberships: 100, spaces: 12, vanishingGroups: 1, vanishingSpaces: 1 });
const sim = simulatorForBlock({ products: [tenant], seed: 2 });

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

describe('simulated Confluence Data Center paging: next = start + limit over positions (CONFSERVER-95396, CONFSERVER-36578)', () => {
  const hiding = confluenceDcTenant({ seed: 4, users: 900, groups: 6, memberships: 50, spaces: 4, shortPages: { rate: 0.3 } });
  let dc: Simulator;
  beforeAll(async () => {
    dc = await startSimulator({ products: [hiding], seed: 4 });
  });
  afterAll(async () => dc.close());

  type DcPage = { results: { userKey: string }[]; start: number; limit: number; size: number; _links: { base: string; context: string; next?: string } };
  const at = async (path: string): Promise<DcPage> => {
    const res = await request(`${dc.url}${path}`, { headers: { authorization: `Bearer ${CONFLUENCE_DC_TOKENS.admin}` } });
    return JSON.parse(await res.body.text()) as DcPage;
  };

  it('_links.next is relative to _links.base (no context path) and carries start + limit', async () => {
    // Act
    const first = await at('/confluence/rest/api/user/list?start=0&limit=200');
    // Assess
    expect(first._links).toMatchObject({ base: `${dc.url}/confluence`, context: '/confluence', next: '/rest/api/user/list?start=200&limit=200' });
  });

  it('with hidden rows, a page comes back short and next is still start + limit', async () => {
    // Act
    const first = await at('/confluence/rest/api/user/list?start=0&limit=200');
    // Assess
    expect(first.size).toBeLessThan(200);
    expect(first._links.next).toBe('/rest/api/user/list?start=200&limit=200');
  });

  it('following next returns every user exactly once and ends without next', async () => {
    // Prepare
    const keys: string[] = [];
    let path: string | undefined = '/rest/api/user/list?start=0&limit=200';
    // Act
    while (path !== undefined) {
      const page: DcPage = await at(`/confluence${path}`);
      keys.push(...page.results.map((u) => u.userKey));
      path = page._links.next;
    }
    // Assess
    expect(keys).toEqual(hiding.model.users.map((u) => u.userKey));
  });
});

describe('simulated Confluence Data Center versions and single resources', () => {
  const get = async (s: Simulator, path: string): Promise<{ status: number; body: unknown }> => {
    const res = await request(`${s.url}${path}`, { headers: { authorization: `Bearer ${CONFLUENCE_DC_TOKENS.admin}` } });
    return { status: res.statusCode, body: JSON.parse(await res.body.text()) as unknown };
  };

  it('server-information names the version (default 9.2.0) and the base URL with the context path', async () => {
    // Act
    const info = await get(sim, '/confluence/rest/api/server-information');
    // Assess
    expect(info).toMatchObject({ status: 200, body: { baseUrl: `${sim.url}/confluence`, version: '9.2.0' } });
    expect(Object.keys(info.body as object).sort()).toEqual(['baseUrl', 'buildDate', 'buildNumber', 'marketplaceBuildNumber', 'version']);
  });

  it('before 9.1.0 space permissions answer Jersey\'s 404 for an unknown resource', async () => {
    // Prepare
    const old = await startSimulator({ products: [confluenceDcTenant({ seed: 2, version: '9.0.3' })], seed: 2 });
    try {
      // Act
      const res = await get(old, '/confluence/rest/api/space/S0/permissions');
      // Assess
      expect(res).toEqual({ status: 404, body: { statusCode: 404, message: `null for uri: ${old.url}/confluence/rest/api/space/S0/permissions` } });
    } finally {
      await old.close();
    }
  });

  it('before 8.4.0 user/list answers Jersey\'s 404; the space list is still served', async () => {
    // Prepare
    const old = await startSimulator({ products: [confluenceDcTenant({ seed: 2, version: '8.3.9' })], seed: 2 });
    try {
      // Act
      const users = await get(old, '/confluence/rest/api/user/list?start=0&limit=200');
      const spaces = await get(old, '/confluence/rest/api/space?start=0&limit=100');
      // Assess
      expect(users).toEqual({ status: 404, body: { statusCode: 404, message: `null for uri: ${old.url}/confluence/rest/api/user/list?start=0&limit=200` } });
      expect(spaces.status).toBe(200);
    } finally {
      await old.close();
    }
  });

  it('space/{spaceKey} answers the space, and 404 for a vanished one', async () => {
    // Prepare
    const s0 = tenant.model.spaces[0];
    const gone = tenant.model.spaces.find((s) => s.vanishing)?.key ?? '';
    // Act
    const found = await get(sim, `/confluence/rest/api/space/${s0?.key ?? ''}`);
    const missing = await get(sim, `/confluence/rest/api/space/${encodeURIComponent(gone)}`);
    // Assess
    expect(found).toMatchObject({ status: 200, body: { id: s0?.id, key: s0?.key, name: s0?.name, type: s0?.type, status: s0?.status } });
    expect(missing.status).toBe(404);
  });
});

describe('simulated Confluence Data Center groups with a solidus in the name', () => {
  const raw = async (s: Simulator, path: string): Promise<{ status: number; type: string; text: string }> => {
    const res = await request(`${s.url}${path}`, { headers: { authorization: `Bearer ${CONFLUENCE_DC_TOKENS.admin}` } });
    return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
  };

  it('are listed, have members, and are part of the ground truth', () => {
    // Prepare
    const t = confluenceDcTenant({ seed: 2, slashGroups: 2 });
    // Act
    const truth = t.groundTruth();
    // Assess
    expect(truth.confluence_groups?.map((g) => g.name)).toEqual(expect.arrayContaining(['ops/oncall', 'eng/platform/sre']));
    expect(truth.confluence_group_members?.filter((m) => m.group_name === 'ops/oncall').length).toBeGreaterThan(0);
  });

  it('by default, Tomcat rejects an encoded solidus (%2F, any case) with its HTML 400 page', async () => {
    // Prepare
    const s = await startSimulator({ products: [confluenceDcTenant({ seed: 2, slashGroups: 1 })], seed: 2 });
    try {
      // Act
      const upper = await raw(s, '/confluence/rest/api/group/ops%2Foncall/member?start=0&limit=200');
      const lower = await raw(s, '/confluence/rest/api/group/ops%2foncall/member');
      // Assess
      expect(upper).toMatchObject({ status: 400, type: 'text/html;charset=utf-8' });
      expect(upper.text).toContain('HTTP Status 400 – Bad Request');
      expect(lower.status).toBe(400);
    } finally {
      await s.close();
    }
  });

  it('by default, an encoded backslash (%5C) is rejected too', async () => {
    // Prepare
    const s = await startSimulator({ products: [confluenceDcTenant({ seed: 2 })], seed: 2 });
    try {
      // Act
      const res = await raw(s, '/confluence/rest/api/group/a%5cb/member');
      // Assess
      expect(res.status).toBe(400);
    } finally {
      await s.close();
    }
  });

  it('with allowEncodedSlash, the members of a group with a solidus are served', async () => {
    // Prepare
    const t = confluenceDcTenant({ seed: 2, slashGroups: 1, allowEncodedSlash: true });
    const s = await startSimulator({ products: [t], seed: 2 });
    try {
      // Act
      const res = await raw(s, `/confluence/rest/api/group/${encodeURIComponent('ops/oncall')}/member?start=0&limit=200`);
      // Assess
      expect(res.status).toBe(200);
      expect((JSON.parse(res.text) as { size: number }).size).toBe(t.model.groups.find((g) => g.name === 'ops/oncall')?.members.length);
    } finally {
      await s.close();
    }
  });
});
