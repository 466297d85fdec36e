// Simulated Admin tenant: the REST routes that serve the model (simulator/admin.ts has the overview).
import type { RouteContext, RouteResult, RouteTable } from '../server.ts';
import { hash32, hex8, uuidFrom } from '../random.ts';
import { ACCOUNT_STATUS, ADMIN_ENDPOINT_SCOPES, type AdminEndpoint, type AdminGroupRecord, type AdminModel, type AdminPolicyRecord, type AdminTenantOptions, type AdminTokenRecord, type AdminWorkspaceRecord, MEMBERSHIP_STATUS, NOW, V2_MAX, WORKSPACES_MAX, groupsOf, listedTokens, tokenStatus } from './model.ts';

// ---------------------------------------------------------------------------------------------
// HTTP helpers

export type Json = Record<string, unknown>;

export const ok = (body: unknown): RouteResult => ({ status: 200, body });

/** Admin application error body (`Errors` / `ApplicationErrors`: `{errors: [{id, status, code, title, detail}]}`). */
export function appError(status: number, code: string, title: string, detail?: string): RouteResult {
  return { status, body: { errors: [{ id: uuidFrom('error', status, code, title), status: String(status), code, title, ...(detail ? { detail } : {}) }] } };
}

/** Body of errors the generic server raises: `ProxyError {code, message}` for 401/429, application errors else. */
export function adminErrorBody(status: number, message: string): unknown {
  if (status === 401 || status === 429) return { code: status, message };
  return appError(status, status >= 500 ? 'ADMIN-500-1' : status === 404 ? 'ADMIN-404-1' : status === 405 ? 'ADMIN-405-1' : `ADMIN-${status}-1`, message).body;
}

/** Opaque cursor: base64url of (kind, offset, limit) with a checksum, so a foreign or edited cursor is a 400. */
export function encodeCursor(seed: number, kind: string, offset: number, limit: number): string {
  return Buffer.from(`${kind}.${offset}.${limit}.${hex8(hash32(seed, kind, offset, limit))}`).toString('base64url');
}

export function decodeCursor(seed: number, kind: string, cursor: string): { offset: number; limit: number } | null {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (parts.length !== 4 || parts[0] !== kind) return null;
  const offset = Number(parts[1]);
  const limit = Number(parts[2]);
  if (!Number.isInteger(offset) || !Number.isInteger(limit) || parts[3] !== hex8(hash32(seed, kind, offset, limit))) return null;
  return { offset, limit };
}

export interface Window {
  offset: number;
  limit: number;
}

/** A page of `all` from `w`, through `ctx.page` (the 'shortPage' fault); `next` = offset after the items sent. */
export function window<T>(ctx: RouteContext, all: readonly T[], w: Window): { items: T[]; next: number | null; total: number } {
  const { items } = ctx.page(all.slice(w.offset, w.offset + w.limit));
  const next = w.offset + items.length;
  return { items, next: next < all.length ? next : null, total: all.length };
}

export const isResult = (x: unknown): x is RouteResult => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/** Parse a POST search body: JSON object or empty. */
export function searchBody(ctx: RouteContext): Json | RouteResult {
  if (ctx.body.trim() === '') return {};
  try {
    const b = JSON.parse(ctx.body) as unknown;
    if (b && typeof b === 'object' && !Array.isArray(b)) return b as Json;
  } catch {
    // fall through
  }
  return appError(400, 'ADMIN-400-24', 'Invalid request body', 'The request body is not a JSON object.');
}

export function stringList(b: Json, field: string, max: number, allowed?: readonly string[]): string[] | RouteResult | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' must be an array of strings.`);
  if (v.length < 1 || v.length > max) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' must have 1 to ${max} items.`);
  const bad = allowed ? (v as string[]).find((x) => !allowed.includes(x)) : undefined;
  if (bad !== undefined) return appError(400, 'ADMIN-400-24', 'Invalid request body', `'${field}' has an unknown value '${bad}'.`);
  return v as string[];
}

// ---------------------------------------------------------------------------------------------
// Tenant

