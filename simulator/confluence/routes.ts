// Simulated Confluence tenant: the REST routes that serve the model (simulator/confluence.ts has the overview).
import { z } from 'zod';
import type { RouteContext, RouteResult, RouteTable } from '../server.ts';
import { intParam, isResult, listParam } from '../params.ts';
import { hash32, hex8, uuidFrom } from '../random.ts';
import { upmRoute } from '../upm.ts';
import { CONFLUENCE_USER_SEARCH_WINDOW, type ConfluenceModel, type ConfluenceRoleRecord, type ConfluenceSpaceRecord, type ConfluenceTenantOptions, type ConfluenceUserRecord } from './model.ts';

// ---------------------------------------------------------------------------------------------
// JSON builders (only fields the spec defines)

export type Json = Record<string, unknown>;

export const ok = (body: unknown, headers?: Record<string, string>): RouteResult => ({ status: 200, body, ...(headers ? { headers } : {}) });

/** v1 error body (confluence-v1.json narrative "Status codes"): `{statusCode, data, message}`. */
export function confluenceV1Error(status: number, message: string): Json {
  return { statusCode: status, data: { authorized: status !== 401 && status !== 403, valid: status < 500, errors: [{ message: { translation: message, args: [] } }], successful: false }, message };
}

export const V2_CODES: Record<number, string> = { 400: 'INVALID_REQUEST_PARAMETER', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'TOO_MANY_REQUESTS', 500: 'INTERNAL_SERVER_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE' };

/**
 * v2 error body. confluence-v2.json defines none; this is the shape the v2 API answers with
 * (`{errors: [{status, code, title, detail}]}`, e.g. sphinx-contrib/confluencebuilder#991; unverified in the spec).
 */
export function confluenceV2Error(status: number, title: string): Json {
  return { errors: [{ status, code: V2_CODES[status] ?? 'ERROR', title, detail: null }] };
}

export const v1Fail = (status: number, message: string): RouteResult => ({ status, body: confluenceV1Error(status, message) });
export const v2Fail = (status: number, title: string): RouteResult => ({ status, body: confluenceV2Error(status, title) });

export function profilePicture(accountId: string): Json {
  const h = hex8(hash32(accountId, 'avatar'));
  return { path: `/wiki/aa-avatar/${h}`, width: 48, height: 48, isDefault: h.charCodeAt(0) % 2 === 0 };
}

// v2 `User` (`components.schemas.User`): a hidden e-mail is "", a hidden name shows the public name.
export function v2UserJson(u: ConfluenceUserRecord): Json {
  return {
    displayName: u.nameHidden ? u.publicName : u.displayName,
    timeZone: u.timeZone,
    personalSpaceId: u.personalSpaceId,
    isExternalCollaborator: u.guest,
    accountStatus: u.accountStatus,
    accountId: u.accountId,
    email: u.email ?? '',
    accountType: u.accountType,
    publicName: u.publicName,
    profilePicture: profilePicture(u.accountId),
  };
}

