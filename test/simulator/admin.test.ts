/**
 * The simulated organization against the Admin API specs (admin-organizations.json, admin-user-management.json)
 * over real HTTP: auth, page sizes and end signals of styles A1/A2, filters, error bodies; ground truth equals
 * what a perfect client reads; minimumRequests equals what that client needs; determinism; generation speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTenant, startSimulator, type AdminSim, type Simulator } from '../../simulator/index.ts';

const KEY = 'Bearer sim-bearer-token';
type Json = Record<string, unknown>;
interface Page {
  data: Json[];
  links?: { self?: string; next?: string; prev?: string };
  meta?: Json;
}

async function call<T = Json>(sim: Simulator, method: 'GET' | 'POST', path: string, body?: unknown, auth = KEY): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function ok<T = Page>(sim: Simulator, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const r = await call<T>(sim, method, path, body);
  expect(r.status, `${method} ${path} ${JSON.stringify(r.body).slice(0, 200)}`).toBe(200);
  return r.body;
}

const norm = (s: unknown): string | null => (typeof s === 'string' ? new Date(s).toISOString() : null);
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const canon = (rows: readonly Json[]): string[] => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))))).sort();

/** A perfect client written from the spec, independent of the collector: max page sizes, cursors, `links.next`. */
async function crawl(sim: Simulator, org: string): Promise<{ tables: Record<string, Json[]>; requests: number }> {
  let requests = 0;
  const get = async (path: string) => {
    requests++;
    return ok(sim, 'GET', path);
  };
  const post = async (path: string, body: Json) => {
    requests++;
    return ok(sim, 'POST', path, body);
  };
  const v1All = async (path: string): Promise<Json[]> => {
    const out: Json[] = [];
    for (let p = await get(path); ; ) {
      out.push(...p.data);
      if (!p.links?.next) return out;
      p = await get(new URL(p.links.next).pathname + new URL(p.links.next).search);
    }
  };
  const v2Search = async (path: string, body: Json): Promise<Json[]> => {
    const out: Json[] = [];
    for (let cursor: string | undefined; ; ) {
      const p = await post(path, { ...body, limit: 100, ...(cursor ? { cursor } : {}) });
      out.push(...p.data);
      cursor = p.links?.next;
      if (!cursor) return out;
    }
  };
  const t: Record<string, Json[]> = {};
  const o = (await get(`/admin/v1/orgs/${org}`)) as unknown as { data: { id: string; attributes: { name: string } } };
  t.admin_orgs = [{ org_id: o.data.id, name: o.data.attributes.name }];
  const dirs = await get(`/admin/v2/orgs/${org}/directories?limit=100`);
  t.admin_directories = dirs.data.map((d) => ({ directory_id: d.directoryId, name: d.name }));
  t.admin_domains = (await v1All(`/admin/v1/orgs/${org}/domains`)).map((d) => {
    const a = d.attributes as { name?: string; claim?: { type?: string; status?: string } };
    return { domain_id: d.id, name: a.name ?? null, claim_type: a.claim?.type ?? null, claim_status: a.claim?.status ?? null };
  });
  const ws = await post(`/admin/v2/orgs/${org}/workspaces`, { limit: 1000 });
  expect(ws.links?.next).toBeUndefined();
  t.admin_workspaces = ws.data.map((w) => {
    const a = w.attributes as Json;
    const m = /^ari:cloud:[^:]+::site\/(.+)$/.exec(String(w.id));
    return { workspace_id: w.id, cloud_id: m?.[1] ?? null, name: s(a.name), type: s(a.type), type_key: s(a.typeKey), host_url: s(a.hostUrl), status: s(a.status), created_at: norm(a.createdAt) };
  });
  const policies = await v1All(`/admin/v1/orgs/${org}/policies`);
  t.admin_policies = policies.map((p) => {
    const a = p.attributes as { name?: string; type: string; status?: string; rule?: { in: string[] } };
    return { policy_id: p.id, name: a.name ?? null, type: a.type, status: a.status ?? null, rule_in: a.rule?.in ?? [] };
  });
  t.admin_policy_resources = policies.flatMap((p) =>
    ((p.attributes as { resources?: { id: string; applicationStatus: string }[] }).resources ?? []).map((r) => ({ policy_id: p.id, resource_id: r.id, application_status: r.applicationStatus })),
  );
  const groups = await v2Search(`/admin/v2/orgs/${org}/directories/-/groups/search`, { expand: ['counts.users', 'counts.resources'] });
  t.admin_groups = groups.map((g) => {
    const c = g.counts as { users: number; resources: number };
    return { group_id: g.id, name: g.name, description: s(g.description), directory_id: g.directoryId, managed_by: g.managedBy, synced: g.externalSynced, member_count: c.users, resource_count: c.resources };
  });
  t.admin_group_role_assignments = [];
  // A group counting no resources has no role assignment to ask for (checked in 'counts.resources' below).
  for (const g of groups.filter((x) => (x.counts as { resources: number }).resources > 0)) {
    for (let path = `/admin/v2/orgs/${org}/directories/-/groups/${String(g.id)}/role-assignments?limit=100`; ; ) {
      requests++;
      const r = await call<Page>(sim, 'GET', path);
      if (r.status === 404) break;
      expect(r.status).toBe(200);
      for (const a of r.body.data) {
        const roles = a.roles as string[];
        const base = { group_id: g.id, resource_id: a.resourceId, resource_owner: a.resourceOwner, cloud_id: /::site\/(.+)$/.exec(String(a.resourceId))?.[1] ?? null, default_role: a.defaultRole ?? null };
        if (!roles.length) t.admin_group_role_assignments.push({ ...base, role: null });
        for (const role of roles) t.admin_group_role_assignments.push({ ...base, role });
      }
      if (!r.body.links?.next) break;
      path = `/admin/v2/orgs/${org}/directories/-/groups/${String(g.id)}/role-assignments?cursor=${r.body.links.next}`;
    }
  }
  const users = await v2Search(`/admin/v2/orgs/${org}/directories/-/users/search`, { expand: ['groups', 'productAccess', 'platformRoles'] });
  t.admin_users = [];
  t.admin_user_product_access = [];
  t.admin_group_members = [];
  t.admin_api_tokens = [];
  for (const u of users) {
    const access = u.productAccess as { id: string; key: string; lastActiveTimestamp?: string }[];
    const times = access.map((p) => norm(p.lastActiveTimestamp)).filter((x): x is string => x !== null).sort();
    t.admin_users.push({
      account_id: u.accountId,
      account_type: u.accountType,
      account_status: u.accountStatus,
      membership_status: u.membershipStatus,
      status: u.status,
      claim_status: u.claimStatus,
      management_source: s(u.managementSource),
      email: s(u.email),
      email_verified: u.emailVerified,
      name: u.name,
      nickname: s(u.nickname),
      mfa_enabled: u.mfaEnabled ?? null,
      added_to_org: norm(u.addedToOrg),
      last_active: times.pop() ?? null,
      platform_roles: u.platformRoles,
    });
    for (const p of access) {
      t.admin_user_product_access.push({ account_id: u.accountId, product_key: p.key, resource_id: p.id, cloud_id: /::site\/(.+)$/.exec(p.id)?.[1] ?? null, last_active: norm(p.lastActiveTimestamp) });
    }
    for (const g of u.groups as { id: string; name: string }[]) t.admin_group_members.push({ group_id: g.id.replace('ari:cloud:identity::group/', ''), account_id: u.accountId, group_name: g.name });
  }
  // API Access lists: server-set page size, `links.next` a bare cursor (tokens, credentials) or a URL (service accounts).
  const access = async (path: string, field: 'data' | 'items'): Promise<Json[]> => {
    const out: Json[] = [];
    let url = path;
    for (;;) {
      requests++;
      const r = await call<Json & { links?: { next?: string } }>(sim, 'GET', url);
      expect(r.status, url).toBe(200);
      out.push(...(r.body[field] as Json[]));
      const next = r.body.links?.next;
      if (!next) return out;
      url = next.startsWith('http') ? new URL(next).pathname + new URL(next).search : `${path}?cursor=${next}`;
    }
  };
  const A = `/admin/api-access/v1/orgs/${org}`;
  for (const k of await access(`${A}/api-tokens`, 'data')) {
    const user = k.user as Json;
    t.admin_api_tokens.push({ account_id: user.id, token_id: k.id, label: k.label, created_at: norm(k.createdAt), last_access: norm(k.lastActiveAt), expires_at: norm(k.expiresAt), status: k.status, source: 'org-listing' });
  }
  t.admin_service_accounts = [];
  t.admin_service_account_api_tokens = [];
  t.admin_service_account_oauth_clients = [];
  const ms = (v: unknown): string | null => (typeof v === 'number' ? new Date(v).toISOString() : norm(v));
  for (const a of await access(`${A}/service-accounts`, 'items')) {
    t.admin_service_accounts.push({ service_account_id: a.id, account_id: a.atlassianId, email: a.email, display_name: a.displayName, status: a.status, description: s(a.description), created_by_id: a.createdById, updated_at: ms(a.updatedAt) });
    for (const k of await access(`${A}/service-accounts/${String(a.id)}/api-tokens`, 'data')) {
      t.admin_service_account_api_tokens.push({ service_account_id: a.id, token_id: k.id, label: k.label, status: k.status, created_at: norm(k.createdAt), last_access: norm(k.lastActiveAt), expires_at: norm(k.expiresAt) });
    }
    for (const c of await access(`${A}/service-accounts/${String(a.id)}/oauth-clients`, 'data')) {
      t.admin_service_account_oauth_clients.push({ service_account_id: a.id, client_id: c.clientId, name: c.name, status: c.status, created_at: ms(c.createdAt), updated_at: ms(c.updatedAt) });
    }
  }
  // The audit log: one page (this tenant logs nothing; its rows are tested in test/integration/audit-trail.test.ts).
  await get(`/admin/v1/orgs/${org}/events?limit=500`);
  return { tables: t, requests };
}