/** The tenant's lookups and JSON builders over its model, shared by the routes. */
export function adminState(model: AdminModel, opts: AdminTenantOptions) {
  const { users, groups, workspaces, seed, orgId } = model;
  const forbidden = model.forbidden;
  const groupById = new Map(groups.map((g) => [g.id, g]));
  const accountIndex = new Map<string, number>();
  for (let i = 0; i < users.count; i++) accountIndex.set(users.accountId(i), i);

  const orgJson = (base: string): Json => ({
    id: orgId,
    type: 'orgs',
    attributes: { name: model.orgName },
    links: { self: `${base}/admin/v1/orgs/${orgId}` },
    relationships: {
      domains: { links: { related: `${base}/admin/v1/orgs/${orgId}/domains` } },
      users: { links: { related: `${base}/admin/v1/orgs/${orgId}/users` } },
    },
  });

  /** Org-scoped routes: an unknown org is `ADMIN-404-2` (`Error.OrgNotFound`). */
  const checkOrg = (ctx: RouteContext): RouteResult | null =>
    ctx.params.orgId === orgId ? null : appError(404, 'ADMIN-404-2', 'Organization not found', `No organization with id '${ctx.params.orgId ?? ''}' for this API key.`);

  /** 403 as for a key without the endpoint's scope, in the body the endpoint's spec documents. */
  const deny = (what: AdminEndpoint, ctx: RouteContext): RouteResult | null => {
    if (!forbidden.has(what)) return null;
    if (what === 'api-tokens') return { status: 403, body: { key: 'forbidden' } };
    if (what === 'domains') {
      // `Error.NoPerms` → NoPermsError.
      return { status: 403, body: { error: 'Forbidden', message: `The API key is missing the scope ${ADMIN_ENDPOINT_SCOPES[what]}.`, path: ctx.path, requestId: uuidFrom('req', ctx.path), status: 403, timestamp: new Date(NOW).toISOString() } };
    }
    return appError(403, 'ADMIN-403-3', 'Not allowed to manage the org', `The API key is missing the scope ${ADMIN_ENDPOINT_SCOPES[what]}.`);
  };

  /** Admin v1 paging (style A1): `cursor` only, page size set by the server, `links.next` a full URL. */
  const v1Page = <T>(ctx: RouteContext, kind: string, all: readonly T[], map: (item: T) => Json, extra?: (next: string | null) => Json): RouteResult => {
    const raw = ctx.query.get('cursor');
    let offset = 0;
    if (raw !== null) {
      const c = decodeCursor(seed, kind, raw);
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
    }
    const page = window(ctx, all, { offset, limit: model.v1PageSize });
    const self = `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
    const links: Json = { self };
    const cursor = page.next === null ? null : encodeCursor(seed, kind, page.next, model.v1PageSize);
    if (cursor !== null) {
      const q = new URLSearchParams(ctx.query);
      q.set('cursor', cursor);
      links.next = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
    }
    return ok({ data: page.items.map(map), links, ...(extra ? extra(cursor) : {}) });
  };

  /** v2 window from a POST search body: `limit` 1..max (default `def`), `cursor` from an earlier page. */
  const v2Window = (b: Json, kind: string, def: number, max: number): Window | RouteResult => {
    let offset = 0;
    let limit = def;
    if (b.cursor !== undefined && b.cursor !== null) {
      const c = typeof b.cursor === 'string' ? decodeCursor(seed, kind, b.cursor) : null;
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
      limit = c.limit;
    }
    if (b.limit !== undefined) {
      if (typeof b.limit !== 'number' || !Number.isInteger(b.limit) || b.limit < 1 || b.limit > max) {
        return appError(400, 'ADMIN-400-24', 'Invalid request body', `'limit' must be an integer between 1 and ${max}.`);
      }
      limit = b.limit;
    }
    return { offset, limit };
  };

  /** v2 page envelope: `links.next` a bare cursor (LinkPageCursor), absent at the end. */
  const v2Page = <T>(ctx: RouteContext, kind: string, all: readonly T[], w: Window, map: (item: T) => Json): RouteResult => {
    const page = window(ctx, all, w);
    const links: Json = { self: encodeCursor(seed, kind, w.offset, w.limit) };
    if (w.offset > 0) links.prev = encodeCursor(seed, kind, Math.max(0, w.offset - w.limit), w.limit);
    if (page.next !== null) links.next = encodeCursor(seed, kind, page.next, w.limit);
    return ok({ data: page.items.map(map), links });
  };

  /** `directoryId` path parameter: `-` = every directory, else one known directory (index), or a 404. */
  const directoryParam = (ctx: RouteContext): number | null | RouteResult => {
    const d = ctx.params.directoryId ?? '';
    if (d === '-') return null;
    const k = model.directories.findIndex((x) => x.directoryId === d);
    return k >= 0 ? k : appError(404, 'ADMIN-404-1', 'We couldn’t find the organization or directory.');
  };

  const groupAri = (g: AdminGroupRecord): string => `ari:cloud:identity::group/${g.id}`;

  const userJson = (i: number, expand: ReadonlySet<string>, dir: number | null): Json => {
    const out: Json = {
      accountId: users.accountId(i),
      accountType: 'atlassian',
      accountStatus: users.accountStatus(i),
      membershipStatus: users.membershipStatus(i),
      status: users.status(i),
      claimStatus: users.isManaged(i) ? 'managed' : 'unmanaged',
    };
    const src = users.managementSource(i);
    if (src !== undefined) out.managementSource = src;
    const email = users.email(i);
    if (email !== null) out.email = email;
    out.emailVerified = users.emailVerified(i);
    out.name = users.name(i);
    const nick = users.nickname(i);
    if (nick !== undefined) out.nickname = nick;
    out.picture = `https://avatar-management.example/${hex8(hash32(seed, 'pic', i))}.png`;
    const mfa = users.mfaEnabled(i);
    if (mfa !== null) out.mfaEnabled = mfa;
    const added = users.addedToOrg(i);
    if (added !== null) out.addedToOrg = new Date(added).toISOString();
    out.links = { self: encodeCursor(seed, 'user', i, 1) };
    if (expand.has('groups')) {
      out.groups = groupsOf(model, i)
        .map((g) => groups[g])
        .filter((g): g is AdminGroupRecord => g !== undefined && (dir === null || g.directory === dir))
        .map((g) => ({ id: groupAri(g), name: g.name, description: g.description ?? null }));
    }
    if (expand.has('productAccess')) {
      out.productAccess = users.productAccess(i, workspaces).map((p) => {
        const w = workspaces[p.workspace];
        return { id: w?.id, key: w?.productKey, ...(p.lastActive !== undefined ? { lastActiveTimestamp: p.lastActive } : {}) };
      });
    }
    if (expand.has('platformRoles')) out.platformRoles = users.platformRoles(i);
    if (expand.has('counts.resources')) out.counts = { resources: users.productAccess(i, workspaces).length };
    return out;
  };

  const groupJson = (g: AdminGroupRecord, expand: ReadonlySet<string>): Json => {
    const out: Json = { id: g.id, name: g.name };
    if (g.description !== undefined) out.description = g.description;
    Object.assign(out, {
      directoryId: model.directories[g.directory]?.directoryId,
      externalSynced: g.externalSynced,
      managedBy: g.managedBy,
      managementAccess: { readable: true, modifiable: !g.externalSynced, deletable: !g.externalSynced && g.index !== 0 },
      links: { self: encodeCursor(seed, 'group', g.index, 1) },
    });
    const counts: Json = {};
    if (expand.has('counts.users')) counts.users = g.members.length;
    if (expand.has('counts.resources')) counts.resources = g.resources;
    if (Object.keys(counts).length) out.counts = counts;
    return out;
  };

  const workspaceJson = (base: string, w: AdminWorkspaceRecord): Json => {
    const attributes: Json = { name: w.name, typeKey: w.typeKey, type: w.type, owner: orgId, status: w.status, statusDetails: [], icons: {}, avatars: {}, labels: w.index === 1 ? ['production'] : [], realm: 'eu', regions: ['eu-central-1'] };
    if (w.index % 2 === 1 && w.cloudId !== null) attributes.sandbox = { type: 'NONE' };
    if (w.createdAt !== undefined) attributes.createdAt = w.createdAt;
    if (w.hostUrl !== null) attributes.hostUrl = w.hostUrl;
    else attributes.hostUrl = null;
    return { id: w.id, type: 'workspaces', attributes, links: { self: `${base}/admin/v2/orgs/${orgId}/workspaces/${encodeURIComponent(w.id)}` }, relationships: {} };
  };

  const policyJson = (p: AdminPolicyRecord): Json => {
    const attributes: Json = { type: p.type };
    if (p.name !== undefined) attributes.name = p.name;
    if (p.status !== undefined) attributes.status = p.status;
    if (p.ruleIn !== undefined) attributes.rule = { in: p.ruleIn };
    if (p.resources !== undefined) attributes.resources = p.resources.map((r) => ({ id: r.id, applicationStatus: r.applicationStatus }));
    return { id: p.id, type: 'policy', attributes };
  };

  const asked = new Map<string, Set<number>>();
  const noteLimit = (route: string, limit: unknown): void => {
    if (typeof limit !== 'number') return;
    const set = asked.get(route) ?? new Set<number>();
    set.add(limit);
    asked.set(route, set);
  };

  const allUserIndexes: number[] = Array.from({ length: users.count }, (_, i) => i);
  const USER_EXPAND = ['platformRoles', 'counts.resources', 'productAccess', 'groups'] as const;
  const GROUP_EXPAND = ['counts.resources', 'counts.users'] as const;

  /**
   * API Access paging (server-set page size, `cursor` query parameter). `links.next` is a bare cursor (facts
   * sheet §7d "links.next is a cursor"), or with `urlLinks` a full URL, so the collector handles both forms.
   */
  const accessPage = <T>(ctx: RouteContext, kind: string, all: readonly T[], map: (item: T) => Json, field: 'data' | 'items', urlLinks = false): RouteResult => {
    const raw = ctx.query.get('cursor');
    let offset = 0;
    if (raw !== null) {
      const c = decodeCursor(seed, kind, raw);
      if (!c) return appError(400, 'ADMIN-400-1', 'Invalid page cursor');
      offset = c.offset;
    }
    const page = window(ctx, all, { offset, limit: model.accessPageSize });
    const links: Json = { self: `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}` };
    if (offset > 0) links.prev = encodeCursor(seed, kind, Math.max(0, offset - model.accessPageSize), model.accessPageSize);
    if (page.next !== null) {
      const c = encodeCursor(seed, kind, page.next, model.accessPageSize);
      links.next = urlLinks ? `${ctx.baseUrl}${ctx.path}?cursor=${c}` : c;
    }
    return ok({ ...(field === 'items' ? { links, items: page.items.map(map), total: all.length } : { data: page.items.map(map), links }) });
  };

  /** Every user API token of the organization's managed accounts (closed accounts have none), in account order. */
  let orgTokens: { i: number; t: AdminTokenRecord }[] | undefined;
  const allOrgTokens = (): { i: number; t: AdminTokenRecord }[] => {
    orgTokens ??= listedTokens(model);
    return orgTokens;
  };
  const serviceAccountById = new Map(model.serviceAccounts.map((a) => [a.id, a]));

  return { model, opts, users, groups, workspaces, seed, orgId, forbidden, groupById, accountIndex, orgJson, checkOrg, deny, v1Page, v2Window, v2Page, directoryParam, groupAri, userJson, groupJson, workspaceJson, policyJson, asked, noteLimit, allUserIndexes, USER_EXPAND, GROUP_EXPAND, accessPage, allOrgTokens, serviceAccountById };
}

