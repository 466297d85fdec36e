import { createHash } from 'node:crypto';
/**
 * The Bitbucket product against the spec (bitbucket-2.0.json) over real HTTP: style B paging (pagelen,
 * opaque next, list- and iterator-based pages), shapes, error bodies, 401/403/404, the OAuth token
 * endpoint, scopes, access tokens, the repository budget; ground truth equals what a perfect client reads
 * in exactly minimumRequests() requests; determinism; generation speed.
 */
import { describe, expect, it } from 'vitest';
import { bitbucketTenant, DEFAULT_BITBUCKET_CONSUMER, startSimulator, type Simulator } from '../../simulator/index.ts';
import { canon, expectSeededResponses, expectTruthThroughFaults, simulatorForBlock } from '../support/simulator-checks.ts';

const ADMIN = `Basic ${Buffer.from('collector@example.com:sim-api-token').toString('base64')}`;
const VIEWER = `Basic ${Buffer.from('viewer@example.com:sim-viewer-token').toString('base64')}`;

type Json = Record<string, unknown>;
interface Page<T = Json> {
  pagelen: number;
  size?: number;
  page?: number;
  next?: string;
  previous?: string;
  values: T[];
}

async function get<T>(sim: Simulator, path: string, authorization: string | null = ADMIN): Promise<{ status: number; body: T; headers: Headers }> {
  const url = /^https?:/.test(path) ? path : `${sim.url}${path}`;
  const res = await fetch(url, { headers: authorization ? { authorization } : {} });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

async function ok<T>(sim: Simulator, path: string, authorization: string = ADMIN): Promise<T> {
  const r = await get<T>(sim, path, authorization);
  expect(r.status, path).toBe(200);
  return r.body;
}

const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v));
const iso = (v: unknown): string | null => (typeof v === 'string' ? new Date(v).toISOString() : null);

/** Retries 429, 5xx, resets, timeouts and unparseable bodies. */
async function retrying<T>(url: string): Promise<{ status: number; body: T }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { headers: { authorization: ADMIN }, signal: AbortSignal.timeout(150) });
      const text = await res.text();
      if (res.status !== 429 && res.status < 500) return { status: res.status, body: JSON.parse(text) as T };
    } catch (err) {
      if (attempt > 6) throw err;
    }
  }
}

