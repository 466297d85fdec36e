import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { JIRA_DC_TOKENS, jiraDcTenant } from '../../simulator/index.ts';
import { simulatorForBlock } from '../support/simulator-checks.ts';

const tenant = jiraDcTenant({ seed: 2, users: 1300, groups: 12, memberships: 200, projects: 6, vanishingGroups: 1, vanishingProjects: 1 });
const sim = simulatorForBlock({ products: [tenant], seed: 2 });

async function get(path: string, token: string | null = JIRA_DC_TOKENS.admin): Promise<{ status: number; body: unknown }> {
  const res = await request(`${sim.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, body: JSON.parse(await res.body.text()) as unknown };
}

describe('simulated Jira Data Center instance', () => {
  it('is seeded: the same options give the same model', () => {
    expect(jiraDcTenant({ seed: 2, users: 1300, groups: 12, memberships: 200, projects: 6, vanishingGroups: 1, vanishingProjects: 1 }).model).toEqual(tenant.model);
    expect(jiraDcTenant({ seed: 3, users: 1300, groups: 12 }).model.users).not.toEqual(tenant.model.users);
  });

  it('has the odd cases: inactive users, hidden e-mails, unicode names, legacy and renamed keys, empty and multi-page groups', () => {
    const { users, groups, projects } = tenant.model;
    expect(users[4]?.active).toBe(false);
    expect(users.some((u) => u.email === null)).toBe(true);
    expect(users.some((u) => /[^\x20-\x7e]/.test(u.displayName))).toBe(true);
    expect(users.some((u) => u.key.startsWith('JIRAUSER'))).toBe(true);
    expect(users.some((u) => !u.key.startsWith('JIRAUSER') && u.key !== u.name)).toBe(true);
    expect(groups.find((g) => g.name === 'empty-group')?.members).toEqual([]);
    expect(groups[0]?.members.length).toBeGreaterThan(50);
    expect(groups.some((g) => /[^\x20-\x7e]/.test(g.name))).toBe(true);
    expect(projects.some((p) => p.archived)).toBe(true);
    expect(projects.some((p) => p.roles.some((r) => r.actors.length === 0))).toBe(true);
  });

  it('serves the API below the context path only', async () => {
    expect((await get('/jira/rest/api/2/myself')).status).toBe(200);
    expect((await get('/rest/api/2/myself')).status).toBe(404);
  });

  it('answers 401 without a token, with an unknown one and with an expired PAT; 403 to a non-admin PAT', async () => {
    expect((await get('/jira/rest/api/2/myself', null)).status).toBe(401);
    expect((await get('/jira/rest/api/2/myself', 'nope')).status).toBe(401);
    const expired = await get('/jira/rest/api/2/myself', JIRA_DC_TOKENS.expired);
    expect(expired).toEqual({ status: 401, body: { errorMessages: ['The personal access token has expired.'], errors: {} } });
    expect((await get('/jira/rest/api/2/myself', JIRA_DC_TOKENS.limited)).status).toBe(200);
    expect((await get('/jira/rest/api/2/user/list', JIRA_DC_TOKENS.limited)).status).toBe(403);
    expect((await get('/jira/rest/api/2/permissionscheme', JIRA_DC_TOKENS.limited)).status).toBe(403);
  });

  it('user/list streams every user once with isLast and nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await get(`/jira/rest/api/2/user/list?maxResults=500${cursor ? `&cursor=${cursor}` : ''}`);
      const b = r.body as { isLast: boolean; nextCursor?: string; values: { name: string; key: string }[] };
      seen.push(...b.values.map((u) => u.name));
      if (b.isLast) break;
      cursor = b.nextCursor;
    }
    expect(seen).toEqual(tenant.model.users.map((u) => u.name));
  });

  it('user/search reaches only the first 1000 matches (JRASERVER-65089) and hides inactive users by default', async () => {
    const beyond = await get('/jira/rest/api/2/user/search?username=.&includeInactive=true&startAt=1000&maxResults=1000');
    expect(beyond.body).toEqual([]);
    const active = (await get('/jira/rest/api/2/user/search?username=.&maxResults=1000')).body as { active: boolean }[];
    expect(active.every((u) => u.active)).toBe(true);
  });

  it('groups/picker reports the total; group/member pages with isLast and 404s for a vanished group', async () => {
    const picker = (await get('/jira/rest/api/2/groups/picker?query=&maxResults=3')).body as { total: number; groups: unknown[]; header: string };
    expect(picker.total).toBe(12);
    expect(picker.groups).toHaveLength(3);
    expect(picker.header).toBe('Showing 3 of 12 matching groups');
    const page = (await get('/jira/rest/api/2/group/member?groupname=jira-software-users&includeInactiveUsers=true&maxResults=500')).body as { maxResults: number; isLast: boolean; total: number };
    expect(page).toMatchObject({ maxResults: 50, isLast: false, total: 1300 });
    const gone = tenant.model.groups.find((g) => g.vanishing)?.name ?? '';
    expect((await get(`/jira/rest/api/2/group/member?groupname=${encodeURIComponent(gone)}`)).status).toBe(404);
  });

  it('a vanished project is listed but its children answer 404', async () => {
    const list = (await get('/jira/rest/api/2/project?includeArchived=true')).body as { id: string }[];
    const gone = tenant.model.projects.find((p) => p.vanishing);
    expect(list.map((p) => p.id)).toContain(gone?.id);
    expect((await get(`/jira/rest/api/2/project/${gone?.id ?? ''}/role`)).status).toBe(404);
    const live = (await get('/jira/rest/api/2/project')).body as unknown[];
    expect(live.length).toBeLessThan(list.length); // archived projects only with includeArchived=true
  });
});