export type AdminState = ReturnType<typeof adminState>;

/**
 * A v2 GET window (style A2): the cursor's window when one is given ("If [cursor] present, all other parameters are
 * discarded"), else `limit` 1..V2_MAX (default 20), noted under `route` for the tests' record of asked limits.
 */
function queryWindow(state: AdminState, ctx: RouteContext, kind: string, route: string): Window | RouteResult {
  const cursor = ctx.query.get('cursor');
  if (cursor !== null) return decodeCursor(state.seed, kind, cursor) ?? appError(400, 'ADMIN-400-1', 'Invalid page cursor');
  const raw = ctx.query.get('limit');
  const limit = raw === null ? 20 : Number(raw);
  if (raw !== null) state.noteLimit(route, limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > V2_MAX) return appError(400, 'ADMIN-400-24', 'Invalid request', `'limit' must be an integer between 1 and ${V2_MAX}.`);
  return { offset: 0, limit };
}

/**
 * The common start of the two directory searches (POST, style A2 in the body): the org and the endpoint's scope,
 * the `directoryId` path parameter (`-`: all), the JSON body and its window (`limit` noted under `route`).
 */
function directorySearch(state: AdminState, ctx: RouteContext, endpoint: AdminEndpoint, kind: string, def: number, route: string): { dir: number | null; b: Json; w: Window } | RouteResult {
  const bad = state.checkOrg(ctx) ?? state.deny(endpoint, ctx);
  if (bad) return bad;
  const dir = state.directoryParam(ctx);
  if (isResult(dir)) return dir;
  const b = searchBody(ctx);
  if (isResult(b)) return b;
  state.noteLimit(route, b.limit);
  const w = state.v2Window(b, kind, def, V2_MAX);
  return isResult(w) ? w : { dir, b, w };
}

