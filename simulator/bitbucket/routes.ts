// Simulated Bitbucket tenant: the REST routes that serve the model (simulator/bitbucket.ts has the overview).
import type { ProductBudget, RouteContext, RouteResult, RouteTable, TableRoute } from '../server.ts';
import { hash32, hex8 } from '../random.ts';
import { environmentRoutes } from '../bitbucket-environments.ts';
import { type BitbucketModel, BASE_TIME, BITBUCKET_REPOSITORY_HOURLY_LIMIT, type BitbucketDeployKeyRecord, type BitbucketGroupGrant, type BitbucketGroupRecord, type BitbucketList, type BitbucketMemberRecord, type BitbucketProjectRecord, type BitbucketRepositoryRecord, type BitbucketTenantOptions, type BitbucketUserGrant, type BitbucketUserRecord, type BitbucketVariableRecord, type BitbucketWebhookRecord, type BitbucketWorkspaceRecord, DAY, DEFAULT_BITBUCKET_CONSUMER, bitbucketDeployKeysOf, bitbucketVariablesOf, bitbucketWebhooksOf, braced } from './model.ts';
import { clampInt } from '../params.ts';

// ---------------------------------------------------------------------------------------------
// JSON builders (fields of the spec's schemas, plus `slug` on repositories, which the API sends)

export type Json = Record<string, unknown>;

// ISO-8601 with microseconds and `+00:00`, as the API writes dates.
export function bbDate(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000+00:00');
}

export function link(href: string): Json {
  return { href };
}

export function accountJson(base: string, u: BitbucketUserRecord): Json {
  const out: Json = { type: 'user', display_name: u.displayName, uuid: u.uuid };
  out.links = { self: link(`${base}/2.0/users/${encodeURIComponent(u.uuid)}`), avatar: link(`https://avatar-management.example/${hex8(hash32(u.uuid))}.png`), html: link(`https://bitbucket.org/${encodeURIComponent(u.uuid)}/`) };
  if (u.nickname !== null) out.nickname = u.nickname;
  if (u.accountId !== null) out.account_id = u.accountId;
  if (u.accountStatus !== null) out.account_status = u.accountStatus;
  return out;
}

export function workspaceRef(base: string, w: BitbucketWorkspaceRecord): Json {
  return { type: 'workspace', uuid: w.uuid, slug: w.slug, name: w.name, links: { self: link(`${base}/2.0/workspaces/${w.slug}`) } };
}

export function workspaceJson(base: string, w: BitbucketWorkspaceRecord): Json {
  return {
    type: 'workspace',
    uuid: w.uuid,
    name: w.name,
    slug: w.slug,
    is_private: w.isPrivate,
    is_privacy_enforced: w.isPrivacyEnforced,
    forking_mode: w.forkingMode,
    created_on: bbDate(w.createdOn),
    updated_on: bbDate(w.createdOn + 5 * DAY),
    links: {
      self: link(`${base}/2.0/workspaces/${w.slug}`),
      html: link(`https://bitbucket.org/${w.slug}/`),
      members: link(`${base}/2.0/workspaces/${w.slug}/members`),
      projects: link(`${base}/2.0/workspaces/${w.slug}/projects`),
      repositories: link(`${base}/2.0/repositories/${w.slug}`),
    },
  };
}

export function projectRef(base: string, w: BitbucketWorkspaceRecord, p: BitbucketProjectRecord): Json {
  // The Bitbucket Cloud REST API, schema `project`: `links` has `html` and `avatar` only (additionalProperties: false).
  return { type: 'project', key: p.key, uuid: p.uuid, name: p.name, links: { html: link(`https://bitbucket.org/${w.slug}/workspace/projects/${p.key}`) } };
}

export function projectJson(base: string, w: BitbucketWorkspaceRecord, p: BitbucketProjectRecord): Json {
  return {
    ...projectRef(base, w, p),
    description: `${p.name} — projet «${p.key}»`,
    is_private: p.isPrivate,
    has_publicly_visible_repos: p.hasPubliclyVisibleRepos,
    created_on: bbDate(w.createdOn + DAY),
    updated_on: bbDate(w.createdOn + 2 * DAY),
    owner: { type: 'team', uuid: w.uuid, display_name: w.name, username: w.slug },
  };
}

export function repositoryJson(base: string, w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): Json {
  const p = w.projects[r.project];
  const out: Json = {
    type: 'repository',
    full_name: r.fullName,
    links: { self: link(`${base}/2.0/repositories/${r.fullName}`), html: link(`https://bitbucket.org/${r.fullName}`) },
    name: r.name,
    slug: r.slug,
    description: '',
    scm: 'git',
    owner: { type: 'team', uuid: w.uuid, display_name: w.name, username: w.slug },
    workspace: workspaceRef(base, w),
    is_private: r.isPrivate,
    fork_policy: r.forkPolicy,
    created_on: bbDate(w.createdOn + 3 * DAY),
    updated_on: bbDate(w.createdOn + 40 * DAY),
    size: 1024 * (1 + (hash32(r.uuid) % 5000)),
    language: 'typescript',
    has_issues: false,
    has_wiki: false,
    uuid: r.uuid,
  };
  if (p) out.project = projectRef(base, w, p);
  // A repository without commits has no main branch (the field is absent).
  if (r.mainbranch !== null) out.mainbranch = { type: 'branch', name: r.mainbranch };
  if (r.parent !== null) out.parent = { type: 'repository', full_name: r.parent, name: r.parent.split('/').pop() };
  return out;
}

