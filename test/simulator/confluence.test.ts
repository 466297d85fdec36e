/**
 * The Confluence product against the spec (confluence-v2.json, confluence-v1.json) over real HTTP: page caps,
 * end signals, the 10,000-user search window, filters, 404s, error bodies, auth; ground truth equals what a
 * perfect client reads; minimumRequests equals what that client needs; determinism; generation speed.
 */
import { describe, expect, it } from 'vitest';
import { CONFLUENCE_USER_SEARCH_WINDOW, confluenceTenant, startSimulator } from '../../simulator/index.ts';
import { canon, expectSeededResponses, expectTruthThroughFaults, simulatorForBlock, upmAppRows } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('viewer@example.com:sim-viewer-token').toString('base64')}`;

type Json = Record<string, unknown>;
interface V2Page<T = Json> {
  results: T[];
  _links: { next?: string; base: string };
}
interface V1Page<T = Json> {
  results: T[];
  start: number;
  limit: number;
  size: number;
  totalSize?: number;
  _links: { next?: string; base: string; context: string };
}
interface Res<T> {
  status: number;
  body: T;
  headers: Headers;
}

type Getter = <T>(url: string, init?: { method?: string; body?: unknown; auth?: string }) => Promise<Res<T>>;

const plainGet: Getter = async <T>(url: string, init: { method?: string; body?: unknown; auth?: string } = {}): Promise<Res<T>> => {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: init.auth ?? ADMIN, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
};

/** Retries 429, 5xx, resets, timeouts and unparseable bodies, like the collector must. */
const retryingGet: Getter = async <T>(url: string, init: { method?: string; body?: unknown; auth?: string } = {}): Promise<Res<T>> => {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, {
        method: init.method ?? 'GET',
        headers: { authorization: init.auth ?? ADMIN, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(150),
      });
      const text = await res.text();
      if (res.status !== 429 && res.status < 500) return { status: res.status, body: JSON.parse(text) as T, headers: res.headers };
    } catch (err) {
      if (attempt > 6) throw err;
    }
  }
};

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
/** E-mail and v1 accountType: "" means hidden / unavailable (Q4). */
const blank = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));

/**
 * A perfect client written from the spec and the facts sheet: maximum page sizes; v2 follows `_links.next` until
 * it is absent; v1 advances `start` by items received and stops when there is no next link and the page is short
 * (or at the 10,000-user search window); 404 children are skipped; role endpoints only when the mode is not PRE_ROLES.
 */
async function crawl(base: string, get: Getter = plainGet): Promise<{ tables: Record<string, Json[]>; requests: number }> {
  const origin = new URL(base).origin;
  const prefix = new URL(base).pathname.replace(/\/$/, '');
  let requests = 0;
  const call = async <T>(path: string, init?: { method?: string; body?: unknown }): Promise<Res<T>> => {
    requests++;
    return get<T>(path.startsWith('/wiki/') ? `${origin}${prefix}${path}` : path, init);
  };
  const v2All = async (path: string): Promise<Json[] | null> => {
    const out: Json[] = [];
    let url = `${path}${path.includes('?') ? '&' : '?'}limit=250`;
    for (;;) {
      const r = await call<V2Page>(url);
      if (r.status === 404) return null;
      expect(r.status, url).toBe(200);
      out.push(...r.body.results);
      if (!r.body._links.next) return out;
      url = r.body._links.next;
    }
  };
  const v1All = async (path: string, limit: number, window = Infinity): Promise<{ rows: Json[]; pages: Json[][]; total?: number } | null> => {
    const rows: Json[] = [];
    const pages: Json[][] = [];
    let total: number | undefined;
    for (let start = 0; ; ) {
      const r = await call<V1Page>(`${path}${path.includes('?') ? '&' : '?'}start=${start}&limit=${limit}`);
      if (r.status === 404) return null;
      expect(r.status, path).toBe(200);
      total ??= r.body.totalSize;
      rows.push(...r.body.results);
      if (r.body.results.length) pages.push(r.body.results);
      start += r.body.results.length;
      if (r.body.results.length === 0 || start >= window || (!r.body._links.next && r.body.results.length < r.body.limit)) return { rows, pages, total };
    }
  };
  const t: Record<string, Json[]> = {};
  const setting = (key: string, value: unknown, source: string) => t.confluence_settings?.push({ key, value: str(value), source });
  t.confluence_settings = [];

  await call('/wiki/rest/api/user/current');
  const retention = (await call<Json>('/wiki/rest/api/audit/retention')).body;
  setting('audit.retention.number', retention.number, 'GET /wiki/rest/api/audit/retention');
  setting('audit.retention.units', retention.units, 'GET /wiki/rest/api/audit/retention');
  const sys = (await call<Json>('/wiki/rest/api/settings/systemInfo')).body;
  for (const [k, f] of [['edition', 'edition'], ['micros_perimeter', 'microsPerimeter'], ['site_title', 'siteTitle'], ['default_locale', 'defaultLocale'], ['default_time_zone', 'defaultTimeZone']]) {
    setting(`system.${k}`, sys[f ?? ''], 'GET /wiki/rest/api/settings/systemInfo');
  }
  const mode = String((await call<Json>('/wiki/api/v2/space-role-mode')).body.mode);
  setting('space_role_mode', mode, 'GET /wiki/api/v2/space-role-mode');
  t.confluence_space_roles = [];
  t.confluence_space_role_assignments = [];
  if (mode !== 'PRE_ROLES') {
    for (const r of (await v2All('/wiki/api/v2/space-roles')) ?? []) {
      t.confluence_space_roles.push({ role_id: r.id, name: str(r.name), type: str(r.type), description: str(r.description), space_permissions: r.spacePermissions ?? [] });
    }
    for (const s of (await v2All('/wiki/api/v2/spaces')) ?? []) {
      for (const a of (await v2All(`/wiki/api/v2/spaces/${String(s.id)}/role-assignments`)) ?? []) {
        const p = a.principal as Json;
        t.confluence_space_role_assignments.push({ space_id: s.id, space_key: s.key, principal_type: p.principalType, principal_id: p.principalId, role_id: a.roleId });
      }
    }
  }

  const search = await v1All('/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=all', 250, CONFLUENCE_USER_SEARCH_WINDOW);
  setting('users.search_total_size', search?.total, 'GET /wiki/rest/api/search/user');
  setting('users.search_capped', String((search?.total ?? 0) >= CONFLUENCE_USER_SEARCH_WINDOW), 'GET /wiki/rest/api/search/user');
  t.confluence_users = [];
  for (const page of search?.pages ?? []) {
    const ids = page.map((r) => (r.user as Json).accountId);
    const bulk = await call<V2Page>('/wiki/api/v2/users-bulk', { method: 'POST', body: { accountIds: ids } });
    expect(bulk.status).toBe(200);
    for (const u of bulk.body.results) {
      t.confluence_users.push({
        account_id: u.accountId,
        account_type: u.accountType,
        account_status: str(u.accountStatus),
        display_name: str(u.displayName),
        public_name: str(u.publicName),
        email: blank(u.email),
        is_guest: u.isExternalCollaborator ?? null,
        personal_space_id: str(u.personalSpaceId),
        time_zone: str(u.timeZone),
      });
    }
  }

  const groups = (await v1All('/wiki/rest/api/group', 200))?.rows ?? [];
  t.confluence_groups = groups.map((g) => ({ group_id: g.id, name: g.name, type: str(g.type), usage_type: str(g.usageType), managed_by: str(g.managedBy) }));
  t.confluence_group_members = [];
  for (const g of groups) {
    for (const m of (await v1All(`/wiki/rest/api/group/${String(g.id)}/membersByGroupId`, 200))?.rows ?? []) {
      t.confluence_group_members.push({ group_id: g.id, group_name: g.name, account_id: m.accountId, account_type: blank(m.accountType), display_name: str(m.displayName), public_name: str(m.publicName), email: blank(m.email), is_guest: m.isGuest ?? null });
    }
  }

  t.confluence_spaces = [];
  t.confluence_space_permissions = [];
  for (const s of (await v2All('/wiki/api/v2/spaces')) ?? []) {
    t.confluence_spaces.push({ space_id: s.id, space_key: s.key, name: str(s.name), type: str(s.type), status: str(s.status), author_id: str(s.authorId), created_at: str(s.createdAt), homepage_id: str(s.homepageId) });
    for (const a of (await v2All(`/wiki/api/v2/spaces/${String(s.id)}/permissions`)) ?? []) {
      const p = a.principal as Json;
      const o = a.operation as Json;
      t.confluence_space_permissions.push({ space_id: s.id, space_key: s.key, permission_id: a.id, principal_type: p.type, principal_id: p.id, operation: o.key, target_type: o.targetType });
    }
  }
  // Installed apps: the Universal Plugin Manager answers on the site URL only (functions/upm.ts).
  if (!prefix.startsWith('/ex/')) {
    const apps = (await call<Json>('/wiki/rest/plugins/1.0/')).body.plugins as Json[];
    t.confluence_installed_apps = upmAppRows(apps);
  }
  // The audit log: one page (this tenant logs nothing; its rows are tested in test/integration/audit-trail.test.ts).
  await call('/wiki/rest/api/audit?start=0&limit=1000');
  return { tables: t, requests };
}

describe('Confluence tenant over HTTP', () => {
  const conf = confluenceTenant({ seed: 5, users: 1200, groups: 25, memberships: 2500, spaces: 30, personalSpaces: 6, vanishingGroups: 2, vanishingSpaces: 2, vanishingUsers: 3 });
  const sim = simulatorForBlock({ seed: 5, products: [conf] });

  const get = <T>(path: string, init?: { method?: string; body?: unknown; auth?: string }) => plainGet<T>(`${sim.url}${path}`, init);

  it('v2 /spaces: default 25, maximum 250 (above → 400 with the v2 error body), relative next link and Link header, sorted by id', async () => {
    const first = await get<V2Page>('/wiki/api/v2/spaces');
    expect(first.body.results.length).toBe(25);
    expect(first.body._links.next).toMatch(/^\/wiki\/api\/v2\/spaces\?cursor=[^&]+$/);
    expect(first.headers.get('link')).toBe(`<${first.body._links.next ?? ''}>; rel="next", <${sim.url}/wiki>; rel="base"`);
    expect(first.body._links.base).toBe(`${sim.url}/wiki`);
    const tooBig = await get<Json>('/wiki/api/v2/spaces?limit=251');
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ errors: [{ status: 400, code: 'INVALID_REQUEST_PARAMETER', detail: null }] });
    expect((await get('/wiki/api/v2/spaces?limit=0')).status).toBe(400);
    expect((await get('/wiki/api/v2/spaces?cursor=garbage')).status).toBe(400);

    const all = await get<V2Page>('/wiki/api/v2/spaces?limit=250');
    expect(all.body.results.length).toBe(36);
    expect(all.body._links.next).toBeUndefined();
    expect(all.headers.get('link')).toBeNull();
    const ids = all.body.results.map((s) => Number(s.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(all.body.results.map((s) => s.type))).toEqual(new Set(['global', 'collaboration', 'knowledge_base', 'personal', 'system', 'onboarding']));
    expect(all.body.results.some((s) => s.status === 'archived' && s.type === 'personal')).toBe(true);
    expect(all.body.results.some((s) => s.homepageId === undefined)).toBe(true);
    for (const s of all.body.results.filter((x) => x.type === 'personal')) expect(String(s.key)).toMatch(/^~[A-Za-z0-9]+$/);

    // Following next links page by page yields the same list; the link keeps limit and filters.
    const paged: Json[] = [];
    for (let url: string | undefined = '/wiki/api/v2/spaces?limit=10&type=global'; url; ) {
      const r: Res<V2Page> = await get<V2Page>(url);
      paged.push(...r.body.results);
      if (r.body._links.next) expect(r.body._links.next).toContain('limit=10&type=global');
      url = r.body._links.next;
    }
    expect(paged.map((s) => s.id)).toEqual(all.body.results.filter((s) => s.type === 'global').map((s) => s.id));
    expect((await get<V2Page>('/wiki/api/v2/spaces?status=archived&limit=250')).body.results.every((s) => s.status === 'archived')).toBe(true);
    expect((await get('/wiki/api/v2/spaces?type=wiki')).status).toBe(400);
  });

  it('space children: more than one page of permissions, empty role assignments while in transition, 404 for vanishing spaces', async () => {
    const m = conf.model;
    const big = m.spaces.find((s) => s.permissions.length > 250 && !s.vanishing);
    expect(big).toBeDefined();
    const p1 = await get<V2Page>(`/wiki/api/v2/spaces/${big?.id ?? ''}/permissions?limit=250`);
    expect(p1.body.results.length).toBe(250);
    const p2 = await get<V2Page>(p1.body._links.next ?? '');
    expect(p2.body.results.length).toBe((big?.permissions.length ?? 0) - 250);
    expect(p2.body._links.next).toBeUndefined();
    expect(p1.body.results[0]).toEqual({ id: expect.any(String) as unknown, principal: { type: 'user', id: expect.any(String) as unknown }, operation: { key: 'read', targetType: 'space' } });
    const types = new Set(m.spaces.flatMap((s) => s.permissions.map((a) => a.principalType)));
    expect(types).toEqual(new Set(['user', 'group', 'role']));

    expect(m.roleMode).toBe('ROLES_TRANSITION');
    const unmigrated = m.spaces.find((s) => !s.vanishing && s.roleAssignments.length === 0);
    expect(unmigrated).toBeDefined();
    expect((await get<V2Page>(`/wiki/api/v2/spaces/${unmigrated?.id ?? ''}/role-assignments`)).body).toMatchObject({ results: [] });
    const roled = m.spaces.find((s) => !s.vanishing && s.roleAssignments.some((a) => a.principalType === 'ACCESS_CLASS'));
    const ra = await get<V2Page>(`/wiki/api/v2/spaces/${roled?.id ?? ''}/role-assignments?limit=250`);
    expect(ra.body.results.some((a) => (a.principal as Json).principalType === 'ACCESS_CLASS')).toBe(true);
    for (const a of ra.body.results) expect(m.roles.map((r) => r.id)).toContain(a.roleId);

    const vanishing = m.spaces.filter((s) => s.vanishing);
    expect(vanishing.length).toBe(2);
    for (const s of vanishing) {
      for (const path of [`/wiki/api/v2/spaces/${s.id}/permissions`, `/wiki/api/v2/spaces/${s.id}/role-assignments`]) {
        expect(await get(path)).toMatchObject({ status: 404, body: { errors: [{ status: 404, code: 'NOT_FOUND' }] } });
      }
    }
    expect((await get('/wiki/api/v2/spaces/abc/permissions')).status).toBe(400);
    const roles = await get<V2Page>('/wiki/api/v2/space-roles?limit=250');
    expect(roles.body.results.map((r) => r.type)).toEqual(['SYSTEM', 'SYSTEM', 'SYSTEM', 'CUSTOM', 'CUSTOM']);
    expect((await get<V2Page>('/wiki/api/v2/space-roles?role-type=CUSTOM')).body.results.length).toBe(2);
    expect((await get('/wiki/api/v2/space-roles?principal-id=anonymous-users')).status).toBe(400);
  });

  it('PRE_ROLES sites answer the mode and 404 on role endpoints; ROLES sites give every space assignments', async () => {
    for (const roleMode of ['PRE_ROLES', 'ROLES'] as const) {
      const t = confluenceTenant({ seed: 8, users: 60, spaces: 6, personalSpaces: 1, roleMode });
      const s2 = await startSimulator({ products: [t] });
      try {
        expect((await plainGet<Json>(`${s2.url}/wiki/api/v2/space-role-mode`)).body).toEqual({ mode: roleMode });
        const id = t.model.spaces[0]?.id ?? '';
        if (roleMode === 'PRE_ROLES') {
          expect((await plainGet(`${s2.url}/wiki/api/v2/space-roles`)).status).toBe(404);
          expect((await plainGet(`${s2.url}/wiki/api/v2/spaces/${id}/role-assignments`)).status).toBe(404);
        } else {
          expect(t.model.spaces.every((s) => s.roleAssignments.length > 0)).toBe(true);
        }
      } finally {
        await s2.close();
      }
    }
  });

  it('users-bulk: 1 to 250 ids (else 400); unknown and deleted ids are left out; hidden e-mail is ""', async () => {
    const m = conf.model;
    const ids = Array.from({ length: 250 }, (_, i) => m.users.accountId(i));
    const r = await get<V2Page>('/wiki/api/v2/users-bulk', { method: 'POST', body: { accountIds: [...ids, 'nope'].slice(0, 250) } });
    expect(r.status).toBe(200);
    const vanishing = ids.filter((_, i) => m.users.isVanishing(i));
    expect(vanishing.length).toBeGreaterThan(0);
    expect(r.body.results.length).toBe(250 - vanishing.length);
    expect(r.body.results.map((u) => u.accountId)).toEqual(ids.filter((id) => !vanishing.includes(id)));
    expect(r.body.results.some((u) => u.email === '')).toBe(true);
    expect(new Set(r.body.results.map((u) => u.accountStatus))).toEqual(new Set(['active', 'inactive', 'closed']));
    expect(new Set(r.body.results.map((u) => u.accountType))).toEqual(new Set(['atlassian', 'app', 'unknown']));
    expect(r.body.results.some((u) => u.isExternalCollaborator === true)).toBe(true);
    expect(r.body.results.some((u) => typeof u.personalSpaceId === 'string')).toBe(true);
    expect(r.body.results.some((u) => u.timeZone === null)).toBe(true);
    expect(r.body.results.some((u) => /[^\u0000-\u007f]/.test(String(u.displayName)))).toBe(true);
    for (const u of r.body.results.slice(0, 20)) {
      expect(Object.keys(u).sort()).toEqual(['accountId', 'accountStatus', 'accountType', 'displayName', 'email', 'isExternalCollaborator', 'personalSpaceId', 'profilePicture', 'publicName', 'timeZone']);
    }
    const tooMany = await get<Json>('/wiki/api/v2/users-bulk', { method: 'POST', body: { accountIds: [...ids, 'x'] } });
    expect(tooMany).toMatchObject({ status: 400, body: { errors: [{ status: 400 }] } });
    expect((await get('/wiki/api/v2/users-bulk', { method: 'POST', body: { accountIds: [] } })).status).toBe(400);
    expect((await get('/wiki/api/v2/users-bulk', { method: 'POST', body: { ids: ['a'] } })).status).toBe(400);
  });

  it('search/user: licensed users by default, guests only with externalCollaborator or all; v1 end signals; CQL errors', async () => {
    const m = conf.model;
    let guests = 0;
    for (let i = 0; i < m.users.count; i++) if (m.users.isGuest(i)) guests++;
    const none = await get<V1Page>('/wiki/rest/api/search/user?cql=type=user');
    expect(none.body).toMatchObject({ start: 0, limit: 25, size: 25, totalSize: m.users.count - guests });
    expect(none.body._links.next).toBe('/rest/api/search/user?cql=type%3Duser&start=25&limit=25');
    const ext = await get<V1Page<{ user: Json }>>('/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=externalCollaborator&limit=250');
    expect(ext.body.totalSize).toBe(guests);
    expect(ext.body.results.every((r) => r.user.isGuest === true)).toBe(true);
    expect(ext.body._links.next).toBeUndefined();
    const all = await get<V1Page<{ user: Json }>>('/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=all&start=1000&limit=1000');
    expect(all.body).toMatchObject({ start: 1000, limit: 250, size: 200, totalSize: 1200 });
    expect(all.body._links.next).toBeUndefined();
    expect(all.body.results.some((r) => r.user.displayName === null)).toBe(true);
    expect(all.body.results.some((r) => r.user.accountType === '')).toBe(true);
    expect(all.body.results.some((r) => r.user.email === null)).toBe(true);
    expect(all.body.results.some((r) => r.user.email === '')).toBe(true);

    expect((await get('/wiki/rest/api/search/user')).status).toBe(400);
    const bad = await get<Json>('/wiki/rest/api/search/user?cql=type%3Dpage');
    expect(bad).toMatchObject({ status: 400, body: { statusCode: 400, message: 'Could not parse cql : type=page', data: { successful: false } } });
    expect((await get('/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=guests')).status).toBe(400);
    expect((await get('/wiki/rest/api/search/user?cql=type%3Duser&start=-1')).status).toBe(400);
  });

  it('search/user never returns more than 10,000 users; totalSize counts them all', async () => {
    const t = confluenceTenant({ seed: 2, users: CONFLUENCE_USER_SEARCH_WINDOW + 120, groups: 2, memberships: 10, spaces: 1, personalSpaces: 0 });
    const s2 = await startSimulator({ products: [t] });
    try {
      const q = '/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=all';
      const edge = await plainGet<V1Page>(`${s2.url}${q}&start=9900&limit=250`);
      expect(edge.body).toMatchObject({ size: 100, totalSize: CONFLUENCE_USER_SEARCH_WINDOW + 120 });
      expect(edge.body._links.next).toBeUndefined();
      expect((await plainGet<V1Page>(`${s2.url}${q}&start=10000&limit=250`)).body.size).toBe(0);
    } finally {
      await s2.close();
    }
  });

  it('groups: alphabetical, limit lowered silently; members: limit above 200 → 400, 404 for vanishing groups, empty and exactly-one-page groups', async () => {
    const m = conf.model;
    const list = await get<V1Page>('/wiki/rest/api/group?limit=1000');
    expect(list.body.limit).toBe(200);
    const names = list.body.results.map((g) => String(g.name).toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(list.body.results[0]).toMatchObject({ type: 'group', id: expect.any(String) as unknown, usageType: expect.any(String) as unknown, managedBy: expect.any(String) as unknown });
    expect(new Set(list.body.results.map((g) => g.managedBy))).toEqual(new Set(['ADMINS', 'EXTERNAL', 'TEAM_MEMBERS', 'OPEN']));
    expect((await get<V1Page>('/wiki/rest/api/group?limit=5')).body._links.next).toBe('/rest/api/group?limit=5&start=5');
    expect((await get<V1Page>('/wiki/rest/api/group?accessType=site-admin')).body.results.map((g) => g.name)).toEqual(['site-admins']);

    const big = m.groups.find((g) => !g.vanishing && g.members.length > 200);
    const path = `/wiki/rest/api/group/${big?.id ?? ''}/membersByGroupId`;
    expect((await get(`${path}?limit=201`)).status).toBe(400);
    const p1 = await get<V1Page>(`${path}?limit=200&shouldReturnTotalSize=true`);
    expect(p1.body).toMatchObject({ size: 200, limit: 200, totalSize: big?.members.length });
    expect(p1.body._links.next).toBeDefined();
    expect((await get<V1Page>(`${path}`)).body.totalSize).toBeUndefined();

    const exact = m.groups.find((g) => !g.vanishing && g.members.length === 200);
    expect(exact).toBeDefined();
    const full = await get<V1Page>(`/wiki/rest/api/group/${exact?.id ?? ''}/membersByGroupId?limit=200`);
    expect(full.body.size).toBe(200);
    expect(full.body._links.next).toBeUndefined();
    expect((await get<V1Page>(`/wiki/rest/api/group/${exact?.id ?? ''}/membersByGroupId?start=200&limit=200`)).body.size).toBe(0);

    const empty = m.groups.find((g) => !g.vanishing && g.members.length === 0);
    expect((await get<V1Page>(`/wiki/rest/api/group/${empty?.id ?? ''}/membersByGroupId`)).body).toMatchObject({ results: [], size: 0 });
    for (const g of m.groups.filter((x) => x.vanishing)) {
      expect(await get(`/wiki/rest/api/group/${g.id}/membersByGroupId`)).toMatchObject({ status: 404, body: { statusCode: 404, message: `No group found with id : ${g.id}` } });
    }
  });

  it('auth: v1 error body on 401; Bearer only through /ex/confluence/{cloudId}; the viewer gets 403 on audit retention', async () => {
    const wrong = await get<Json>('/wiki/rest/api/user/current', { auth: `Basic ${Buffer.from('collector@example.com:nope').toString('base64')}` });
    expect(wrong).toMatchObject({ status: 401, body: { statusCode: 401, message: expect.any(String) as unknown } });
    expect((await get('/wiki/api/v2/spaces', { auth: 'Bearer sim-bearer-token' })).status).toBe(401);
    const gw = await plainGet<V2Page>(`${sim.url}/ex/confluence/${sim.cloudId}/wiki/api/v2/spaces?limit=5`, { auth: 'Bearer sim-bearer-token' });
    expect(gw.status).toBe(200);
    // The next link is relative to the site (Q6), not the gateway: a client resolves it below its base URL.
    expect(gw.body._links.next).toMatch(/^\/wiki\/api\/v2\/spaces\?/);
    expect(gw.body._links.base).toBe(`${sim.url}/ex/confluence/${sim.cloudId}/wiki`);
    expect((await plainGet(`${sim.url}/ex/confluence/${sim.cloudId}${gw.body._links.next ?? ''}`, { auth: 'Bearer sim-bearer-token' })).status).toBe(200);
    const denied = await get<Json>('/wiki/rest/api/audit/retention', { auth: VIEWER });
    expect(denied).toMatchObject({ status: 403, body: { statusCode: 403, data: { authorized: false } } });
    expect((await get<Json>('/wiki/rest/api/user/current', { auth: VIEWER })).body.displayName).toBe('Vera Viewer');
  });

  it('ground truth equals what a perfect client reads, in exactly minimumRequests() requests', async () => {
    const { tables, requests } = await crawl(sim.url);
    const truth = conf.groundTruth();
    expect(Object.keys(tables).sort()).toEqual(Object.keys(truth).sort());
    for (const [name, rows] of Object.entries(truth)) expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
    expect(truth.confluence_users?.length).toBe(1200 - 3);
    expect(truth.confluence_spaces?.length).toBe(36);
    expect(requests).toBe(conf.minimumRequests());
  });

  it('the same holds through the gateway and in PRE_ROLES mode', async () => {
    const t = confluenceTenant({ seed: 6, users: 300, roleMode: 'PRE_ROLES', vanishingSpaces: 1 });
    const s2 = await startSimulator({ products: [t], seed: 6 });
    try {
      const bearer: Getter = (url, init) => plainGet(url, { ...init, auth: 'Bearer sim-bearer-token' });
      const { tables, requests } = await crawl(`${s2.url}/ex/confluence/${s2.cloudId}`, bearer);
      // Through the gateway there is no UPM: no installed apps, one request fewer.
      const truth: Record<string, Record<string, unknown>[]> = { ...t.groundTruth(), confluence_installed_apps: [] };
      for (const [name, rows] of Object.entries(truth)) expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
      expect(truth.confluence_space_roles).toEqual([]);
      expect(requests).toBe(t.minimumRequests() - 1);
    } finally {
      await s2.close();
    }
  });
});

describe('faults do not change the data', () => {
  it('a retrying client still reads exactly the ground truth', async () => {
    await expectTruthThroughFaults(confluenceTenant({ seed: 9, users: 700, groups: 12, memberships: 900, spaces: 10, vanishingGroups: 1, vanishingSpaces: 1, vanishingUsers: 1 }), (s) => crawl(s.url, retryingGet));
  });
});

describe('determinism and scale', () => {
  it('same seed gives identical responses; another seed does not', async () => {
    const paths = ['/wiki/rest/api/search/user?cql=type%3Duser&sitePermissionTypeFilter=all&limit=200', '/wiki/rest/api/group', '/wiki/api/v2/spaces?limit=250', '/wiki/api/v2/space-roles'];
    await expectSeededResponses((seed) => confluenceTenant({ seed }), paths, ADMIN, 0);
  });

  it('generates 200,000 users / 2,000 groups / 1,000,000 memberships / 3,000 spaces exactly as asked', () => {
    const big = confluenceTenant({ users: 200_000, groups: 2_000, memberships: 1_000_000, spaces: 2_000, personalSpaces: 1_000 });
    expect(big.model.membershipCount).toBeGreaterThan(900_000);
    expect(big.model.spaces.length).toBe(3_000);
    expect(big.minimumRequests()).toBeGreaterThan(10_000);
  });

  it('defaults', () => {
    const d = confluenceTenant({});
    expect(d.model.users.count).toBe(300);
    expect(d.model.groups.length).toBe(20);
    expect(d.model.spaces.length).toBe(20);
    expect(d.model.roleMode).toBe('ROLES_TRANSITION');
    expect(d.model.groups.some((g) => g.members.length === 0)).toBe(true);
    expect(d.model.groups.some((g) => g.members.length > 200)).toBe(true);
  });
});