// ---------------------------------------------------------------------------------------------
// Handlers (the spec operation each serves is named at its table entry)

function orgApiTokens(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, users, orgId, checkOrg, deny, accessPage, allOrgTokens } = state;
  return checkOrg(ctx) ??
  deny('org-api-tokens', ctx) ??
  accessPage(ctx, 'access-tokens', allOrgTokens(), ({ i, t }) => {
    const out: Json = { id: t.id, label: t.label, status: tokenStatus(model, i, t), createdAt: t.createdAt };
    if (t.expiry !== undefined) out.expiresAt = t.expiry;
    if (t.lastAccess !== undefined) out.lastActiveAt = t.lastAccess;
    const email = users.email(i);
    out.user = { id: users.accountId(i), orgId, name: users.name(i), ...(email !== null ? { email } : {}) };
    return out;
  }, 'data');
}

function serviceAccounts(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, orgId, checkOrg, deny, accessPage } = state;
  return checkOrg(ctx) ??
  deny('service-accounts', ctx) ??
  accessPage(ctx, 'service-accounts', model.serviceAccounts, (a) => ({
    atlassianId: a.atlassianId,
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    picture: `https://avatar-management.example/${a.id}.png`,
    container: orgId,
    updatedAt: a.updatedAt,
    status: a.status,
    createdById: a.createdById,
    ...(a.description !== undefined ? { description: a.description } : {}),
  }), 'items', true);
}