// v1 `User` (confluence-v1.json `components.schemas.User`): `accountType` '' when unavailable (closed accounts
// here), `email` "" or null when hidden (Q4), `displayName` null or the public name when hidden, `timeZone` null.
export function v1UserJson(base: string, u: ConfluenceUserRecord): Json {
  const out: Json = {
    type: 'known',
    accountId: u.accountId,
    accountType: u.accountType === 'unknown' ? '' : u.accountType,
    email: u.email ?? (u.emailNull ? null : ''),
    publicName: u.publicName,
    profilePicture: profilePicture(u.accountId),
    displayName: u.nameHidden ? (u.nameNull ? null : u.publicName) : u.displayName,
    isExternalCollaborator: u.guest,
    isGuest: u.guest,
    _expandable: { operations: '', personalSpace: '' },
    _links: { self: `${base}/wiki/rest/api/user?accountId=${encodeURIComponent(u.accountId)}` },
  };
  if (u.timeZone !== null) out.timeZone = u.timeZone;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paging

export interface V1Paging {
  start: number;
  limit: number;
}

// Style C1 `start`/`limit` (schema `minimum: 0`). Above the cap the endpoint either lowers `limit` silently
// (the response's `limit` shows what was applied) or, where the spec says so, answers 400.
export function v1Paging(ctx: RouteContext, def: number, cap: number, above: 'lower' | 'reject'): V1Paging | RouteResult {
  const start = intParam(ctx.query, 'start', 0);
  const limit = intParam(ctx.query, 'limit', def);
  if (start === null) return v1Fail(400, "The 'start' parameter must be a non-negative integer.");
  if (limit === null) return v1Fail(400, "The 'limit' parameter must be a non-negative integer.");
  if (limit > cap && above === 'reject') return v1Fail(400, `The limit parameter must be less than or equal to ${cap}.`);
  return { start, limit: Math.min(limit, cap) };
}

// A C1 page: `{results, start, limit, size, _links: {base, context, self, next?}}`. `next` (relative to
// `_links.base`, as v1 writes it) is present exactly when items are left; a 'shortPage' fault returns a prefix
// and keeps `next`. `end` caps the visible list (the user search window).
export function v1Page<T>(ctx: RouteContext, all: ArrayLike<T>, pg: V1Paging, map: (item: T) => unknown, extra: Json = {}, end = all.length): RouteResult {
  const last = Math.min(end, all.length);
  const slice: T[] = [];
  for (let i = pg.start; i < Math.min(last, pg.start + pg.limit); i++) slice.push(all[i] as T);
  const { items } = ctx.page(slice);
  const next = pg.start + items.length;
  const rel = ctx.path.replace(/^\/wiki/, '');
  const links: Json = { base: `${ctx.baseUrl}/wiki`, context: '/wiki', self: `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}` };
  if (items.length > 0 && next < last) {
    const q = new URLSearchParams(ctx.query);
    q.set('start', String(next));
    q.set('limit', String(pg.limit));
    links.next = `${rel}?${q.toString()}`;
  }
  return ok({ results: items.map(map), start: pg.start, limit: pg.limit, size: items.length, ...extra, _links: links });
}

export interface V2Paging {
  offset: number;
  limit: number;
}

export const CursorSchema = z.object({ o: z.int().min(0) });

export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

// Style C2: `limit` (`minimum: 1, maximum: 250`, default 25; outside → 400) and an opaque `cursor`.
export function v2Paging(ctx: RouteContext, cap: number): V2Paging | RouteResult {
  const raw = ctx.query.get('limit');
  const limit = raw === null || raw === '' ? 25 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > cap) return v2Fail(400, `Provided value {${raw ?? ''}} for 'limit' is not valid: it must be between 1 and ${cap}.`);
  const cursor = ctx.query.get('cursor');
  if (cursor === null) return { offset: 0, limit };
  try {
    return { offset: CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).o, limit };
  } catch {
    return v2Fail(400, 'Invalid cursor.');
  }
}

// A C2 page `{results, _links: {next?, base}}` plus the `Link` header. `next` is relative and starts with
// `/wiki` (quirk Q6), on the site and through the gateway alike; it carries every query parameter of the
// request with the new cursor. Neither is present on the last page (narrative "Using the REST API").
export function v2Page<T>(ctx: RouteContext, all: readonly T[], pg: V2Paging, map: (item: T) => unknown): RouteResult {
  const { items } = ctx.page(all.slice(pg.offset, pg.offset + pg.limit));
  const next = pg.offset + items.length;
  const links: Json = {};
  const headers: Record<string, string> = {};
  if (items.length > 0 && next < all.length) {
    const q = new URLSearchParams(ctx.query);
    q.set('cursor', encodeCursor(next));
    links.next = `${ctx.path}?${q.toString()}`;
    headers.link = `<${String(links.next)}>; rel="next", <${ctx.baseUrl}/wiki>; rel="base"`;
  }
  links.base = `${ctx.baseUrl}/wiki`;
  return ok({ results: items.map(map), _links: links }, headers);
}

export const SPACE_TYPES = new Set(['global', 'collaboration', 'knowledge_base', 'personal', 'system', 'onboarding', 'xflow_sample_space']);
export const PRINCIPAL_TYPES = new Set(['USER', 'GROUP', 'ACCESS_CLASS']);
export const FILTERS = new Set(['all', 'externalCollaborator', 'none']);
export const BulkBody = z.object({ accountIds: z.array(z.string()) });