export function groupJson(base: string, w: BitbucketWorkspaceRecord, g: BitbucketGroupRecord, full: boolean): Json {
  const out: Json = { type: 'group', name: g.name, slug: g.slug, links: { self: link(`${base}/2.0/groups/${w.slug}/${g.slug}`) } };
  if (full) out.full_slug = `${w.slug}:${g.slug}`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Non-human access: deploy keys, webhooks, pipeline variables, derived from (seed, workspace, owner) so the
// model's generation is untouched. `owner` is a repository index, a project index (`p` prefix) or null for
// the workspace itself.

export const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, ...(headers ? { headers } : {}) });

/** Bitbucket's `error` schema: `{type: "error", error: {message, detail?}}`. */
export function bitbucketErrorBody(message: string, detail?: string): Json {
  return { type: 'error', error: detail === undefined ? { message } : { message, detail } };
}
export const fail = (status: number, message: string, detail?: string): RouteResult => ({ status, body: bitbucketErrorBody(message, detail) });

// Style B paging (facts sheet §3, narrative "Pagination"): `pagelen` 10..100 (default 10), and a `next`
// link the client must follow as given. List-based pages carry `size`, `page`, `previous` and page-number
// links; iterator-based ones only `pagelen`, `values` and an opaque `next`. A page the 'shortPage' fault
// cut continues right after its last item through an opaque cursor.
export function pageOf<T>(ctx: RouteContext, all: readonly T[], map: (item: T) => Json, iterator: boolean, seed: number): RouteResult {
  const rawLen = ctx.query.get('pagelen');
  const asked = rawLen === null || rawLen === '' ? 10 : Number(rawLen);
  if (!Number.isInteger(asked) || asked < 1) return fail(400, `Invalid pagelen: '${rawLen ?? ''}'`);
  // Narrative: "Globally, the minimum length is 10 and the maximum is 100" (clamped, not refused: unverified).
  const pagelen = Math.min(100, Math.max(10, asked));
  let start = 0;
  let pageNo: number | undefined;
  const cursor = ctx.query.get('cursor');
  const pageParam = ctx.query.get('page');
  if (cursor !== null) {
    const decoded = decodeCursor(cursor, seed);
    if (decoded === null) return fail(400, 'Invalid cursor');
    start = decoded;
  } else if (pageParam !== null) {
    const n = Number(pageParam);
    if (!Number.isInteger(n) || n < 1) return fail(400, `Invalid page: '${pageParam}'`);
    pageNo = n;
    start = (n - 1) * pagelen;
  } else pageNo = 1;
  const slice = all.slice(start, start + pagelen);
  const { items } = ctx.page(slice);
  const end = start + items.length;
  const linkTo = (params: Record<string, string>): string => {
    const q = new URLSearchParams(ctx.query);
    q.delete('page');
    q.delete('cursor');
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    return `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  };
  const body: Json = { pagelen };
  if (!iterator) {
    body.size = all.length;
    if (pageNo !== undefined) body.page = pageNo;
  }
  body.values = items.map(map);
  if (end < all.length) {
    const aligned = !iterator && end % pagelen === 0;
    body.next = aligned ? linkTo({ page: String(end / pagelen + 1) }) : linkTo({ cursor: encodeCursor(end, seed) });
  }
  if (!iterator && pageNo !== undefined && pageNo > 1) body.previous = linkTo({ page: String(pageNo - 1) });
  return ok(body);
}

// Opaque position: not a page number, not guessable (narrative: "an unpredictable hash").
export function encodeCursor(offset: number, seed: number): string {
  return Buffer.from(`${offset}:${hex8(hash32(seed, 'bb-cursor', offset))}`).toString('base64url');
}
export function decodeCursor(cursor: string, seed: number): number | null {
  const m = /^(\d+):([0-9a-f]{8})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return null;
  const offset = Number(m[1]);
  return m[2] === hex8(hash32(seed, 'bb-cursor', offset)) ? offset : null;
}

// Who calls: the collector's account (admin), the viewer (non-admin member) or a workspace access token.
export type Caller = 'admin' | 'limited' | 'accessToken';

// Scopes a classic OAuth scope implies (narrative "Bitbucket OAuth 2.0 scopes").
export const IMPLIES: Readonly<Record<string, readonly string[]>> = {
  project: ['repository'],
  'repository:write': ['repository'],
  pullrequest: ['repository'],
  'pullrequest:write': ['pullrequest', 'repository:write', 'repository'],
  'account:write': ['account'],
};

export function expandScopes(scopes: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (s: string): void => {
    if (out.has(s)) return;
    out.add(s);
    for (const t of IMPLIES[s] ?? []) add(t);
  };
  for (const s of scopes) add(s);
  return out;
}

/** A Bitbucket handler: the tenant's state, the request and who calls (after the guard's checks). */
export type BbHandler = (s: BitbucketState, ctx: RouteContext, caller: Caller) => RouteResult;

/** A Bitbucket API route: the server's route attributes plus the checks the guard makes before the handler. */
export interface BbRoute {
  method: 'GET';
  path: string;
  // Classic OAuth scope from the operation's `security`; none = any authenticated caller.
  scope?: string;
  // Permission endpoint: access tokens are refused (narrative "Access tokens").
  permissions?: boolean;
  // What a non-admin member gets (the operation's documented 403; served through `denyLimited`).
  adminOnly?: string;
  // Counts against the `/2.0/repositories/*` hourly budget (facts sheet §9).
  repositoryBudget?: boolean;
  paged?: boolean;
  handle: BbHandler;
}

/** `POST /site/oauth2/access_token` on bitbucket.org: where OAuth consumers get their tokens. */
export const BITBUCKET_TOKEN_PATH = '/site/oauth2/access_token';

/** The tenant's state: its model, options, token stores and lookup maps (the handlers read the tenant from here). */
export interface BitbucketState {
  model: BitbucketModel;
  opts: BitbucketTenantOptions;
  users: BitbucketModel['users'];
  workspaces: BitbucketModel['workspaces'];
  seed: number;
  consumers: NonNullable<BitbucketTenantOptions['oauthConsumers']>;
  ttlMs: number;
  iterator: Set<BitbucketList>;
  rate: NonNullable<BitbucketTenantOptions['repositoryRateLimit']> | null;
  // Scopes of the tokens this tenant issued (other Bearer tokens the server accepts have every scope),
  // workspace access tokens, and live refresh tokens (single use) by consumer.
  tokenScopes: Map<string, ReadonlySet<string>>;
  workspaceTokens: Set<string>;
  refreshTokens: Map<string, string>;
  /** OAuth tokens this tenant issued (a box: the token route counts, the tenant reports). */
  issued: { count: number };
  budget: Map<string, number[]>;
  wsByRef: Map<string, BitbucketWorkspaceRecord>;
}

export function bitbucketState(model: BitbucketModel, opts: BitbucketTenantOptions): BitbucketState {
  const { users, workspaces, seed } = model;
  const wsByRef = new Map<string, BitbucketWorkspaceRecord>();
  for (const w of workspaces) {
    wsByRef.set(w.slug, w);
    wsByRef.set(w.uuid, w);
  }
  return {
    model,
    opts,
    users,
    workspaces,
    seed,
    consumers: opts.oauthConsumers ?? [{ ...DEFAULT_BITBUCKET_CONSUMER, scopes: [...DEFAULT_BITBUCKET_CONSUMER.scopes] }],
    ttlMs: clampInt(opts.accessTtlMs, 3_600_000, 1),
    iterator: new Set<BitbucketList>(opts.iteratorLists ?? ['branch-restrictions']),
    rate: opts.repositoryRateLimit ? { ...opts.repositoryRateLimit } : null,
    tokenScopes: new Map(),
    workspaceTokens: new Set(),
    refreshTokens: new Map(),
    issued: { count: 0 },
    budget: new Map(),
    wsByRef,
  };
}

// ---------------------------------------------------------------------------------------------
// Lookups and JSON builders over the state

function bearerOf(ctx: RouteContext): string | null {
  const raw = ctx.headers.authorization;
  const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  return /^bearer /i.test(header) ? header.slice(7).trim() : null;
}

// Rolling window per credential over `/2.0/repositories/*` (facts sheet §9).
function overBudget(s: BitbucketState, ctx: RouteContext): RouteResult | null {
  const rate = s.rate;
  if (!rate) return null;
  const raw = ctx.headers.authorization;
  const who = String(hash32(String(Array.isArray(raw) ? raw[0] : (raw ?? ''))));
  const now = Date.now();
  const log = (s.budget.get(who) ?? []).filter((t) => t > now - rate.windowMs);
  s.budget.set(who, log);
  if (log.length >= rate.limit) {
    const headers: Record<string, string> = rate.retryAfterSeconds !== undefined ? { 'retry-after': String(rate.retryAfterSeconds) } : {};
    return { status: 429, body: bitbucketErrorBody('Rate limit for this resource has been exceeded'), headers };
  }
  log.push(now);
  return null;
}

/** The route as the server takes it: scope, access-token and budget checks before the handler. */
function guarded(r: BbRoute): TableRoute<BitbucketState> {
  return {
    method: r.method,
    path: r.path,
    ...(r.paged ? { paged: true } : {}),
    ...(r.adminOnly ? { denyLimited: { status: 403, message: r.adminOnly } } : {}),
    handle: (s, ctx) => {
      const token = bearerOf(ctx);
      const accessToken = token !== null && s.workspaceTokens.has(token);
      const scopes = token !== null ? s.tokenScopes.get(token) : undefined;
      if (r.scope && scopes && !scopes.has(r.scope)) {
        // Wording unverified: Bitbucket names the required and granted scopes.
        return fail(403, 'Your credentials lack one or more required privilege scopes.', `required: ${r.scope}; granted: ${[...scopes].sort().join(', ')}`);
      }
      if (r.permissions && accessToken) {
        // Narrative "Access tokens": "You can't use an access token to manipulate or query repository,
        // project, or workspace permissions." Status and wording unverified.
        return fail(403, 'Access tokens cannot be used to read permissions.');
      }
      if (r.repositoryBudget) {
        const limitedNow = overBudget(s, ctx);
        if (limitedNow) return limitedNow;
      }
      return r.handle(s, ctx, accessToken ? 'accessToken' : ctx.principal === 'limited' ? 'limited' : 'admin');
    },
  };
}

export type FoundProject = { w: BitbucketWorkspaceRecord; p: BitbucketProjectRecord };
export type FoundRepository = { w: BitbucketWorkspaceRecord; r: BitbucketRepositoryRecord };

export function findWorkspace(s: BitbucketState, ctx: RouteContext): BitbucketWorkspaceRecord | RouteResult {
  const ref = ctx.params.workspace ?? '';
  const w = s.wsByRef.get(ref);
  return w ?? fail(404, `No workspace with identifier '${ref}'.`);
}
export function findProject(s: BitbucketState, ctx: RouteContext): FoundProject | RouteResult {
  const w = findWorkspace(s, ctx);
  if ('status' in w) return w;
  const key = ctx.params.project_key ?? '';
  const p = w.projects.find((x) => x.key === key || x.uuid === key);
  if (!p || p.vanishing) return fail(404, `Project ${key} not found in workspace ${w.slug}.`);
  return { w, p };
}
export function findRepository(s: BitbucketState, ctx: RouteContext): FoundRepository | RouteResult {
  const w = findWorkspace(s, ctx);
  if ('status' in w) return w;
  const ref = ctx.params.repo_slug ?? '';
  const r = w.repositories.find((x) => x.slug === ref || x.uuid === ref);
  // "No repository exists for the given repository slug and workspace." (also once it was deleted)
  if (!r || r.vanishing) return fail(404, `Repository ${w.slug}/${ref} not found`);
  return { w, r };
}
export function isErr(x: object): x is RouteResult {
  return 'status' in x && 'body' in x;
}

function membership(s: BitbucketState, ctx: RouteContext, w: BitbucketWorkspaceRecord, m: BitbucketMemberRecord, withPermission: boolean): Json {
  const u = s.users[m.user];
  const out: Json = { type: 'workspace_membership' };
  if (withPermission) {
    out.permission = m.permission;
    if (m.lastAccessed !== null) out.last_accessed = bbDate(m.lastAccessed);
    if (m.addedOn !== null) out.added_on = bbDate(m.addedOn);
  }
  out.user = u ? accountJson(ctx.baseUrl, u) : {};
  out.workspace = workspaceRef(ctx.baseUrl, w);
  out.links = { self: link(`${ctx.baseUrl}/2.0/workspaces/${w.slug}/members/${encodeURIComponent(u?.uuid ?? '')}`) };
  return out;
}

function userGrant(s: BitbucketState, ctx: RouteContext, type: string, selfBase: string, g: BitbucketUserGrant<string>): Json {
  const u = s.users[g.user];
  return {
    type,
    user: u ? accountJson(ctx.baseUrl, u) : {},
    permission: g.permission,
    links: { self: link(`${selfBase}/${encodeURIComponent(u?.accountId ?? u?.uuid ?? '')}`) },
  };
}
function groupGrant(ctx: RouteContext, type: string, selfBase: string, w: BitbucketWorkspaceRecord, g: BitbucketGroupGrant<string>, fullSlug: boolean): Json {
  const group = w.groups[g.group] ?? { slug: 'unknown', name: 'unknown' };
  return { type, group: groupJson(ctx.baseUrl, w, group, fullSlug), permission: g.permission, links: { self: link(`${selfBase}/${group.slug}`) } };
}

function deployKeyJson(s: BitbucketState, ctx: RouteContext, k: BitbucketDeployKeyRecord, who: 'owner' | 'created_by', parent: Json): Json {
  const u = s.users[k.creator];
  const out: Json = { id: k.id, key: k.key, label: k.label, type: who === 'owner' ? 'deploy_key' : 'project_deploy_key', comment: k.comment };
  out[who === 'owner' ? 'created_on' : 'added_on'] = bbDate(k.addedOn);
  // The Bitbucket Cloud REST API, schema `deploy_key`: `last_used` is a date-time string, so a never-used key has none.
  if (k.lastUsed !== null) out.last_used = bbDate(k.lastUsed);
  Object.assign(out, parent);
  if (u) out[who] = accountJson(ctx.baseUrl, u);
  return out;
}
function hookJson(k: BitbucketWebhookRecord, subjectType: 'workspace' | 'repository', subject: Json): Json {
  return {
    // The Bitbucket Cloud REST API, schema `webhook_subscription` (allOf `object`, which requires `type`).
    type: 'webhook_subscription',
    uuid: k.uuid,
    url: k.url,
    description: k.description,
    subject_type: subjectType,
    subject,
    active: k.active,
    created_at: bbDate(k.createdAt),
    events: k.events,
    secret_set: k.secret !== undefined,
    // The schema names `secret`; a collector must drop it.
    ...(k.secret !== undefined ? { secret: k.secret } : {}),
  };
}
export function variableJson(v: BitbucketVariableRecord): Json {
  return { type: 'pipeline_variable', uuid: v.uuid, key: v.key, secured: v.secured, ...(v.secured ? {} : { value: v.value }) };
}
export function repoIndex(w: BitbucketWorkspaceRecord, r: BitbucketRepositoryRecord): string {
  return String(w.repositories.indexOf(r));
}

/**
 * The one shape of Bitbucket's list handlers: find the parent (`find`: its 404), take its `items` (or a 400/404 of
 * their own), and page them with the list's style (`name` selects page-number or iterator paging) and `map`.
 */
export function pagedList<F extends object, T>(
  find: (s: BitbucketState, ctx: RouteContext) => F | RouteResult,
  name: BitbucketList,
  items: (s: BitbucketState, found: F, ctx: RouteContext, caller: Caller) => readonly T[] | RouteResult,
  map: (s: BitbucketState, ctx: RouteContext, found: F, item: T, caller: Caller) => Json,
): BbHandler {
  return (s, ctx, caller) => {
    const found = find(s, ctx);
    if (isErr(found)) return found;
    const all = items(s, found, ctx, caller);
    if (isErr(all)) return all;
    return pageOf(ctx, all, (item) => map(s, ctx, found, item, caller), s.iterator.has(name), s.seed);
  };
}

/** The caller's whole view, not under a workspace (e.g. `/2.0/user/workspaces`). */
const noParent = (): object => ({});

// ---------------------------------------------------------------------------------------------
// Handlers (the spec operation each serves is named at its table entry)

const repositoryDeployKeys = pagedList(
  findRepository,
  'deploy-keys',
  (s, f) => bitbucketDeployKeysOf(s.seed, f.w, repoIndex(f.w, f.r), s.users.length),
  (s, ctx, f, k) => deployKeyJson(s, ctx, k, 'owner', { repository: { type: 'repository', full_name: f.r.fullName, name: f.r.name, uuid: f.r.uuid } }),
);

const projectDeployKeys = pagedList(
  findProject,
  'deploy-keys',
  (s, f) => bitbucketDeployKeysOf(s.seed, f.w, `p${f.w.projects.indexOf(f.p)}`, s.users.length),
  (s, ctx, f, k) => deployKeyJson(s, ctx, k, 'created_by', { project: { type: 'project', key: f.p.key, uuid: f.p.uuid, name: f.p.name } }),
);

const workspaceHooks = pagedList(
  findWorkspace,
  'hooks',
  (s, w) => bitbucketWebhooksOf(s.seed, w, null),
  (_s, ctx, w, k) => hookJson(k, 'workspace', workspaceRef(ctx.baseUrl, w)),
);

const repositoryHooks = pagedList(
  findRepository,
  'hooks',
  (s, f) => bitbucketWebhooksOf(s.seed, f.w, repoIndex(f.w, f.r)),
  (_s, _ctx, f, k) => hookJson(k, 'repository', { type: 'repository', full_name: f.r.fullName, uuid: f.r.uuid }),
);

const workspaceVariables = pagedList(findWorkspace, 'variables', (s, w) => bitbucketVariablesOf(s.seed, w, null), (_s, _ctx, _w, v) => variableJson(v));

const repositoryVariables = pagedList(findRepository, 'variables', (s, f) => bitbucketVariablesOf(s.seed, f.w, repoIndex(f.w, f.r)), (_s, _ctx, _f, v) => variableJson(v));

function currentUser(s: BitbucketState, ctx: RouteContext, caller: Caller): RouteResult {
  if (caller === 'accessToken') return ok({ type: 'user', display_name: 'Workspace access token', uuid: braced(s.seed, 'bb-access-token') });
  const u = s.users[caller === 'limited' ? 1 : 0];
  return ok({ ...(u ? accountJson(ctx.baseUrl, u) : {}), created_on: bbDate(BASE_TIME), has_2fa_enabled: caller === 'admin', is_staff: false });
}

const userWorkspaces = pagedList(
  noParent,
  'user-workspaces',
  (s, _none, ctx, caller) => {
    const filter = ctx.query.get('administrator');
    const visible = caller === 'accessToken' ? s.workspaces.slice(0, 1) : s.workspaces;
    return visible.filter(() => filter === null || (filter === 'true') === (caller === 'admin'));
  },
  (_s, ctx, _none, w, caller) => ({
    type: 'workspace_access',
    administrator: caller === 'admin',
    workspace: { type: 'workspace_base', uuid: w.uuid, slug: w.slug, links: { self: link(`${ctx.baseUrl}/2.0/workspaces/${w.slug}`), avatar: link(`${ctx.baseUrl}/workspaces/${w.slug}/avatar/`) } },
    links: { self: link(`${ctx.baseUrl}/2.0/user/workspaces/${w.slug}/permission`) },
  }),
);

function workspace(s: BitbucketState, ctx: RouteContext): RouteResult {
  const w = findWorkspace(s, ctx);
  return isErr(w) ? w : ok(workspaceJson(ctx.baseUrl, w));
}

const workspaceMembers = pagedList(findWorkspace, 'members', (_s, w) => w.members, (s, ctx, w, m) => membership(s, ctx, w, m, false));

const workspacePermissions = pagedList(
  findWorkspace,
  'permissions',
  (_s, w, ctx) => {
    const q = ctx.query.get('q');
    if (q === null) return w.members;
    const m = /^\s*permission\s*=\s*"(owner|collaborator|member)"\s*$/.exec(q);
    if (!m) return fail(400, `Invalid query: ${q}`);
    return w.members.filter((x) => x.permission === m[1]);
  },
  (s, ctx, w, m) => membership(s, ctx, w, m, true),
);

const workspaceProjects = pagedList(findWorkspace, 'projects', (_s, w) => w.projects, (_s, ctx, w, p) => projectJson(ctx.baseUrl, w, p));

const projectUsers = pagedList(
  findProject,
  'project-users',
  (_s, f) => f.p.users,
  (s, ctx, f, g) => userGrant(s, ctx, 'project_user_permission', `${ctx.baseUrl}/2.0/workspaces/${f.w.slug}/projects/${f.p.key}/permissions-config/users`, g),
);

const projectGroups = pagedList(
  findProject,
  'project-groups',
  (_s, f) => f.p.groups,
  (_s, ctx, f, g) => groupGrant(ctx, 'project_group_permission', `${ctx.baseUrl}/2.0/workspaces/${f.w.slug}/projects/${f.p.key}/permissions-config/groups`, f.w, g, true),
);

const workspaceRepositories = pagedList(
  findWorkspace,
  'repositories',
  (_s, w, ctx) => {
    const role = ctx.query.get('role');
    if (role !== null && !['member', 'contributor', 'admin', 'owner'].includes(role)) return fail(400, `Invalid role: ${role}`);
    return w.repositories;
  },
  (_s, ctx, w, r) => repositoryJson(ctx.baseUrl, w, r),
);

function repository(s: BitbucketState, ctx: RouteContext): RouteResult {
  const f = findRepository(s, ctx);
  return isErr(f) ? f : ok(repositoryJson(ctx.baseUrl, f.w, f.r));
}

const repositoryUsers = pagedList(
  findRepository,
  'repository-users',
  (_s, f) => f.r.users,
  (s, ctx, f, g) => userGrant(s, ctx, 'repository_user_permission', `${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/permissions-config/users`, g),
);

const repositoryGroups = pagedList(
  findRepository,
  'repository-groups',
  (_s, f) => f.r.groups,
  (_s, ctx, f, g) => groupGrant(ctx, 'repository_group_permission', `${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/permissions-config/groups`, f.w, g, false),
);

const branchRestrictions = pagedList(
  findRepository,
  'branch-restrictions',
  (_s, f, ctx) => {
    const kind = ctx.query.get('kind');
    const pattern = ctx.query.get('pattern');
    return f.r.restrictions.filter((b) => (kind === null || b.kind === kind) && (pattern === null || b.pattern === pattern));
  },
  (s, ctx, f, b) => {
    const out: Json = {
      type: 'branchrestriction',
      links: { self: link(`${ctx.baseUrl}/2.0/repositories/${f.r.fullName}/branch-restrictions/${b.id}`) },
      id: b.id,
      kind: b.kind,
      branch_match_kind: b.branchMatchKind,
      pattern: b.pattern,
    };
    if (b.branchType !== null) out.branch_type = b.branchType;
    // The Bitbucket Cloud REST API, schema `branchrestriction`: `value` is an integer; a rule without one omits it.
    if (b.value !== undefined && b.value !== null) out.value = b.value;
    out.users = b.users.map((u) => {
      const rec = s.users[u];
      return rec ? accountJson(ctx.baseUrl, rec) : {};
    });
    out.groups = b.groups.map((g) => groupJson(ctx.baseUrl, f.w, f.w.groups[g] ?? { slug: 'unknown', name: 'unknown' }, true));
    return out;
  },
);

// `POST /site/oauth2/access_token` (bitbucket.org; narrative "OAuth 2.0"): client id and secret as Basic,
// form body. `client_credentials` issues a token for the consumer's owner; `refresh_token` rotates: "a new
// refresh token will be issued ... The existing refresh token will expire shortly after" (here: at once).
// Errors follow RFC 6749 §5.2 (`{error, error_description}`).
function issueToken(s: BitbucketState, ctx: RouteContext): RouteResult {
  const raw = ctx.headers.authorization;
  const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  const decoded = /^basic /i.test(header) ? Buffer.from(header.slice(6).trim(), 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const consumer = s.consumers.find((c) => colon >= 0 && c.key === decoded.slice(0, colon) && c.secret === decoded.slice(colon + 1));
  if (!consumer) return { status: 401, body: { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' } };
  const form = new URLSearchParams(ctx.body);
  const grant = form.get('grant_type');
  if (grant === 'refresh_token') {
    const rt = form.get('refresh_token') ?? '';
    if (s.refreshTokens.get(rt) !== consumer.key) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh_token' } };
    s.refreshTokens.delete(rt);
  } else if (grant !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant ?? '(none)'}` } };
  }
  s.issued.count++;
  const accessToken = ctx.tokens.issue(s.ttlMs, 'sim-bb', s.opts.accessUses);
  const refreshToken = `sim-bb-refresh-${hex8(hash32(s.seed, 'bb-rt', s.issued.count))}${hex8(hash32(s.seed, 'bb-rt2', s.issued.count))}`;
  s.tokenScopes.set(accessToken, expandScopes(consumer.scopes));
  s.refreshTokens.set(refreshToken, consumer.key);
  return ok({ access_token: accessToken, token_type: 'bearer', expires_in: 3600, scopes: consumer.scopes.join(' '), refresh_token: refreshToken });
}

// ---------------------------------------------------------------------------------------------
// The route table. Operations are named by their path in The Bitbucket Cloud REST API (`~1` for `/`).

const BITBUCKET_API_ROUTES: readonly BbRoute[] = [
  // `~1repositories~1{workspace}~1{repo_slug}~1deploy-keys/get`: security oauth2 [repository, repository:admin];
  // 403 "If the specified user or repository is not accessible to the current user".
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/deploy-keys', scope: 'repository:admin', adminOnly: 'You must be an admin of this repository to view its deploy keys.', repositoryBudget: true, paged: true, handle: repositoryDeployKeys },
  // `~1workspaces~1{workspace}~1projects~1{project_key}~1deploy-keys/get`: security oauth2 [project, project:admin].
  { method: 'GET', path: '/2.0/workspaces/{workspace}/projects/{project_key}/deploy-keys', scope: 'project:admin', adminOnly: 'You must be an admin of this project to view its deploy keys.', paged: true, handle: projectDeployKeys },
  // `~1workspaces~1{workspace}~1hooks/get`: security oauth2 [webhook]; 403 "If the authenticated user is not
  // an owner on the specified workspace".
  { method: 'GET', path: '/2.0/workspaces/{workspace}/hooks', scope: 'webhook', adminOnly: 'You must be an owner of this workspace to view its webhooks.', paged: true, handle: workspaceHooks },
  // `~1repositories~1{workspace}~1{repo_slug}~1hooks/get`: security oauth2 [webhook]; 403 "If the
  // authenticated user does not have permission to access the webhooks".
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/hooks', scope: 'webhook', adminOnly: 'You must be an admin of this repository to view its webhooks.', repositoryBudget: true, paged: true, handle: repositoryHooks },
  // `~1workspaces~1{workspace}~1pipelines-config~1variables/get`: security oauth2 [pipeline].
  { method: 'GET', path: '/2.0/workspaces/{workspace}/pipelines-config/variables', scope: 'pipeline', adminOnly: 'You must be an admin of this workspace to view its variables.', paged: true, handle: workspaceVariables },
  // `~1repositories~1{workspace}~1{repo_slug}~1pipelines_config~1variables/get`: security oauth2 [pipeline].
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/pipelines_config/variables', scope: 'pipeline', adminOnly: 'You must be an admin of this repository to view its variables.', repositoryBudget: true, paged: true, handle: repositoryVariables },
  ...environmentRoutes({ pagedList, findRepository, repoIndex, variableJson, fail }),
  // `~1user/get`: the account behind the credential (a credential check).
  { method: 'GET', path: '/2.0/user', scope: 'account', handle: currentUser },
  // `~1user~1workspaces/get`: workspace_access {administrator, workspace (workspace_base: uuid, slug)};
  // `administrator` filter. An access token sees its own workspace only (unverified).
  { method: 'GET', path: '/2.0/user/workspaces', scope: 'account', paged: true, handle: userWorkspaces },
  // `~1workspaces~1{workspace}/get`: by slug or `{uuid}`; 404 "If no workspace exists for the specified name or UUID".
  { method: 'GET', path: '/2.0/workspaces/{workspace}', handle: workspace },
  // `~1workspaces~1{workspace}~1members/get`: workspace_membership without the permission.
  { method: 'GET', path: '/2.0/workspaces/{workspace}/members', scope: 'account', paged: true, handle: workspaceMembers },
  // `~1workspaces~1{workspace}~1permissions/get`: workspace_membership + permission (owner|collaborator|member)
  // and, until administration moves to admin.atlassian.com, last_accessed and added_on (operation example).
  // The spec documents no 403: members may read it. `q=permission="…"` is the documented filter.
  { method: 'GET', path: '/2.0/workspaces/{workspace}/permissions', scope: 'account', paged: true, handle: workspacePermissions },
  // `~1workspaces~1{workspace}~1projects/get`; 404 "A workspace doesn't exist at this location."
  { method: 'GET', path: '/2.0/workspaces/{workspace}/projects', scope: 'project', paged: true, handle: workspaceProjects },
  // `~1workspaces~1{workspace}~1projects~1{project_key}~1permissions-config~1users/get`: explicit grants,
  // no BBQL; 403 "The user doesn't have admin access to the project."; 404 when the project is gone.
  { method: 'GET', path: '/2.0/workspaces/{workspace}/projects/{project_key}/permissions-config/users', scope: 'project:admin', permissions: true, adminOnly: "The user doesn't have admin access to the project.", paged: true, handle: projectUsers },
  // `~1workspaces~1{workspace}~1projects~1{project_key}~1permissions-config~1groups/get`: group {name, slug, full_slug}.
  { method: 'GET', path: '/2.0/workspaces/{workspace}/projects/{project_key}/permissions-config/groups', scope: 'project:admin', permissions: true, adminOnly: "The user doesn't have admin access to the project.", paged: true, handle: projectGroups },
  // `~1repositories~1{workspace}/get`: every repository of the workspace; `role` narrows to the
  // caller's explicit access (the collector's admin account has it on all). 404 for an unknown workspace.
  { method: 'GET', path: '/2.0/repositories/{workspace}', scope: 'repository', repositoryBudget: true, paged: true, handle: workspaceRepositories },
  // `~1repositories~1{workspace}~1{repo_slug}/get`
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}', scope: 'repository', repositoryBudget: true, handle: repository },
  // `~1repositories~1{workspace}~1{repo_slug}~1permissions-config~1users/get`: explicit grants, no BBQL;
  // 403 "The requesting user isn't an admin of the repository."; 404 "No repository exists ...".
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/permissions-config/users', scope: 'repository:admin', permissions: true, adminOnly: "The requesting user isn't an admin of the repository.", repositoryBudget: true, paged: true, handle: repositoryUsers },
  // `~1repositories~1{workspace}~1{repo_slug}~1permissions-config~1groups/get`: group {name, slug} (example).
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/permissions-config/groups', scope: 'repository:admin', permissions: true, adminOnly: "The requesting user isn't an admin of the repository.", repositoryBudget: true, paged: true, handle: repositoryGroups },
  // `~1repositories~1{workspace}~1{repo_slug}~1branch-restrictions/get`: filters `kind`, `pattern`; 403 "If the
  // authenticated user does not have admin access to the repository". Access tokens may read these.
  { method: 'GET', path: '/2.0/repositories/{workspace}/{repo_slug}/branch-restrictions', scope: 'repository:admin', adminOnly: 'You must be an admin of this repository to view its branch restrictions.', repositoryBudget: true, paged: true, handle: branchRestrictions },
];

/** The route table: the API's routes guarded by scope and budget, and the token endpoint (which checks its own credentials). */
export const BITBUCKET_ROUTES: RouteTable<BitbucketState> = [...BITBUCKET_API_ROUTES.map(guarded), { method: 'POST', path: BITBUCKET_TOKEN_PATH, ownAuth: true, handle: issueToken }];

/** The documented hourly budget (the simulator enforces it when it runs with `budgets`). */
export function bitbucketBudget(opts: BitbucketTenantOptions): ProductBudget {
  // Facts sheet §9 (Bitbucket Cloud "API request limits"): a one-hour rolling window per user, access token
  // or OAuth consumer; the 429 says "Rate limit for this resource has been exceeded" and names no wait
  // (Retry-After unverified), and no X-RateLimit-* comes to API tokens or OAuth consumers.
  return {
    rules: [
      {
        name: 'user',
        kind: 'rolling',
        limit: clampInt(opts.hourlyLimit, BITBUCKET_REPOSITORY_HOURLY_LIMIT.limit, 1),
        windowMs: BITBUCKET_REPOSITORY_HOURLY_LIMIT.windowMs,
        callerOf: ({ headers, path }) => {
          if (path === BITBUCKET_TOKEN_PATH) return null;
          const raw = headers.authorization;
          return String(hash32('bb-caller', String(Array.isArray(raw) ? raw[0] : (raw ?? ''))));
        },
      },
    ],
    tooMany: () => ({ body: bitbucketErrorBody('Rate limit for this resource has been exceeded'), headers: {} }),
  };

}