function serviceAccountApiTokens(state: AdminState, ctx: RouteContext): RouteResult {
  const { checkOrg, deny, accessPage, serviceAccountById } = state;
  const bad = checkOrg(ctx) ?? deny('service-account-credentials', ctx);
  if (bad) return bad;
  const a = serviceAccountById.get(ctx.params.serviceAccountId ?? '');
  if (!a) return appError(404, 'ADMIN-404-1', 'Service account not found');
  return accessPage(ctx, `sa-tokens-${a.id}`, a.tokens, (t) => ({
    id: t.id,
    label: t.label,
    status: t.status,
    createdAt: t.createdAt,
    ...(t.expiresAt !== undefined ? { expiresAt: t.expiresAt } : {}),
    ...(t.lastActiveAt !== undefined ? { lastActiveAt: t.lastActiveAt } : {}),
  }), 'data');
}

function serviceAccountOauthClients(state: AdminState, ctx: RouteContext): RouteResult {
  const { checkOrg, deny, accessPage, serviceAccountById } = state;
  const bad = checkOrg(ctx) ?? deny('service-account-credentials', ctx);
  if (bad) return bad;
  const a = serviceAccountById.get(ctx.params.serviceAccountId ?? '');
  if (!a) return appError(404, 'ADMIN-404-1', 'Service account not found');
  return accessPage(ctx, `sa-clients-${a.id}`, a.clients, (c) => ({ clientId: c.clientId, name: c.name, createdAt: c.createdAt, updatedAt: c.updatedAt, status: c.status }), 'data');
}

function orgs(state: AdminState, ctx: RouteContext): RouteResult {
  const { orgJson, v1Page } = state;
  return v1Page(ctx, 'orgs', [0], () => orgJson(ctx.baseUrl));
}

function org(state: AdminState, ctx: RouteContext): RouteResult {
  const { orgJson, checkOrg, deny } = state;
  return checkOrg(ctx) ?? deny('org', ctx) ?? ok({ data: orgJson(ctx.baseUrl) });
}

function domains(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, orgId, checkOrg, deny, v1Page } = state;
  return checkOrg(ctx) ??
  deny('domains', ctx) ??
  v1Page(ctx, 'domains', model.domains, (d) => {
    const attributes: Json = { name: d.name };
    if (d.claim !== undefined) attributes.claim = { ...d.claim };
    return { id: d.id, type: 'domains', attributes, links: { self: `${ctx.baseUrl}/admin/v1/orgs/${orgId}/domains/${d.id}` } };
  });
}

function policies(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, checkOrg, deny, v1Page, policyJson } = state;
  const type = ctx.query.get('type');
  const list = model.policies.filter((p) => !type || p.type === type);
  return checkOrg(ctx) ?? deny('policies', ctx) ?? v1Page(ctx, `policies-${type ?? ''}`, list, policyJson, (next) => ({ meta: { next, page_size: model.v1PageSize } }));
}

function directories(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, checkOrg, deny, v2Page } = state;
  const bad = checkOrg(ctx) ?? deny('directories', ctx);
  if (bad) return bad;
  const cursor = ctx.query.get('cursor');
  const w = queryWindow(state, ctx, 'directories', 'GET /admin/v2/orgs/{orgId}/directories');
  if (isResult(w)) return w;
  const term = cursor === null ? (ctx.query.get('searchTerm') ?? '').toLowerCase() : '';
  const list = model.directories.filter((d) => !term || d.name.toLowerCase().includes(term));
  return v2Page(ctx, 'directories', list, w, (d) => ({ directoryId: d.directoryId, name: d.name, icon: `https://admin.example/icons/${d.directoryId}.svg` }));
}

