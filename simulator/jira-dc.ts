/**
 * Simulated Jira Data Center instance behind a context path (`${sim.url}/jira`): a seeded model (users with key and
 * name, groups, memberships, projects, project roles and actors, permission schemes), the REST API 2 routes that
 * serve it, the ground truth a perfect collector writes (account_id = username), and the minimum number of requests.
 *
 * Authority: the Jira Data Center REST reference, https://docs.atlassian.com/software/jira/docs/api/REST/latest
 * (anchors `#api/2/<resource>-<method>` below), and the Atlassian issue tracker where it is silent. Authentication
 * is a personal access token as Bearer (DC REST "Authentication"); routes check it themselves (`ownAuth`) so the
 * simulator can tell a full-admin PAT, a PAT of an ordinary user (403 on admin resources) and an expired PAT (401).
 */
import { bindRoutes, DEFAULT_CREDENTIALS, errorBody, type ProductSim, type RouteContext, type RouteResult, type RouteTable, selfChecked } from './server.ts';
import { intParam } from './params.ts';
import { hash32, Rng, unit } from './random.ts';

export interface JiraDcPageCaps {
  /** `user/list` maxResults cap: default 2000 documented, maximum not (unverified); the collector asks 1000. */
  userList: number;
  /** `user/search` maxResults cap: 1000 up to Jira 9 (DC REST `#api/2/user-findUsers`). */
  userSearch: number;
  /** `user/search` window: only the first N matches are reachable through startAt (JRASERVER-65089: 1000). */
  userSearchWindow: number;
  /** `group/member` maxResults cap (unverified; 50 as in Cloud). */
  groupMember: number;
  /** `groups/picker`: most groups one answer holds (jira.ajax.autocomplete.limit raised by maxResults; unverified). */
  groupsPicker: number;
}

export const DEFAULT_JIRA_DC_PAGE_CAPS: Readonly<JiraDcPageCaps> = { userList: 1000, userSearch: 1000, userSearchWindow: 1000, groupMember: 50, groupsPicker: 10_000 };

/** PATs the simulated instance knows, besides the admin one (`DEFAULT_CREDENTIALS.bearerToken`). */
export const JIRA_DC_TOKENS = {
  admin: DEFAULT_CREDENTIALS.bearerToken,
  /** PAT of a user without 'Jira Administrators' nor 'Browse users and groups'. */
  limited: 'sim-dc-limited-pat',
  /** PAT past its expiry date: 401 on every request. */
  expired: 'sim-dc-expired-pat',
} as const;

export interface JiraDcTenantOptions {
  seed?: number;
  users?: number;
  groups?: number;
  /** Memberships of the generated groups (the first group additionally holds every user). */
  memberships?: number;
  projects?: number;
  schemes?: number;
  /** Groups listed by the picker whose group/member answers 404 (deleted between the two calls). */
  vanishingGroups?: number;
  /** Projects listed by /project whose child endpoints answer 404. */
  vanishingProjects?: number;
  /** Jira version reported by serverInfo; before 10.3 there is no user/list (404). @default [10, 3, 4] */
  version?: [number, number, number];
  /** Context path of the instance. @default '/jira' */
  contextPath?: string;
  pageCaps?: Partial<JiraDcPageCaps>;
}

export interface JiraDcUserRecord {
  index: number;
  key: string;
  name: string;
  displayName: string;
  /** null = hidden by the instance's e-mail visibility (field omitted). */
  email: string | null;
  active: boolean;
  locale: string | null;
  timeZone: string;
}

export interface JiraDcModel {
  seed: number;
  version: [number, number, number];
  caps: JiraDcPageCaps;
  contextPath: string;
  users: JiraDcUserRecord[];
  groups: { name: string; members: number[]; vanishing: boolean }[];
  roles: { id: number; name: string; description: string }[];
  projects: {
    id: string;
    key: string;
    name: string;
    type: string;
    archived: boolean;
    lead: number;
    scheme: number;
    vanishing: boolean;
    roles: { role: number; actors: ({ kind: 'user'; user: number } | { kind: 'group'; group: number })[] }[];
  }[];
  schemes: { id: number; name: string; description: string | undefined; grants: { id: number; permission: string; type: string; user?: number; group?: number; parameter?: string }[] }[];
  applicationRoles: { key: string; name: string; groups: number[]; defaults: number[]; seats: number | undefined; userCount: number; unlimited: boolean; platform: boolean }[];
  properties: { key: string; name: string; desc: string; type: string; value: string; defaultValue: string | undefined }[];
}

export interface JiraDcSim extends ProductSim {
  model: JiraDcModel;
  /** Table name -> rows, without site, collected_at and deployment. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the collector's page sizes, without faults. */
  minimumRequests(): number;
}

