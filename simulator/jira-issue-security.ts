/**
 * Simulated Jira Cloud issue-level security: issue security schemes, their levels, the members of each level
 * and which projects use which scheme; the four paged listings that serve them; their ground truth; and the
 * oracle of the view `jira_issue_security_access` (who can see an issue set to each level, and why).
 *
 * Authority: The Jira Cloud platform REST API (v3), "Issue security schemes" group:
 * - GET /rest/api/3/issuesecurityschemes/search (searchSecuritySchemes): PageBeanSecuritySchemeWithProjects;
 * - GET /rest/api/3/issuesecurityschemes/level (getSecurityLevels): PageBeanSecurityLevel;
 * - GET /rest/api/3/issuesecurityschemes/level/member (getSecurityLevelMembers): PageBeanSecurityLevelMember;
 * - GET /rest/api/3/issuesecurityschemes/project (searchProjectsUsingSecuritySchemes):
 *   PageBeanIssueSecuritySchemeToProjectMapping.
 * Each "Returns a paginated list", filters inclusively by the ids given, knows classic projects only, answers
 * 403 without the 'Administer Jira' global permission, and states no maximum page size (default 50): the caps
 * are configurable ({@link IssueSecurityPageCaps}) and a larger `maxResults` is silently lowered (facts sheet Q2).
 *
 * The model is derived from the Jira model (users, groups, roles, projects) and the seed; the Jira tenant
 * registers the routes and merges the truth (simulator/jira.ts).
 */
import { errorBody, type RouteContext, type RouteResult, type RouteTable } from './server.ts';
import { listParam } from './params.ts';
import { hash32, Rng } from './random.ts';
import { isResult, pageBean, paging, type Paging } from './jira/page-bean.ts';
import type { JiraGroupRecord, JiraHolderRecord, JiraModel, JiraProjectRecord, JiraRoleRecord, JiraUsers } from './jira/model.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { addReached, expandHolder, principalColumns, projectColumns, type ExpectedPrincipalColumns, type ExpectedProjectColumns, type Reached } from './jira-effective.ts';
import type { jiraIssueSecurityLevelMembers, jiraIssueSecurityLevels, jiraIssueSecurityProjects, jiraIssueSecuritySchemes } from '../functions/jira.tables.ts';

export interface IssueSecurityPageCaps {
  schemes: number;
  levels: number;
  members: number;
  projects: number;
}

/** No maximum is published for any of the four listings; 50 is each one's documented default. */
export const DEFAULT_ISSUE_SECURITY_PAGE_CAPS: Readonly<IssueSecurityPageCaps> = { schemes: 50, levels: 50, members: 50, projects: 50 };

export interface IssueSecurityOptions {
  /** Number of issue security schemes. Default: 2, or 3 with 6+ projects. */
  schemes?: number;
  /** The collecting account lacks 'Administer Jira': every listing answers 403. */
  forbidden?: boolean;
  pageCaps?: Partial<IssueSecurityPageCaps>;
}

export interface IssueSecurityMemberRecord {
  id: string;
  holder: JiraHolderRecord;
}

export interface IssueSecurityLevelRecord {
  id: string;
  name: string;
  description: string | undefined;
  members: IssueSecurityMemberRecord[];
}

export interface IssueSecuritySchemeRecord {
  id: number;
  name: string;
  description: string | undefined;
  /** Id of the default level; undefined when the scheme has none. */
  defaultLevelId: string | undefined;
  levels: IssueSecurityLevelRecord[];
}

export interface IssueSecurityModel {
  schemes: IssueSecuritySchemeRecord[];
  /** (scheme index, project id) of every classic project that uses a scheme, in scheme then project order. */
  mappings: { schemeIndex: number; projectId: string }[];
  caps: IssueSecurityPageCaps;
  forbidden: boolean;
}

/** Every holder type a level member can have (the permission-grant holder types). */
const MEMBER_TYPES = ['user', 'group', 'projectRole', 'applicationRole', 'applicationRoleAny', 'projectLead', 'reporter', 'assignee', 'anyone', 'userCustomField', 'groupCustomField'] as const;
const APP_KEYS = ['jira-software', 'jira-servicedesk', 'jira-core'];
const LEVEL_NAMES = ['Internal', 'Security team', 'Management', 'Legal hold', 'Customers & partners', 'Confidentiel', '機密'];
const SCHEME_NAMES = ['Default security scheme', 'Restricted projects', 'Finance & Legal', 'Incident response'];

/**
 * Schemes with 2 to 4 levels each; level 0 of scheme 0 has one member of every holder type, the others 2 to 6
 * drawn at random. Every classic, not vanishing project uses one, except one in four (index % 4 = 3); the
 * first project uses scheme 0.
 */