// ---------------------------------------------------------------------------------------------
// Tenant

/** The tenant's state: its model, options and lookup lists (the handlers read the tenant from here). */
export interface ConfluenceState {
  model: ConfluenceModel;
  opts: ConfluenceTenantOptions;
  users: ConfluenceModel['users'];
  groups: ConfluenceModel['groups'];
  spaces: ConfluenceModel['spaces'];
  roles: ConfluenceModel['roles'];
  caps: ConfluenceModel['caps'];
  /** Space roles are on (RBAC tenants; not in PRE_ROLES mode). */
  rolesOn: boolean;
  groupById: Map<string, ConfluenceModel['groups'][number]>;
  spaceById: Map<string, ConfluenceSpaceRecord>;
  userById: Map<string, number>;
  /** User indexes by site permission type: guests, licensed users, and all of them. */
  guests: number[];
  licensed: number[];
  everyone: Int32Array;
}

export function confluenceState(model: ConfluenceModel, opts: ConfluenceTenantOptions): ConfluenceState {
  const { users, groups, spaces, roles, caps } = model;
  const userById = new Map<string, number>();
  for (let i = 0; i < users.count; i++) userById.set(users.accountId(i), i);
  const guests: number[] = [];
  const licensed: number[] = [];
  for (let i = 0; i < users.count; i++) (users.isGuest(i) ? guests : licensed).push(i);
  return {
    model,
    opts,
    users,
    groups,
    spaces,
    roles,
    caps,
    rolesOn: model.roleMode !== 'PRE_ROLES',
    groupById: new Map(groups.map((gr) => [gr.id, gr])),
    spaceById: new Map(spaces.map((s) => [s.id, s])),
    userById,
    guests,
    licensed,
    everyone: Int32Array.from({ length: users.count }, (_, i) => i),
  };
}

/** A space's child endpoint: unknown or vanishing spaces are 404 (spec: "...or the space was not found"). */
function findSpace(state: ConfluenceState, raw: string): ConfluenceSpaceRecord | RouteResult {
  if (!/^\d+$/.test(raw)) return v2Fail(400, `Provided value {${raw}} for 'id' is not the correct type. Expected type is long`);
  const s = state.spaceById.get(raw);
  return !s || s.vanishing ? v2Fail(404, 'Not Found') : s;
}

function spaceJson(state: ConfluenceState, s: ConfluenceSpaceRecord): Json {
  const out: Json = { id: s.id, key: s.key, name: s.name, type: s.type, status: s.status, authorId: state.users.accountId(s.authorIndex), createdAt: s.createdAt };
  if (s.homepageId !== undefined) out.homepageId = s.homepageId;
  out.currentActiveAlias = s.key;
  out._links = { webui: `/spaces/${encodeURIComponent(s.key)}` };
  return out;
}

function roleJson(r: ConfluenceRoleRecord): Json {
  return { id: r.id, type: r.type, name: r.name, description: r.description, spacePermissions: r.spacePermissions };
}

function rolesDisabled(): RouteResult {
  return v2Fail(404, 'Space roles are not enabled on this site.');
}

// ---------------------------------------------------------------------------------------------
// Handlers (the spec operation each serves is named at its table entry)

function currentUser(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { users } = state;
  return ok(v1UserJson(ctx.baseUrl, users.get(ctx.principal === 'limited' ? 1 : 0)));
}

function auditRetention(state: ConfluenceState, _ctx: RouteContext): RouteResult {
  const { model } = state;
  return ok({ number: model.auditRetention.number, units: model.auditRetention.units });
}

function systemInfo(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { model } = state;
  return ok({
    cloudId: uuidFrom('cloudId', model.seed),
    commitHash: hex8(hash32(model.seed, 'commit')) + hex8(hash32(model.seed, 'commit2')),
    baseUrl: `${ctx.baseUrl}/wiki`,
    edition: model.edition,
    siteTitle: 'Acme Confluence — «wiki»',
    defaultLocale: 'en_GB',
    defaultTimeZone: 'Europe/Berlin',
    microsPerimeter: 'commercial',
  });
}