const FIRST = ['alice', 'bruno', 'chen', 'dana', 'emeka', 'fatima', 'giulia', 'hiro', 'ines', 'jonas', 'kofi', 'lena', 'mateo', 'nadia'];
const LAST = ['anders', 'becker', 'costa', 'dubois', 'eriksen', 'fischer', 'garcia', 'haddad', 'ito', 'jensen'];
const UNICODE_NAMES = ['Zoë Ångström', '山田太郎', 'Łukasz Żółć', 'Σωκράτης Παπαδόπουλος', 'José Núñez 🚀', 'Dwayne "The Rock" Back\\slash'];
const SPECIAL_GROUPS = ['jira-software-users', 'jira-administrators', 'jira-servicedesk-users', 'empty-group'];
const GROUP_WORDS = ['team', 'ops', 'eng', 'sales', 'support', 'finance', 'legal', 'design', 'data', 'security'];
const UNICODE_GROUPS = ['Équipe Données', '開発チーム', 'on-call 🚨', 'R&D "core" team'];
const ROLES = [
  { id: 10002, name: 'Administrators', description: 'A project role that represents administrators in a project' },
  { id: 10001, name: 'Developers', description: 'A project role that represents developers in a project' },
  { id: 10000, name: 'Users', description: 'A project role that represents users in a project' },
  { id: 10100, name: 'Viewers', description: 'Read-only access — «lecture seule»' },
];
const PROJECT_NAMES = ['Apollo', 'Billing', 'Customer Portal', 'Données Clients', 'Edge Gateway', '顧客ポータル', 'Growth', 'HR Onboarding'];
const PERMISSIONS = ['ADMINISTER_PROJECTS', 'BROWSE_PROJECTS', 'CREATE_ISSUES', 'EDIT_ISSUES', 'ASSIGNABLE_USER', 'DELETE_ISSUES', 'MANAGE_WATCHERS'];
const HOLDERS = ['group', 'user', 'projectRole', 'applicationRole', 'anyone', 'reporter', 'projectLead'] as const;

