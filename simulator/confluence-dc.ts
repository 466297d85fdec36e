/**
 * Simulated Confluence Data Center instance behind a context path (`${sim.url}/confluence`): seeded users (userKey,
 * username; some deactivated), groups and members, current and archived spaces (global and personal) and their
 * permissions; the REST routes, the ground truth (account_id = userKey) and the minimum number of requests.
 *
 * Authority: the Confluence Data Center REST reference, https://developer.atlassian.com/server/confluence/rest/v1000/
 * (resource groups User, Group, Space, Space Permissions, Server Information), CONFSERVER-87291 (user/list, 8.4+) and
 * CONFSERVER-100505 (space permissions shape, 9.1+). PATs as Bearer, checked by the routes themselves (`ownAuth`).
 *
 * Paging: DC's `next` link is `start + limit` whatever `size` says (CONFSERVER-95396), because `start` counts positions
 * before the permission filter that shortens a page (CONFSERVER-36578): the `positions` reading of
 * simulator/paging.ts, always. `_links.next` is relative to `_links.base` (origin + context path).
 */
import { hash32, hex8, Rng, unit } from './random.ts';
import { bindRoutes, type ProductSim, type RouteContext, type RouteResult, type RouteTable, selfChecked } from './server.ts';
import { JIRA_DC_TOKENS } from './jira-dc.ts';
import { DEFAULT_SHORT_PAGE_RATE, pager, type ShortPagesOption } from './paging.ts';

export interface ConfluenceDcPageCaps {
  users: number;
  groups: number;
  groupMembers: number;
  spaces: number;
}
export const DEFAULT_CONFLUENCE_DC_PAGE_CAPS: Readonly<ConfluenceDcPageCaps> = { users: 200, groups: 200, groupMembers: 200, spaces: 100 };

/** Same PATs as the Jira DC simulator: admin, limited (no admin rights) and expired. */
export const CONFLUENCE_DC_TOKENS = JIRA_DC_TOKENS;

export interface ConfluenceDcTenantOptions {
  seed?: number;
  users?: number;
  groups?: number;
  memberships?: number;
  spaces?: number;
  vanishingGroups?: number;
  vanishingSpaces?: number;
  /** @default '/confluence' */
  contextPath?: string;
  pageCaps?: Partial<ConfluenceDcPageCaps>;
  /**
   * Rows hidden from the caller (permission-filtered) between visible ones, so pages come back short while
   * `next` stays `start + limit` (CONFSERVER-36578/95396). DC always counts positions. Default: nothing hidden.
   */
  shortPages?: { reading?: 'positions'; rate?: number };
  /**
   * The Confluence version (`server-information`). Before 9.1.0 `space/{spaceKey}/permissions` does not exist
   * (CONFSERVER-100505), before 8.4.0 `user/list` does not (CONFSERVER-87291): Jersey's 404. @default '9.2.0'
   */
  version?: string;
  /** Extra groups whose names contain `/` (e.g. `ops/oncall`), with members. @default 0 */
  slashGroups?: number;
  /**
   * Serve paths with an encoded solidus or backslash (`%2F`, `%5C`). Tomcat's default rejects them with 400 before
   * Confluence sees the request (`encodedSolidusHandling="reject"`). @default false
   */
  allowEncodedSlash?: boolean;
}

interface User { userKey: string; username: string; displayName: string; email: string | null; active: boolean }
interface Perm { subject: { type: 'user'; user: number } | { type: 'group'; group: number }; op: string; target: string }
export interface ConfluenceDcModel {
  caps: ConfluenceDcPageCaps;
  contextPath: string;
  seed: number;
  version: string;
  /** How the lists page (simulator/paging.ts): positions, some hidden (rate > 0) when `shortPages` is set. */
  shortPages: ShortPagesOption;
  users: User[];
  groups: { name: string; members: number[]; vanishing: boolean }[];
  spaces: { id: number; key: string; name: string; type: 'global' | 'personal'; status: 'current' | 'archived'; vanishing: boolean; perms: Perm[] }[];
}

export interface ConfluenceDcSim extends ProductSim {
  model: ConfluenceDcModel;
  groundTruth(): Record<string, Record<string, unknown>[]>;
  minimumRequests(): number;
}