describe('organization over HTTP', () => {
  let tenant: AdminSim;
  let sim: Simulator;
  let org: string;
  beforeAll(async () => {
    tenant = adminTenant({ seed: 5, users: 430, groups: 215, memberships: 2600, domains: 7, policies: 5, vanishingUsers: 2, vanishingGroups: 2, v1PageSize: 3, accessPageSize: 3, serviceAccounts: 5 });
    org = tenant.model.orgId;
    sim = await startSimulator({ seed: 5, products: [tenant] });
  });
  afterAll(async () => sim.close());

  it('a perfect client reads exactly the ground truth in exactly minimumRequests', async () => {
    const { tables, requests } = await crawl(sim, org);
    const truth = tenant.groundTruth();
    for (const [name, rows] of Object.entries(truth)) expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
    expect(requests).toBe(tenant.minimumRequests());
  });

  it('auth: the org API key as Bearer only; 401 is a ProxyError', async () => {
    const basic = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
    for (const auth of [basic, 'Bearer nope', '']) {
      const r = await call(sim, 'GET', `/admin/v1/orgs/${org}`, undefined, auth);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ code: 401, message: expect.any(String) as unknown });
    }
    expect((await call(sim, 'GET', `/admin/v1/orgs/00000000-0000-4000-8000-000000000000`)).body).toMatchObject({ errors: [{ code: 'ADMIN-404-2', status: '404' }] });
  });

  it('users/search: default 50, maximum 100, bare cursor in links.next, absent at the end; 400s', async () => {
    const path = `/admin/v2/orgs/${org}/directories/-/users/search`;
    const first = await ok(sim, 'POST', path, {});
    expect(first.data.length).toBe(50);
    expect(first.links?.next).toMatch(/^[A-Za-z0-9_-]+$/);
    const pages: Page[] = [];
    for (let cursor: string | undefined, p: Page; ; ) {
      p = await ok(sim, 'POST', path, { limit: 100, ...(cursor ? { cursor } : {}) });
      pages.push(p);
      cursor = p.links?.next;
      if (!cursor) break;
    }
    expect(pages.map((p) => p.data.length)).toEqual([100, 100, 100, 100, 30]);
    for (const bad of [{ limit: 101 }, { limit: 0 }, { cursor: 'bogus' }, { searchTerm: 'a', emails: ['a@b.c'] }, { expand: ['everything'] }, { groupIds: Array.from({ length: 11 }, (_, i) => `g${i}`) }]) {
      const r = await call<{ errors: { code: string }[] }>(sim, 'POST', path, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.errors[0]?.code).toMatch(/^ADMIN-400-/);
    }
    expect((await call(sim, 'POST', `/admin/v2/orgs/${org}/directories/nope/users/search`, {})).status).toBe(404);
    // The deprecated GET twin is not served: nothing may depend on it.
    expect((await call(sim, 'GET', `/admin/v2/orgs/${org}/directories/-/users`)).status).toBe(404);
  });

  it('users carry the odd cases a real org has', async () => {
    const path = `/admin/v2/orgs/${org}/directories/-/users/search`;
    const all: Json[] = [];
    for (let cursor: string | undefined; ; ) {
      const p = await ok(sim, 'POST', path, { limit: 100, expand: ['groups', 'productAccess', 'platformRoles'], ...(cursor ? { cursor } : {}) });
      all.push(...p.data);
      cursor = p.links?.next;
      if (!cursor) break;
    }
    const statuses = new Set(all.map((u) => u.status));
    expect(statuses).toEqual(new Set(['active', 'suspended', 'not_invited', 'deactivated', 'for_deletion']));
    expect(new Set(all.map((u) => u.accountStatus))).toEqual(new Set(['active', 'inactive', 'closed']));
    expect(all.some((u) => u.claimStatus === 'unmanaged' && !('email' in u) && !('mfaEnabled' in u))).toBe(true);
    expect(all.some((u) => u.claimStatus === 'managed' && u.managementSource === null)).toBe(true);
    expect(all.some((u) => /[^\u0000-\u007f]/.test(String(u.name)))).toBe(true);
    expect(all.some((u) => !('nickname' in u))).toBe(true);
    expect(all.some((u) => (u.platformRoles as string[]).includes('atlassian/org-admin'))).toBe(true);
    const access = all.flatMap((u) => u.productAccess as { id: string; key: string; lastActiveTimestamp?: string }[]);
    expect(access.some((p) => /\.\d{9}Z$/.test(p.lastActiveTimestamp ?? ''))).toBe(true);
    expect(access.some((p) => p.lastActiveTimestamp === undefined)).toBe(true);
    expect(new Set(access.map((p) => p.key))).toEqual(new Set(['jira', 'confluence', 'bitbucket']));
    const memberships = all.flatMap((u) => u.groups as { id: string; description: string | null }[]);
    expect(memberships.every((g) => g.id.startsWith('ari:cloud:identity::group/'))).toBe(true);
    expect(memberships.some((g) => g.description === null)).toBe(true);
    expect(new Set(all.map((u) => u.accountId)).size).toBe(430);
  });

  it('users/search filters: groupIds (bare or ARI) pages through a big group; claimStatus; status; emails', async () => {
    const path = `/admin/v2/orgs/${org}/directories/-/users/search`;
    const big = tenant.model.groups.reduce((a, g) => (g.members.length > a.members.length ? g : a));
    expect(big.members.length).toBeGreaterThan(200);
    for (const id of [big.id, `ari:cloud:identity::group/${big.id}`]) {
      let n = 0;
      let pages = 0;
      for (let cursor: string | undefined; ; ) {
        const p = await ok(sim, 'POST', path, { limit: 100, groupIds: [id], ...(cursor ? { cursor } : {}) });
        n += p.data.length;
        pages++;
        cursor = p.links?.next;
        if (!cursor) break;
      }
      expect(n).toBe(big.members.length);
      expect(pages).toBe(Math.ceil(big.members.length / 100));
    }
    const managed = await ok(sim, 'POST', path, { limit: 100, claimStatus: 'managed', status: ['suspended'] });
    expect(managed.data.length).toBeGreaterThan(0);
    expect(managed.data.every((u) => u.claimStatus === 'managed' && u.status === 'suspended')).toBe(true);
    const one = await ok(sim, 'POST', path, { emails: ['ORG-ADMIN@acme.example'] });
    expect(one.data.map((u) => u.name)).toEqual(['Org Admin Collector']);
  });

  it('groups/search: default 20, maximum 100, counts only with expand; empty groups exist', async () => {
    const path = `/admin/v2/orgs/${org}/directories/-/groups/search`;
    const first = await ok(sim, 'POST', path, {});
    expect(first.data.length).toBe(20);
    expect(first.data[0]?.counts).toBeUndefined();
    const sizes: number[] = [];
    const all: Json[] = [];
    for (let cursor: string | undefined; ; ) {
      const p = await ok(sim, 'POST', path, { limit: 100, expand: ['counts.users'], ...(cursor ? { cursor } : {}) });
      sizes.push(p.data.length);
      all.push(...p.data);
      cursor = p.links?.next;
      if (!cursor) break;
    }
    expect(sizes).toEqual([100, 100, 15]);
    expect(all.some((g) => (g.counts as { users: number }).users === 0)).toBe(true);
    expect(all.some((g) => g.externalSynced === true && g.managedBy === 'external')).toBe(true);
    expect(all.some((g) => !('description' in g))).toBe(true);
    expect(all.every((g) => /^[0-9a-f-]{36}$/.test(String(g.id)))).toBe(true);
    expect((await call(sim, 'POST', path, { limit: 500 })).status).toBe(400);
    const named = await ok(sim, 'POST', path, { groupNames: ['EMPTY-GROUP'] });
    expect(named.data.map((g) => g.name)).toEqual(['empty-group']);
  });

  it('groups/search counts.resources is the number of resources in the group\'s role assignments; 0 where there is none', async () => {
    const search = `/admin/v2/orgs/${org}/directories/-/groups/search`;
    const groups: Json[] = [];
    for (let cursor: string | undefined; ; ) {
      const p = await ok(sim, 'POST', search, { limit: 100, expand: ['counts.resources'], ...(cursor ? { cursor } : {}) });
      groups.push(...p.data);
      cursor = p.links?.next;
      if (!cursor) break;
    }
    const vanishing = new Set(tenant.model.groups.filter((g) => g.vanishing).map((g) => g.id));
    let zero = 0;
    for (const g of groups.filter((x) => !vanishing.has(String(x.id)))) {
      const page = await ok(sim, 'GET', `/admin/v2/orgs/${org}/directories/-/groups/${String(g.id)}/role-assignments?limit=100`);
      const resources = new Set(page.data.map((a) => a.resourceId)).size;
      expect((g.counts as { resources: number }).resources, String(g.name)).toBe(resources);
      if (resources === 0) zero++;
    }
    expect(zero).toBeGreaterThan(0);
  });

  it('group role-assignments: GET, default 20, cursor discards other parameters, 404 for a deleted group', async () => {
    const g0 = tenant.model.groups[0];
    expect(g0?.roleAssignments.length).toBe(5);
    const base = `/admin/v2/orgs/${org}/directories/-/groups/${g0?.id ?? ''}/role-assignments`;
    const p1 = await ok(sim, 'GET', `${base}?limit=2`);
    expect(p1.data.length).toBe(2);
    const p2 = await ok(sim, 'GET', `${base}?cursor=${p1.links?.next ?? ''}&limit=100&roleIds=atlassian/guest`);
    expect(p2.data.length).toBe(2);
    const p3 = await ok(sim, 'GET', `${base}?cursor=${p2.links?.next ?? ''}`);
    expect(p3.data.length).toBe(1);
    expect(p3.links?.next).toBeUndefined();
    expect(p1.data[0]).toEqual({ resourceId: expect.stringMatching(/^ari:cloud:jira::site\//) as unknown, resourceOwner: 'jira-software', roles: ['atlassian/admin', 'atlassian/user'], defaultRole: 'atlassian/user' });
    const guests = await ok(sim, 'GET', `${base.replace(g0?.id ?? '', tenant.model.groups[2]?.id ?? '')}?roleIds=atlassian/guest`);
    expect(guests.data.map((a) => a.roles)).toEqual([['atlassian/user', 'atlassian/guest']]);
    for (const g of tenant.model.groups.filter((x) => x.vanishing)) {
      expect(await call(sim, 'GET', `/admin/v2/orgs/${org}/directories/-/groups/${g.id}/role-assignments`)).toMatchObject({ status: 404, body: { errors: [{ code: 'ADMIN-404-10' }] } });
    }
    expect((await call(sim, 'GET', `${base}?limit=101`)).status).toBe(400);
  });

  it('v1 lists (domains, policies): server-set page size, links.next a full URL, 400 on a bad cursor', async () => {
    const first = await ok(sim, 'GET', `/admin/v1/orgs/${org}/domains`);
    expect(first.data.length).toBe(3);
    expect(first.links?.next).toMatch(new RegExp(`^${sim.url}/admin/v1/orgs/${org}/domains\\?cursor=`));
    const second = await ok(sim, 'GET', new URL(first.links?.next ?? '').pathname + new URL(first.links?.next ?? '').search);
    const domains = [...first.data, ...second.data];
    expect(domains.some((d) => (d.attributes as Json).claim === undefined)).toBe(true);
    expect(domains.some((d) => /[^\u0000-\u007f]/.test(String((d.attributes as Json).name)))).toBe(true);
    const bad = await call<{ errors: { code: string }[] }>(sim, 'GET', `/admin/v1/orgs/${org}/domains?cursor=xyz`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.code).toBe('ADMIN-400-1');
    const pol = await ok(sim, 'GET', `/admin/v1/orgs/${org}/policies`);
    expect(pol.meta).toMatchObject({ page_size: 3, next: expect.any(String) as unknown });
    const types = (await ok(sim, 'GET', `/admin/v1/orgs/${org}/policies?type=ip-allowlist`)).data.map((p) => (p.attributes as Json).type);
    expect(new Set(types)).toEqual(new Set(['ip-allowlist']));
  });

  it('workspaces: limit up to 1000, a cursor must come alone, links.next carries it', async () => {
    const path = `/admin/v2/orgs/${org}/workspaces`;
    const p1 = await ok(sim, 'POST', path, { limit: 2 });
    expect(p1.data.length).toBe(2);
    expect(p1.meta).toMatchObject({ pageSize: 2, startIndex: 0, total: 5 });
    const cursor = new URL(p1.links?.next ?? '').searchParams.get('cursor');
    expect(cursor).toBeTruthy();
    expect((await call(sim, 'POST', path, { cursor, limit: 2 })).status).toBe(400);
    const p2 = await ok(sim, 'POST', path, { cursor });
    expect(p2.data.map((w) => w.id)).not.toContain(p1.data[0]?.id);
    expect((await call(sim, 'POST', path, { limit: 1001 })).status).toBe(400);
    const all = await ok(sim, 'POST', path, { limit: 1000 });
    expect(all.data.some((w) => (w.attributes as Json).hostUrl === null)).toBe(true);
  });

  it('api-tokens: unpaged array; 404 for a vanished or closed account, 403 for an unmanaged one', async () => {
    const m = tenant.model;
    const id = (i: number) => encodeURIComponent(m.users.accountId(i));
    const tokens = await ok<Json[]>(sim, 'GET', `/users/${id(2)}/manage/api-tokens`);
    expect(tokens.length).toBe(12);
    expect(tokens.some((t) => t.expiry === undefined)).toBe(true);
    expect(tokens.some((t) => t.lastAccess === undefined)).toBe(true);
    for (const v of m.vanishing) expect(await call(sim, 'GET', `/users/${id(v)}/manage/api-tokens`)).toEqual({ status: 404, body: { key: 'accountNotFound' } });
    expect((await call(sim, 'GET', `/users/${id(6)}/manage/api-tokens`)).status).toBe(404);
    expect(await call(sim, 'GET', `/users/${id(1)}/manage/api-tokens`)).toEqual({ status: 403, body: { key: 'forbidden.targetUnverified' } });
  });

  it('forbidden endpoints answer 403 with the body their spec documents', async () => {
    const t = adminTenant({ seed: 5, users: 20, forbidden: ['users', 'domains', 'api-tokens'] });
    const s2 = await startSimulator({ products: [t] });
    try {
      const o = t.model.orgId;
      expect(await call(s2, 'POST', `/admin/v2/orgs/${o}/directories/-/users/search`, {})).toMatchObject({ status: 403, body: { errors: [{ code: 'ADMIN-403-3' }] } });
      expect(await call(s2, 'GET', `/admin/v1/orgs/${o}/domains`)).toMatchObject({ status: 403, body: { status: 403, error: 'Forbidden' } });
      expect(await call(s2, 'GET', `/users/${encodeURIComponent(t.model.users.accountId(0))}/manage/api-tokens`)).toEqual({ status: 403, body: { key: 'forbidden' } });
      expect((await call(s2, 'POST', `/admin/v2/orgs/${o}/directories/-/groups/search`, {})).status).toBe(200);
    } finally {
      await s2.close();
    }
  });
});

describe('model', () => {
  it('is deterministic per seed', () => {
    const a = JSON.stringify(adminTenant({ seed: 21 }).groundTruth());
    expect(JSON.stringify(adminTenant({ seed: 21 }).groundTruth())).toBe(a);
    expect(JSON.stringify(adminTenant({ seed: 22 }).groundTruth())).not.toBe(a);
  });

  it('defaults match the options documentation', () => {
    const d = adminTenant();
    expect(d.model.users.count).toBe(300);
    expect(d.model.groups.length).toBe(30);
    expect(d.model.directories.length).toBe(2);
    expect(d.model.domains.length).toBe(5);
    expect(d.model.workspaces.length).toBe(5);
    expect(d.model.policies.length).toBe(4);
    expect(d.model.membershipCount).toBe(1200);
    expect(d.model.groups.some((g) => g.members.length === 0)).toBe(true);
  });

  it('generates 200,000 users / 3,000 groups / 1,000,000 memberships exactly as asked', () => {
    const big = adminTenant({ users: 200_000, groups: 3_000, memberships: 1_000_000 });
    expect(big.model.membershipCount).toBe(1_000_000);
    // 2,000 user pages + 30 group pages + a role-assignment request per group with resources (4 sites'
    // workspaces, each assigned to a group at 20 %: about 0.8^4 = 41 % of the groups have none) + 5 + 9 for
    // the 4 service accounts + one page of audit events + the organization token listing's pages (100 a page) ...
    const withResources = big.model.groups.filter((g) => g.resources > 0).length;
    expect(withResources).toBeGreaterThan(1_500);
    expect(withResources).toBeLessThan(2_000);
    expect(big.minimumRequests({ apiTokens: 'none' })).toBe(2_000 + 30 + withResources + 5 + 9 + 1);
    expect(big.minimumRequests()).toBeLessThan(5_000);
  });
});
