// Simulated Jira tenant: the REST routes that serve the model (simulator/jira.ts has the overview).
import { errorBody, type Route, type RouteContext, type RouteResult } from '../server.ts';
import { hash32, hex8 } from '../random.ts';
import { upmRoute } from '../upm.ts';
import { pager } from '../paging.ts';
import { issueSecurityRoutes } from '../jira-issue-security.ts';
import { INSTANCE_TIME_ZONE, type JiraGroupRecord, type JiraModel, type JiraProjectRecord, type JiraPropertyRecord, type JiraSchemeRecord, type JiraTenantOptions, type JiraUserRecord } from './model.ts';

// ---------------------------------------------------------------------------------------------
// JSON builders (only fields the spec defines)

export type Json = Record<string, unknown>;

export function avatarUrls(seed: string): Json {
  const h = hex8(hash32(seed, 'avatar'));
  const base = `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/initials/${h.slice(0, 2).toUpperCase()}-${h.charCodeAt(2) % 6}.png`;
  return { '48x48': `${base}?size=48&s=48`, '24x24': `${base}?size=24&s=24`, '16x16': `${base}?size=16&s=16`, '32x32': `${base}?size=32&s=32` };
}

/** `User` schema. Hidden email is either omitted or null (User.emailAddress "may be returned as null"). */
export function userJson(base: string, u: JiraUserRecord): Json {
  const out: Json = { self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(u.accountId)}`, accountId: u.accountId, accountType: u.accountType };
  if (u.emailAddress !== null) out.emailAddress = u.emailAddress;
  else if (u.hiddenEmailAs === 'null') out.emailAddress = null;
  out.avatarUrls = avatarUrls(u.accountId);
  out.displayName = u.displayName;
  out.active = u.active;
  out.timeZone = u.timeZone;
  if (u.locale !== null) out.locale = u.locale;
  if (u.guest !== undefined) out.guest = u.guest;
  if (u.appType !== undefined) out.appType = u.appType;
  return out;
}

/** `UserDetails` schema (group/member values). */
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

export function groupNameJson(base: string, g: JiraGroupRecord): Json {
  return { name: g.name, groupId: g.groupId, self: `${base}/rest/api/3/group?groupId=${g.groupId}` };
}

// ---------------------------------------------------------------------------------------------
// Routes

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const fail = (status: number, ...messages: string[]): RouteResult => ({ status, body: errorBody(...messages) });

/** Integer query parameter; `null` when malformed. */
export function intParam(q: URLSearchParams, name: string, def: number): number | null {
  const raw = q.get(name);
  if (raw === null || raw.trim() === '') return def;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

export function boolParam(q: URLSearchParams, name: string, def: boolean): boolean {
  const raw = q.get(name);
  if (raw === null) return def;
  return raw.toLowerCase() === 'true';
}

/** All values of a repeatable parameter, also accepting comma-separated lists. */
export function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export interface Paging {
  startAt: number;
  maxResults: number;
}

/**
 * startAt/maxResults with the endpoint's cap. Quirk Q2 (facts sheet §10; narrative "Pagination"):
 * a maxResults above the cap is silently lowered and the response's maxResults shows the cap.
 */
export function paging(ctx: RouteContext, cap: number): Paging | RouteResult {
  const startAt = intParam(ctx.query, 'startAt', 0);
  const maxResults = intParam(ctx.query, 'maxResults', 50);
  if (startAt === null) return fail(400, "The value of 'startAt' must be a non-negative integer.");
  if (maxResults === null) return fail(400, "The value of 'maxResults' must be a non-negative integer.");
  return { startAt, maxResults: Math.min(maxResults, cap) };
}

export function isResult(x: Paging | RouteResult): x is RouteResult {
  return 'body' in x;
}

/**
 * Jira PageBean (style J1, facts sheet §3): `{self, nextPage?, maxResults, startAt, total, isLast,
 * values}`. A 'shortPage' fault returns a prefix with isLast false, maxResults unchanged, and
 * nextPage continuing right after the last item returned.
 */
export function pageBean<T>(ctx: RouteContext, all: ArrayLike<T>, pg: Paging, map: (item: T) => Json): RouteResult {
  const total = all.length;
  const slice: T[] = [];
  for (let i = pg.startAt; i < Math.min(total, pg.startAt + pg.maxResults); i++) slice.push(all[i] as T);
  const { items, short } = ctx.page(slice);
  const next = pg.startAt + items.length;
  const isLast = !short && next >= total;
  const self = `${ctx.baseUrl}${ctx.path}${ctx.query.size ? `?${ctx.query.toString()}` : ''}`;
  const body: Json = { self };
  if (!isLast) {
    const q = new URLSearchParams(ctx.query);
    q.set('startAt', String(next));
    body.nextPage = `${ctx.baseUrl}${ctx.path}?${q.toString()}`;
  }
  Object.assign(body, { maxResults: pg.maxResults, startAt: pg.startAt, total, isLast, values: items.map(map) });
  return ok(body);
}

/** The tenant's lookups and JSON builders over its model, shared by the routes. */
export function jiraState(model: JiraModel, opts: JiraTenantOptions) {
  const { users, groups, projects, roles, schemes, caps } = model;
  const groupById = new Map(groups.map((g) => [g.groupId, g]));
  const groupByName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
  const projectByRef = new Map<string, JiraProjectRecord>();
  for (const p of projects) {
    projectByRef.set(p.id, p);
    projectByRef.set(p.key, p);
  }
  const activeMembers = new Map<number, Int32Array>();
  const activeOf = (g: JiraGroupRecord): Int32Array => {
    let list = activeMembers.get(g.index);
    if (!list) {
      list = g.members.filter((u) => users.isActive(u));
      activeMembers.set(g.index, list);
    }
    return list;
  };

  /** Child endpoints of a project: unknown and vanishing projects are 404. */
  const findProject = (ref: string): JiraProjectRecord | RouteResult => {
    const p = projectByRef.get(ref);
    // Message as Jira words it for an unknown project key (unverified in spec; 404 is documented).
    if (!p || p.vanishing) return fail(404, `No project could be found with key '${ref}'.`);
    return p;
  };

  const schemeJson = (base: string, s: JiraSchemeRecord, expand: string[]): Json => {
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
  };

  const projectJson = (base: string, p: JiraProjectRecord, expand: string[]): Json => {
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
  };

  const expandList = (ctx: RouteContext): string[] => listParam(ctx.query, 'expand');

  return { model, opts, users, groups, projects, roles, schemes, caps, groupById, groupByName, projectByRef, activeMembers, activeOf, findProject, schemeJson, projectJson, expandList };
}

export type JiraState = ReturnType<typeof jiraState>;

/** The route table: method and path pattern → handler, over the tenant's state. */
export function jiraRoutes(state: JiraState): Route[] {
  const { model, opts, users, groups, projects, roles, schemes, caps, groupById, groupByName, activeOf, findProject, schemeJson, projectJson, expandList } = state;
  return [
    {
      // `~1rest~1api~13~1serverInfo/get`: anonymous; deploymentType "always returned as Cloud".
      method: 'GET',
      path: '/rest/api/3/serverInfo',
      anonymous: true,
      handle: (ctx) =>
        ok({
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
        }),
    },
    {
      // `~1rest~1api~13~1myself/get` → User.
      method: 'GET',
      path: '/rest/api/3/myself',
      handle: (ctx) => ok(userJson(ctx.baseUrl, users.get(ctx.principal === 'limited' ? 1 : 0))),
    },
    ...['/rest/api/3/users/search', '/rest/api/3/users'].map(
      (path): Route => ({
        // Style J2 (facts sheet §3): bare array, no envelope, no isLast/total; the end is an empty
        // array (quirk Q1). Cap 1000 ("limited to 1000"), silently lowered. Short pages come from
        // the tenant's `shortPages` reading and the 'shortPage' fault. Both paths page one list.
        method: 'GET',
        path,
        paged: true,
        handle: (ctx) => {
          const pg = paging(ctx, caps.usersSearch);
          if (isResult(pg)) return pg;
          const { items } = pager(model.seed, model.shortPages).pageOf(ctx, 'users', users.count, (i) => i, pg.startAt, pg.maxResults);
          return ok(items.map((i) => userJson(ctx.baseUrl, users.get(i))));
        },
      }),
    ),
    {
      // `~1rest~1api~13~1group~1bulk/get`: PageBeanGroupDetails; filters groupId, groupName
      // (repeatable), applicationKey. accessType is accepted and ignored.
      method: 'GET',
      path: '/rest/api/3/group/bulk',
      paged: true,
      handle: (ctx) => {
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
      },
    },
    {
      // `~1rest~1api~13~1group~1member/get`: PageBeanUserDetails, maxResults "between 1 and 50",
      // includeInactiveUsers default false (inactive members excluded unless true). 403 without
      // Administer Jira. 404 when the group is not found (also for vanishing groups).
      method: 'GET',
      path: '/rest/api/3/group/member',
      paged: true,
      denyLimited: { status: 403, message: 'You do not have permission to view the members of this group.' },
      handle: (ctx) => {
        const groupId = ctx.query.get('groupId');
        const groupname = ctx.query.get('groupname');
        // 400 "Returned if the group name is not specified."
        if (!groupId && !groupname) return fail(400, 'You must specify a group name or a group id.');
        const g = groupId ? groupById.get(groupId) : groupByName.get((groupname ?? '').toLowerCase());
        // Message wording unverified (spec: "Returned if the group is not found").
        if (!g || g.vanishing) return fail(404, 'Group not found.');
        const pg = paging(ctx, caps.groupMember);
        if (isResult(pg)) return pg;
        const members = boolParam(ctx.query, 'includeInactiveUsers', false) ? g.members : activeOf(g);
        return pageBean(ctx, members, pg, (u) => userDetailsJson(ctx.baseUrl, users.get(u)));
      },
    },
    {
      // `~1rest~1api~13~1applicationrole/get`: array of ApplicationRole; 403 for non-admins.
      method: 'GET',
      path: '/rest/api/3/applicationrole',
      denyLimited: { status: 403, message: 'You do not have permission to view application roles.' },
      handle: (ctx) =>
        ok(
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
        ),
    },
    {
      // `~1rest~1api~13~1project~1search/get`: PageBeanProject, maxResults maximum 100 (">100
      // silently becomes 100"), orderBy default key, status (repeatable; we also accept a
      // comma-separated list) default live, expand=lead for the lead. 404 "if no projects matching
      // the search criteria are found" (quirk Q9).
      method: 'GET',
      path: '/rest/api/3/project/search',
      paged: true,
      handle: (ctx) => {
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
        return pageBean(ctx, list, pg, (p) => projectJson(ctx.baseUrl, p, expand));
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectKeyOrId}~1permissionscheme/get`: PermissionScheme; 403
      // without permission to view the project's configuration; 404 when not found.
      method: 'GET',
      path: '/rest/api/3/project/{projectKeyOrId}/permissionscheme',
      denyLimited: { status: 403, message: "You do not have permission to view this project's configuration." },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectKeyOrId ?? '');
        if (isProjectError(p)) return p;
        const s = schemes[p.schemeIndex];
        if (!s) return fail(404, 'Permission scheme not found.');
        return ok(schemeJson(ctx.baseUrl, s, expandList(ctx)));
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`: object map roleName → role URL (id =
      // last segment). Denied users get 404 ("...or if the user does not have administrative
      // permissions for the project"); the spec also lists 401 for that case.
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}/role',
      denyLimited: { status: 404, message: 'You cannot view the roles of this project.' },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectIdOrKey ?? '');
        if (isProjectError(p)) return p;
        const map: Record<string, string> = {};
        for (const pr of p.roles) {
          const role = roles[pr.roleIndex];
          if (role) map[role.name] = `${ctx.baseUrl}/rest/api/3/project/${p.id}/role/${role.id}`;
        }
        return ok(map);
      },
    },
    {
      // `~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`: ProjectRole with actors sorted by
      // display name; excludeInactiveUsers default false. 404 when the project or role is not found
      // or the user lacks administrative permission.
      method: 'GET',
      path: '/rest/api/3/project/{projectIdOrKey}/role/{id}',
      denyLimited: { status: 404, message: 'You cannot view the roles of this project.' },
      handle: (ctx) => {
        const p = findProject(ctx.params.projectIdOrKey ?? '');
        if (isProjectError(p)) return p;
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
      },
    },
    {
      // `~1rest~1api~13~1role/get`: array of ProjectRole; 403 without Administer Jira. Default
      // actors are omitted (not needed by the collector).
      method: 'GET',
      path: '/rest/api/3/role',
      denyLimited: { status: 403, message: 'You do not have permission to view project roles.' },
      handle: (ctx) =>
        ok(
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
        ),
    },
    {
      // `~1rest~1api~13~1permissionscheme/get`: {permissionSchemes}; grants only with expand.
      method: 'GET',
      path: '/rest/api/3/permissionscheme',
      handle: (ctx) => {
        const expand = expandList(ctx);
        return ok({ permissionSchemes: schemes.map((s) => schemeJson(ctx.baseUrl, s, expand)) });
      },
    },
    {
      // `~1rest~1api~13~1application-properties/get`: array of ApplicationProperty; with `key`, a
      // single object. The spec lists no 403: a caller without Administer Jira gets 404 ("not found
      // or the user does not have permission to view it").
      method: 'GET',
      path: '/rest/api/3/application-properties',
      denyLimited: { status: 404, message: 'You do not have permission to view application properties.' },
      handle: (ctx) => {
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
      },
    },
    ...issueSecurityRoutes(model),
    upmRoute('/rest/plugins/1.0/', () => model.apps, { forbidden: opts.appsForbidden === true }),
  ];
}
export function isProjectError(p: JiraProjectRecord | RouteResult): p is RouteResult {
  return 'body' in p; // not 'status': projects have a status too
}