/** A perfect client written from the spec: pagelen=100 once, then `next` as given until it is absent. */
async function crawl(sim: Simulator, retry = false): Promise<{ tables: Record<string, Json[]>; requests: number }> {
  let requests = 0;
  const call = async <T>(path: string): Promise<{ status: number; body: T }> => {
    requests++;
    const url = /^https?:/.test(path) ? path : `${sim.url}${path}`;
    return retry ? retrying<T>(url) : get<T>(sim, url);
  };
  const all = async (path: string): Promise<Json[] | null> => {
    const out: Json[] = [];
    let url: string | undefined = `${path}?pagelen=100`;
    while (url) {
      const { status, body }: { status: number; body: Page } = await call<Page>(url);
      if (status === 404) return null;
      expect(status, url).toBe(200);
      out.push(...body.values);
      url = body.next;
    }
    return out;
  };
  const t: Record<string, Json[]> = {
    bitbucket_workspaces: [],
    bitbucket_workspace_members: [],
    bitbucket_projects: [],
    bitbucket_project_permissions: [],
    bitbucket_repositories: [],
    bitbucket_repository_permissions: [],
    bitbucket_branch_restrictions: [],
    bitbucket_deploy_keys: [],
    bitbucket_webhooks: [],
    bitbucket_pipeline_variables: [],
  };
  // Non-human access: the fingerprint is computed here from the key blob, the URL stripped of query and user info.
  const keyRow = (k: Json, level: string, parentUuid: unknown, parentName: unknown, ws: Json) => {
    const [type, blob] = String(k.key).split(' ');
    const fp = `SHA256:${createHash('sha256').update(Buffer.from(blob ?? '', 'base64')).digest('base64').replace(/=+$/, '')}`;
    const by = (k.owner ?? k.created_by) as Json | undefined;
    return { level, parent_uuid: parentUuid, parent_name: parentName, ...ws, key_id: String(k.id), label: str(k.label), comment: str(k.comment), key_type: type, fingerprint: fp, added_on: iso(k.added_on ?? k.created_on), last_used: iso(k.last_used), created_by_account_id: str(by?.account_id) };
  };
  const hookRow = (h: Json, ws: Json, repo: Json | null) => {
    const u = new URL(String(h.url));
    return { webhook_uuid: h.uuid, level: repo ? 'repository' : 'workspace', ...ws, repository_uuid: repo?.uuid ?? null, repository_full_name: repo?.full_name ?? null, url_host: u.hostname, url: `${u.protocol}//${u.host}${u.pathname}`, description: str(h.description), active: h.active, events: h.events, secret_set: h.secret_set, created_at: iso(h.created_at) };
  };
  const variableRow = (v: Json, ws: Json, repo: Json | null, env: Json | null = null) => ({
    level: env ? 'deployment_environment' : repo ? 'repository' : 'workspace',
    owner_uuid: env?.uuid ?? repo?.uuid ?? ws.workspace_uuid,
    ...ws,
    repository_uuid: repo?.uuid ?? null,
    repository_full_name: repo?.full_name ?? null,
    environment_uuid: env?.uuid ?? null,
    environment_name: env?.name ?? null,
    variable_uuid: v.uuid,
    key: v.key,
    secured: v.secured,
  });
  const user = (u: Json) => ({ account_id: str(u.account_id), user_uuid: u.uuid, display_name: str(u.display_name), group_slug: null, group_name: null });
  const group = (g: Json) => ({ account_id: null, user_uuid: null, display_name: null, group_slug: g.slug, group_name: g.name });
  for (const access of (await all('/2.0/user/workspaces')) ?? []) {
    const slug = String((access.workspace as Json).slug);
    const w = (await call<Json>(`/2.0/workspaces/${slug}`)).body;
    const ws = { workspace_uuid: w.uuid, workspace_slug: w.slug };
    t.bitbucket_workspaces?.push({ workspace_uuid: w.uuid, slug: w.slug, name: w.name, is_private: w.is_private, is_privacy_enforced: w.is_privacy_enforced, forking_mode: w.forking_mode, created_on: iso(w.created_on) });
    for (const m of (await all(`/2.0/workspaces/${slug}/permissions`)) ?? []) {
      const u = m.user as Json;
      t.bitbucket_workspace_members?.push({ ...ws, account_id: str(u.account_id), user_uuid: u.uuid, display_name: str(u.display_name), nickname: str(u.nickname), account_status: str(u.account_status), permission: str(m.permission), added_on: iso(m.added_on), last_accessed: iso(m.last_accessed) });
    }
    for (const p of (await all(`/2.0/workspaces/${slug}/projects`)) ?? []) {
      t.bitbucket_projects?.push({ project_uuid: p.uuid, ...ws, project_key: p.key, name: p.name, is_private: p.is_private, has_publicly_visible_repos: p.has_publicly_visible_repos });
      const base = { project_uuid: p.uuid, project_key: p.key, ...ws };
      const users = await all(`/2.0/workspaces/${slug}/projects/${String(p.key)}/permissions-config/users`);
      if (users === null) continue;
      for (const g of users) t.bitbucket_project_permissions?.push({ ...base, principal_type: 'user', ...user(g.user as Json), permission: g.permission });
      for (const g of (await all(`/2.0/workspaces/${slug}/projects/${String(p.key)}/permissions-config/groups`)) ?? []) {
        t.bitbucket_project_permissions?.push({ ...base, principal_type: 'group', ...group(g.group as Json), permission: g.permission });
      }
      for (const k of (await all(`/2.0/workspaces/${slug}/projects/${String(p.key)}/deploy-keys`)) ?? []) t.bitbucket_deploy_keys?.push(keyRow(k, 'project', p.uuid, p.key, ws));
    }
    for (const r of (await all(`/2.0/repositories/${slug}`)) ?? []) {
      const project = r.project as Json | undefined;
      t.bitbucket_repositories?.push({
        repository_uuid: r.uuid,
        ...ws,
        full_name: r.full_name,
        slug: r.slug,
        name: r.name,
        is_private: r.is_private,
        project_uuid: str(project?.uuid),
        project_key: str(project?.key),
        fork_policy: str(r.fork_policy),
        mainbranch: str((r.mainbranch as Json | undefined)?.name),
        parent_full_name: str((r.parent as Json | undefined)?.full_name),
      });
      const id = encodeURIComponent(String(r.uuid));
      const base = { repository_uuid: r.uuid, repository_full_name: r.full_name, ...ws };
      const users = await all(`/2.0/repositories/${slug}/${id}/permissions-config/users`);
      if (users === null) continue;
      for (const g of users) t.bitbucket_repository_permissions?.push({ ...base, principal_type: 'user', ...user(g.user as Json), permission: g.permission });
      for (const g of (await all(`/2.0/repositories/${slug}/${id}/permissions-config/groups`)) ?? []) {
        t.bitbucket_repository_permissions?.push({ ...base, principal_type: 'group', ...group(g.group as Json), permission: g.permission });
      }
      for (const b of (await all(`/2.0/repositories/${slug}/${id}/branch-restrictions`)) ?? []) {
        const us = b.users as Json[];
        t.bitbucket_branch_restrictions?.push({
          ...base,
          restriction_id: String(b.id),
          kind: b.kind,
          branch_match_kind: b.branch_match_kind,
          pattern: str(b.pattern),
          branch_type: str(b.branch_type),
          value: b.value ?? null,
          exempt_user_uuids: us.map((u) => u.uuid),
          exempt_user_account_ids: us.filter((u) => u.account_id).map((u) => u.account_id),
          exempt_group_slugs: (b.groups as Json[]).map((g) => g.slug),
        });
      }
      for (const k of (await all(`/2.0/repositories/${slug}/${id}/deploy-keys`)) ?? []) t.bitbucket_deploy_keys?.push(keyRow(k, 'repository', r.uuid, r.full_name, ws));
      for (const h of (await all(`/2.0/repositories/${slug}/${id}/hooks`)) ?? []) t.bitbucket_webhooks?.push(hookRow(h, ws, r));
      for (const v of (await all(`/2.0/repositories/${slug}/${id}/pipelines_config/variables`)) ?? []) t.bitbucket_pipeline_variables?.push(variableRow(v, ws, r));
      for (const e of (await all(`/2.0/repositories/${slug}/${id}/environments`)) ?? []) {
        const envVars = await all(`/2.0/repositories/${slug}/${id}/deployments_config/environments/${encodeURIComponent(String(e.uuid))}/variables`);
        for (const v of envVars ?? []) t.bitbucket_pipeline_variables?.push(variableRow(v, ws, r, e));
      }
    }
    for (const h of (await all(`/2.0/workspaces/${slug}/hooks`)) ?? []) t.bitbucket_webhooks?.push(hookRow(h, ws, null));
    for (const v of (await all(`/2.0/workspaces/${slug}/pipelines-config/variables`)) ?? []) t.bitbucket_pipeline_variables?.push(variableRow(v, ws, null));
  }
  return { tables: t, requests };
}