export function generateIssueSecurity(
  seed: number,
  m: { users: JiraUsers; groups: readonly JiraGroupRecord[]; roles: readonly JiraRoleRecord[]; projects: readonly JiraProjectRecord[] },
  opts: IssueSecurityOptions = {},
): IssueSecurityModel {
  const rng = new Rng(hash32(seed, 'issue-security'));
  const count = Math.max(1, Math.floor(opts.schemes ?? (m.projects.length >= 6 ? 3 : 2)));
  let levelId = 10100;
  let memberId = 10300;
  const holder = (type: (typeof MEMBER_TYPES)[number]): JiraHolderRecord => {
    switch (type) {
      case 'user': {
        const u = rng.int(m.users.count);
        const id = m.users.accountId(u);
        return { type, parameter: id, value: id, userIndex: u };
      }
      case 'group': {
        if (m.groups.length === 0) return { type: 'reporter' };
        const g = rng.int(m.groups.length);
        const group = m.groups[g];
        return group ? { type, parameter: group.name, value: group.groupId, groupIndex: g } : { type: 'reporter' };
      }
      case 'projectRole': {
        if (m.roles.length === 0) return { type: 'projectLead' };
        const k = rng.int(m.roles.length);
        const id = String(m.roles[k]?.id ?? 10002);
        return { type, parameter: id, value: id, roleIndex: k };
      }
      case 'applicationRole': {
        const key = rng.pick(APP_KEYS);
        return { type, parameter: key, value: key };
      }
      case 'applicationRoleAny':
        // No parameter: any application role, i.e. any licensed user (the Holder object's description).
        return { type: 'applicationRole' };
      case 'userCustomField':
        return { type, parameter: 'customfield_10010', value: 'customfield_10010' };
      case 'groupCustomField':
        return { type, parameter: 'customfield_10011', value: 'customfield_10011' };
      default:
        return { type };
    }
  };
  const schemes: IssueSecuritySchemeRecord[] = [];
  for (let s = 0; s < count; s++) {
    const levels: IssueSecurityLevelRecord[] = [];
    const nLevels = 2 + rng.int(3);
    for (let l = 0; l < nLevels; l++) {
      const types = s === 0 && l === 0 ? [...MEMBER_TYPES] : Array.from({ length: 2 + rng.int(5) }, () => rng.pick(MEMBER_TYPES.filter((t) => t !== 'anyone')));
      levels.push({
        id: String(levelId++),
        name: LEVEL_NAMES[(s + l) % LEVEL_NAMES.length] ?? `Level ${l}`,
        description: rng.chance(0.3) ? undefined : `Issues visible to the ${LEVEL_NAMES[(s + l) % LEVEL_NAMES.length]} audience`,
        members: types.map((t) => ({ id: String(memberId++), holder: holder(t) })),
      });
    }
    schemes.push({
      id: 10000 + s,
      name: SCHEME_NAMES[s] ?? `Issue security scheme ${s + 1}`,
      description: s % 3 === 1 ? undefined : `Issue security for ${SCHEME_NAMES[s] ?? `scheme ${s + 1}`}`,
      defaultLevelId: s % 2 === 0 ? levels[0]?.id : undefined,
      levels,
    });
  }
  const mappings: IssueSecurityModel['mappings'] = [];
  for (const p of m.projects) {
    if (p.style !== 'classic' || p.vanishing || p.index % 4 === 3) continue;
    mappings.push({ schemeIndex: p.index % count, projectId: p.id });
  }
  mappings.sort((a, b) => a.schemeIndex - b.schemeIndex || Number(a.projectId) - Number(b.projectId));
  return { schemes, mappings, caps: { ...DEFAULT_ISSUE_SECURITY_PAGE_CAPS, ...opts.pageCaps }, forbidden: opts.forbidden === true };
}

type Json = Record<string, unknown>;

const FORBIDDEN = 'You are not authorized to perform this action. Administrator privileges are required.';

/** All values of a repeatable id filter (also comma-separated). */
function ids(q: URLSearchParams, name: string): Set<string> {
  return new Set(listParam(q, name));
}

/** A listing's page: 403 when the account lacks 'Administer Jira', else the page `body` makes within `cap`. */
function securedPage(model: JiraModel, ctx: RouteContext, cap: (caps: IssueSecurityPageCaps) => number, body: (pg: Paging) => RouteResult): RouteResult {
  const sec = model.issueSecurity;
  if (sec.forbidden) return { status: 403, body: errorBody(FORBIDDEN) };
  const pg = paging(ctx, cap(sec.caps));
  return isResult(pg) ? pg : body(pg);
}

function levelsOf(model: JiraModel) {
  return model.issueSecurity.schemes.flatMap((s) => s.levels.map((l) => ({ s, l })));
}