const NAMES = ['Ana Silva', 'Ben Okoro', 'Chloé Martin', '李小龙', 'Dmitri Ivanov', 'Eve "E" O\'Neil', 'Fatma Yılmaz 🚀', 'Gus Grün'];
const OPS: [string, string][] = [['read', 'space'], ['administer', 'space'], ['create', 'page'], ['create', 'blogpost'], ['delete', 'page'], ['create', 'comment'], ['restrict_content', 'space'], ['export', 'space']];

function generate(o: ConfluenceDcTenantOptions): ConfluenceDcModel {
  const seed = o.seed ?? 1;
  const rng = new Rng(hash32(seed, 'confluence-dc'));
  const n = Math.max(5, o.users ?? 50);
  const users: User[] = [];
  for (let i = 0; i < n; i++) {
    const username = i === 0 ? 'collector' : i === 1 ? 'viewer' : `user${i}`;
    users.push({
      userKey: `${hex8(hash32(seed, 'k1', i))}${hex8(hash32(seed, 'k2', i))}${hex8(hash32(seed, 'k3', i))}${hex8(i)}`,
      username,
      displayName: i === 0 ? 'Access Collector' : `${NAMES[i % NAMES.length] ?? 'User'} ${i}`,
      email: i > 1 && unit(seed, 'hide', i) < 0.1 ? null : `${username}@acme.internal`,
      active: i === 4 ? false : i < 2 ? true : unit(seed, 'active', i) >= 0.1,
    });
  }
  const nG = Math.max(4, o.groups ?? 8);
  const groups: ConfluenceDcModel['groups'] = [];
  for (let g = 0; g < nG; g++) {
    const name = ['confluence-users', 'confluence-administrators', 'empty-group', 'Équipe Données 🚨'][g] ?? `team-${g}`;
    groups.push({ name, members: [], vanishing: g >= nG - (o.vanishingGroups ?? 0) && g >= 4 });
  }
  for (let i = 0; i < n; i++) groups[0]?.members.push(i);
  groups[1]?.members.push(0);
  for (let m = 0; m < (o.memberships ?? n); m++) {
    const g = 3 + rng.int(nG - 3);
    const u = rng.int(n);
    const list = groups[g]?.members;
    if (list && !list.includes(u)) list.push(u);
  }
  // Groups with a solidus in the name, from their own stream so the rest of the tenant is unchanged.
  const slashRng = new Rng(hash32(seed, 'confluence-dc-slash-groups'));
  for (let k = 0; k < Math.max(0, Math.floor(o.slashGroups ?? 0)); k++) {
    const name = ['ops/oncall', 'eng/platform/sre', 'sales/emea', 'hr/people ops'][k] ?? `dept-${k}/team`;
    const members = new Set<number>();
    for (let m = 0; m < 3 + slashRng.int(8); m++) members.add(slashRng.int(n));
    groups.push({ name, members: [...members], vanishing: false });
  }
  for (const g of groups) g.members.sort((a, b) => a - b);
  const nS = Math.max(1, o.spaces ?? 6);
  const spaces: ConfluenceDcModel['spaces'] = [];
  for (let s = 0; s < nS; s++) {
    const personal = s % 4 === 3;
    const perms: Perm[] = [];
    const seen = new Set<string>();
    const add = (p: Perm): void => {
      const k = `${p.subject.type}:${p.subject.type === 'user' ? p.subject.user : p.subject.group}:${p.op}:${p.target}`;
      if (!seen.has(k)) {
        seen.add(k);
        perms.push(p);
      }
    };
    if (s % 5 !== 4) {
      // every space but one in five has permissions; that one has none (an empty child)
      for (const [op, target] of OPS) add({ subject: { type: 'group', group: 1 }, op, target });
      add({ subject: { type: 'group', group: 0 }, op: 'read', target: 'space' });
      for (let k = 0; k < 3; k++) {
        const [op, target] = OPS[rng.int(OPS.length)] ?? ['read', 'space'];
        add({ subject: { type: 'user', user: rng.int(n) }, op, target });
      }
    }
    spaces.push({ id: 131_000 + s, key: personal ? `~${users[s % n]?.username ?? 'x'}` : `S${s}`, name: personal ? (users[s % n]?.displayName ?? 'x') : `Space ${s} — données`, type: personal ? 'personal' : 'global', status: s % 6 === 5 ? 'archived' : 'current', vanishing: s >= nS - (o.vanishingSpaces ?? 0), perms });
  }
  const hidden = o.shortPages === undefined ? 0 : (o.shortPages.rate ?? DEFAULT_SHORT_PAGE_RATE);
  return {
    caps: { ...DEFAULT_CONFLUENCE_DC_PAGE_CAPS, ...o.pageCaps },
    contextPath: o.contextPath ?? '/confluence',
    version: o.version ?? '9.2.0',
    seed,
    shortPages: { reading: 'positions', rate: hidden },
    users,
    groups,
    spaces,
  };
}