function generate(opts: JiraDcTenantOptions): JiraDcModel {
  const seed = opts.seed ?? 1;
  const rng = new Rng(hash32(seed, 'jira-dc'));
  const caps = { ...DEFAULT_JIRA_DC_PAGE_CAPS, ...opts.pageCaps };
  const nUsers = Math.max(5, opts.users ?? 60);
  const users: JiraDcUserRecord[] = [];
  for (let i = 0; i < nUsers; i++) {
    const first = FIRST[hash32(seed, 'f', i) % FIRST.length] ?? 'alex';
    const last = LAST[hash32(seed, 'l', i) % LAST.length] ?? 'doe';
    const name = i === 0 ? 'collector' : i === 1 ? 'viewer' : `${first}.${last}${i}`;
    // Accounts created before Jira 8 keep their first username as key; a renamed one shows the old name there.
    const legacy = i > 1 && i % 5 === 0;
    const key = legacy ? (i % 10 === 0 ? `${first}${i}` : name) : `JIRAUSER${10_000 + i}`;
    const displayName = i === 0 ? 'Access Collector' : i === 1 ? 'Vera Viewer' : i % 13 === 7 ? (UNICODE_NAMES[Math.floor(i / 13) % UNICODE_NAMES.length] ?? 'Zoë') : `${first[0]?.toUpperCase()}${first.slice(1)} ${last[0]?.toUpperCase()}${last.slice(1)}`;
    users.push({
      index: i,
      key,
      name,
      displayName,
      email: i > 1 && unit(seed, 'hide', i) < 0.1 ? null : `${name}@acme.internal`,
      active: i === 4 ? false : i < 2 ? true : unit(seed, 'active', i) >= 0.12,
      locale: unit(seed, 'loc', i) < 0.1 ? null : 'en_US',
      timeZone: i % 3 === 0 ? 'Europe/Berlin' : 'America/New_York',
    });
  }

  const nGroups = Math.max(4, opts.groups ?? 12);
  const groups: JiraDcModel['groups'] = [];
  const used = new Set<string>();
  for (let g = 0; g < nGroups; g++) {
    let name = g < SPECIAL_GROUPS.length ? (SPECIAL_GROUPS[g] ?? `group-${g}`) : g % 6 === 3 ? (UNICODE_GROUPS[Math.floor(g / 6) % UNICODE_GROUPS.length] ?? `group-${g}`) : `${rng.pick(GROUP_WORDS)}-${g}`;
    while (used.has(name.toLowerCase())) name = `${name}-${g}`;
    used.add(name.toLowerCase());
    groups.push({ name, members: [], vanishing: false });
  }
  // jira-software-users: every user (multi-page); jira-administrators: the collector; empty-group: nobody.
  for (let i = 0; i < nUsers; i++) groups[0]?.members.push(i);
  groups[1]?.members.push(0);
  const memberships = opts.memberships ?? nUsers;
  for (let m = 0; m < memberships && nGroups > 4; m++) {
    const g = 4 + rng.int(nGroups - 4);
    const u = rng.int(nUsers);
    const list = groups[g]?.members;
    if (list && !list.includes(u)) list.push(u);
  }
  for (const g of groups) g.members.sort((a, b) => a - b);
  const vg = Math.min(opts.vanishingGroups ?? 0, nGroups - 4);
  for (let k = 0; k < vg; k++) {
    const g = groups[nGroups - 1 - k];
    if (g) g.vanishing = true;
  }

  const nSchemes = Math.max(1, opts.schemes ?? 3);
  let grantId = 10_000;
  const schemes: JiraDcModel['schemes'] = [];
  for (let s = 0; s < nSchemes; s++) {
    const grants: JiraDcModel['schemes'][number]['grants'] = [];
    for (const permission of PERMISSIONS) {
      const n = 1 + rng.int(3);
      for (let k = 0; k < n; k++) {
        const type = HOLDERS[(s + k + permission.length) % HOLDERS.length] ?? 'anyone';
        const grant: JiraDcModel['schemes'][number]['grants'][number] = { id: grantId++, permission, type };
        if (type === 'group') grant.group = rng.int(nGroups);
        if (type === 'user') grant.user = rng.int(nUsers);
        if (type === 'projectRole') grant.parameter = String(ROLES[rng.int(ROLES.length)]?.id ?? 10000);
        // "Any logged in user" application access is a holder without a parameter.
        if (type === 'applicationRole' && k % 2 === 0) grant.parameter = 'jira-software';
        grants.push(grant);
      }
    }
    schemes.push({ id: s === 0 ? 0 : 10_000 + s, name: s === 0 ? 'Default Permission Scheme' : `Scheme ${s} — ${['ops', 'données', '🚀'][s % 3]}`, description: s % 2 ? undefined : 'Permissions for projects', grants });
  }

  const nProjects = Math.max(1, opts.projects ?? 5);
  const projects: JiraDcModel['projects'] = [];
  for (let p = 0; p < nProjects; p++) {
    const base = PROJECT_NAMES[p % PROJECT_NAMES.length] ?? 'Project';
    const roles = ROLES.map((_, r) => {
      const actors: JiraDcModel['projects'][number]['roles'][number]['actors'] = [];
      // Viewers is empty in every project; others get a few users and groups.
      if (r !== 3) {
        const n = rng.int(4);
        for (let k = 0; k < n; k++) actors.push({ kind: 'user', user: rng.int(nUsers) });
        actors.push({ kind: 'group', group: r === 0 ? 1 : rng.int(nGroups) });
      }
      const seen = new Set<string>();
      return { role: r, actors: actors.filter((a) => { const k = a.kind === 'user' ? `u${a.user}` : `g${a.group}`; if (seen.has(k)) return false; seen.add(k); return true; }) };
    });
    projects.push({
      id: String(10_000 + p),
      key: `P${p}${base.replace(/[^A-Za-z]/g, '').slice(0, 3).toUpperCase()}`,
      name: p < PROJECT_NAMES.length ? base : `${base} ${p}`,
      type: p % 3 === 2 ? 'business' : 'software',
      archived: p % 5 === 4,
      lead: rng.int(nUsers),
      scheme: p % nSchemes,
      vanishing: p >= nProjects - (opts.vanishingProjects ?? 0),
      roles,
    });
  }
  // Application access (DC REST `#api/2/applicationrole-getAll`): Jira Software via two groups, Service Management via
  // one, and the platform role "Jira Core" without groups (a role with none yields one row with a null group).
  const applicationRoles: JiraDcModel['applicationRoles'] = [
    { key: 'jira-software', name: 'Jira Software', groups: [0, 1], defaults: [0], seats: Math.max(nUsers, 1000), userCount: nUsers, unlimited: false, platform: false },
    { key: 'jira-servicedesk', name: 'Jira Service Management', groups: [2], defaults: [2], seats: 50, userCount: 0, unlimited: false, platform: false },
    { key: 'jira-core', name: 'Jira Core', groups: [], defaults: [], seats: undefined, userCount: 0, unlimited: true, platform: true },
  ];
  const properties: JiraDcModel['properties'] = [
    { key: 'jira.option.allowunassigned', name: 'Allow unassigned issues', desc: '', type: 'boolean', value: 'false', defaultValue: 'false' },
    { key: 'jira.option.user.externalmanagement', name: 'External user management', desc: '', type: 'boolean', value: 'false', defaultValue: 'false' },
    { key: 'jira.option.emailvisible', name: 'User email visibility', desc: 'show | hide | mask | user', type: 'string', value: 'show', defaultValue: 'show' },
    { key: 'jira.title', name: 'Title', desc: 'The name of this Jira instance — «Données»', type: 'string', value: 'Acme Jira 🚀', defaultValue: undefined },
  ];
  return { seed, version: opts.version ?? [10, 3, 4], caps, contextPath: opts.contextPath ?? '/jira', users, groups, roles: ROLES, projects, schemes, applicationRoles, properties };
}