function searchSecuritySchemes(model: JiraModel, ctx: RouteContext): RouteResult {
  const sec = model.issueSecurity;
  return securedPage(model, ctx, (c) => c.schemes, (pg) => {
    const want = ids(ctx.query, 'id');
    const projects = ids(ctx.query, 'projectId');
    const list = sec.schemes
      .map((s, i) => ({ s, projectIds: sec.mappings.filter((x) => x.schemeIndex === i && projects.has(x.projectId)).map((x) => Number(x.projectId)) }))
      .filter(({ s, projectIds }) => (want.size === 0 && projects.size === 0) || want.has(String(s.id)) || projectIds.length > 0);
    return pageBean(ctx, list, pg, ({ s, projectIds }) => {
      const out: Json = { id: s.id, self: `${ctx.baseUrl}/rest/api/3/issuesecurityschemes/${s.id}`, name: s.name };
      if (s.description !== undefined) out.description = s.description;
      if (s.defaultLevelId !== undefined) out.defaultLevel = Number(s.defaultLevelId);
      if (projects.size) out.projectIds = projectIds;
      return out;
    });
  });
}

function getSecurityLevels(model: JiraModel, ctx: RouteContext): RouteResult {
  return securedPage(model, ctx, (c) => c.levels, (pg) => {
    const want = ids(ctx.query, 'id');
    const schemes = ids(ctx.query, 'schemeId');
    const onlyDefault = (ctx.query.get('onlyDefault') ?? '').toLowerCase() === 'true';
    const list = levelsOf(model).filter(
      ({ s, l }) => ((want.size === 0 && schemes.size === 0) || want.has(l.id) || schemes.has(String(s.id))) && (!onlyDefault || s.defaultLevelId === l.id),
    );
    return pageBean(ctx, list, pg, ({ s, l }) => {
      const out: Json = { id: l.id, self: `${ctx.baseUrl}/rest/api/3/securitylevel/${l.id}`, name: l.name, issueSecuritySchemeId: String(s.id), isDefault: s.defaultLevelId === l.id };
      if (l.description !== undefined) out.description = l.description;
      return out;
    });
  });
}

function getSecurityLevelMembers(model: JiraModel, ctx: RouteContext): RouteResult {
  return securedPage(model, ctx, (c) => c.members, (pg) => {
    const want = ids(ctx.query, 'id');
    const schemes = ids(ctx.query, 'schemeId');
    const levels = ids(ctx.query, 'levelId');
    const all = want.size === 0 && schemes.size === 0 && levels.size === 0;
    const list = levelsOf(model)
      .flatMap(({ s, l }) => l.members.map((mem) => ({ s, l, mem })))
      .filter(({ s, l, mem }) => all || want.has(mem.id) || schemes.has(String(s.id)) || levels.has(l.id));
    return pageBean(ctx, list, pg, ({ s, l, mem }) => {
      const holder: Json = { type: mem.holder.type };
      if (mem.holder.parameter !== undefined) holder.parameter = mem.holder.parameter;
      if (mem.holder.value !== undefined) holder.value = mem.holder.value;
      holder.expand = 'group,user,projectRole,field';
      return { id: mem.id, issueSecurityLevelId: l.id, issueSecuritySchemeId: String(s.id), holder };
    });
  });
}

function searchProjectsUsingSecuritySchemes(model: JiraModel, ctx: RouteContext): RouteResult {
  const sec = model.issueSecurity;
  return securedPage(model, ctx, (c) => c.projects, (pg) => {
    const schemes = ids(ctx.query, 'issueSecuritySchemeId');
    const projects = ids(ctx.query, 'projectId');
    const list = sec.mappings.filter(
      (x) => (schemes.size === 0 || schemes.has(String(sec.schemes[x.schemeIndex]?.id))) && (projects.size === 0 || projects.has(x.projectId)),
    );
    return pageBean(ctx, list, pg, (x) => ({ issueSecuritySchemeId: String(sec.schemes[x.schemeIndex]?.id), projectId: x.projectId }));
  });
}

const deny = { status: 403, message: FORBIDDEN };

/** The four listings, over the Jira model (the Jira tenant's table includes them). */
export const ISSUE_SECURITY_ROUTES: RouteTable<JiraModel> = [
  // searchSecuritySchemes: `id` and `projectId` filter; projectIds only for the projects filtered by.
  { method: 'GET', path: '/rest/api/3/issuesecurityschemes/search', paged: true, denyLimited: deny, handle: searchSecuritySchemes },
  // getSecurityLevels: `id` and `schemeId` filter inclusively; `onlyDefault` keeps the default levels.
  { method: 'GET', path: '/rest/api/3/issuesecurityschemes/level', paged: true, denyLimited: deny, handle: getSecurityLevels },
  // getSecurityLevelMembers: `id`, `schemeId`, `levelId` filter inclusively; holder {type, parameter, value}.
  { method: 'GET', path: '/rest/api/3/issuesecurityschemes/level/member', paged: true, denyLimited: deny, handle: getSecurityLevelMembers },
  // searchProjectsUsingSecuritySchemes: `issueSecuritySchemeId` and `projectId` filter.
  { method: 'GET', path: '/rest/api/3/issuesecurityschemes/project', paged: true, denyLimited: deny, handle: searchProjectsUsingSecuritySchemes },
];