function workspacesSearch(state: AdminState, ctx: RouteContext): RouteResult {
  const { workspaces, seed, checkOrg, deny, v2Window, workspaceJson, noteLimit } = state;
  const bad = checkOrg(ctx) ?? deny('workspaces', ctx);
  if (bad) return bad;
  const b = searchBody(ctx);
  if (isResult(b)) return b;
  if (b.cursor !== undefined && b.cursor !== null && Object.keys(b).length > 1) {
    return appError(400, 'ADMIN-400-4', 'Invalid resource', 'When a cursor is provided in the request body, no other properties may be present.');
  }
  noteLimit('POST /admin/v2/orgs/{orgId}/workspaces', b.limit);
  const w = v2Window(b, 'workspaces', 20, WORKSPACES_MAX);
  if (isResult(w)) return w;
  const page = window(ctx, workspaces, w);
  const links: Json = { self: `${ctx.baseUrl}${ctx.path}` };
  if (page.next !== null) links.next = `${ctx.baseUrl}${ctx.path}?cursor=${encodeCursor(seed, 'workspaces', page.next, w.limit)}`;
  return ok({
    data: page.items.map((x) => workspaceJson(ctx.baseUrl, x)),
    links,
    meta: { pageSize: w.limit, startIndex: w.offset, endIndex: w.offset + page.items.length - 1, total: page.total },
  });
}

function groupsSearch(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, groups, accountIndex, v2Page, groupJson, GROUP_EXPAND } = state;
  const req = directorySearch(state, ctx, 'groups', 'groups', 20, 'POST /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search');
  if (isResult(req)) return req;
  const { dir, b, w } = req;
  const expand = stringList(b, 'expand', 2, GROUP_EXPAND);
  const ids = stringList(b, 'groupIds', 10);
  const names = stringList(b, 'groupNames', 100);
  const accounts = stringList(b, 'accountIds', 10);
  const dirs = stringList(b, 'directoryIds', 10);
  for (const x of [expand, ids, names, accounts, dirs]) if (isResult(x)) return x;
  const term = typeof b.searchTerm === 'string' ? b.searchTerm.toLowerCase() : '';
  if ((ids && names) || (names && term)) return appError(400, 'ADMIN-400-24', 'Invalid request body', 'groupNames is mutually exclusive with groupIds and searchTerm.');
  const idSet = Array.isArray(ids) ? new Set(ids) : null;
  const nameSet = Array.isArray(names) ? new Set(names.map((n) => n.toLowerCase())) : null;
  const memberSet = Array.isArray(accounts) ? new Set(accounts.map((a) => accountIndex.get(a) ?? -1)) : null;
  const dirSet = Array.isArray(dirs) ? new Set(dirs) : null;
  const list = groups.filter(
    (g) =>
      (dir === null || g.directory === dir) &&
      (!idSet || idSet.has(g.id)) &&
      (!nameSet || nameSet.has(g.name.toLowerCase())) &&
      (!term || g.name.toLowerCase().includes(term)) &&
      (!dirSet || dirSet.has(model.directories[g.directory]?.directoryId ?? '')) &&
      (!memberSet || Array.from(g.members).some((u) => memberSet.has(u))),
  );
  const ex = new Set(Array.isArray(expand) ? expand : []);
  return v2Page(ctx, 'groups', list, w, (g) => groupJson(g, ex));
}