type Json = Record<string, unknown>;
const ok = (body: unknown): RouteResult => ({ status: 200, body });
const fail = (status: number, ...messages: string[]): RouteResult => ({ status, body: errorBody(...messages) });

type Who = 'admin' | 'limited';
/** PAT check of every route: 401 for no, unknown or expired tokens (DC answers 401 for a failed PAT; wording unverified). */
function whoIs(ctx: RouteContext): Who | RouteResult {
  const h = ctx.headers.authorization;
  const header = Array.isArray(h) ? h[0] : h;
  const m = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
  const token = m?.[1]?.trim();
  if (token === JIRA_DC_TOKENS.admin) return 'admin';
  if (token === JIRA_DC_TOKENS.limited) return 'limited';
  if (token === JIRA_DC_TOKENS.expired) return fail(401, 'The personal access token has expired.');
  return fail(401, 'You are not authenticated. Authentication required to perform this operation.');
}

/** The tenant's state: its model, REST prefix and lookup maps (the handlers read the tenant from here). */
export interface JiraDcState {
  model: JiraDcModel;
  /** `<contextPath>/rest/api/2`: every route's path starts here. */
  api: string;
  contextPath: string;
  users: JiraDcModel['users'];
  groups: JiraDcModel['groups'];
  projects: JiraDcModel['projects'];
  schemes: JiraDcModel['schemes'];
  caps: JiraDcModel['caps'];
  byName: Map<string, JiraDcModel['groups'][number]>;
  projectByRef: Map<string, JiraDcModel['projects'][number]>;
}

function jiraDcState(model: JiraDcModel): JiraDcState {
  const { users, groups, projects, schemes, caps, contextPath } = model;
  const projectByRef = new Map<string, JiraDcModel['projects'][number]>();
  for (const p of projects) {
    projectByRef.set(p.id, p);
    projectByRef.set(p.key, p);
  }
  return { model, api: `${contextPath}/rest/api/2`, contextPath, users, groups, projects, schemes, caps, byName: new Map(groups.map((g) => [g.name.toLowerCase(), g])), projectByRef };
}

function userJson(state: JiraDcState, base: string, u: JiraDcUserRecord): Json {
  const out: Json = { self: `${base}${state.api}/user?username=${encodeURIComponent(u.name)}`, key: u.key, name: u.name };
  if (u.email !== null) out.emailAddress = u.email;
  out.avatarUrls = { '48x48': `${base}${state.contextPath}/secure/useravatar?avatarId=10122` };
  out.displayName = u.displayName;
  out.active = u.active;
  out.deleted = false;
  out.timeZone = u.timeZone;
  if (u.locale !== null) out.locale = u.locale;
  return out;
}

function findProject(state: JiraDcState, ref: string): JiraDcModel['projects'][number] | RouteResult {
  const p = state.projectByRef.get(ref);
  if (!p || p.vanishing) return fail(404, `No project could be found with key '${ref}'.`);
  return p;
}
const isResult = (x: unknown): x is RouteResult => typeof x === 'object' && x !== null && 'body' in x && 'status' in x && !('roles' in x);

/** A DC API route: its path below `<contextPath>/rest/api/2`; `deny` answers the limited user instead of the handler. */
interface DcRoute {
  method: 'GET';
  path: string;
  paged?: boolean;
  deny?: { status: number; message: string };
  handle(state: JiraDcState, ctx: RouteContext): RouteResult;
}

/** The table entry with the PAT check every route makes; the limited user gets the route's `deny`. */
const patChecked = selfChecked<JiraDcState, DcRoute>((_state, ctx, r) => {
  const who = whoIs(ctx);
  if (typeof who !== 'string') return who;
  return who === 'limited' && r.deny ? fail(r.deny.status, r.deny.message) : null;
});

// Handlers: each reads the tenant from its state argument.

function myself(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { users } = state;
  return ok(userJson(state, ctx.baseUrl, users[ctx.headers.authorization?.includes(JIRA_DC_TOKENS.limited) ? 1 : 0] as JiraDcUserRecord));
}

