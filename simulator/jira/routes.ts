// Simulated Jira tenant: the REST routes that serve the model (simulator/jira.ts has the overview).
import { onPart, type RouteContext, type RouteResult, type RouteTable } from '../server.ts';
import { boolParam, isResult, listParam } from '../params.ts';
import { fail, ok, pageBean, paging } from './page-bean.ts';
import { hash32, hex8 } from '../random.ts';
import { upmRoute } from '../upm.ts';
import { pager } from '../paging.ts';
import { ISSUE_SECURITY_ROUTES } from '../jira-issue-security.ts';
import { JIRA_AUDIT_ROUTES, type JiraAuditLog } from '../jira-audit.ts';
import { INSTANCE_TIME_ZONE, type JiraGroupRecord, type JiraModel, type JiraProjectRecord, type JiraPropertyRecord, type JiraSchemeRecord, type JiraTenantOptions, type JiraUserRecord } from './model.ts';

// ---------------------------------------------------------------------------------------------
// JSON builders (only fields the spec defines)

export type Json = Record<string, unknown>;

export function avatarUrls(seed: string): Json {
  const h = hex8(hash32(seed, 'avatar'));
  const base = `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/${h.slice(0, 2).toUpperCase()}-${h.charCodeAt(2) % 6}.png`;
  return { '48x48': `${base}?size=48&s=48`, '24x24': `${base}?size=24&s=24`, '16x16': `${base}?size=16&s=16`, '32x32': `${base}?size=32&s=32` };
}

