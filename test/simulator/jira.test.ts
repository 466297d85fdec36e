/**
 * The Jira product against the spec (jira-platform-v3.json) over real HTTP: page caps, end signals,
 * filters, 404s, shapes; ground truth equals what a perfect client reads; minimumRequests equals
 * what that client needs; determinism; large-tenant generation speed.
 */
import { describe, expect, it } from 'vitest';
import { jiraTenant, startSimulator, type Simulator } from '../../simulator/index.ts';
import { canon, expectSeededResponses, expectTruthThroughFaults, simulatorForBlock, upmAppRows } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;

type Json = Record<string, unknown>;
interface PageBean<T = Json> {
  self: string;
  nextPage?: string;
  maxResults: number;
  startAt: number;
  total: number;
  isLast: boolean;
  values: T[];
}

async function getJson<T>(sim: Simulator, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, { headers: { authorization: ADMIN } });
  return { status: res.status, body: (await res.json()) as T };
}

async function ok<T>(sim: Simulator, path: string): Promise<T> {
  const { status, body } = await getJson<T>(sim, path);
  expect(status, path).toBe(200);
  return body;
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/**
 * A perfect client, written from the contract in the brief: max page sizes, startAt advanced by
 * items received, J2 stops on an empty array, J1 on isLast, 404 children skipped.
 */
type Getter = <T>(sim: Simulator, path: string) => Promise<{ status: number; body: T }>;

/** Retries 429, 5xx, resets, timeouts and unparseable bodies, like the collector must. */
const retryingGet: Getter = async <T>(sim: Simulator, path: string): Promise<{ status: number; body: T }> => {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${sim.url}${path}`, { headers: { authorization: ADMIN }, signal: AbortSignal.timeout(150) });
      const text = await res.text();
      if (res.status !== 429 && res.status < 500) return { status: res.status, body: JSON.parse(text) as T };
    } catch (err) {
      if (attempt > 5) throw err;
    }
  }
};

async function crawl(sim: Simulator, get: Getter = getJson): Promise<{ tables: Record<string, Json[]>; requests: number }> {
  let requests = 0;
  const call = async <T>(path: string): Promise<{ status: number; body: T }> => {
    requests++;
    return get<T>(sim, path);
  };
  const pageAll = async <T>(path: string, size: number): Promise<T[] | null> => {
    const out: T[] = [];
    let startAt = 0;
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const { status, body } = await call<PageBean<T>>(`${path}${sep}startAt=${startAt}&maxResults=${size}`);
      if (status === 404) return null;
      expect(status).toBe(200);
      out.push(...body.values);
      startAt += body.values.length;
      if (body.isLast) return out;
    }
  };
  const t: Record<string, Json[]> = {};

  await call('/rest/api/3/myself');

  t.jira_users = [];
  for (let startAt = 0; ; ) {
    const { body } = await call<Json[]>(`/rest/api/3/users/search?startAt=${startAt}&maxResults=1000`);
    if (body.length === 0) break;
    startAt += body.length;
    for (const u of body) {
      t.jira_users.push({
        account_id: u.accountId,
        account_type: u.accountType,
        display_name: str(u.displayName),
        email_address: str(u.emailAddress),
        active: u.active,
        app_type: str(u.appType),
        guest: u.guest ?? null,
        locale: str(u.locale),
        time_zone: str(u.timeZone),
      });
    }
  }

  const groups = (await pageAll<{ groupId: string; name: string }>('/rest/api/3/group/bulk', 50)) ?? [];
  t.jira_groups = groups.map((g) => ({ group_id: g.groupId, name: g.name }));
  t.jira_group_members = [];
  for (const g of groups) {
    const members = await pageAll<Json>(`/rest/api/3/group/member?groupId=${g.groupId}&includeInactiveUsers=true`, 50);
    for (const m of members ?? []) {
      t.jira_group_members.push({ group_id: g.groupId, group_name: g.name, account_id: m.accountId, account_type: str(m.accountType), display_name: str(m.displayName), email_address: str(m.emailAddress), active: m.active ?? null });
    }
  }

  t.jira_application_roles = [];
  for (const r of (await call<Json[]>('/rest/api/3/applicationrole')).body) {
    const common = { role_key: r.key, name: r.name, number_of_seats: r.numberOfSeats ?? null, remaining_seats: r.remainingSeats ?? null, user_count: r.userCount ?? null, has_unlimited_seats: r.hasUnlimitedSeats ?? null, platform: r.platform ?? null };
    const details = r.groupDetails as { groupId: string; name: string }[];
    const defaults = new Set((r.defaultGroupsDetails as { groupId: string }[]).map((g) => g.groupId));
    if (details.length === 0) t.jira_application_roles.push({ ...common, group_id: null, group_name: null, is_default_group: false });
    for (const g of details) t.jira_application_roles.push({ ...common, group_id: g.groupId, group_name: g.name, is_default_group: defaults.has(g.groupId) });
  }

  const projects = (await pageAll<Json>('/rest/api/3/project/search?status=live&status=archived&status=deleted&expand=lead', 100)) ?? [];
  t.jira_projects = [];
  t.jira_project_role_actors = [];
  for (const p of projects) {
    const scheme = await call<{ id: number }>(`/rest/api/3/project/${String(p.id)}/permissionscheme`);
    if (scheme.status === 404) continue;
    const map = await call<Record<string, string>>(`/rest/api/3/project/${String(p.id)}/role`);
    expect(map.status).toBe(200);
    t.jira_projects.push({
      project_id: p.id,
      project_key: p.key,
      name: p.name,
      project_type_key: str(p.projectTypeKey),
      style: str(p.style),
      is_private: p.isPrivate ?? null,
      archived: p.archived ?? false,
      deleted: p.deleted ?? false,
      lead_account_id: str((p.lead as Json | undefined)?.accountId),
      permission_scheme_id: String(scheme.body.id),
    });
    for (const [roleName, url] of Object.entries(map.body)) {
      const roleId = url.split('/').pop() ?? '';
      const role = await call<{ actors: Json[] }>(`/rest/api/3/project/${String(p.id)}/role/${roleId}`);
      expect(role.status).toBe(200);
      for (const a of role.body.actors) {
        const user = a.type === 'atlassian-user-role-actor';
        const grp = a.actorGroup as Json | undefined;
        t.jira_project_role_actors.push({
          project_id: p.id,
          project_key: p.key,
          role_id: roleId,
          role_name: roleName,
          actor_type: user ? 'user' : 'group',
          account_id: user ? (a.actorUser as Json).accountId : null,
          group_id: user ? null : str(grp?.groupId),
          group_name: user ? null : str(grp?.name),
        });
      }
    }
  }

  t.jira_project_roles = (await call<Json[]>('/rest/api/3/role')).body.map((r) => ({ role_id: String(r.id), name: r.name, description: str(r.description), admin: r.admin ?? null, is_default: r.default ?? null }));

  const schemes = (await call<{ permissionSchemes: Json[] }>('/rest/api/3/permissionscheme?expand=permissions')).body.permissionSchemes;
  t.jira_permission_schemes = schemes.map((s) => ({ scheme_id: String(s.id), name: s.name, description: str(s.description) }));
  t.jira_permission_grants = schemes.flatMap((s) =>
    (s.permissions as Json[]).map((g) => {
      const h = g.holder as Json;
      return { scheme_id: String(s.id), grant_id: String(g.id), permission: g.permission, holder_type: h.type, holder_parameter: str(h.parameter), holder_value: str(h.value) };
    }),
  );

  t.jira_settings = (await call<Json[]>('/rest/api/3/application-properties')).body.map((p) => ({ key: p.key, value: str(p.value), name: str(p.name), type: str(p.type), default_value: str(p.defaultValue) }));
  t.jira_installed_apps = upmAppRows((await call<Json>('/rest/plugins/1.0/')).body.plugins as Json[]);

  const secSchemes = (await pageAll<Json>('/rest/api/3/issuesecurityschemes/search', 50)) ?? [];
  t.jira_issue_security_schemes = secSchemes.map((s) => ({ scheme_id: String(s.id), name: s.name, description: str(s.description), default_level_id: str(s.defaultLevel) }));
  const secLevels = (await pageAll<Json>('/rest/api/3/issuesecurityschemes/level', 50)) ?? [];
  t.jira_issue_security_levels = secLevels.map((l) => ({ level_id: l.id, scheme_id: l.issueSecuritySchemeId, name: l.name, description: str(l.description), is_default: l.isDefault ?? null }));
  const secMembers = (await pageAll<Json>('/rest/api/3/issuesecurityschemes/level/member', 50)) ?? [];
  t.jira_issue_security_level_members = secMembers.map((m) => {
    const h = m.holder as Json;
    return { member_id: m.id, scheme_id: m.issueSecuritySchemeId, level_id: m.issueSecurityLevelId, holder_type: h.type, holder_parameter: str(h.parameter), holder_value: str(h.value) };
  });
  const secProjects = (await pageAll<Json>('/rest/api/3/issuesecurityschemes/project', 50)) ?? [];
  t.jira_issue_security_projects = secProjects.map((x) => ({ project_id: x.projectId, scheme_id: x.issueSecuritySchemeId }));
  // The audit log: one page (this tenant logs nothing; its rows are tested in test/integration/audit-incremental.test.ts).
  await call('/rest/api/3/auditing/record?offset=0&limit=1000');
  return { tables: t, requests };
}

describe('Jira tenant over HTTP', () => {
  const jira = jiraTenant({ seed: 5, users: 2500, groups: 60, memberships: 4000, projects: 15, roles: 5, schemes: 4, vanishingGroups: 2, vanishingProjects: 2 });
  const sim = simulatorForBlock({ seed: 5, products: [jira] });

  it('users/search: bare array, default 50, cap 1000, end = empty array', async () => {
    expect((await ok<Json[]>(sim, '/rest/api/3/users/search')).length).toBe(50);
    const big = await ok<Json[]>(sim, '/rest/api/3/users/search?maxResults=5000');
    expect(Array.isArray(big)).toBe(true);
    expect(big.length).toBe(1000);
    const tail = await ok<Json[]>(sim, '/rest/api/3/users/search?startAt=2400&maxResults=1000');
    expect(tail.length).toBe(100);
    expect(await ok<Json[]>(sim, '/rest/api/3/users/search?startAt=2500&maxResults=1000')).toEqual([]);
    expect((await getJson(sim, '/rest/api/3/users/search?maxResults=-1')).status).toBe(400);

    const all = [...big, ...(await ok<Json[]>(sim, '/rest/api/3/users/search?startAt=1000&maxResults=1000')), ...(await ok<Json[]>(sim, '/rest/api/3/users/search?startAt=2000&maxResults=400')), ...tail];
    const types = new Set(all.map((u) => u.accountType));
    expect(types).toEqual(new Set(['atlassian', 'app', 'customer']));
    expect(all.some((u) => u.active === false)).toBe(true);
    expect(all.some((u) => u.accountType === 'app' && u.appType === 'service')).toBe(true);
    expect(all.some((u) => 'emailAddress' in u && u.emailAddress === null)).toBe(true);
    expect(all.some((u) => u.accountType === 'atlassian' && !('emailAddress' in u))).toBe(true);
    expect(all.some((u) => /[^\u0000-\u007f]/.test(String(u.displayName)))).toBe(true);
    expect(all.some((u) => /^712020:[0-9a-f-]{36}$/.test(String(u.accountId)))).toBe(true);
    expect(all.some((u) => /^[0-9a-f]{24}$/.test(String(u.accountId)))).toBe(true);
    expect(new Set(all.map((u) => u.accountId)).size).toBe(2500);
    for (const u of all.slice(0, 50)) {
      for (const k of Object.keys(u)) expect(['self', 'accountId', 'accountType', 'emailAddress', 'avatarUrls', 'displayName', 'active', 'timeZone', 'locale', 'guest', 'appType']).toContain(k);
    }
  });

  it('group/bulk: PageBean with isLast/nextPage and the configurable cap', async () => {
    const first = await ok<PageBean>(sim, '/rest/api/3/group/bulk?maxResults=500');
    expect(first.maxResults).toBe(50);
    expect(first.total).toBe(60);
    expect(first.isLast).toBe(false);
    expect(new URL(first.nextPage ?? '').searchParams.get('startAt')).toBe('50');
    const last = await ok<PageBean>(sim, '/rest/api/3/group/bulk?startAt=50&maxResults=50');
    expect(last.values.length).toBe(10);
    expect(last.isLast).toBe(true);
    expect(last.nextPage).toBeUndefined();
    expect(Object.keys(last.values[0] ?? {}).sort()).toEqual(['groupId', 'name']);

    const small = jiraTenant({ groups: 9, pageCaps: { groupBulk: 4 } });
    const s2 = await startSimulator({ products: [small] });
    try {
      const page = await ok<PageBean>(s2, '/rest/api/3/group/bulk?maxResults=100');
      expect(page.maxResults).toBe(4);
      expect(page.values.length).toBe(4);
      expect(small.minimumRequests()).toBe(jiraTenant({ groups: 9, pageCaps: { groupBulk: 50 } }).minimumRequests() + 2);
    } finally {
      await s2.close();
    }
  });

  it('group/member: cap 50, includeInactiveUsers, groupname, 400/404', async () => {
    const m = jira.model;
    const big = m.groups.find((g) => !g.vanishing && g.members.length > 120 && Array.from(g.members).some((u) => !m.users.isActive(u)));
    expect(big).toBeDefined();
    if (!big) return;
    const all = await ok<PageBean>(sim, `/rest/api/3/group/member?groupId=${big.groupId}&includeInactiveUsers=true&maxResults=100`);
    expect(all.maxResults).toBe(50);
    expect(all.values.length).toBe(50);
    expect(all.total).toBe(big.members.length);
    expect(all.isLast).toBe(false);
    const active = await ok<PageBean>(sim, `/rest/api/3/group/member?groupId=${big.groupId}`);
    expect(active.total).toBe(Array.from(big.members).filter((u) => m.users.isActive(u)).length);
    expect(active.total).toBeLessThan(big.members.length);
    expect(active.values.every((u) => u.active === true)).toBe(true);
    const byName = await ok<PageBean>(sim, `/rest/api/3/group/member?groupname=${encodeURIComponent(big.name)}&includeInactiveUsers=true`);
    expect(byName.total).toBe(big.members.length);
    const lastStart = Math.floor((big.members.length - 1) / 50) * 50;
    const last = await ok<PageBean>(sim, `/rest/api/3/group/member?groupId=${big.groupId}&includeInactiveUsers=true&startAt=${lastStart}`);
    expect(last.isLast).toBe(true);
    for (const k of Object.keys(last.values[0] ?? {})) expect(['self', 'accountId', 'accountType', 'emailAddress', 'avatarUrls', 'displayName', 'active', 'timeZone']).toContain(k);

    const empty = m.groups.find((g) => g.members.length === 0 && !g.vanishing);
    expect(empty).toBeDefined();
    const e = await ok<PageBean>(sim, `/rest/api/3/group/member?groupId=${empty?.groupId ?? ''}&includeInactiveUsers=true`);
    expect(e).toMatchObject({ total: 0, isLast: true, values: [] });

    expect((await getJson(sim, '/rest/api/3/group/member')).status).toBe(400);
    const unknown = await getJson(sim, '/rest/api/3/group/member?groupId=00000000-0000-4000-8000-000000000000');
    expect(unknown).toEqual({ status: 404, body: { errorMessages: ['Group not found.'], errors: {} } });
    const vanishing = m.groups.filter((g) => g.vanishing);
    expect(vanishing.length).toBe(2);
    const listed = await ok<PageBean<{ groupId: string }>>(sim, '/rest/api/3/group/bulk?startAt=50');
    for (const g of vanishing) {
      expect(listed.values.map((v) => v.groupId)).toContain(g.groupId);
      expect((await getJson(sim, `/rest/api/3/group/member?groupId=${g.groupId}`)).status).toBe(404);
    }
  });

  it('project/search: default live only, status repeated or comma-separated, cap 100, expand=lead, 404 on no match', async () => {
    const m = jira.model;
    const live = await ok<PageBean>(sim, '/rest/api/3/project/search?maxResults=500');
    expect(live.maxResults).toBe(100);
    expect(live.total).toBe(m.projects.filter((p) => p.status === 'live').length);
    expect(live.values.every((p) => !('lead' in p) && p.archived === undefined && p.deleted === undefined)).toBe(true);
    const repeated = await ok<PageBean>(sim, '/rest/api/3/project/search?status=live&status=archived&status=deleted&expand=lead');
    const comma = await ok<PageBean>(sim, '/rest/api/3/project/search?status=live,archived,deleted&expand=lead');
    expect(repeated.total).toBe(15);
    expect(comma.values.map((p) => p.id)).toEqual(repeated.values.map((p) => p.id));
    expect(repeated.values.every((p) => typeof (p.lead as Json | undefined)?.accountId === 'string')).toBe(true);
    expect(repeated.values.some((p) => p.archived === true)).toBe(true);
    expect(repeated.values.some((p) => p.deleted === true)).toBe(true);
    expect(repeated.values.some((p) => p.isPrivate === true)).toBe(true);
    const keys = repeated.values.map((p) => String(p.key));
    expect(keys).toEqual([...keys].sort());
    expect(repeated.values.every((p) => /^\d{5}$/.test(String(p.id)))).toBe(true);
    expect(await getJson(sim, '/rest/api/3/project/search?query=no-such-project')).toMatchObject({ status: 404 });
    expect((await getJson(sim, '/rest/api/3/project/search?status=bogus')).status).toBe(400);
  });

  it('project children: by id or key; role map, role actors, permission scheme; 404 for vanishing', async () => {
    const m = jira.model;
    const p = m.projects.find((x) => !x.vanishing && x.roles.some((r) => r.actors.some((a) => a.kind === 'user') && r.actors.some((a) => a.kind === 'group')));
    expect(p).toBeDefined();
    if (!p) return;
    const byKey = await ok<Record<string, string>>(sim, `/rest/api/3/project/${p.key}/role`);
    const byId = await ok<Record<string, string>>(sim, `/rest/api/3/project/${p.id}/role`);
    expect(byKey).toEqual(byId);
    for (const url of Object.values(byId)) expect(url).toMatch(new RegExp(`^${sim.url}/rest/api/3/project/${p.id}/role/\\d+$`));
    const pr = p.roles.find((r) => r.actors.some((a) => a.kind === 'user') && r.actors.some((a) => a.kind === 'group'));
    const roleId = m.roles[pr?.roleIndex ?? 0]?.id ?? 0;
    const role = await ok<{ actors: Json[]; id: number; name: string }>(sim, `/rest/api/3/project/${p.key}/role/${roleId}`);
    expect(role.id).toBe(roleId);
    const names = role.actors.map((a) => String(a.displayName));
    expect(names).toEqual([...names].sort());
    const user = role.actors.find((a) => a.type === 'atlassian-user-role-actor');
    const group = role.actors.find((a) => a.type === 'atlassian-group-role-actor');
    expect(user?.actorUser).toEqual({ accountId: expect.any(String) as unknown });
    expect(group?.actorGroup).toEqual({ name: expect.any(String) as unknown, displayName: expect.any(String) as unknown, groupId: expect.any(String) as unknown });
    expect(m.projects.some((x) => x.roles.some((r) => r.actors.length === 0))).toBe(true);
    expect((await getJson(sim, `/rest/api/3/project/${p.id}/role/99999`)).status).toBe(404);

    const scheme = await ok<Json>(sim, `/rest/api/3/project/${p.id}/permissionscheme`);
    expect(scheme.id).toBe(m.schemes[p.schemeIndex]?.id);
    expect(scheme.permissions).toBeUndefined();

    const vanishing = m.projects.filter((x) => x.vanishing);
    expect(vanishing.length).toBe(2);
    for (const v of vanishing) {
      for (const path of [`/rest/api/3/project/${v.id}/permissionscheme`, `/rest/api/3/project/${v.key}/role`, `/rest/api/3/project/${v.id}/role/10002`]) {
        const res = await getJson<{ errorMessages: string[] }>(sim, path);
        expect(res.status, path).toBe(404);
        expect(res.body.errorMessages.length).toBe(1);
      }
    }
    expect((await getJson(sim, '/rest/api/3/project/NOPE/role')).status).toBe(404);
  });

  it('roles, permission schemes (expand), application roles, application properties', async () => {
    const roles = await ok<Json[]>(sim, '/rest/api/3/role');
    expect(roles.map((r) => r.name).slice(0, 3)).toEqual(['Administrators', 'Developers', 'Users']);
    expect(roles.map((r) => r.id)).toEqual([10002, 10003, 10004, 10005, 10006]);

    const bare = await ok<{ permissionSchemes: Json[] }>(sim, '/rest/api/3/permissionscheme');
    expect(bare.permissionSchemes.every((s) => s.permissions === undefined)).toBe(true);
    expect(bare.permissionSchemes.some((s) => s.description === undefined)).toBe(true);
    const full = await ok<{ permissionSchemes: { permissions: { id: number; holder: { type: string; parameter?: string; value?: string; group?: Json } }[] }[] }>(sim, '/rest/api/3/permissionscheme?expand=permissions,group');
    const grants = full.permissionSchemes.flatMap((s) => s.permissions);
    const types = new Set(grants.map((g) => g.holder.type));
    for (const t of ['group', 'user', 'projectRole', 'applicationRole', 'anyone', 'projectLead', 'reporter', 'assignee', 'userCustomField', 'groupCustomField']) expect(types).toContain(t);
    const groupGrant = grants.find((g) => g.holder.type === 'group');
    expect(groupGrant?.holder.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(groupGrant?.holder.group).toMatchObject({ name: groupGrant?.holder.parameter, groupId: groupGrant?.holder.value });
    expect(grants.some((g) => g.holder.type === 'applicationRole' && g.holder.parameter === undefined)).toBe(true);
    expect(grants.some((g) => g.holder.type === 'anyone' && g.holder.parameter === undefined && g.holder.value === undefined)).toBe(true);
    expect(grants.find((g) => g.holder.type === 'userCustomField')?.holder.parameter).toBe('customfield_10010');
    expect(new Set(grants.map((g) => g.id)).size).toBe(grants.length);

    const appRoles = await ok<Json[]>(sim, '/rest/api/3/applicationrole');
    const software = appRoles.find((r) => r.key === 'jira-software');
    expect((software?.groupDetails as unknown[]).length).toBeGreaterThan(1);
    expect((software?.defaultGroupsDetails as unknown[]).length).toBeGreaterThan(0);
    expect(software?.groups).toEqual((software?.groupDetails as Json[]).map((g) => g.name));
    expect(appRoles.some((r) => r.key === 'jira-servicedesk')).toBe(true);
    expect(appRoles.some((r) => (r.groupDetails as unknown[]).length === 0)).toBe(true);

    const props = await ok<Json[]>(sim, '/rest/api/3/application-properties');
    // The Jira Cloud platform REST API types ApplicationProperty.value as a string: absent, never null.
    expect(props.some((p) => 'value' in p && p.value === null)).toBe(false);
    expect(props.some((p) => !('value' in p))).toBe(true);
    expect(await ok<Json>(sim, '/rest/api/3/application-properties?key=jira.title')).toMatchObject({ id: 'jira.title', key: 'jira.title' });
    expect((await ok<Json[]>(sim, '/rest/api/3/application-properties?keyFilter=jira\\.lf\\..*')).length).toBe(2);
  });

  it('ground truth equals what a perfect client reads, in exactly minimumRequests() requests', async () => {
    const { tables, requests } = await crawl(sim);
    const truth = jira.groundTruth();
    expect(Object.keys(tables).sort()).toEqual(Object.keys(truth).sort());
    for (const [name, rows] of Object.entries(truth)) {
      expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
    }
    expect(truth.jira_users?.length).toBe(2500);
    expect(truth.jira_groups?.length).toBe(60);
    expect(truth.jira_projects?.length).toBe(13);
    expect(requests).toBe(jira.minimumRequests());
  });
});

describe('faults do not change the data', () => {
  it('a retrying client still reads exactly the ground truth', async () => {
    await expectTruthThroughFaults(jiraTenant({ seed: 9, users: 1200, groups: 15, memberships: 900, projects: 8, vanishingGroups: 1, vanishingProjects: 1 }), (s) => crawl(s, retryingGet));
  });
});

describe('determinism and scale', () => {
  it('same seed gives identical responses; another seed does not', async () => {
    const paths = ['/rest/api/3/users/search?maxResults=200', '/rest/api/3/group/bulk', '/rest/api/3/project/search?status=live,archived,deleted&expand=lead', '/rest/api/3/permissionscheme?expand=all', '/rest/api/3/applicationrole', '/rest/api/3/project/10001/role/10003'];
    await expectSeededResponses((seed) => jiraTenant({ seed }), paths, ADMIN, 0);
  });

  it('generates 200,000 users / 5,000 groups / 1,500,000 memberships exactly as asked', () => {
    const big = jiraTenant({ users: 200_000, groups: 5_000, memberships: 1_500_000, projects: 300 });
    expect(big.model.membershipCount).toBe(1_500_000);
    expect(big.model.groups.filter((g) => g.members.length > 50).length).toBeGreaterThan(10);
    expect(big.minimumRequests()).toBeGreaterThan(30_000);
  });

  it('defaults match the brief', () => {
    const d = jiraTenant({});
    expect(d.model.users.count).toBe(200);
    expect(d.model.groups.length).toBe(20);
    expect(d.model.membershipCount).toBe(600);
    expect(d.model.projects.length).toBe(12);
    expect(d.model.roles.length).toBe(4);
    expect(d.model.schemes.length).toBe(3);
    expect(d.model.groups.some((g) => g.members.length === 0)).toBe(true);
    expect(d.model.groups.filter((g) => g.members.length > 50).length).toBeGreaterThanOrEqual(2);
    expect(new Set(d.model.projects.map((p) => p.status))).toEqual(new Set(['live', 'archived', 'deleted']));
  });
});