function serverInfo(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { model, contextPath } = state;
  return ok({ baseUrl: `${ctx.baseUrl}${contextPath}`, version: model.version.join('.'), versionNumbers: model.version, deploymentType: 'Server', buildNumber: 10030004, serverTitle: 'Acme Jira', serverTimeZone: 'Etc/UTC' });
}

function userList(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { model, users, caps } = state;
  const [major, minor] = model.version;
  if (major < 10 || (major === 10 && minor < 3)) return fail(404, 'null for uri: user/list');
  const max = intParam(ctx.query, 'maxResults', 2000);
  const cursor = intParam(ctx.query, 'cursor', 0);
  if (max === null || cursor === null) return fail(400, 'Invalid cursor or maxResults.');
  const size = Math.min(Math.max(1, max), caps.userList);
  const { items, short } = ctx.page(users.slice(cursor, cursor + size));
  const next = cursor + items.length;
  const isLast = !short && next >= users.length;
  const body: Json = { self: `${ctx.baseUrl}${ctx.path}`, maxResults: size, isLast, values: items.map((u) => userJson(state, ctx.baseUrl, u)) };
  if (!isLast) {
    body.nextCursor = String(next);
    body.nextPage = `${ctx.baseUrl}${ctx.path}?cursor=${next}&maxResults=${size}`;
  }
  return ok(body);

}

function userSearch(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { users, caps } = state;
  const q = ctx.query.get('username');
  if (!q) return fail(400, "The username query parameter was not provided");
  const startAt = intParam(ctx.query, 'startAt', 0);
  const max = intParam(ctx.query, 'maxResults', 50);
  if (startAt === null || max === null) return fail(400, 'Invalid startAt or maxResults.');
  const inactive = ctx.query.get('includeInactive') === 'true';
  const active = ctx.query.get('includeActive') !== 'false';
  const matches = users.filter((u) => (q === '.' || u.name.includes(q)) && (u.active ? active : inactive)).slice(0, caps.userSearchWindow);
  const slice = matches.slice(startAt, startAt + Math.min(max, caps.userSearch));
  return ok(ctx.page(slice).items.map((u) => userJson(state, ctx.baseUrl, u)));

}

function groupsPicker(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { groups, caps } = state;
  const q = (ctx.query.get('query') ?? '').toLowerCase();
  const max = Math.min(intParam(ctx.query, 'maxResults', 20) ?? 20, caps.groupsPicker);
  const all = groups.filter((g) => g.name.toLowerCase().includes(q)).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  const shown = all.slice(0, max);
  return ok({ header: `Showing ${shown.length} of ${all.length} matching groups`, total: all.length, groups: shown.map((g) => ({ name: g.name, html: g.name.replace(/&/g, '&amp;').replace(/</g, '&lt;'), labels: [] })) });

}

function groupMember(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { byName, users, caps } = state;
  const g = byName.get((ctx.query.get('groupname') ?? '').toLowerCase());
  if (!g || g.vanishing) return fail(404, `The group '${ctx.query.get('groupname') ?? ''}' does not exist.`);
  const startAt = intParam(ctx.query, 'startAt', 0);
  const max = intParam(ctx.query, 'maxResults', 50);
  if (startAt === null || max === null) return fail(400, 'Invalid startAt or maxResults.');
  const size = Math.min(Math.max(1, max), caps.groupMember);
  const members = ctx.query.get('includeInactiveUsers') === 'true' ? g.members : g.members.filter((u) => users[u]?.active);
  const { items, short } = ctx.page(members.slice(startAt, startAt + size));
  const next = startAt + items.length;
  const isLast = !short && next >= members.length;
  const body: Json = { self: `${ctx.baseUrl}${ctx.path}`, maxResults: size, startAt, total: members.length, isLast, values: items.map((u) => userJson(state, ctx.baseUrl, users[u] as JiraDcUserRecord)) };
  if (!isLast) body.nextPage = `${ctx.baseUrl}${ctx.path}?groupname=${encodeURIComponent(g.name)}&startAt=${next}&maxResults=${size}`;
  return ok(body);

}

function applicationRoles(state: JiraDcState, _ctx: RouteContext): RouteResult {
  const { model, users, groups } = state;
  return ok(
    model.applicationRoles.map((r) => {
      const out: Json = { key: r.key, groups: r.groups.map((g) => groups[g]?.name), name: r.name, defaultGroups: r.defaults.map((g) => groups[g]?.name), selectedByDefault: false, defined: true };
      if (r.seats !== undefined) Object.assign(out, { numberOfSeats: r.seats, remainingSeats: r.seats - r.userCount });
      return Object.assign(out, { userCount: r.userCount, userCountDescription: `${r.userCount} users`, hasUnlimitedSeats: r.unlimited, platform: r.platform });
    }),
  );
}