describe('Bitbucket tenant over HTTP', () => {
  const bb = bitbucketTenant({ seed: 5, workspaces: 3, users: 200, projects: 4, repositories: 30, vanishingRepositories: 2, vanishingProjects: 1 });
  const sim = simulatorForBlock({ seed: 5, products: [bb] });

  it('style B paging: pagelen default 10, clamped to 10..100, list-based pages with size/page/previous, next keeps the query', async () => {
    const first = await ok<Page>(sim, '/2.0/workspaces/acme/permissions');
    const members = bb.model.workspaces[0]?.members.length ?? 0;
    expect(members).toBeGreaterThan(100);
    expect(first).toMatchObject({ pagelen: 10, size: members, page: 1 });
    expect(first.values.length).toBe(10);
    expect(first.previous).toBeUndefined();
    const big = await ok<Page>(sim, '/2.0/workspaces/acme/permissions?pagelen=500');
    expect(big.pagelen).toBe(100);
    expect(big.values.length).toBe(100);
    expect((await ok<Page>(sim, '/2.0/workspaces/acme/permissions?pagelen=3')).pagelen).toBe(10);
    const next = new URL(big.next ?? '');
    expect(next.origin).toBe(sim.url);
    expect(Object.fromEntries(next.searchParams)).toEqual({ pagelen: '500', page: '2' });
    const second = await ok<Page>(sim, big.next ?? '');
    expect(second.page).toBe(2);
    expect(second.previous).toBeDefined();
    expect(second.next).toBeUndefined();
    expect(second.values.length).toBe(members - 100);
    const bad = await get<Json>(sim, '/2.0/workspaces/acme/permissions?pagelen=abc');
    expect(bad).toMatchObject({ status: 400, body: { type: 'error', error: { message: "Invalid pagelen: 'abc'" } } });
    const owners = await ok<Page<{ permission: string }>>(sim, '/2.0/workspaces/acme/permissions?pagelen=100&q=permission%3D%22owner%22');
    expect(owners.values.length).toBeGreaterThan(0);
    expect(owners.values.every((m) => m.permission === 'owner')).toBe(true);
  });

  it('branch restrictions page iterator-style: no size or page, an opaque next that a client cannot build', async () => {
    const repo = bb.model.workspaces[0]?.repositories[1];
    expect(repo?.restrictions.length).toBe(104);
    const page = await ok<Page<Json>>(sim, `/2.0/repositories/acme/${repo?.slug ?? ''}/branch-restrictions?pagelen=100`);
    expect(page.size).toBeUndefined();
    expect(page.page).toBeUndefined();
    const cursor = new URL(page.next ?? '').searchParams.get('cursor') ?? '';
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toMatch(/^\d+$/);
    const tail = await ok<Page<Json>>(sim, page.next ?? '');
    expect(tail.values.length).toBe(4);
    expect(tail.next).toBeUndefined();
    expect((await get(sim, `/2.0/repositories/acme/${repo?.slug ?? ''}/branch-restrictions?cursor=MTA6MDAwMDAwMDA`)).status).toBe(400);
    const kinds = new Set(page.values.map((b) => b.kind));
    expect(kinds.size).toBeGreaterThan(5);
    const byModel = page.values.find((b) => b.branch_match_kind === 'branching_model');
    expect(byModel).toMatchObject({ pattern: '', branch_type: expect.any(String) as unknown });
    expect(page.values.some((b) => !('value' in b))).toBe(true);
    // The Bitbucket Cloud REST API types branchrestriction.value as an integer: absent, never null.
    expect(page.values.some((b) => 'value' in b && b.value === null)).toBe(false);
    expect(page.values.some((b) => (b.users as Json[]).some((u) => !('account_id' in u)))).toBe(true);
    const push = await ok<Page<Json>>(sim, `/2.0/repositories/acme/${repo?.slug ?? ''}/branch-restrictions?pagelen=100&kind=push`);
    expect(push.values.every((b) => b.kind === 'push')).toBe(true);
  });

  it('workspaces: /user/workspaces gives workspace_base only; a workspace reads by slug or {uuid}; 404 body is the error schema', async () => {
    const access = await ok<Page<{ administrator: boolean; type: string; workspace: Json }>>(sim, '/2.0/user/workspaces?pagelen=100');
    expect(access.values.map((a) => a.workspace.slug)).toEqual(['acme', 'acme-platform', 'acme-sandbox']);
    expect(access.values.every((a) => a.type === 'workspace_access' && a.administrator === true && a.workspace.type === 'workspace_base' && !('name' in a.workspace))).toBe(true);
    expect((await ok<Page>(sim, '/2.0/user/workspaces?administrator=false')).values).toEqual([]);
    expect((await ok<Page<Json>>(sim, '/2.0/user/workspaces', VIEWER)).values.every((a) => a.administrator === false)).toBe(true);
    const w = bb.model.workspaces[1];
    const byUuid = await ok<Json>(sim, `/2.0/workspaces/${encodeURIComponent(w?.uuid ?? '')}`);
    expect(byUuid).toMatchObject({ type: 'workspace', slug: 'acme-platform', name: 'Acme Plattform — Ünïcode 🚀', is_private: false });
    expect(String(byUuid.uuid)).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(String(byUuid.created_on)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(await get(sim, '/2.0/workspaces/nope')).toMatchObject({ status: 404, body: { type: 'error', error: { message: "No workspace with identifier 'nope'." } } });
    expect(bb.model.workspaces[2]?.projects).toEqual([]);
    expect((await ok<Page>(sim, '/2.0/repositories/acme-sandbox?pagelen=100')).values).toEqual([]);
  });

  it('members: permission, added_on and last_accessed until administration moved to admin.atlassian.com; users without account_id', async () => {
    const moved = await ok<Page<Json>>(sim, '/2.0/workspaces/acme-platform/permissions?pagelen=100');
    expect(moved.values.every((m) => typeof m.permission === 'string' && !('added_on' in m) && !('last_accessed' in m))).toBe(true);
    const acme = await ok<Page<Json>>(sim, '/2.0/workspaces/acme/permissions?pagelen=100');
    expect(acme.values.every((m) => typeof m.added_on === 'string')).toBe(true);
    expect(acme.values.some((m) => !('last_accessed' in m))).toBe(true);
    expect(new Set(acme.values.map((m) => m.permission))).toEqual(new Set(['owner', 'collaborator', 'member']));
    const users = acme.values.map((m) => m.user as Json);
    expect(users.some((u) => !('account_id' in u) && !('nickname' in u))).toBe(true);
    expect(users.some((u) => /[^\u0000-\u007f]/.test(String(u.display_name)))).toBe(true);
    expect(users.some((u) => /^557058:[0-9a-f-]{36}$/.test(String(u.account_id)))).toBe(true);
    const plain = await ok<Page<Json>>(sim, '/2.0/workspaces/acme/members?pagelen=100');
    expect(plain.values.every((m) => !('permission' in m) && m.type === 'workspace_membership')).toBe(true);
  });

  it('repositories and grants: {uuid} addressing, private and public, empty and multi-page children, vanishing ones 404', async () => {
    const repos = await ok<Page<Json>>(sim, '/2.0/repositories/acme-platform?pagelen=100');
    expect(repos.values.some((r) => r.is_private === false)).toBe(true);
    expect(repos.values.some((r) => r.is_private === true)).toBe(true);
    const w0 = bb.model.workspaces[0];
    const [r0, , r2] = w0?.repositories ?? [];
    const users = await ok<Page<Json>>(sim, `/2.0/repositories/acme/${encodeURIComponent(r0?.uuid ?? '')}/permissions-config/users?pagelen=100`);
    expect(users.values.length).toBe(100);
    expect(users.next).toBeDefined();
    expect(users.values[0]).toMatchObject({ type: 'repository_user_permission', permission: expect.stringMatching(/^(read|write|admin)$/) as unknown });
    expect((await ok<Page>(sim, `/2.0/repositories/acme/${r2?.slug ?? ''}/permissions-config/users`)).values).toEqual([]);
    const groups = await ok<Page<Json>>(sim, `/2.0/repositories/acme/${r0?.slug ?? ''}/permissions-config/groups`);
    for (const g of groups.values) expect(Object.keys(g.group as Json).sort()).toEqual(['links', 'name', 'slug', 'type']);
    const pgroups = await ok<Page<Json>>(sim, `/2.0/workspaces/acme/projects/${w0?.projects[1]?.key ?? ''}/permissions-config/groups`);
    for (const g of pgroups.values) expect(String((g.group as Json).full_slug)).toBe(`acme:${String((g.group as Json).slug)}`);
    const vanishing = bb.model.workspaces.flatMap((w) => w.repositories.filter((r) => r.vanishing).map((r) => ({ w, r })));
    expect(vanishing.length).toBe(2);
    for (const { w, r } of vanishing) {
      const listed = await ok<Page<Json>>(sim, `/2.0/repositories/${w.slug}?pagelen=100`);
      expect(listed.values.map((x) => x.uuid)).toContain(r.uuid);
      for (const tail of ['permissions-config/users', 'permissions-config/groups', 'branch-restrictions']) {
        expect(await get(sim, `/2.0/repositories/${w.slug}/${encodeURIComponent(r.uuid)}/${tail}`)).toMatchObject({ status: 404, body: { type: 'error' } });
      }
    }
    const vp = bb.model.workspaces.flatMap((w) => w.projects.filter((p) => p.vanishing).map((p) => ({ w, p })));
    expect(vp.length).toBe(1);
    expect((await get(sim, `/2.0/workspaces/${vp[0]?.w.slug ?? ''}/projects/${vp[0]?.p.key ?? ''}/permissions-config/users`)).status).toBe(404);
  });

  it('401 without or with wrong credentials; a non-admin member gets the documented 403 on permission endpoints', async () => {
    const none = await get<Json>(sim, '/2.0/user/workspaces', null);
    expect(none).toMatchObject({ status: 401, body: { type: 'error', error: { message: expect.any(String) as unknown } } });
    expect((await get(sim, '/2.0/user/workspaces', 'Bearer nope')).status).toBe(401);
    const key = bb.model.workspaces[0]?.projects[1]?.key ?? '';
    const slug = bb.model.workspaces[0]?.repositories[0]?.slug ?? '';
    expect(await get(sim, `/2.0/workspaces/acme/projects/${key}/permissions-config/users`, VIEWER)).toMatchObject({ status: 403, body: { type: 'error', error: { message: "The user doesn't have admin access to the project." } } });
    expect(await get(sim, `/2.0/repositories/acme/${slug}/permissions-config/groups`, VIEWER)).toMatchObject({ status: 403, body: { error: { message: "The requesting user isn't an admin of the repository." } } });
    expect((await get(sim, `/2.0/repositories/acme/${slug}/branch-restrictions`, VIEWER)).status).toBe(403);
    expect((await get(sim, '/2.0/repositories/acme', VIEWER)).status).toBe(200);
    expect((await get(sim, '/2.0/workspaces/acme/permissions', VIEWER)).status).toBe(200);
  });

  it('ground truth equals what a perfect client reads, in exactly minimumRequests() requests', async () => {
    const { tables, requests } = await crawl(sim);
    const truth = bb.groundTruth();
    expect(Object.keys(tables).sort()).toEqual(Object.keys(truth).sort());
    for (const [name, rows] of Object.entries(truth)) expect(canon(tables[name] ?? []), name).toEqual(canon(rows));
    expect(requests).toBe(bb.minimumRequests());
    expect(truth.bitbucket_workspaces?.length).toBe(3);
    expect(truth.bitbucket_repositories?.length).toBe(60);
    expect(truth.bitbucket_branch_restrictions?.some((r) => (r.exempt_user_uuids as string[]).length > (r.exempt_user_account_ids as string[]).length)).toBe(true);
  });
});

describe('OAuth consumer, scopes, access tokens, repository budget', () => {
  const narrow = { key: 'narrow', secret: 'narrow-secret', scopes: ['account', 'project'] };
  const bb = bitbucketTenant({ seed: 8, workspaces: 1, users: 20, projects: 1, repositories: 3, oauthConsumers: [DEFAULT_BITBUCKET_CONSUMER, narrow], repositoryRateLimit: { limit: 5, windowMs: 60_000 } });
  const sim = simulatorForBlock({ seed: 8, products: [bb] });

  const token = async (form: Record<string, string>, key = DEFAULT_BITBUCKET_CONSUMER.key, secret = DEFAULT_BITBUCKET_CONSUMER.secret) => {
    const res = await fetch(`${sim.url}${bb.tokenPath}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('POST /site/oauth2/access_token: client credentials, refresh rotation, RFC 6749 errors', async () => {
    const first = await token({ grant_type: 'client_credentials' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, scopes: DEFAULT_BITBUCKET_CONSUMER.scopes.join(' '), access_token: expect.any(String) as unknown, refresh_token: expect.any(String) as unknown });
    expect((await get(sim, '/2.0/user/workspaces', `Bearer ${String(first.body.access_token)}`)).status).toBe(200);
    const second = await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await token({ grant_type: 'client_credentials' }, DEFAULT_BITBUCKET_CONSUMER.key, 'wrong')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await token({ grant_type: 'password' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(bb.issuedTokens()).toBe(2);
  });

  it("a token lacking an operation's scope gets 403 naming it; a workspace access token never reads permissions", async () => {
    const t = await token({ grant_type: 'client_credentials' }, narrow.key, narrow.secret);
    const bearer = `Bearer ${String(t.body.access_token)}`;
    // `project` implies `repository` (narrative "Bitbucket OAuth 2.0 scopes").
    expect((await get(sim, '/2.0/repositories/acme', bearer)).status).toBe(200);
    const denied = await get<Json>(sim, `/2.0/workspaces/acme/projects/${bb.model.workspaces[0]?.projects[0]?.key ?? ''}/permissions-config/users`, bearer);
    expect(denied).toMatchObject({ status: 403, body: { type: 'error', error: { message: 'Your credentials lack one or more required privilege scopes.', detail: 'required: project:admin; granted: account, project, repository' } } });
    const wat = `Bearer ${bb.workspaceAccessToken(sim.tokens)}`;
    const slug = bb.model.workspaces[0]?.repositories[0]?.slug ?? '';
    expect(await get(sim, `/2.0/repositories/acme/${slug}/permissions-config/users`, wat)).toMatchObject({ status: 403, body: { error: { message: 'Access tokens cannot be used to read permissions.' } } });
    expect((await get(sim, `/2.0/repositories/acme/${slug}/branch-restrictions`, wat)).status).toBe(200);
  });

  it('/2.0/repositories/* has a rolling budget per credential: 429 "Rate limit for this resource has been exceeded"', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(sim, `/2.0/repositories/acme?pagelen=${10 + i}`, VIEWER)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await get<Json>(sim, '/2.0/repositories/acme', VIEWER);
    expect(limited).toMatchObject({ status: 429, body: { type: 'error', error: { message: 'Rate limit for this resource has been exceeded' } } });
    expect(limited.headers.get('retry-after')).toBeNull();
    expect((await get(sim, '/2.0/workspaces/acme/projects', VIEWER)).status).toBe(200);
  });
});

describe('faults do not change the data', () => {
  it('a retrying client still reads exactly the ground truth', async () => {
    await expectTruthThroughFaults(bitbucketTenant({ seed: 9, workspaces: 2, users: 120, projects: 3, repositories: 12, vanishingRepositories: 1 }), (s) => crawl(s, true));
  });
});

describe('determinism, defaults and scale', () => {
  it('same seed gives identical responses; another seed does not', async () => {
    const paths = ['/2.0/user/workspaces', '/2.0/workspaces/acme/permissions?pagelen=50', '/2.0/repositories/acme?pagelen=100', '/2.0/workspaces/acme/projects'];
    await expectSeededResponses((seed) => bitbucketTenant({ seed }), paths, ADMIN, 1);
  });

  it('defaults have the odd cases a real tenant has', () => {
    const d = bitbucketTenant({});
    const m = d.model;
    expect(m.users.length).toBe(150);
    expect(m.workspaces.map((w) => [w.slug, w.projects.length, w.repositories.length])).toEqual([
      ['acme', 4, 24],
      ['acme-platform', 4, 24],
      ['acme-sandbox', 0, 0],
    ]);
    expect(m.users.some((u) => u.accountId === null)).toBe(true);
    expect(m.workspaces.some((w) => w.projects.some((p) => !m.workspaces.some((x) => x.repositories.some((r) => x === w && w.projects[r.project] === p))))).toBe(true);
    const repos = m.workspaces.flatMap((w) => w.repositories);
    expect(repos.some((r) => r.mainbranch === null)).toBe(true);
    expect(repos.some((r) => r.parent !== null)).toBe(true);
    expect(repos.some((r) => r.restrictions.length === 0)).toBe(true);
    expect(repos.some((r) => r.users.length > 100)).toBe(true);
  });

  it('generates 50 workspaces x 400 repositories exactly as asked', () => {
    const big = bitbucketTenant({ workspaces: 50, users: 5000, projects: 20, repositories: 400 });
    expect(big.model.workspaces.reduce((n, w) => n + w.repositories.length, 0)).toBe(49 * 400);
    expect(big.minimumRequests()).toBeGreaterThan(49 * 400 * 3);
  });
});

describe('Bitbucket simulator hourly budget (with `budgets`)', () => {
  it('refuses a credential\'s request beyond its rolling hour with Bitbucket\'s 429 (no Retry-After, no X-RateLimit-*), counted as closed-window; another credential has its own', async () => {
    const sim = await startSimulator({ products: [bitbucketTenant({ seed: 3, workspaces: 1, users: 5, projects: 1, repositories: 1, hourlyLimit: 2 })], seed: 3, budgets: true });
    try {
      const statuses: number[] = [];
      let refused: { body: unknown; retryAfter: string | null; limit: string | null } | null = null;
      for (const auth of [ADMIN, ADMIN, ADMIN, VIEWER]) {
        const r = await get<unknown>(sim, '/2.0/user/workspaces', auth);
        statuses.push(r.status);
        if (r.status === 429) refused = { body: r.body, retryAfter: r.headers.get('retry-after'), limit: r.headers.get('x-ratelimit-limit') };
      }
      expect(statuses).toEqual([200, 200, 429, 200]);
      expect(refused).toEqual({ body: { type: 'error', error: { message: 'Rate limit for this resource has been exceeded' } }, retryAfter: null, limit: null });
      expect(sim.stats().closedWindowRequests).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