/** `UserDetails` schema (group/member values). Hidden email is either omitted or null (User.emailAddress "may be returned as null"). */
export function userDetailsJson(base: string, u: JiraUserRecord): Json {
  const out: Json = { self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`, accountId: u.accountId, accountType: u.accountType };
  if (u.emailAddress !== null) out.emailAddress = u.emailAddress;
  else if (u.hiddenEmailAs === 'null') out.emailAddress = null;
  out.avatarUrls = avatarUrls(u.accountId);
  out.displayName = u.displayName;
  out.active = u.active;
  out.timeZone = u.timeZone;
  return out;
}

/** `User` schema: `UserDetails` plus locale, guest and appType. */
export function userJson(base: string, u: JiraUserRecord): Json {
  const out = userDetailsJson(base, u);
  if (u.locale !== null) out.locale = u.locale;
  if (u.guest !== undefined) out.guest = u.guest;
  if (u.appType !== undefined) out.appType = u.appType;
  return out;
}

export function groupNameJson(base: string, g: JiraGroupRecord): Json {
  return { name: g.name, groupId: g.groupId, self: `${base}/rest/api/3/group?groupId=${g.groupId}` };
}

// ---------------------------------------------------------------------------------------------
// Routes

export { fail, isResult, ok, pageBean, paging, type Paging } from './page-bean.ts';

/** The tenant's state: its model, options, audit log and lookup maps (the handlers read the tenant from here). */
export interface JiraState {
  model: JiraModel;
  opts: JiraTenantOptions;
  audit: JiraAuditLog;
  users: JiraModel['users'];
  groups: JiraModel['groups'];
  projects: JiraModel['projects'];
  roles: JiraModel['roles'];
  schemes: JiraModel['schemes'];
  caps: JiraModel['caps'];
  groupById: Map<string, JiraGroupRecord>;
  groupByName: Map<string, JiraGroupRecord>;
  projectByRef: Map<string, JiraProjectRecord>;
  /** Active members of a group, by group index, computed on first use. */
  activeMembers: Map<number, Int32Array>;
}

export function jiraState(model: JiraModel, opts: JiraTenantOptions, audit: JiraAuditLog): JiraState {
  const { users, groups, projects, roles, schemes, caps } = model;
  const projectByRef = new Map<string, JiraProjectRecord>();
  for (const p of projects) {
    projectByRef.set(p.id, p);
    projectByRef.set(p.key, p);
  }
  return {
    model,
    opts,
    audit,
    users,
    groups,
    projects,
    roles,
    schemes,
    caps,
    groupById: new Map(groups.map((g) => [g.groupId, g])),
    groupByName: new Map(groups.map((g) => [g.name.toLowerCase(), g])),
    projectByRef,
    activeMembers: new Map(),
  };
}

function activeOf(state: JiraState, g: JiraGroupRecord): Int32Array {
  let list = state.activeMembers.get(g.index);
  if (!list) {
    list = g.members.filter((u) => state.users.isActive(u));
    state.activeMembers.set(g.index, list);
  }
  return list;
}

/** Child endpoints of a project: unknown and vanishing projects are 404. */
function findProject(state: JiraState, ref: string): JiraProjectRecord | RouteResult {
  const p = state.projectByRef.get(ref);
  // Message as Jira words it for an unknown project key (unverified in spec; 404 is documented).
  if (!p || p.vanishing) return fail(404, `No project could be found with key '${ref}'.`);
  return p;
}

function schemeJson(state: JiraState, base: string, s: JiraSchemeRecord, expand: string[]): Json {
  const { users, groups, roles } = state;
  const out: Json = { expand: 'permissions,user,group,projectRole,field,all', id: s.id, self: `${base}/rest/api/3/permissionscheme/${s.id}`, name: s.name };
  if (s.description !== undefined) out.description = s.description;
  // "Note that permissions are included when you specify any value" (expand param of
  // `~1rest~1api~13~1permissionscheme/get` and of the project permissionscheme endpoint).
  if (expand.length === 0) return out;
  const all = expand.includes('all');
  out.permissions = s.grants.map((gr) => {
    const holder: Json = { type: gr.holder.type };
    if (gr.holder.parameter !== undefined) holder.parameter = gr.holder.parameter;
    if (gr.holder.value !== undefined) holder.value = gr.holder.value;
    const g = gr.holder.groupIndex !== undefined ? groups[gr.holder.groupIndex] : undefined;
    if (g && (all || expand.includes('group'))) holder.group = groupNameJson(base, g);
    if (gr.holder.userIndex !== undefined && (all || expand.includes('user'))) holder.user = userJson(base, users.get(gr.holder.userIndex));
    const role = gr.holder.roleIndex !== undefined ? roles[gr.holder.roleIndex] : undefined;
    if (role && (all || expand.includes('projectRole'))) holder.projectRole = { self: `${base}/rest/api/3/role/${role.id}`, name: role.name, id: role.id, description: role.description };
    return { id: gr.id, self: `${base}/rest/api/3/permissionscheme/${s.id}/permission/${gr.id}`, holder, permission: gr.permission };
  });
  return out;
}

function projectJson(state: JiraState, base: string, p: JiraProjectRecord, expand: string[]): Json {
  const { users } = state;
  const out: Json = {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${base}/rest/api/3/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    avatarUrls: avatarUrls(p.id),
    projectTypeKey: p.projectTypeKey,
    simplified: p.style === 'next-gen',
    style: p.style,
    isPrivate: p.isPrivate,
    properties: {},
  };
  if (p.style === 'next-gen') out.uuid = p.uuid; // "Unique ID for next-gen projects"
  if (expand.includes('lead')) out.lead = userJson(base, users.get(p.leadIndex));
  // Live projects omit archived/deleted entirely; clients must default them to false.
  if (p.status === 'archived') {
    Object.assign(out, { archived: true, archivedDate: '2025-03-14T09:26:53.000+0000', archivedBy: userJson(base, users.get(0)) });
  }
  if (p.status === 'deleted') {
    Object.assign(out, { deleted: true, deletedDate: '2026-01-05T16:00:00.000+0000', deletedBy: userJson(base, users.get(0)), retentionTillDate: '2026-03-06T16:00:00.000+0000' });
  }
  return out;
}

function expandList(ctx: RouteContext): string[] {
  return listParam(ctx.query, 'expand');
}

// ---------------------------------------------------------------------------------------------
// Handlers (the spec operation each serves is named at its table entry)

// Style J2 (facts sheet §3): bare array, no envelope, no isLast/total; the end is an empty
// array (quirk Q1). Cap 1000 ("limited to 1000"), silently lowered. Short pages come from
// the tenant's `shortPages` reading and the 'shortPage' fault. Both paths page one list.
function usersSearch(state: JiraState, ctx: RouteContext): RouteResult {
  const { model, users, caps } = state;
  const pg = paging(ctx, caps.usersSearch);
  if (isResult(pg)) return pg;
  const { items } = pager(model.seed, model.shortPages).pageOf(ctx, 'users', users.count, (i) => i, pg.startAt, pg.maxResults);
  return ok(items.map((i) => userJson(ctx.baseUrl, users.get(i))));
}

function serverInfo(state: JiraState, ctx: RouteContext): RouteResult {
  const { model } = state;
  return ok({
    baseUrl: ctx.baseUrl,
    displayUrl: ctx.baseUrl,
    version: '1001.0.0-SNAPSHOT',
    versionNumbers: [1001, 0, 0],
    deploymentType: 'Cloud',
    buildNumber: 100299,
    buildDate: '2026-06-20T00:00:00.000+0000',
    serverTime: new Date().toISOString().replace('Z', '+0000'),
    scmInfo: hex8(hash32(model.seed, 'scm')) + hex8(hash32(model.seed, 'scm2')),
    serverTitle: 'Jira',
    serverTimeZone: INSTANCE_TIME_ZONE,
  });
}

function myself(state: JiraState, ctx: RouteContext): RouteResult {
  const { users } = state;
  return ok(userJson(ctx.baseUrl, users.get(ctx.principal === 'limited' ? 1 : 0)));
}

function groupBulk(state: JiraState, ctx: RouteContext): RouteResult {
  const { model, groups, caps } = state;
  const pg = paging(ctx, caps.groupBulk);
  if (isResult(pg)) return pg;
  const ids = new Set(ctx.query.getAll('groupId'));
  const names = new Set(ctx.query.getAll('groupName').map((n) => n.toLowerCase()));
  const appKey = ctx.query.get('applicationKey');
  const appRole = appKey ? model.applicationRoles.find((r) => r.key === appKey) : undefined;
  const list = groups.filter(
    (g) =>
      (ids.size === 0 || ids.has(g.groupId)) &&
      (names.size === 0 || names.has(g.name.toLowerCase())) &&
      (!appKey || (appRole?.groupIndexes.includes(g.index) ?? false)),
  );
  return pageBean(ctx, list, pg, (g) => ({ groupId: g.groupId, name: g.name }));
}

function groupMember(state: JiraState, ctx: RouteContext): RouteResult {
  const { users, caps, groupById, groupByName } = state;
  const groupId = ctx.query.get('groupId');
  const groupname = ctx.query.get('groupname');
  // 400 "Returned if the group name is not specified."
  if (!groupId && !groupname) return fail(400, 'You must specify a group name or a group id.');
  const g = groupId ? groupById.get(groupId) : groupByName.get((groupname ?? '').toLowerCase());
  // Message wording unverified (spec: "Returned if the group is not found").
  if (!g || g.vanishing) return fail(404, 'Group not found.');
  const pg = paging(ctx, caps.groupMember);
  if (isResult(pg)) return pg;
  const members = boolParam(ctx.query, 'includeInactiveUsers', false) ? g.members : activeOf(state, g);
  return pageBean(ctx, members, pg, (u) => userDetailsJson(ctx.baseUrl, users.get(u)));
}

function applicationRoles(state: JiraState, ctx: RouteContext): RouteResult {
  const { model, groups } = state;
  return ok(
    model.applicationRoles.map((r) => {
      const gs = r.groupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
      const ds = r.defaultGroupIndexes.map((g) => groups[g]).filter((g): g is JiraGroupRecord => g !== undefined);
      const out: Json = {
        key: r.key,
        groups: gs.map((g) => g.name),
        groupDetails: gs.map((g) => groupNameJson(ctx.baseUrl, g)),
        name: r.name,
        defaultGroups: ds.map((g) => g.name),
        defaultGroupsDetails: ds.map((g) => groupNameJson(ctx.baseUrl, g)),
        selectedByDefault: r.selectedByDefault,
        defined: false,
      };
      if (r.numberOfSeats !== undefined) out.numberOfSeats = r.numberOfSeats;
      if (r.remainingSeats !== undefined) out.remainingSeats = r.remainingSeats;
      Object.assign(out, { userCount: r.userCount, userCountDescription: r.userCountDescription, hasUnlimitedSeats: r.hasUnlimitedSeats, platform: r.platform });
      return out;
    }),
  );
}

function projectSearch(state: JiraState, ctx: RouteContext): RouteResult {
  const { projects, caps } = state;
  const pg = paging(ctx, caps.projectSearch);
  if (isResult(pg)) return pg;
  const statuses = listParam(ctx.query, 'status');
  for (const s of statuses) if (s !== 'live' && s !== 'archived' && s !== 'deleted') return fail(400, `Invalid project status: '${s}'.`);
  const wanted = new Set(statuses.length ? statuses : ['live']);
  const ids = new Set(listParam(ctx.query, 'id'));
  const keys = new Set(listParam(ctx.query, 'keys'));
  const text = (ctx.query.get('query') ?? '').toLowerCase();
  const types = new Set(listParam(ctx.query, 'typeKey'));
  let list = projects.filter(
    (p) =>
      wanted.has(p.status) &&
      (ids.size === 0 || ids.has(p.id)) &&
      (keys.size === 0 || keys.has(p.key)) &&
      (!text || p.key.toLowerCase().includes(text) || p.name.toLowerCase().includes(text)) &&
      (types.size === 0 || types.has(p.projectTypeKey)),
  );
  const orderBy = ctx.query.get('orderBy') ?? 'key';
  const desc = orderBy.startsWith('-');
  const field = orderBy.replace(/^[-+]/, '');
  if (field === 'name') list = [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (desc) list = [...list].reverse();
  if (list.length === 0) return fail(404, 'No projects were found matching the search criteria.');
  const expand = expandList(ctx);
  return pageBean(ctx, list, pg, (p) => projectJson(state, ctx.baseUrl, p, expand));
}

function projectPermissionScheme(state: JiraState, ctx: RouteContext): RouteResult {
  const { schemes } = state;
  const p = findProject(state, ctx.params.projectKeyOrId ?? '');
  if (isResult(p)) return p;
  const s = schemes[p.schemeIndex];
  if (!s) return fail(404, 'Permission scheme not found.');
  return ok(schemeJson(state, ctx.baseUrl, s, expandList(ctx)));
}

function projectRoles(state: JiraState, ctx: RouteContext): RouteResult {
  const { roles } = state;
  const p = findProject(state, ctx.params.projectIdOrKey ?? '');
  if (isResult(p)) return p;
  const map: Record<string, string> = {};
  for (const pr of p.roles) {
    const role = roles[pr.roleIndex];
    if (role) map[role.name] = `${ctx.baseUrl}/rest/api/3/project/${p.id}/role/${role.id}`;
  }
  return ok(map);
}

function projectRole(state: JiraState, ctx: RouteContext): RouteResult {
  const { users, groups, roles } = state;
  const p = findProject(state, ctx.params.projectIdOrKey ?? '');
  if (isResult(p)) return p;
  const idText = ctx.params.id ?? '';
  const id = Number(idText);
  if (!/^\d+$/.test(idText)) return fail(400, `Invalid project role id: '${idText}'.`);
  const pr = p.roles.find((x) => roles[x.roleIndex]?.id === id);
  const role = pr ? roles[pr.roleIndex] : undefined;
  if (!pr || !role) return fail(404, `Can not find project role with id: ${idText}`);
  const excludeInactive = boolParam(ctx.query, 'excludeInactiveUsers', false);
  const actors = pr.actors
    .filter((a) => !(excludeInactive && a.kind === 'user' && !users.isActive(a.userIndex)))
    .map((a): Json => {
      if (a.kind === 'user') return { id: a.id, displayName: a.displayName, type: 'atlassian-user-role-actor', actorUser: { accountId: users.accountId(a.userIndex) } };
      const g = groups[a.groupIndex];
      return { id: a.id, displayName: a.displayName, type: 'atlassian-group-role-actor', name: g?.name, actorGroup: { name: g?.name, displayName: g?.name, groupId: g?.groupId } };
    });
  return ok({ self: `${ctx.baseUrl}/rest/api/3/project/${p.id}/role/${role.id}`, name: role.name, id: role.id, description: role.description, actors });
}

function allProjectRoles(state: JiraState, ctx: RouteContext): RouteResult {
  const { roles } = state;
  return ok(
    roles.map((r) => ({
      self: `${ctx.baseUrl}/rest/api/3/role/${r.id}`,
      name: r.name,
      id: r.id,
      description: r.description,
      admin: r.admin,
      default: r.isDefault,
      roleConfigurable: r.roleConfigurable,
      translatedName: r.name,
    })),
  );
}

function permissionSchemes(state: JiraState, ctx: RouteContext): RouteResult {
  const { schemes } = state;
  const expand = expandList(ctx);
  return ok({ permissionSchemes: schemes.map((s) => schemeJson(state, ctx.baseUrl, s, expand)) });
}

function applicationProperties(state: JiraState, ctx: RouteContext): RouteResult {
  const { model } = state;
  const toJson = (p: JiraPropertyRecord): Json => {
    const out: Json = { id: p.id, key: p.id };
    if (p.value !== undefined) out.value = p.value;
    Object.assign(out, { name: p.name, desc: p.desc, type: p.type });
    if (p.defaultValue !== undefined) out.defaultValue = p.defaultValue;
    if (p.allowedValues) out.allowedValues = p.allowedValues;
    return out;
  };
  const key = ctx.query.get('key');
  if (key) {
    const p = model.properties.find((x) => x.id === key);
    return p ? ok(toJson(p)) : fail(404, `The application property '${key}' was not found.`);
  }
  const filter = ctx.query.get('keyFilter');
  let re: RegExp | null = null;
  if (filter) {
    try {
      re = new RegExp(`^(?:${filter})$`);
    } catch {
      return fail(400, `Invalid keyFilter: '${filter}'.`);
    }
  }
  return ok(model.properties.filter((p) => !re || re.test(p.id)).map(toJson));
}

// ---------------------------------------------------------------------------------------------
// The route table. Operations are named by their path in The Jira Cloud platform REST API (`~1` for `/`).

export const JIRA_ROUTES: RouteTable<JiraState> = [
  // `~1rest~1api~13~1serverInfo/get`: anonymous; deploymentType "always returned as Cloud".
  { method: 'GET', path: '/rest/api/3/serverInfo', anonymous: true, handle: serverInfo },
  // `~1rest~1api~13~1myself/get` → User.
  { method: 'GET', path: '/rest/api/3/myself', handle: myself },
  // `~1rest~1api~13~1users~1search/get` and `~1rest~1api~13~1users/get`: one list, paged as style J2 (see usersSearch).
  ...['/rest/api/3/users/search', '/rest/api/3/users'].map((path) => ({ method: 'GET' as const, path, paged: true, handle: usersSearch })),
  // `~1rest~1api~13~1group~1bulk/get`: PageBeanGroupDetails; filters groupId, groupName
  // (repeatable), applicationKey. accessType is accepted and ignored.
  { method: 'GET', path: '/rest/api/3/group/bulk', paged: true, handle: groupBulk },
  // `~1rest~1api~13~1group~1member/get`: PageBeanUserDetails, maxResults "between 1 and 50",
  // includeInactiveUsers default false (inactive members excluded unless true). 403 without
  // Administer Jira. 404 when the group is not found (also for vanishing groups).
  { method: 'GET', path: '/rest/api/3/group/member', paged: true, denyLimited: { status: 403, message: 'You do not have permission to view the members of this group.' }, handle: groupMember },
  // `~1rest~1api~13~1applicationrole/get`: array of ApplicationRole; 403 for non-admins.
  { method: 'GET', path: '/rest/api/3/applicationrole', denyLimited: { status: 403, message: 'You do not have permission to view application roles.' }, handle: applicationRoles },
  // `~1rest~1api~13~1project~1search/get`: PageBeanProject, maxResults maximum 100 (">100
  // silently becomes 100"), orderBy default key, status (repeatable; we also accept a
  // comma-separated list) default live, expand=lead for the lead. 404 "if no projects matching
  // the search criteria are found" (quirk Q9).
  { method: 'GET', path: '/rest/api/3/project/search', paged: true, handle: projectSearch },
  // `~1rest~1api~13~1project~1{projectKeyOrId}~1permissionscheme/get`: PermissionScheme; 403
  // without permission to view the project's configuration; 404 when not found.
  { method: 'GET', path: '/rest/api/3/project/{projectKeyOrId}/permissionscheme', denyLimited: { status: 403, message: "You do not have permission to view this project's configuration." }, handle: projectPermissionScheme },
  // `~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`: object map roleName → role URL (id =
  // last segment). Denied users get 404 ("...or if the user does not have administrative
  // permissions for the project"); the spec also lists 401 for that case.
  { method: 'GET', path: '/rest/api/3/project/{projectIdOrKey}/role', denyLimited: { status: 404, message: 'You cannot view the roles of this project.' }, handle: projectRoles },
  // `~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`: ProjectRole with actors sorted by
  // display name; excludeInactiveUsers default false. 404 when the project or role is not found
  // or the user lacks administrative permission.
  { method: 'GET', path: '/rest/api/3/project/{projectIdOrKey}/role/{id}', denyLimited: { status: 404, message: 'You cannot view the roles of this project.' }, handle: projectRole },
  // `~1rest~1api~13~1role/get`: array of ProjectRole; 403 without Administer Jira. Default
  // actors are omitted (not needed by the collector).
  { method: 'GET', path: '/rest/api/3/role', denyLimited: { status: 403, message: 'You do not have permission to view project roles.' }, handle: allProjectRoles },
  // `~1rest~1api~13~1permissionscheme/get`: {permissionSchemes}; grants only with expand.
  { method: 'GET', path: '/rest/api/3/permissionscheme', handle: permissionSchemes },
  // `~1rest~1api~13~1application-properties/get`: array of ApplicationProperty; with `key`, a
  // single object. The spec lists no 403: a caller without Administer Jira gets 404 ("not found
  // or the user does not have permission to view it").
  { method: 'GET', path: '/rest/api/3/application-properties', denyLimited: { status: 404, message: 'You do not have permission to view application properties.' }, handle: applicationProperties },
  ...onPart((state: JiraState) => state.model, ISSUE_SECURITY_ROUTES),
  upmRoute('/rest/plugins/1.0/', (state: JiraState) => state.model.apps, (state) => state.opts.appsForbidden === true),
  ...onPart((state: JiraState) => state.audit, JIRA_AUDIT_ROUTES),
];
