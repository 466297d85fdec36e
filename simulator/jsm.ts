/**
 * Simulated Jira Service Management tenant: `/rest/servicedeskapi/...` as jira-service-management.json
 * describes it (style "JSM" of the facts sheet §3, quirk Q5), plus the two Jira platform project-role
 * endpoints the collector reads agents from (jira-platform-v3.json), for the desks' projects only.
 * Seeded, sized by options, with hidden e-mails, unicode names, inactive accounts, empty and multi-page
 * children, and desks/organizations that vanish between the listing and their children.
 * `/rest/servicedeskapi/assets/workspace` is served by the Assets tenant (./assets.ts), not here.
 */
import { bindRoutes, errorBody, type ProductSim, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { intParam } from './params.ts';
import { hash32, hex8, Rng, uuidFrom } from './random.ts';
import { pager, type ShortPagesOption } from './paging.ts';
import { atlassianQuota, type AtlassianQuotaOptions } from './atlassian-quota.ts';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * Per-method server caps on `limit`. The real caps are unpublished (facts sheet §11, "JSM per-method caps");
 * 50 is the documented default `limit` and an assumption for the cap. The collector asks 100, so every
 * multi-page list shows quirk Q5: `size < limit` with `isLastPage: false`.
 */
export interface JsmPageCaps {
  serviceDesks: number;
  customers: number;
  organizations: number;
  organizationUsers: number;
  serviceDeskOrganizations: number;
}
export const DEFAULT_JSM_PAGE_CAPS: Readonly<JsmPageCaps> = { serviceDesks: 50, customers: 50, organizations: 50, organizationUsers: 50, serviceDeskOrganizations: 50 };

export interface JsmTenantOptions {
  /** The points-based hourly quota (Jira's platform), enforced when the simulator runs with `budgets` (simulator/atlassian-quota.ts). */
  quota?: AtlassianQuotaOptions;
  seed?: number;
  /** Customer accounts. @default 300 */
  customers?: number;
  /** Agent accounts. @default 12 */
  agents?: number;
  /** Service desks. @default 6 */
  serviceDesks?: number;
  /** Customer organizations. @default 8 */
  organizations?: number;
  /** Desks listed but gone (404) when their children are read. @default 0 */
  vanishingDesks?: number;
  /** Organizations listed but gone (404) when their members are read. @default 0 */
  vanishingOrganizations?: number;
  caps?: Partial<JsmPageCaps>;
  /**
   * Short pages mid-list in one of the two readings of `start` ({@link ShortPagesOption}) on every paged list.
   * Default: none (every page is full but the last, at the caps).
   */
  shortPages?: ShortPagesOption;
  /**
   * Serve `/rest/api/3/project/{id}/role[/{roleId}]` for the desk projects. Turn off when a Jira tenant on
   * the same simulator serves them. @default true
   */
  platformRoutes?: boolean;
}

export interface JsmAccount {
  accountId: string;
  displayName: string;
  /** null: hidden by the profile's visibility (facts sheet Q4): the field is omitted. */
  email: string | null;
  active: boolean;
  timeZone: string | null;
}

export interface JsmRoleActor {
  kind: 'user' | 'group';
  /** Account index (user) or group name (group). */
  account?: number;
  group?: { id: string; name: string };
}

export interface JsmDesk {
  id: string;
  projectId: string;
  projectKey: string;
  projectName: string;
  customers: number[];
  organizations: number[];
  /** Role name → id in this project; a team-managed desk may lack "Service Desk Team". */
  roles: { name: string; id: string; actors: JsmRoleActor[] }[];
  vanishing: boolean;
}

export interface JsmOrganization {
  id: string;
  uuid: string;
  name: string;
  scimManaged: boolean;
  created: string;
  members: number[];
  vanishing: boolean;
}

export interface JsmModel {
  seed: number;
  accounts: JsmAccount[];
  desks: JsmDesk[];
  organizations: JsmOrganization[];
  caps: JsmPageCaps;
  /** How the paged lists page (simulator/paging.ts); undefined: full pages. */
  shortPages: ShortPagesOption | undefined;
}

export interface JsmSim extends ProductSim {
  model: JsmModel;
  /** Table name → rows, without site/collected_at/deployment. */
  groundTruth(): Record<string, Record<string, unknown>[]>;
  /** Requests a perfect client needs at the server caps. */
  minimumRequests(): number;
}

const FIRST = ['Ada', 'Bo', 'Chiara', 'Dmitri', 'Elif', 'Femi', 'Greta', 'Hamid', 'Ivy', 'Jun', 'Kai', 'Lucía', 'Mina', 'Noor', 'Otto', 'Pia'];
const LAST = ['Arnold', 'Berg', 'Castro', 'Diallo', 'Engel', 'Fox', 'Gómez', 'Hale', 'Iqbal', 'Jäger', 'Kim', 'Lund', 'Moreau', 'Nowak', 'Ortiz', 'Park'];
const UNICODE = ['Zoë Ångström', '山田花子', 'Łukasz Żółć', 'محمد الأحمد', 'José Núñez 🚀', '김민준', 'Dwayne "Q" Back\\slash'];
const DESK_NAMES = ['IT Help Desk', 'HR Services', 'Facilities', 'Customer Support', 'Légal & Conformité', '販売サポート', 'Security Requests', 'Finance Ops'];
const ORG_NAMES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Wayne Enterprises', 'Müller GmbH', '株式会社サンプル', 'Soylent', 'Hooli'];
const TZ = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
const ROLE_ADMIN = { name: 'Administrators', id: '10002' };
const ROLE_TEAM = { name: 'Service Desk Team', id: '10100' };
const ROLE_CUSTOMERS = { name: 'Service Desk Customers', id: '10101' };

function count(v: number | undefined, def: number): number {
  return v === undefined ? def : Math.max(0, Math.floor(v));
}

function generate(opts: JsmTenantOptions): JsmModel {
  const seed = opts.seed ?? 1;
  const rng = new Rng(`jsm-${seed}`);
  const nCustomers = count(opts.customers, 300);
  const nAgents = Math.max(1, count(opts.agents, 12));
  const nDesks = count(opts.serviceDesks, 6);
  const nOrgs = count(opts.organizations, 8);
  const accounts: JsmAccount[] = [];
  const account = (i: number, customer: boolean): JsmAccount => {
    const name = i % 17 === 3 ? (UNICODE[i % UNICODE.length] ?? 'Zoë') : `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    // Customer accounts have `qm:` ids (portal-only customers); agents Atlassian account ids.
    const accountId = customer ? `qm:${uuidFrom(seed, 'cust', i)}:${uuidFrom(seed, 'cust2', i)}` : `5b10${hex8(hash32(seed, 'agent', i))}${hex8(hash32(seed, 'agent2', i))}`;
    const hidden = rng.chance(0.25);
    return {
      accountId,
      displayName: name,
      email: hidden ? null : `${customer ? 'customer' : 'agent'}${i}@example.${customer ? 'org' : 'com'}`,
      active: !rng.chance(0.1),
      timeZone: rng.chance(0.2) ? null : rng.pick(TZ),
    };
  };
  for (let i = 0; i < nCustomers; i++) accounts.push(account(i, true));
  const agentBase = accounts.length;
  for (let i = 0; i < nAgents; i++) accounts.push(account(i, false));

  const orgVanish = Math.min(count(opts.vanishingOrganizations, 0), nOrgs);
  const organizations: JsmOrganization[] = [];
  for (let i = 0; i < nOrgs; i++) {
    // Org 0 empty; org 1 multi-page (when there are enough customers); others small.
    const size = i === 0 ? 0 : i === 1 ? Math.min(nCustomers, 130) : rng.int(Math.min(nCustomers, 40) + 1);
    organizations.push({
      id: String(i + 1),
      uuid: uuidFrom(seed, 'org', i),
      name: `${ORG_NAMES[i % ORG_NAMES.length] ?? 'Org'}${i >= ORG_NAMES.length ? ` ${i}` : ''}`,
      scimManaged: i % 4 === 2,
      created: new Date(Date.UTC(2024, i % 12, 1 + (i % 28))).toISOString(),
      // Ordered by accountId, as the spec says of /organization/{id}/user.
      members: Array.from(rng.sample(nCustomers, size)).sort((a, b) => (accounts[a]?.accountId ?? '').localeCompare(accounts[b]?.accountId ?? '')),
      vanishing: i >= nOrgs - orgVanish,
    });
  }

  const deskVanish = Math.min(count(opts.vanishingDesks, 0), nDesks);
  const desks: JsmDesk[] = [];
  const liveOrgs = organizations.filter((o) => !o.vanishing).map((_, i) => i);
  for (let i = 0; i < nDesks; i++) {
    const size = i === 0 ? 0 : i === 1 ? nCustomers : rng.int(Math.min(nCustomers, 80) + 1);
    const orgs = i === 0 ? [] : Array.from(rng.sample(liveOrgs.length, rng.int(Math.min(liveOrgs.length, 3) + 1)));
    const team: JsmRoleActor[] = Array.from(rng.sample(nAgents, rng.range(1, Math.min(nAgents, 5)))).map((a) => ({ kind: 'user', account: agentBase + a }));
    team.push({ kind: 'group', group: { id: uuidFrom(seed, 'group', 'agents'), name: 'jira-servicemanagement-users' } });
    // The last desk is team-managed: no "Service Desk Team" role (agents come from elsewhere there).
    const teamManaged = nDesks > 2 && i === nDesks - 1 - deskVanish;
    const roles = [
      { ...ROLE_ADMIN, actors: [{ kind: 'user', account: agentBase } satisfies JsmRoleActor] },
      ...(teamManaged ? [] : [{ ...ROLE_TEAM, actors: team }]),
      { ...ROLE_CUSTOMERS, actors: [{ kind: 'group', group: { id: uuidFrom(seed, 'group', 'customers'), name: 'jira-servicemanagement-customers' } } satisfies JsmRoleActor] },
    ];
    const projectKey = `SD${String.fromCharCode(65 + (i % 26))}${i >= 26 ? i : ''}`;
    desks.push({
      id: String(i + 1),
      projectId: String(10000 + i),
      projectKey,
      projectName: `${DESK_NAMES[i % DESK_NAMES.length] ?? 'Desk'}${i >= DESK_NAMES.length ? ` ${i}` : ''}`,
      customers: Array.from(rng.sample(nCustomers, size)),
      organizations: orgs.map((k) => liveOrgs[k] ?? 0),
      roles,
      vanishing: i >= nDesks - deskVanish,
    });
  }
  return { seed, accounts, desks, organizations, caps: { ...DEFAULT_JSM_PAGE_CAPS, ...opts.caps }, shortPages: opts.shortPages };
}

/** JSM ErrorResponse (`#/components/schemas/ErrorResponse`): `{errorMessage, i18nErrorMessage}`. */
export function jsmErrorBody(message: string): Json {
  return { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.sim.error', parameters: [] } };
}

const ok = (body: Json): RouteResult => ({ status: 200, body });
const jsmFail = (status: number, message: string): RouteResult => ({ status, body: jsmErrorBody(message) });

/**
 * JSM paged envelope (`PagedDTO*`; facts sheet §3 "JSM"): `limit` echoes the request, `size` the items
 * returned after the per-method cap (quirk Q5: a capped page has `size < limit` and `isLastPage: false`).
 * Short pages (the tenant's `shortPages` reading or a 'shortPage' fault) keep `isLastPage: false` while rows
 * remain; `_links.next` carries the start the server itself would go on from.
 */
function paged<T>(ctx: RouteContext, model: JsmModel, list: string, all: readonly T[], cap: number, map: (item: T) => Json): RouteResult {
  const start = intParam(ctx.query, 'start', 0);
  const limit = intParam(ctx.query, 'limit', 50);
  if (start === null || limit === null) return jsmFail(400, "The 'start' and 'limit' parameters must be non-negative integers.");
  const { items, more, nextStart } = pager(model.seed, model.shortPages).page(ctx, list, all, start, Math.min(limit, cap));
  const isLastPage = !more;
  const self = `${ctx.baseUrl}${ctx.path}`;
  const links: { [k: string]: Json } = { base: ctx.baseUrl, context: '', self: `${self}?${ctx.query.toString()}` };
  if (!isLastPage) links.next = `${self}?start=${nextStart}&limit=${limit}`;
  if (start > 0) links.prev = `${self}?start=${Math.max(0, start - limit)}&limit=${limit}`;
  return ok({ _expands: [], size: items.length, start, limit, isLastPage, _links: links, values: items.map(map) });
}

function userJson(model: JsmModel, ctx: RouteContext, i: number): Json {
  const a = model.accounts[i];
  if (!a) return null;
  const out: { [k: string]: Json } = { accountId: a.accountId, displayName: a.displayName, active: a.active };
  if (a.email !== null) out.emailAddress = a.email; // omitted when hidden (facts sheet Q4)
  if (a.timeZone !== null) out.timeZone = a.timeZone;
  out._links = { self: `${ctx.baseUrl}/rest/api/3/user?accountId=${encodeURIComponent(a.accountId)}` };
  return out;
}

function orgJson(ctx: RouteContext, o: JsmOrganization): Json {
  return {
    id: o.id,
    uuid: o.uuid,
    name: o.name,
    scimManaged: o.scimManaged,
    created: { iso8601: o.created.replace('.000Z', '+0000'), epochMillis: Date.parse(o.created) },
    _links: { self: `${ctx.baseUrl}/rest/servicedeskapi/organization/${o.id}` },
  };
}

/** `serviceDeskId` "can alternatively be a project identifier" (path param description). */
function findDesk(model: JsmModel, ref: string): JsmDesk | undefined {
  return model.desks.find((d) => !d.vanishing && (d.id === ref || d.projectId === ref || d.projectKey === ref));
}
function findProject(model: JsmModel, ref: string): JsmDesk | undefined {
  return model.desks.find((d) => !d.vanishing && (d.projectId === ref || d.projectKey === ref));
}

// Handlers: each reads the tenant's model from its first argument.

function serviceDesks(model: JsmModel, ctx: RouteContext): RouteResult {
  const { desks, caps } = model;
  return paged(ctx, model, 'desks', desks, caps.serviceDesks, (d) => ({
    id: d.id,
    projectId: d.projectId,
    projectKey: d.projectKey,
    projectName: d.projectName,
    projectTypeKey: 'service_desk',
    _links: { self: `${ctx.baseUrl}/rest/servicedeskapi/servicedesk/${d.id}` },
  }));
}

function serviceDeskCustomers(model: JsmModel, ctx: RouteContext): RouteResult {
  const { caps } = model;
  if (String(ctx.headers['x-experimentalapi'] ?? '').toLowerCase() !== 'opt-in') {
    return jsmFail(400, 'This API is experimental. Experimental APIs are not guaranteed to be stable; opt in with the X-ExperimentalApi: opt-in header.');
  }
  const d = findDesk(model, ctx.params.serviceDeskId ?? '');
  if (!d) return jsmFail(404, 'Service Desk does not exist.');
  return paged(ctx, model, `customers:${d.id}`, d.customers, caps.customers, (i) => userJson(model, ctx, i));
}

function serviceDeskOrganizations(model: JsmModel, ctx: RouteContext): RouteResult {
  const { organizations, caps } = model;
  const d = findDesk(model, ctx.params.serviceDeskId ?? '');
  if (!d) return jsmFail(404, 'Service Desk does not exist.');
  return paged(ctx, model, `desk-organizations:${d.id}`, d.organizations, caps.serviceDeskOrganizations, (k) => {
    const o = organizations[k];
    return o ? orgJson(ctx, o) : null;
  });
}

function listOrganizations(model: JsmModel, ctx: RouteContext): RouteResult {
  const { organizations, caps } = model;
  return paged(ctx, model, 'organizations', organizations, caps.organizations, (o) => orgJson(ctx, o));
}

function organizationUsers(model: JsmModel, ctx: RouteContext): RouteResult {
  const { organizations, caps } = model;
  const ref = ctx.params.organizationId ?? '';
  if (!/^\d+$/.test(ref)) return jsmFail(400, `The organization id '${ref}' is not a number.`);
  const o = organizations.find((x) => x.id === ref && !x.vanishing);
  if (!o) return jsmFail(404, 'Organization does not exist.');
  return paged(ctx, model, `organization-users:${o.id}`, o.members, caps.organizationUsers, (i) => userJson(model, ctx, i));
}

function projectRoles(model: JsmModel, ctx: RouteContext): RouteResult {
  const d = findProject(model, ctx.params.projectIdOrKey ?? '');
  if (!d) return { status: 404, body: errorBody(`No project could be found with key '${ctx.params.projectIdOrKey ?? ''}'.`) };
  const map: { [k: string]: Json } = {};
  for (const r of d.roles) map[r.name] = `${ctx.baseUrl}/rest/api/3/project/${d.projectId}/role/${r.id}`;
  return ok(map);
}

function projectRole(model: JsmModel, ctx: RouteContext): RouteResult {
  const { accounts } = model;
  const d = findProject(model, ctx.params.projectIdOrKey ?? '');
  if (!d) return { status: 404, body: errorBody(`No project could be found with key '${ctx.params.projectIdOrKey ?? ''}'.`) };
  const r = d.roles.find((x) => x.id === ctx.params.id);
  if (!r) return { status: 404, body: errorBody(`Can not find project role with id: ${ctx.params.id ?? ''}`) };
  const actors = r.actors.map((a, k): Json => {
    const acc = a.account !== undefined ? accounts[a.account] : undefined;
    if (acc) return { id: 20000 + k, displayName: acc.displayName, type: 'atlassian-user-role-actor', actorUser: { accountId: acc.accountId } };
    return { id: 20000 + k, displayName: a.group?.name ?? '', type: 'atlassian-group-role-actor', name: a.group?.name ?? '', actorGroup: { name: a.group?.name ?? '', displayName: a.group?.name ?? '', groupId: a.group?.id ?? '' } };
  });
  return ok({ self: `${ctx.baseUrl}/rest/api/3/project/${d.projectId}/role/${r.id}`, name: r.name, id: Number(r.id), actors });
}

/** The JSM REST API's routes (The Jira Service Management Cloud REST API; operations named by path, `~1` for `/`). */
export const JSM_ROUTES: RouteTable<JsmModel> = [
  // `~1rest~1servicedeskapi~1servicedesk/get`: "Permissions required: Any".
  { method: 'GET', path: '/rest/servicedeskapi/servicedesk', paged: true, handle: serviceDesks },
  // `~1rest~1servicedeskapi~1servicedesk~1{serviceDeskId}~1customer/get`, `x-experimental: true`. Without
  // `X-ExperimentalApi: opt-in` the simulator answers 400 (status and wording unverified).
  { method: 'GET', path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}/customer', paged: true, denyLimited: { status: 403, message: "You do not have permission to view this service desk's customers." }, handle: serviceDeskCustomers },
  // `~1rest~1servicedeskapi~1servicedesk~1{serviceDeskId}~1organization/get`: "Service desk's agent".
  { method: 'GET', path: '/rest/servicedeskapi/servicedesk/{serviceDeskId}/organization', paged: true, denyLimited: { status: 403, message: 'You do not have permission to view the organizations of this service desk.' }, handle: serviceDeskOrganizations },
  // `~1rest~1servicedeskapi~1organization/get`: agents see every organization.
  { method: 'GET', path: '/rest/servicedeskapi/organization', paged: true, handle: listOrganizations },
  // `~1rest~1servicedeskapi~1organization~1{organizationId}~1user/get`: "Service desk administrator or
  // agent"; organizationId is int32; 404 when the organization does not exist.
  { method: 'GET', path: '/rest/servicedeskapi/organization/{organizationId}/user', paged: true, denyLimited: { status: 403, message: 'You do not have permission to view the users of this organization.' }, handle: organizationUsers },
];

/** Jira platform routes a JSM site also answers (project roles: the agents), unless `platformRoutes: false`. */
export const JSM_PLATFORM_ROUTES: RouteTable<JsmModel> = [
  // jira-platform-v3.json `~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`: map roleName → URL.
  { method: 'GET', path: '/rest/api/3/project/{projectIdOrKey}/role', denyLimited: { status: 404, message: 'You cannot view the roles of this project.' }, handle: projectRoles },
  // jira-platform-v3.json `~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`: ProjectRole with actors.
  { method: 'GET', path: '/rest/api/3/project/{projectIdOrKey}/role/{id}', denyLimited: { status: 404, message: 'You cannot view the roles of this project.' }, handle: projectRole },
];

export function jsmTenant(opts: JsmTenantOptions = {}): JsmSim {
  const model = generate(opts);
  const routes = bindRoutes(opts.platformRoutes !== false ? [...JSM_ROUTES, ...JSM_PLATFORM_ROUTES] : JSM_ROUTES, model);

  return {
    name: 'jsm',
    gateway: 'jira',
    budget: atlassianQuota('jsm', (_status, message) => jsmErrorBody(message), opts.quota),
    routes,
    errorBody: (status, message, path) => (path.startsWith('/rest/servicedeskapi/') ? jsmErrorBody(message) : errorBody(message)),
    model,
    groundTruth: () => groundTruth(model),
    minimumRequests: () => minimumRequests(model),
  };
}

/** Rows a perfect collector writes (tables of functions/jsm.tables.ts). */
export function groundTruth(model: JsmModel): Record<string, Record<string, unknown>[]> {
  const { accounts, desks, organizations } = model;
  const user = (i: number) => {
    const a = accounts[i];
    if (!a) throw new Error(`no account ${i}`);
    return { account_id: a.accountId, display_name: a.displayName, email_address: a.email, active: a.active };
  };
  const out: Record<string, Record<string, unknown>[]> = {
    jsm_service_desks: [],
    jsm_customers: [],
    jsm_service_desk_organizations: [],
    jsm_agents: [],
    jsm_organizations: [],
    jsm_organization_members: [],
  };
  for (const d of desks) {
    out.jsm_service_desks?.push({ service_desk_id: d.id, project_id: d.projectId, project_key: d.projectKey, project_name: d.projectName });
    if (d.vanishing) continue;
    for (const i of d.customers) out.jsm_customers?.push({ service_desk_id: d.id, ...user(i), time_zone: accounts[i]?.timeZone ?? null });
    for (const k of d.organizations) {
      const o = organizations[k];
      if (o) out.jsm_service_desk_organizations?.push({ service_desk_id: d.id, organization_id: o.id, organization_name: o.name });
    }
    const team = d.roles.find((r) => r.name === ROLE_TEAM.name);
    for (const a of team?.actors ?? []) {
      const base = { service_desk_id: d.id, project_id: d.projectId, project_key: d.projectKey, role_id: team?.id, role_name: team?.name };
      if (a.kind === 'user' && a.account !== undefined) out.jsm_agents?.push({ ...base, actor_type: 'user', account_id: accounts[a.account]?.accountId, group_id: null, group_name: null });
      if (a.kind === 'group' && a.group) out.jsm_agents?.push({ ...base, actor_type: 'group', account_id: null, group_id: a.group.id, group_name: a.group.name });
    }
  }
  for (const o of organizations) {
    out.jsm_organizations?.push({ organization_id: o.id, uuid: o.uuid, name: o.name, scim_managed: o.scimManaged, created: o.created.replace('.000Z', '+0000') });
    if (o.vanishing) continue;
    for (const i of o.members) out.jsm_organization_members?.push({ organization_id: o.id, ...user(i) });
  }
  return out;
}

/**
 * Requests a perfect client makes at the caps: desk pages; per desk customers pages + desk-organization
 * pages + the role map + one per agent role present (a vanishing desk: one 404); organization pages; per
 * organization its member pages (a vanishing one: one 404). An empty list is still one page. Pages as a client
 * following the server's own next start needs them: without `shortPages`, max(1, ceil(rows / cap)).
 */
export function minimumRequests(model: JsmModel): number {
  const { caps } = model;
  const p = pager(model.seed, model.shortPages);
  let n = p.pages('desks', model.desks.length, caps.serviceDesks);
  for (const d of model.desks) {
    if (d.vanishing) {
      n += 1;
      continue;
    }
    n += p.pages(`customers:${d.id}`, d.customers.length, caps.customers) + p.pages(`desk-organizations:${d.id}`, d.organizations.length, caps.serviceDeskOrganizations) + 1;
    n += d.roles.some((r) => r.name === ROLE_TEAM.name) ? 1 : 0;
  }
  n += p.pages('organizations', model.organizations.length, caps.organizations);
  for (const o of model.organizations) n += o.vanishing ? 1 : p.pages(`organization-users:${o.id}`, o.members.length, caps.organizationUsers);
  return n;
}