function usersSearch(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, users, groups, v2Page, userJson, allUserIndexes, USER_EXPAND } = state;
  const req = directorySearch(state, ctx, 'users', 'users', 50, 'POST /admin/v2/orgs/{orgId}/directories/{directoryId}/users/search');
  if (isResult(req)) return req;
  const { dir, b, w } = req;
  const expand = stringList(b, 'expand', 4, USER_EXPAND);
  const accounts = stringList(b, 'accountIds', 10);
  const groupIds = stringList(b, 'groupIds', 10);
  const emails = stringList(b, 'emails', 100);
  const domains = stringList(b, 'emailDomains', 10);
  const accountStatus = stringList(b, 'accountStatus', 3, ACCOUNT_STATUS);
  const membershipStatus = stringList(b, 'membershipStatus', 3, MEMBERSHIP_STATUS);
  const status = stringList(b, 'status', 4, ['active', 'suspended', 'not_invited', 'deactivated', 'for_deletion']);
  for (const x of [expand, accounts, groupIds, emails, domains, accountStatus, membershipStatus, status]) if (isResult(x)) return x;
  const term = typeof b.searchTerm === 'string' ? b.searchTerm.toLowerCase() : '';
  if (term && emails) return appError(400, 'ADMIN-400-24', 'Invalid request body', '`searchTerm` and `emails` are mutually exclusive.');
  const claim = b.claimStatus;
  if (claim !== undefined && claim !== 'managed' && claim !== 'unmanaged') return appError(400, 'ADMIN-400-24', 'Invalid request body', "'claimStatus' must be managed or unmanaged.");
  const mfa = b.mfaEnabled;
  const accountSet = Array.isArray(accounts) ? new Set(accounts) : null;
  const groupSet = Array.isArray(groupIds) ? new Set(groupIds.map((g) => (g.startsWith('ari:cloud:identity::group/') ? g.slice('ari:cloud:identity::group/'.length) : g))) : null;
  const emailSet = Array.isArray(emails) ? new Set(emails.map((e) => e.toLowerCase())) : null;
  const domainSet = Array.isArray(domains) ? domains.map((d) => `@${d.toLowerCase().replace(/^@/, '')}`) : null;
  const match = (i: number): boolean => {
    if (dir !== null && users.home[i] !== dir) return false;
    if (accountSet && !accountSet.has(users.accountId(i))) return false;
    if (groupSet && !groupsOf(model, i).some((g) => groupSet.has(groups[g]?.id ?? ''))) return false;
    const email = users.email(i)?.toLowerCase() ?? null;
    if (emailSet && (email === null || !emailSet.has(email))) return false;
    if (domainSet && (email === null || !domainSet.some((d) => email.endsWith(d)))) return false;
    if (Array.isArray(accountStatus) && !accountStatus.includes(users.accountStatus(i))) return false;
    if (Array.isArray(membershipStatus) && !membershipStatus.includes(users.membershipStatus(i))) return false;
    if (Array.isArray(status) && !status.includes(users.status(i))) return false;
    if (claim !== undefined && (claim === 'managed') !== users.isManaged(i)) return false;
    if (typeof mfa === 'boolean' && users.mfaEnabled(i) !== mfa) return false;
    if (term && !users.name(i).toLowerCase().includes(term) && !(email ?? '').includes(term)) return false;
    return true;
  };
  const filtered = dir === null && !accountSet && !groupSet && !emailSet && !domainSet && !accountStatus && !membershipStatus && !status && claim === undefined && mfa === undefined && !term;
  const list = filtered ? allUserIndexes : allUserIndexes.filter(match);
  const ex = new Set(Array.isArray(expand) ? expand : []);
  return v2Page(ctx, 'users', list, w, (i) => userJson(i, ex, dir));
}

function groupRoleAssignments(state: AdminState, ctx: RouteContext): RouteResult {
  const { workspaces, groupById, checkOrg, deny, v2Page, directoryParam } = state;
  const bad = checkOrg(ctx) ?? deny('groups', ctx);
  if (bad) return bad;
  const dir = directoryParam(ctx);
  if (isResult(dir)) return dir;
  const g = groupById.get(ctx.params.groupId ?? '');
  if (!g || g.vanishing || (dir !== null && g.directory !== dir)) return appError(404, 'ADMIN-404-10', 'Group not found');
  const cursor = ctx.query.get('cursor');
  const w = queryWindow(state, ctx, `group-roles-${g.id}`, 'GET /admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments');
  if (isResult(w)) return w;
  const owners = cursor === null ? ctx.query.getAll('resourceOwners') : [];
  const roleIds = cursor === null ? ctx.query.getAll('roleIds') : [];
  const list = g.roleAssignments.filter(
    (a) => (!owners.length || owners.includes(workspaces[a.workspace]?.typeKey ?? '')) && (!roleIds.length || a.roles.some((r) => roleIds.includes(r))),
  );
  return v2Page(ctx, `group-roles-${g.id}`, list, w, (a) => {
    const ws = workspaces[a.workspace];
    return { resourceId: ws?.id, resourceOwner: ws?.typeKey, roles: a.roles, defaultRole: a.defaultRole };
  });
}

function userApiTokens(state: AdminState, ctx: RouteContext): RouteResult {
  const { model, users, accountIndex, deny } = state;
  const denied = deny('api-tokens', ctx);
  if (denied) return denied;
  const i = accountIndex.get(ctx.params.account_id ?? '');
  if (i === undefined || model.vanishing.has(i) || users.accountStatus(i) === 'closed') return { status: 404, body: { key: 'accountNotFound' } };
  if (!users.isManaged(i)) return { status: 403, body: { key: 'forbidden.targetUnverified' } };
  return ok(
    users.tokens(i).map((t) => {
      const out: Json = { label: t.label };
      if (t.lastAccess !== undefined) out.lastAccess = t.lastAccess;
      out.createdAt = t.createdAt;
      out.id = t.id;
      if (t.expiry !== undefined) out.expiry = t.expiry;
      return out;
    }),
  );
}