function spaceRoleMode(state: ConfluenceState, _ctx: RouteContext): RouteResult {
  const { model } = state;
  return ok({ mode: model.roleMode });
}

function spaceRoles(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { spaces, roles, caps, rolesOn, spaceById } = state;
  if (!rolesOn) return rolesDisabled();
  const pg = v2Paging(ctx, caps.v2);
  if (isResult(pg)) return pg;
  const roleType = ctx.query.get('role-type');
  const principalId = ctx.query.get('principal-id');
  const principalType = ctx.query.get('principal-type');
  if ((principalId === null) !== (principalType === null)) return v2Fail(400, 'principal-id and principal-type must be specified together.');
  if (principalType !== null && !PRINCIPAL_TYPES.has(principalType)) return v2Fail(400, `Invalid principal-type: ${principalType}`);
  const spaceId = ctx.query.get('space-id');
  if (spaceId !== null && !spaceById.has(spaceId)) return v2Fail(404, 'Not Found');
  let list = roles.filter((r) => roleType === null || r.type === roleType);
  if (principalId !== null) {
    const held = new Set<number>();
    for (const s of spaces) for (const a of s.roleAssignments) if (a.principalType === principalType && a.principalId === principalId) held.add(a.roleIndex);
    list = list.filter((r) => held.has(roles.indexOf(r)));
  }
  return v2Page(ctx, list, pg, roleJson);
}

function listSpaces(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { spaces, caps } = state;
  const pg = v2Paging(ctx, caps.v2);
  if (isResult(pg)) return pg;
  const ids = new Set(listParam(ctx.query, 'ids'));
  const keys = new Set(listParam(ctx.query, 'keys'));
  const type = ctx.query.get('type');
  const status = ctx.query.get('status');
  if (type !== null && !SPACE_TYPES.has(type)) return v2Fail(400, `Invalid value for 'type': ${type}`);
  if (status !== null && status !== 'current' && status !== 'archived') return v2Fail(400, `Invalid value for 'status': ${status}`);
  const sort = ctx.query.get('sort') ?? 'id';
  const field = sort.replace(/^-/, '');
  if (field !== 'id' && field !== 'key' && field !== 'name') return v2Fail(400, `Invalid value for 'sort': ${sort}`);
  let list = spaces.filter((s) => (ids.size === 0 || ids.has(s.id)) && (keys.size === 0 || keys.has(s.key)) && (type === null || s.type === type) && (status === null || s.status === status));
  if (field !== 'id') list = [...list].sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0));
  if (sort.startsWith('-')) list = [...list].reverse();
  return v2Page(ctx, list, pg, (s) => spaceJson(state, s));
}

function getSpace(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const s = findSpace(state, ctx.params.id ?? '');
  return isResult(s) ? s : ok(spaceJson(state, s));
}

function spacePermissions(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { caps } = state;
  const s = findSpace(state, ctx.params.id ?? '');
  if (isResult(s)) return s;
  const pg = v2Paging(ctx, caps.v2);
  if (isResult(pg)) return pg;
  return v2Page(ctx, s.permissions, pg, (a) => ({ id: a.id, principal: { type: a.principalType, id: a.principalId }, operation: { key: a.operation, targetType: a.targetType } }));
}

function spaceRoleAssignments(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { roles, caps, rolesOn } = state;
  if (!rolesOn) return rolesDisabled();
  const s = findSpace(state, ctx.params.id ?? '');
  if (isResult(s)) return s;
  const pg = v2Paging(ctx, caps.v2);
  if (isResult(pg)) return pg;
  const roleId = ctx.query.get('role-id');
  const roleType = ctx.query.get('role-type');
  const principalId = ctx.query.get('principal-id');
  const principalType = ctx.query.get('principal-type');
  if ((principalId === null) !== (principalType === null)) return v2Fail(400, 'principal-id and principal-type must be specified together.');
  const list = s.roleAssignments.filter((a) => {
    const role = roles[a.roleIndex];
    return (roleId === null || role?.id === roleId) && (roleType === null || role?.type === roleType) && (principalId === null || (a.principalId === principalId && a.principalType === principalType));
  });
  return v2Page(ctx, list, pg, (a) => ({ principal: { principalType: a.principalType, principalId: a.principalId }, roleId: roles[a.roleIndex]?.id }));
}