/** Confluence DC error body `{statusCode, data, message, reason}` (DC REST error responses). */
function fail(status: number, message: string): RouteResult {
  return { status, body: { statusCode: status, data: { authorized: status !== 401 && status !== 403, valid: true, errors: [], successful: false }, message, reason: status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Unauthorized' } };
}

/** Jersey's answer for a resource this version does not have. */
function unknownResource(ctx: RouteContext): RouteResult {
  const query = ctx.query.toString();
  return { status: 404, body: { statusCode: 404, message: `null for uri: ${ctx.baseUrl}${ctx.path}${query ? `?${query}` : ''}` } };
}

/** `a` is at least `b`, comparing dotted versions numerically ('9.10.0' > '9.2.0'). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** Tomcat's error page for a rejected request (encoded solidus with `encodedSolidusHandling="reject"`). */
const TOMCAT_400 =
  '<!doctype html><html lang="en"><head><title>HTTP Status 400 – Bad Request</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} ' +
  'h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} ' +
  'a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status 400 – Bad Request</h1></body></html>';

function intParam(q: URLSearchParams, name: string, def: number): number {
  const n = Number(q.get(name) ?? def);
  return Number.isInteger(n) && n >= 0 ? n : def;
}

/** The tenant's state: its model and REST prefix (the handlers read the tenant from here). */
export interface ConfluenceDcState {
  model: ConfluenceDcModel;
  /** `<contextPath>/rest/api`: every route's path starts here. */
  api: string;
  contextPath: string;
  version: string;
  users: ConfluenceDcModel['users'];
  groups: ConfluenceDcModel['groups'];
  spaces: ConfluenceDcModel['spaces'];
  caps: ConfluenceDcModel['caps'];
}

function serverInformationJson(state: ConfluenceDcState, ctx: RouteContext): Record<string, unknown> {
  const [major = 0, minor = 0, patch = 0] = state.version.split('.').map((x) => parseInt(x, 10) || 0);
  const build = String(major * 1000 + minor * 100 + patch); // simulated numbering
  return { baseUrl: `${ctx.baseUrl}${state.contextPath}`, version: state.version, buildNumber: build, marketplaceBuildNumber: build, buildDate: '2024-11-26T00:00:00.000Z' };
}

function person(state: ConfluenceDcState, u: User, all: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'known', username: u.username, userKey: u.userKey, profilePicture: { path: `${state.contextPath}/images/icons/profilepics/default.svg`, width: 48, height: 48, isDefault: true }, displayName: u.displayName };
  if (u.email !== null) out.email = u.email;
  if (all) out.status = u.active ? 'active' : 'deactivated';
  return out;
}

/**
 * PageResponse; `_links.next` while positions remain: `start + limit` (CONFSERVER-95396), relative to `_links.base`
 * (without the context path). A 'shortPage' fault continues right after its last row.
 */
function page<T>(state: ConfluenceDcState, ctx: RouteContext, list: string, all: readonly T[], cap: number, map: (t: T) => unknown): RouteResult {
  const { model, contextPath } = state;
  const start = intParam(ctx.query, 'start', 0);
  const limit = Math.min(Math.max(1, intParam(ctx.query, 'limit', 25)), cap);
  const { items, more, nextStart } = pager(model.seed, model.shortPages).page(ctx, list, all, start, limit);
  const links: Record<string, string> = { base: `${ctx.baseUrl}${contextPath}`, context: contextPath, self: `${ctx.baseUrl}${ctx.path}` };
  if (more) {
    const q = new URLSearchParams(ctx.query);
    q.delete('start');
    q.delete('limit');
    q.append('start', String(nextStart));
    q.append('limit', String(limit));
    links.next = `${ctx.path.slice(contextPath.length)}?${q.toString()}`;
  }
  return { status: 200, body: { results: items.map(map), start, limit, size: items.length, _links: links } };
}

/** A DC API route: path below `<contextPath>/rest/api`; `deny`: the limited user's 403; `since`: the first version with it. */
interface DcRoute {
  method: 'GET';
  path: string;
  paged?: boolean;
  deny?: string;
  since?: string;
  handle(state: ConfluenceDcState, ctx: RouteContext): RouteResult;
}

/** The table entry with the PAT check every route makes; older versions answer Jersey's 404 (after authentication). */
const patChecked = selfChecked<ConfluenceDcState, DcRoute>((state, ctx, r) => {
  const h = ctx.headers.authorization;
  const token = /^Bearer\s+(.+)$/i.exec((Array.isArray(h) ? h[0] : h)?.trim() ?? '')?.[1]?.trim();
  if (token === CONFLUENCE_DC_TOKENS.expired) return fail(401, 'The personal access token has expired.');
  if (token !== CONFLUENCE_DC_TOKENS.admin && token !== CONFLUENCE_DC_TOKENS.limited) return fail(401, 'This request requires authentication.');
  if (r.since !== undefined && !versionAtLeast(state.version, r.since)) return unknownResource(ctx);
  return token === CONFLUENCE_DC_TOKENS.limited && r.deny ? fail(403, r.deny) : null;
});

function spaceJson(s: ConfluenceDcModel['spaces'][number]): Record<string, unknown> {
  return { id: s.id, key: s.key, name: s.name, type: s.type, status: s.status, _links: { webui: `/spaces/${s.key}` } };
}

// Handlers: each reads the tenant from its state argument.

function serverInformation(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  return ({ status: 200, body: serverInformationJson(state, ctx) });
}

function currentUser(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { users } = state;
  return ({ status: 200, body: person(state, users[ctx.headers.authorization?.includes(CONFLUENCE_DC_TOKENS.limited) ? 1 : 0] as User, false) });
}

function userList(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { users, caps } = state;
  return page(state, ctx, 'users', users, caps.users, (u) => person(state, u, true));
}

function listGroups(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { api, groups, caps } = state;
  return page(state, ctx, 'groups', groups, caps.groups, (g) => ({ type: 'group', name: g.name, _links: { self: `${ctx.baseUrl}${api}/group/${encodeURIComponent(g.name)}` } }));
}

function groupMembers(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { users, groups, caps } = state;
  const g = groups.find((x) => x.name === ctx.params.groupName);
  if (!g || g.vanishing) return fail(404, `No group found with name : ${ctx.params.groupName ?? ''}`);
  return page(state, ctx, `members:${g.name}`, g.members, caps.groupMembers, (i) => person(state, users[i] as User, false));

}

function listSpaces(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { spaces, caps } = state;
  const status = ctx.query.get('status');
  const list = spaces.filter((s) => (status ? s.status === status : s.status === 'current'));
  return page(state, ctx, `spaces:${status ?? 'current'}`, list, caps.spaces, spaceJson);

}

function getSpace(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { spaces } = state;
  // DC REST "Space › Get space".
  const s = spaces.find((x) => x.key === ctx.params.spaceKey);
  if (!s || s.vanishing) return fail(404, `No space with key : ${ctx.params.spaceKey ?? ''}`);
  return { status: 200, body: spaceJson(s) };

}

function spacePermissions(state: ConfluenceDcState, ctx: RouteContext): RouteResult {
  const { users, groups, spaces } = state;
  const s = spaces.find((x) => x.key === ctx.params.spaceKey);
  if (!s || s.vanishing) return fail(404, `No space with key : ${ctx.params.spaceKey ?? ''}`);
  return {
    status: 200,
    body: s.perms.map((p) => ({
      operation: { targetType: p.target, operationKey: p.op },
      subject: p.subject.type === 'user' ? { type: 'user', userKey: users[p.subject.user]?.userKey } : { type: 'group', name: groups[p.subject.group]?.name },
      spaceKey: s.key,
      spaceId: s.id,
    })),
  };

}

const DC_API_ROUTES: readonly DcRoute[] = [
  // DC REST "Server Information": version and build of the instance.
  { method: 'GET', path: '/server-information', handle: serverInformation },
  { method: 'GET', path: '/user/current', handle: currentUser },
  { method: 'GET', path: '/user/list', paged: true, deny: 'User is not permitted to list users.', since: '8.4.0', handle: userList },
  { method: 'GET', path: '/group', paged: true, deny: 'User is not permitted to list groups.', handle: listGroups },
  { method: 'GET', path: '/group/{groupName}/member', paged: true, handle: groupMembers },
  { method: 'GET', path: '/space', paged: true, handle: listSpaces },
  { method: 'GET', path: '/space/{spaceKey}', handle: getSpace },
  { method: 'GET', path: '/space/{spaceKey}/permissions', deny: 'User is not permitted to view the permissions of this space.', since: '9.1.0', handle: spacePermissions },
];

/** The route table, paths relative to the tenant's `api` prefix (confluenceDcTenant adds it: the context path is an option). */
export const CONFLUENCE_DC_ROUTES: RouteTable<ConfluenceDcState> = DC_API_ROUTES.map(patChecked);

export function confluenceDcTenant(o: ConfluenceDcTenantOptions = {}): ConfluenceDcSim {
  const model = generate(o);
  const { users, groups, spaces, caps, contextPath, version } = model;
  const state: ConfluenceDcState = { model, api: `${contextPath}/rest/api`, contextPath, version, users, groups, spaces, caps };
  const routes = bindRoutes(CONFLUENCE_DC_ROUTES, state).map((r) => ({ ...r, path: `${state.api}${r.path}` }));
  // Tomcat in front of Confluence rejects an encoded solidus or backslash in the raw path before Confluence sees it.
  const screen = (request: { method: string; rawUrl: string }): RouteResult | undefined => {
    if (o.allowEncodedSlash === true) return undefined;
    const rawPath = request.rawUrl.split('?')[0] ?? '';
    if (!rawPath.startsWith(`${contextPath}/`) || !/%2f|%5c/i.test(rawPath)) return undefined;
    return { status: 400, body: TOMCAT_400, contentType: 'text/html;charset=utf-8', headers: { 'content-language': 'en' } };
  };
  return { name: 'confluence-dc', routes, model, screen, groundTruth: () => groundTruth(model), minimumRequests: () => minimumRequests(model) };
}

export function groundTruth(model: ConfluenceDcModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, spaces } = model;
  return {
    confluence_users: users.map((u) => ({ account_id: u.userKey, account_type: 'unknown', account_status: u.active ? 'active' : 'inactive', display_name: u.displayName, public_name: null, email: u.email, is_guest: null, personal_space_id: null, time_zone: null })),
    confluence_groups: groups.map((g) => ({ group_id: g.name, name: g.name, type: 'group', usage_type: null, managed_by: null })),
    confluence_group_members: groups.filter((g) => !g.vanishing).flatMap((g) =>
      g.members.map((i) => {
        const u = users[i] as User;
        return { group_id: g.name, group_name: g.name, account_id: u.userKey, account_type: null, display_name: u.displayName, public_name: null, email: u.email, is_guest: null };
      }),
    ),
    confluence_spaces: spaces.map((s) => ({ space_id: String(s.id), space_key: s.key, name: s.name, type: s.type, status: s.status, author_id: null, created_at: null, homepage_id: null })),
    confluence_space_permissions: spaces.filter((s) => !s.vanishing).flatMap((s) =>
      s.perms.map((p) => {
        const principal = p.subject.type === 'user' ? (users[p.subject.user]?.userKey ?? '') : (groups[p.subject.group]?.name ?? '');
        return { space_id: String(s.id), space_key: s.key, permission_id: `${p.subject.type}:${principal}:${p.op}:${p.target}`, principal_type: p.subject.type, principal_id: principal, operation: p.op, target_type: p.target };
      }),
    ),
    confluence_space_roles: [],
    confluence_space_role_assignments: [],
    confluence_settings: [],
  };
}

/**
 * current user + every list (users, groups, each group's members, current and archived spaces) in pages that follow
 * `_links.next` (positions, hidden rows included: max(1, ceil(positions / cap)); no extra empty page after a full last
 * one) + one per group whose members are gone (404) + one per space's permissions.
 */
export function minimumRequests(model: ConfluenceDcModel): number {
  const p = pager(model.seed, model.shortPages);
  let n = 1 + p.pages('users', model.users.length, model.caps.users) + p.pages('groups', model.groups.length, model.caps.groups);
  for (const g of model.groups) n += g.vanishing ? 1 : p.pages(`members:${g.name}`, g.members.length, model.caps.groupMembers);
  for (const status of ['current', 'archived']) n += p.pages(`spaces:${status}`, model.spaces.filter((s) => s.status === status).length, model.caps.spaces);
  // One permissions request per space; a vanished space's 404 is confirmed by one lookup of the space itself.
  return n + model.spaces.length + model.spaces.filter((s) => s.vanishing).length;
}