function applicationProperties(state: JiraDcState, _ctx: RouteContext): RouteResult {
  const { model } = state;
  return ok(
    model.properties.map((p) => {
      const out: Json = { id: p.key, key: p.key, value: p.value, name: p.name, desc: p.desc, type: p.type };
      if (p.defaultValue !== undefined) out.defaultValue = p.defaultValue;
      return out;
    }),
  );
}

function allProjectRoles(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { model, api } = state;
  return ok(model.roles.map((r) => ({ self: `${ctx.baseUrl}${api}/role/${r.id}`, name: r.name, id: r.id, description: r.description, actors: [] })));
}

function allProjects(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { api, users, projects } = state;
  const archived = ctx.query.get('includeArchived') === 'true';
  const lead = (ctx.query.get('expand') ?? '').split(',').includes('lead');
  return ok(
    projects
      .filter((p) => archived || !p.archived)
      .map((p) => {
        const out: Json = { expand: 'description,lead,url,projectKeys', self: `${ctx.baseUrl}${api}/project/${p.id}`, id: p.id, key: p.key, name: p.name, projectTypeKey: p.type, archived: p.archived };
        if (lead) out.lead = userJson(state, ctx.baseUrl, users[p.lead] as JiraDcUserRecord);
        return out;
      }),
  );

}

function projectPermissionScheme(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { api, schemes } = state;
  const p = findProject(state, ctx.params.ref ?? '');
  if (isResult(p)) return p;
  const s = schemes[p.scheme];
  return s ? ok({ id: s.id, self: `${ctx.baseUrl}${api}/permissionscheme/${s.id}`, name: s.name }) : fail(404, 'Permission scheme not found.');

}

function projectRoles(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { api } = state;
  const p = findProject(state, ctx.params.ref ?? '');
  if (isResult(p)) return p;
  return ok(Object.fromEntries(p.roles.map((r) => [ROLES[r.role]?.name ?? '', `${ctx.baseUrl}${api}/project/${p.key}/role/${ROLES[r.role]?.id ?? 0}`])));

}

function projectRole(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { api, contextPath, users, groups } = state;
  const p = findProject(state, ctx.params.ref ?? '');
  if (isResult(p)) return p;
  const pr = p.roles.find((r) => String(ROLES[r.role]?.id) === ctx.params.id);
  const role = pr ? ROLES[pr.role] : undefined;
  if (!pr || !role) return fail(404, `Can not find project role with id: ${ctx.params.id ?? ''}`);
  const actors = pr.actors.map((a, k) => {
    if (a.kind === 'user') {
      const u = users[a.user] as JiraDcUserRecord;
      return { id: 20_000 + k, displayName: u.displayName, type: 'atlassian-user-role-actor', name: u.name, avatarUrl: `${ctx.baseUrl}${contextPath}/secure/useravatar?size=xsmall` };
    }
    const g = groups[a.group];
    return { id: 20_000 + k, displayName: g?.name, type: 'atlassian-group-role-actor', name: g?.name, avatarUrl: `${ctx.baseUrl}${contextPath}/secure/useravatar?size=xsmall` };
  });
  return ok({ self: `${ctx.baseUrl}${api}/project/${p.id}/role/${role.id}`, name: role.name, id: role.id, description: role.description, actors });

}

function permissionSchemes(state: JiraDcState, ctx: RouteContext): RouteResult {
  const { api, users, groups, schemes } = state;
  const expand = (ctx.query.get('expand') ?? '').split(',');
  const all = expand.includes('all');
  return ok({
    permissionSchemes: schemes.map((s) => {
      const out: Json = { expand: 'permissions,user,group,projectRole,field,all', id: s.id, self: `${ctx.baseUrl}${api}/permissionscheme/${s.id}`, name: s.name };
      if (s.description !== undefined) out.description = s.description;
      if (all || expand.includes('permissions')) {
        out.permissions = s.grants.map((g) => {
          const holder: Json = { type: g.type };
          if (g.type === 'user' && g.user !== undefined) {
            const u = users[g.user] as JiraDcUserRecord;
            holder.parameter = u.key; // a user holder's parameter is the user key (unverified)
            if (all || expand.includes('user')) holder.user = userJson(state, ctx.baseUrl, u);
          } else if (g.type === 'group' && g.group !== undefined) {
            const grp = groups[g.group];
            holder.parameter = grp?.name;
            if (all || expand.includes('group')) holder.group = { name: grp?.name, self: `${ctx.baseUrl}${api}/group?groupname=${encodeURIComponent(grp?.name ?? '')}` };
          } else if (g.parameter !== undefined) holder.parameter = g.parameter;
          return { id: g.id, self: `${ctx.baseUrl}${api}/permissionscheme/${s.id}/permission/${g.id}`, holder, permission: g.permission };
        });
      }
      return out;
    }),
  });

}