function usersBulk(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { users, caps, userById } = state;
  let parsed: z.infer<typeof BulkBody>;
  try {
    parsed = BulkBody.parse(JSON.parse(ctx.body || 'null'));
  } catch {
    return v2Fail(400, "Request body must be an object with an 'accountIds' array.");
  }
  if (parsed.accountIds.length < 1 || parsed.accountIds.length > caps.usersBulk) return v2Fail(400, `accountIds must hold between 1 and ${caps.usersBulk} account ids.`);
  const results: Json[] = [];
  for (const id of parsed.accountIds) {
    const i = userById.get(id);
    if (i === undefined || users.isVanishing(i)) continue;
    results.push(v2UserJson(users.get(i)));
  }
  return ok({ results, _links: { base: `${ctx.baseUrl}/wiki` } }, { link: `<${ctx.baseUrl}/wiki>; rel="base"` });
}

function searchUsers(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { users, caps, guests, licensed, everyone } = state;
  const cql = ctx.query.get('cql');
  if (cql === null || cql.trim() === '') return v1Fail(400, 'The cql parameter is required.');
  if (!/^\s*type\s*=\s*"?user"?\s*$/i.test(cql)) return v1Fail(400, `Could not parse cql : ${cql}`);
  const filter = ctx.query.get('sitePermissionTypeFilter') ?? 'none';
  if (!FILTERS.has(filter)) return v1Fail(400, `Invalid sitePermissionTypeFilter: ${filter}`);
  const pg = v1Paging(ctx, 25, caps.userSearch, 'lower');
  if (isResult(pg)) return pg;
  const list = filter === 'all' ? everyone : filter === 'none' ? licensed : guests;
  return v1Page(
    ctx,
    list,
    pg,
    (i) => {
      const u = users.get(i);
      const user = v1UserJson(ctx.baseUrl, u);
      // Search hides a private full name as null (operation description: "email, profilePicture, displayName,
      // and timeZone" may be null).
      if (u.nameHidden) user.displayName = null;
      return { user, title: u.nameHidden ? u.publicName : u.displayName, excerpt: '', url: `/people/${u.accountId}`, breadcrumbs: [], entityType: 'user', iconCssClass: 'aui-icon content-type-profile', lastModified: '2026-01-01T00:00:00.000Z', score: 0 };
    },
    { totalSize: list.length, cqlQuery: cql, searchDuration: 12 },
    CONFLUENCE_USER_SEARCH_WINDOW,
  );
}

function listGroups(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { groups, caps } = state;
  const pg = v1Paging(ctx, 200, caps.groups, 'lower');
  if (isResult(pg)) return pg;
  const access = ctx.query.get('accessType');
  if (access !== null && access !== 'user' && access !== 'admin' && access !== 'site-admin') return v1Fail(400, `Invalid accessType: ${access}`);
  const adminNames = access === 'site-admin' ? ['site-admins'] : ['confluence-administrators', 'site-admins', 'administrators'];
  const list = access === null || access === 'user' ? groups : groups.filter((gr) => adminNames.includes(gr.name));
  return v1Page(ctx, list, pg, (gr) => ({ type: 'group', name: gr.name, id: gr.id, usageType: gr.usageType, managedBy: gr.managedBy, _links: { self: `${ctx.baseUrl}/wiki/rest/api/group/by-id?id=${gr.id}` } }));
}

function groupMembers(state: ConfluenceState, ctx: RouteContext): RouteResult {
  const { users, caps, groupById } = state;
  const gr = groupById.get(ctx.params.groupId ?? '');
  if (!gr || gr.vanishing) return v1Fail(404, `No group found with id : ${ctx.params.groupId ?? ''}`);
  const pg = v1Paging(ctx, 200, caps.groupMembers, 'reject');
  if (isResult(pg)) return pg;
  const extra: Json = ctx.query.get('shouldReturnTotalSize') === 'true' ? { totalSize: gr.members.length } : {};
  return v1Page(ctx, gr.members, pg, (i) => v1UserJson(ctx.baseUrl, users.get(i)), extra);
}