type Rows<T> = RowInput<T>[];

/** Ground truth of the four tables (empty when the listings are forbidden). */
export function issueSecurityTruth(model: JiraModel): Record<string, Record<string, unknown>[]> {
  const sec = model.issueSecurity;
  if (sec.forbidden) return { jira_issue_security_schemes: [], jira_issue_security_levels: [], jira_issue_security_level_members: [], jira_issue_security_projects: [] };
  const schemes: Rows<typeof jiraIssueSecuritySchemes> = sec.schemes.map((s) => ({
    scheme_id: String(s.id),
    name: s.name,
    description: s.description ?? null,
    default_level_id: s.defaultLevelId ?? null,
  }));
  const levels: Rows<typeof jiraIssueSecurityLevels> = sec.schemes.flatMap((s) =>
    s.levels.map((l) => ({ level_id: l.id, scheme_id: String(s.id), name: l.name, description: l.description ?? null, is_default: s.defaultLevelId === l.id })),
  );
  const members: Rows<typeof jiraIssueSecurityLevelMembers> = sec.schemes.flatMap((s) =>
    s.levels.flatMap((l) =>
      l.members.map((mem) => ({
        member_id: mem.id,
        scheme_id: String(s.id),
        level_id: l.id,
        holder_type: mem.holder.type,
        holder_parameter: mem.holder.parameter ?? null,
        holder_value: mem.holder.value ?? null,
      })),
    ),
  );
  const projects: Rows<typeof jiraIssueSecurityProjects> = sec.mappings.map((x) => ({ project_id: x.projectId, scheme_id: String(sec.schemes[x.schemeIndex]?.id) }));
  return { jira_issue_security_schemes: schemes, jira_issue_security_levels: levels, jira_issue_security_level_members: members, jira_issue_security_projects: projects };
}

/** Requests a perfect client needs: one per page of each listing (an empty listing is one page), one 403 each when forbidden. */
export function issueSecurityMinimumRequests(model: JiraModel): number {
  const sec = model.issueSecurity;
  if (sec.forbidden) return 4;
  const pages = (n: number, cap: number): number => Math.max(1, Math.ceil(n / cap));
  const levels = sec.schemes.reduce((n, s) => n + s.levels.length, 0);
  const members = sec.schemes.reduce((n, s) => n + s.levels.reduce((k, l) => k + l.members.length, 0), 0);
  return pages(sec.schemes.length, sec.caps.schemes) + pages(levels, sec.caps.levels) + pages(members, sec.caps.members) + pages(sec.mappings.length, sec.caps.projects);
}

// ---------------------------------------------------------------------------------------------
// Oracle of the view `jira_issue_security_access`

/** One expected row of `jira_issue_security_access`, without dt, org and site. */
export interface ExpectedIssueSecurityAccess extends ExpectedProjectColumns, ExpectedPrincipalColumns {
  scheme_id: string;
  level_id: string;
  level_name: string;
}

/**
 * Who can see an issue of each project set to each level of the project's scheme, computed from the model,
 * independently of the SQL: walk the projects that use a scheme, each level's members, and expand each holder
 * through the model's own groups, project role actors, application roles and leads.
 */
export function expectedJiraIssueSecurityAccess(model: JiraModel): ExpectedIssueSecurityAccess[] {
  const sec = model.issueSecurity;
  if (sec.forbidden) return [];
  const out: ExpectedIssueSecurityAccess[] = [];
  for (const mapping of sec.mappings) {
    const p = model.projects.find((x) => x.id === mapping.projectId);
    const scheme = sec.schemes[mapping.schemeIndex];
    if (!p || p.vanishing || !scheme) continue;
    for (const level of scheme.levels) {
      const acc = new Map<string, Reached>();
      for (const mem of level.members) {
        expandHolder(model, p, mem.holder, `scheme=${scheme.id} > level=${level.id} > member=${mem.id}`, (principal, user, via, path) =>
          addReached(acc, `${principal}|${user ?? ''}`, () => ({ principal, user, vias: new Set(), paths: new Set() }), via, path),
        );
      }
      for (const e of acc.values()) {
        out.push({
          ...projectColumns(p),
          scheme_id: String(scheme.id),
          level_id: level.id,
          level_name: level.name,
          ...principalColumns(model, e),
        });
      }
    }
  }
  return out;
}