const DC_API_ROUTES: readonly DcRoute[] = [
  // DC REST `#api/2/myself-getUser`.
  { method: 'GET', path: '/myself', handle: myself },
  // DC REST `#api/2/serverInfo-getServerInfo` (also answers anonymous callers in Jira; here behind the PAT check).
  { method: 'GET', path: '/serverInfo', handle: serverInfo },
  // DC REST `#api/2/user-getUserList` (10.3 LTS, 11.0+): StreamPage; the cursor is opaque to clients (here an offset).
  { method: 'GET', path: '/user/list', paged: true, deny: { status: 403, message: 'You do not have the permission to browse users.' }, handle: userList },
  // DC REST `#api/2/user-findUsers`: bare array; only `username=.` (or another match-all) lists everyone; the first
  // `userSearchWindow` matches only (JRASERVER-65089); inactive users only with includeInactive=true.
  { method: 'GET', path: '/user/search', paged: true, deny: { status: 403, message: 'You do not have the permission to browse users.' }, handle: userSearch },
  // DC REST `#api/2/groups-findGroups`: {header, total, groups[{name, html, labels}]}, sorted by name, unpaged.
  { method: 'GET', path: '/groups/picker', handle: groupsPicker },
  // DC REST `#api/2/group-getUsersFromGroup`: PageBean; 404 for an unknown group; 403 without admin rights.
  { method: 'GET', path: '/group/member', paged: true, deny: { status: 403, message: 'You do not have permission to view group members.' }, handle: groupMember },
  // DC REST `#api/2/applicationrole-getAll`: groups and defaultGroups by name (no groupDetails in DC); admin only.
  { method: 'GET', path: '/applicationrole', deny: { status: 403, message: 'You are not authorized to perform this operation. Please log in.' }, handle: applicationRoles },
  // DC REST `#api/2/application-properties-getProperty`: array of {id, key, value, name, desc, type, defaultValue}.
  { method: 'GET', path: '/application-properties', deny: { status: 403, message: 'You do not have permission to view application properties.' }, handle: applicationProperties },
  // DC REST `#api/2/role-getProjectRoles`.
  { method: 'GET', path: '/role', deny: { status: 403, message: 'You do not have permission to view project roles.' }, handle: allProjectRoles },
  // DC REST `#api/2/project-getAllProjects`: bare array; archived only with includeArchived=true; lead with expand.
  { method: 'GET', path: '/project', handle: allProjects },
  // DC REST `#api/2/project/{projectKeyOrId}/permissionscheme-getAssignedPermissionScheme`.
  { method: 'GET', path: '/project/{ref}/permissionscheme', deny: { status: 403, message: 'You do not have permission to view the permission scheme of this project.' }, handle: projectPermissionScheme },
  // DC REST `#api/2/project/{projectIdOrKey}/role-getProjectRoles`: {name: url}.
  { method: 'GET', path: '/project/{ref}/role', deny: { status: 403, message: 'You cannot view the roles of this project.' }, handle: projectRoles },
  // DC REST `#api/2/project/{projectIdOrKey}/role-getProjectRole`: actors as RoleActorBean {id, displayName, type, name, avatarUrl}.
  { method: 'GET', path: '/project/{ref}/role/{id}', deny: { status: 403, message: 'You cannot view the roles of this project.' }, handle: projectRole },
  // DC REST `#api/2/permissionscheme-getPermissionSchemes`: holders {type, parameter?}, plus user/group with expand.
  { method: 'GET', path: '/permissionscheme', deny: { status: 403, message: 'You do not have permission to view permission schemes.' }, handle: permissionSchemes },
];

/** The route table, paths relative to the tenant's `api` prefix (jiraDcTenant adds it: the context path is an option). */
export const JIRA_DC_ROUTES: RouteTable<JiraDcState> = DC_API_ROUTES.map(patChecked);

export function jiraDcTenant(opts: JiraDcTenantOptions = {}): JiraDcSim {
  const model = generate(opts);
  const state = jiraDcState(model);
  const routes = bindRoutes(JIRA_DC_ROUTES, state).map((r) => ({ ...r, path: `${state.api}${r.path}` }));
  return { name: 'jira-dc', routes, model, groundTruth: () => groundTruth(model), minimumRequests: () => minimumRequests(model) };
}