/** The route table: method and path pattern → handler, over the tenant's state. */
export const ADMIN_ROUTES: RouteTable<AdminState> = [
  // API Access "Get all API tokens in an org" (https://developer.atlassian.com/cloud/admin/api-access/rest/api-group-api-token/):
  // `{data: [ApiToken {id, label, status, createdAt, expiresAt, lastActiveAt, user {id, orgId, name, email}}], links}`.
  { method: 'GET', path: '/admin/api-access/v1/orgs/{orgId}/api-tokens', paged: true, handle: orgApiTokens },
  // API Access "List service accounts in an org" (Experimental; .../api-group-service-account/):
  // `{links {next, prev}, items [...], total}`; here `links.next` is a full URL.
  { method: 'GET', path: '/admin/api-access/v1/orgs/{orgId}/service-accounts', paged: true, handle: serviceAccounts },
  // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/api-tokens` (shape of the org listing
  // without `user`; unverified). 404 for an unknown service account.
  { method: 'GET', path: '/admin/api-access/v1/orgs/{orgId}/service-accounts/{serviceAccountId}/api-tokens', paged: true, handle: serviceAccountApiTokens },
  // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients`: OAuthClient
  // {clientId, name, createdAt, updatedAt (epoch ms), status}; never the secret.
  { method: 'GET', path: '/admin/api-access/v1/orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients', paged: true, handle: serviceAccountOauthClients },
  // `~1v1~1orgs/get`: the organizations of the key (one here). Style A1.
  { method: 'GET', path: '/admin/v1/orgs', paged: true, handle: orgs },
  // `~1v1~1orgs~1{orgId}/get`: `{data: OrgModel}`; 404 ADMIN-404-2 for an unknown org.
  { method: 'GET', path: '/admin/v1/orgs/{orgId}', handle: org },
  // `~1v1~1orgs~1{orgId}~1domains/get`: style A1, no limit parameter; 403 `Error.NoPerms`.
  { method: 'GET', path: '/admin/v1/orgs/{orgId}/domains', paged: true, handle: domains },
  // `~1v1~1orgs~1{orgId}~1policies/get`: style A1 plus `meta {next (the cursor, nullable), page_size}`;
  // optional `type` filter. The spec documents no 403 here; `forbidden` still answers one.
  { method: 'GET', path: '/admin/v1/orgs/{orgId}/policies', paged: true, handle: policies },
  // `~1v2~1orgs~1{orgId}~1directories/get`: style A2 on GET; limit 1..100 default 20; "If [cursor]
  // present, all other parameters are discarded" (facts sheet Q7).
  { method: 'GET', path: '/admin/v2/orgs/{orgId}/directories', paged: true, handle: directories },
  // `~1v2~1orgs~1{orgId}~1workspaces/post`: limit 1..1000 (default 20); "When a cursor is provided in the
  // request body, no other properties may be present" (400 otherwise). `links` is `LinkPageModel`
  // ("URL to fetch the Next Page"): the simulator sends a URL carrying the cursor (form unverified).
  { method: 'POST', path: '/admin/v2/orgs/{orgId}/workspaces', paged: true, handle: workspacesSearch },
  // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1search/post`: limit ≤100 (default 20),
  // filters groupIds (≤10, exclusive with groupNames), groupNames (≤100), searchTerm (exclusive with
  // groupNames), accountIds (members, ≤10), directoryIds (≤10); expand counts.users / counts.resources.
  { method: 'POST', path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/groups/search', paged: true, handle: groupsSearch },
  // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1users~1search/post`: limit ≤100 (default 50);
  // filters accountIds (≤10), groupIds (≤10; bare ids or ARIs), emails (≤100, exclusive with
  // searchTerm), emailDomains (≤10), accountStatus (≤3), membershipStatus (≤3), status (≤4),
  // claimStatus, mfaEnabled; expand groups / productAccess / platformRoles / counts.resources. Sorted by
  // nickname by default; the simulator's order is simply stable, which is all a cursor client needs.
  { method: 'POST', path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/users/search', paged: true, handle: usersSearch },
  // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1{groupId}~1role-assignments/get`: style A2
  // on GET, limit 1..100 (default 20), "If [cursor] present, all other parameters are discarded"; filters
  // resourceOwners (≤10), resourceIds (≤20), roleIds (≤10). 404 for an unknown (deleted) group.
  { method: 'GET', path: '/admin/v2/orgs/{orgId}/directories/{directoryId}/groups/{groupId}/role-assignments', paged: true, handle: groupRoleAssignments },
  // `admin-user-management.json#/paths/~1users~1{account_id}~1manage~1api-tokens/get`: unpaged array of
  // ApiTokenModel. 403 Forbidden.Action (`forbidden.targetUnverified` for an account the org does not
  // manage), 404 NotFound.Account (`accountNotFound`: unknown, closed, or removed since it was listed).
  { method: 'GET', path: '/users/{account_id}/manage/api-tokens', handle: userApiTokens },
];