// ---------------------------------------------------------------------------------------------
// The route table. Operations are named by their path in The Confluence Cloud REST API (v2, and v1 where
// marked `confluence-v1.json`; `~1` for `/`).

export const CONFLUENCE_ROUTES: RouteTable<ConfluenceState> = [
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1user~1current/get` → User.
  { method: 'GET', path: '/wiki/rest/api/user/current', handle: currentUser },
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1audit~1retention/get`: RetentionPeriod; 403 without
  // 'Confluence Administrator'.
  { method: 'GET', path: '/wiki/rest/api/audit/retention', denyLimited: { status: 403, message: 'User is not permitted to view the audit log. Confluence Administrator permission is required.' }, handle: auditRetention },
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1settings~1systemInfo/get`: SystemInfoEntity.
  { method: 'GET', path: '/wiki/rest/api/settings/systemInfo', handle: systemInfo },
  // `#/paths/~1space-role-mode/get`: {mode}.
  { method: 'GET', path: '/wiki/api/v2/space-role-mode', handle: spaceRoleMode },
  // `#/paths/~1space-roles/get`: MultiEntityResult<SpaceRole>; filters space-id, role-type, principal-id +
  // principal-type ("if specified, a principal-type must also be specified"). RBAC tenants only: in
  // PRE_ROLES mode it answers 404 (unverified).
  { method: 'GET', path: '/wiki/api/v2/space-roles', paged: true, handle: spaceRoles },
  // `#/paths/~1spaces/get`: MultiEntityResult<SpaceBulk>, sorted by id ascending unless `sort`; filters
  // ids, keys, type, status (no filter = every type and status). Only viewable spaces: all of them here.
  { method: 'GET', path: '/wiki/api/v2/spaces', paged: true, handle: listSpaces },
  // `#/paths/~1spaces~1{id}/get`.
  { method: 'GET', path: '/wiki/api/v2/spaces/{id}', handle: getSpace },
  // `#/paths/~1spaces~1{id}~1permissions/get`: MultiEntityResult<SpacePermissionAssignment>; 404 when the
  // space is not found (or not viewable).
  { method: 'GET', path: '/wiki/api/v2/spaces/{id}/permissions', paged: true, handle: spacePermissions },
  // `#/paths/~1spaces~1{id}~1role-assignments/get`: MultiEntityResult<SpaceRoleAssignment>; filters role-id,
  // role-type, principal-id + principal-type. RBAC tenants only (PRE_ROLES: 404, unverified).
  { method: 'GET', path: '/wiki/api/v2/spaces/{id}/role-assignments', paged: true, handle: spaceRoleAssignments },
  // `#/paths/~1users-bulk/post`: body `{accountIds}` (minItems 1, maxItems 250; else 400). Unknown ids (and
  // accounts deleted since they were listed) are left out of `results`; the order follows the request.
  { method: 'POST', path: '/wiki/api/v2/users-bulk', handle: usersBulk },
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1search~1user/get`: SearchPageResponseSearchResult. Only
  // `cql=type=user` is modelled (other CQL answers 400 "cannot be parsed"). sitePermissionTypeFilter: none
  // (default, licensed users only) | externalCollaborator (guests only) | all (Q10). At most the first
  // 10,000 matches are ever returned ("cql=type=user will return up to 10k users"); `totalSize` counts every
  // match (unverified). `limit` is lowered silently to the (unpublished) system limit.
  { method: 'GET', path: '/wiki/rest/api/search/user', paged: true, handle: searchUsers },
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group/get`: GroupArrayWithLinks, alphabetical by name;
  // limit default 200, lowered silently; accessType user | admin | site-admin.
  { method: 'GET', path: '/wiki/rest/api/group', paged: true, handle: listGroups },
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group~1{groupId}~1membersByGroupId/get`: UserArray; "400 if
  // given limit is greater than 200"; totalSize only with shouldReturnTotalSize=true. The spec lists no 404:
  // an unknown or deleted group answers one here (unverified).
  { method: 'GET', path: '/wiki/rest/api/group/{groupId}/membersByGroupId', paged: true, handle: groupMembers },
  upmRoute('/wiki/rest/plugins/1.0/', (state: ConfluenceState) => state.model.apps),
];