export function groundTruth(model: JiraDcModel): Record<string, Record<string, unknown>[]> {
  const { users, groups, projects, schemes } = model;
  const userName = (i: number): string => users[i]?.name ?? '';
  const members: Record<string, unknown>[] = [];
  for (const g of groups) {
    if (g.vanishing) continue;
    for (const i of g.members) {
      const u = users[i] as JiraDcUserRecord;
      members.push({ group_id: g.name, group_name: g.name, account_id: u.name, account_type: 'unknown', display_name: u.displayName, email_address: u.email, active: u.active });
    }
  }
  const projectRows: Record<string, unknown>[] = [];
  const actorRows: Record<string, unknown>[] = [];
  for (const p of projects) {
    if (p.vanishing) continue;
    projectRows.push({ project_id: p.id, project_key: p.key, name: p.name, project_type_key: p.type, style: null, is_private: null, archived: p.archived, deleted: false, lead_account_id: userName(p.lead), permission_scheme_id: String(schemes[p.scheme]?.id) });
    for (const pr of p.roles) {
      const role = ROLES[pr.role];
      if (!role) continue;
      for (const a of pr.actors) {
        const g = a.kind === 'group' ? groups[a.group]?.name ?? null : null;
        actorRows.push({ project_id: p.id, project_key: p.key, role_id: String(role.id), role_name: role.name, actor_type: a.kind, account_id: a.kind === 'user' ? userName(a.user) : null, group_id: g, group_name: g });
      }
    }
  }
  return {
    jira_users: users.map((u) => ({ account_id: u.name, account_type: 'unknown', display_name: u.displayName, email_address: u.email, active: u.active, app_type: null, guest: null, locale: u.locale, time_zone: u.timeZone })),
    jira_groups: groups.map((g) => ({ group_id: g.name, name: g.name })),
    jira_group_members: members,
    jira_application_roles: model.applicationRoles.flatMap((r) => {
      const base = { role_key: r.key, name: r.name, number_of_seats: r.seats ?? null, remaining_seats: r.seats === undefined ? null : r.seats - r.userCount, user_count: r.userCount, has_unlimited_seats: r.unlimited, platform: r.platform };
      if (!r.groups.length) return [{ ...base, group_id: null, group_name: null, is_default_group: false }];
      return r.groups.map((g) => ({ ...base, group_id: groups[g]?.name ?? null, group_name: groups[g]?.name ?? null, is_default_group: r.defaults.includes(g) }));
    }),
    jira_projects: projectRows,
    jira_project_roles: model.roles.map((r) => ({ role_id: String(r.id), name: r.name, description: r.description, admin: null, is_default: null })),
    jira_project_role_actors: actorRows,
    jira_permission_schemes: schemes.map((s) => ({ scheme_id: String(s.id), name: s.name, description: s.description ?? null })),
    jira_permission_grants: schemes.flatMap((s) =>
      s.grants.map((g) => {
        const param = g.type === 'user' && g.user !== undefined ? (users[g.user]?.key ?? null) : g.type === 'group' && g.group !== undefined ? (groups[g.group]?.name ?? null) : (g.parameter ?? null);
        const value = g.type === 'user' && g.user !== undefined ? userName(g.user) : param;
        return { scheme_id: String(s.id), grant_id: String(g.id), permission: g.permission, holder_type: g.type, holder_parameter: param, holder_value: value };
      }),
    ),
    jira_settings: model.properties.map((p) => ({ key: p.key, value: p.value, name: p.name, type: p.type, default_value: p.defaultValue ?? null })),
  };
}

/**
 * myself + serverInfo + user/list pages (isLast on the last one; user/search pages + the empty one before 10.3) + groups/picker + group/member pages per group (one 404 per
 * vanishing group) + applicationrole + role + project + per project (permissionscheme + role map + one per role; one 404 per vanishing
 * project) + permissionscheme + application-properties.
 */
export function minimumRequests(model: JiraDcModel): number {
  const pages = (n: number, cap: number): number => Math.max(1, Math.ceil(n / cap));
  const [major, minor] = model.version;
  const list = major > 10 || (major === 10 && minor >= 3);
  // user/search (before 10.3): bare array, ended by an empty page, within the search window.
  const reachable = Math.min(model.users.length, model.caps.userSearchWindow);
  const users = list ? pages(model.users.length, model.caps.userList) : Math.ceil(reachable / model.caps.userSearch) + 1;
  let n = 1 + 1 + users + 1; // myself, serverInfo, users, groups/picker
  for (const g of model.groups) n += g.vanishing ? 1 : pages(g.members.length, model.caps.groupMember);
  n += 2;
  for (const p of model.projects) n += p.vanishing ? 1 : 2 + p.roles.length;
  return n + 1 + 2; // permissionscheme; applicationrole, application-properties
}
