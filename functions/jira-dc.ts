import { z } from 'zod';
import { bareArray, cursorToken, pageBean, parsePayload, single, type PageStyle } from '../shared/engine/paginate.ts';
import { permissionSchemesStream, projectRoleMapStream, projectSchemeStream, settingsStream } from './jira.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import type { NoOptions, ProductModule } from '../shared/engine/collect.ts';
import { PayloadError } from '../shared/errors.ts';
import {
  jiraApplicationRoles,
  jiraGroupMembers,
  jiraGroups,
  jiraProjectRoleActors,
  jiraProjectRoles,
  jiraProjects,
  jiraTables,
  jiraUsers,
} from './jira.tables.ts';
import { id, str, bool, int } from '../shared/schema/fields.ts';

// Jira Data Center (and Server) platform REST API 2, below the instance's base URL with its context path
// (`https://jira.acme.internal/jira`): the HTTP client resolves every path below the unit's siteUrl.
// Authority: the Jira Data Center REST reference, https://docs.atlassian.com/software/jira/docs/api/REST/latest
// (“DC REST” below; anchors are `#api/2/<resource>-<method>`), plus the Atlassian issue tracker where the reference
// is silent (JRASERVER-nnnnn). There is no OpenAPI file for DC in ../shared/atlassian-openapi.
//
// Authentication: a personal access token (PAT) as `Authorization: Bearer <token>` (DC REST “Authentication”;
// https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html). The unit's auth is
// `{kind: 'bearer'}`; the token carries the permissions of the user who created it.
//
// Identity: DC users have no accountId. They have a `key` (stable, e.g. JIRAUSER10100, or the original username
// for accounts created before Jira 8) and a `name` (the username, which an admin can rename). The Cloud tables'
// `account_id` column holds the `name` by default, because project role actors (RoleActorBean) carry only
// `name`, and every table must join on the same value; `accountIdFrom: 'key'` stores the key instead where the
// API gives it (role actors then fall back to the name: see {@link JiraDcOptions.accountIdFrom}).
//
// Table differences from Cloud (same tables and columns, so one Athena query covers both):
// - jira_users.account_type is 'unknown' (DC has no account types), app_type and guest are null.
// - jira_groups.group_id is the group name (DC groups have no id); so is group_id everywhere else.
// - jira_projects.is_private and style are null, deleted is false (DC has no project trash); archived comes from
//   `includeArchived=true`.
// - jira_permission_grants.holder_value: DC holders have no `value`, so it is derived as Cloud fills it: the
//   user (account_id rule above, from the expanded holder.user), the group name, or the parameter (role id,
//   application key, field id).
// - jira_application_roles: DC roles list groups by name only (no groupDetails), so group_id is the name too.
// - jira_issue_security_*: not collected; no Data Center counterpart of Cloud's level-member listings could be
//   checked (README, "Tables", the issue security paragraph).

/** Page sizes asked for. */
export const JIRA_DC_PAGE_SIZES = {
  /** `user/list` (DC REST `#api/2/user-getUserList`): "defaults to 2000"; no maximum documented (unverified). */
  userList: 1000,
  /**
   * `user/search` (DC REST `#api/2/user-findUsers`): "The maximum allowed value is 1000" up to Jira 9; Jira 10
   * lowered it to 100 and limits startAt + maxResults to the first 100 (JRASERVER-78520, JRASERVER-78660).
   */
  userSearch: 1000,
  /**
   * `group/member` (DC REST `#api/2/group-getUsersFromGroup`): default 50; no maximum documented (unverified), 50 is
   * what Cloud allows and what the reference examples use.
   */
  groupMember: 50,
  /**
   * `groups/picker` (DC REST `#api/2/groups-findGroups`): not paginated; "limited by the system property
   * jira.ajax.autocomplete.limit", and `maxResults` raises it (unverified). Asked high so one request lists every
   * group; a truncated answer (total > groups returned) fails the unit instead of publishing a partial list.
   */
  groupsPicker: 10_000,
} as const;

type PageSizes = Record<keyof typeof JIRA_DC_PAGE_SIZES, number>;

export interface JiraDcOptions {
  /**
   * How users are listed.
   * - `list`: `GET /rest/api/2/user/list` (cursor stream, `isLast` + `nextCursor`; "Available since Jira Data Center
   *   11.0, and in 10.3 LTS"; every user, active and inactive, each exactly once).
   * - `search`: `GET /rest/api/2/user/search?username=.&includeInactive=true` for older versions. No envelope, the end
   *   is an empty page; Jira returns only the first 1000 matches (JRASERVER-65089, fixed in some 8.x versions only)
   *   and from Jira 10 the first 100 (JRASERVER-78520): on larger instances the users table is then incomplete.
   * - `auto`: `list` when `GET /rest/api/2/serverInfo` reports version 10.3 or later, else `search` (the exact
   *   first 10.3.x release with user/list is unverified).
   * @default 'auto'
   */
  users?: 'auto' | 'list' | 'search';
  /** Which user identifier goes into `account_id` (see the module comment). @default 'name' */
  accountIdFrom?: 'name' | 'key';
  pageSizes?: Partial<Record<keyof typeof JIRA_DC_PAGE_SIZES, number>>;
}

const ADMIN = "the 'Jira Administrators' global permission for the user who owns the personal access token";
const BROWSE_USERS = "the 'Browse users and groups' global permission (or 'Jira Administrators') for the token's user";
const PROJECT_ADMIN = "'Administer Projects' on every project, or the 'Jira Administrators' global permission, for the token's user";


/** DC `User` (DC REST `#api/2/user-getUser` response): `key` and `name`, no accountId, no account type. */
export const DcUser = z.object({
  key: z.string().min(1).nullish(),
  name: z.string().min(1),
  displayName: str,
  // Absent when the instance hides e-mail addresses ("User email visibility": hidden) — then null.
  emailAddress: str,
  active: z.boolean().nullish().transform((v) => v ?? true),
  locale: str,
  timeZone: str,
});
export type DcUserItem = z.infer<typeof DcUser>;

type IdFrom = 'name' | 'key';
/** The account_id of a DC user: its name, or its key when asked and given. */
export function dcAccountId(u: { key?: string | null | undefined; name: string }, from: IdFrom): string {
  return from === 'key' && u.key ? u.key : u.name;
}

/** jira_users row input of a DC user. */
export function dcUserRow(u: DcUserItem, from: IdFrom) {
  return {
    account_id: dcAccountId(u, from),
    account_type: 'unknown',
    display_name: u.displayName,
    email_address: u.emailAddress,
    active: u.active,
    app_type: null,
    guest: null,
    locale: u.locale,
    time_zone: u.timeZone,
  };
}

// `GET /rest/api/2/user/list` → StreamPage `{self, nextPage, maxResults, isLast, nextCursor, values}` (DC REST
// `#api/2/user-getUserList`). The end is `isLast: true`; a page without isLast and without nextCursor is a
// payload the reference does not describe.
const StreamPage = z.object({ isLast: z.boolean().nullish(), nextCursor: z.union([z.string(), z.number()]).nullish(), values: z.array(z.unknown()).nullish() });

function userStyle(o: { users: 'list' | 'search'; sizes: PageSizes }): PageStyle<DcUserItem> {
  if (o.users === 'search') {
    // DC REST `#api/2/user-findUsers`: `username=.` matches every user (JRA-29069 workaround, the only "all users"
    // query the endpoint accepts); inactive users only with includeInactive=true. Bare array, short pages possible.
    return bareArray({
      path: '/rest/api/2/user/search',
      query: { username: '.', includeActive: true, includeInactive: true },
      pageSize: o.sizes.userSearch,
      item: DcUser,
      key: (u) => u.key ?? u.name,
      requires: BROWSE_USERS,
    });
  }
  return cursorToken({
    path: '/rest/api/2/user/list',
    pageSize: o.sizes.userList,
    limitParam: 'maxResults',
    item: DcUser,
    requires: BROWSE_USERS,
    items: (b, endpoint) => parsePayload(StreamPage, b, endpoint).values ?? [],
    next: (b, endpoint) => {
      const p = parsePayload(StreamPage, b, endpoint);
      if (p.isLast === true) return undefined;
      if (p.nextCursor === null || p.nextCursor === undefined) {
        throw new PayloadError('user/list answered isLast: false without a nextCursor; report it with this message.', { endpoint });
      }
      return String(p.nextCursor);
    },
  });
}

// `GET /rest/api/2/groups/picker` → GroupSuggestions `{header, total, groups: [{name, html, labels}]}` (DC REST
// `#api/2/groups-findGroups`).
const GroupSuggestions = z.object({ total: z.int().nullish(), groups: z.array(z.unknown()) });
const GroupName = z.object({ name: z.string().min(1) });

type GroupKey = { name: string };
type UsersKey = { mode: 'list' | 'search' };

// ServerInfo `{baseUrl, version, versionNumbers, deploymentType, buildNumber, ...}`.
const ServerInfo = z.object({ version: str, versionNumbers: z.array(z.int()).nullish().transform((v) => v ?? []) });

/** `user/list` exists from Jira 10.3 (LTS) on (DC REST `#api/2/user-getUserList`). */
export function hasUserList(version: readonly number[]): boolean {
  const [major = 0, minor = 0] = version;
  return major > 10 || (major === 10 && minor >= 3);
}
type ProjectKey = { id: string; key: string; name: string; type: string | null; archived: boolean; lead: string | null };
type RoleKey = { project: string; projectKey: string; role: string; name: string };

const ProjectItem = z.object({
  id,
  key: z.string(),
  name: z.string(),
  projectTypeKey: str,
  archived: bool,
  lead: z.object({ key: z.string().nullish(), name: z.string().min(1) }).nullish(),
});

// DC RoleActorBean: `{id, displayName, type, name, avatarUrl}`; `name` is the username for user actors and the
// group name for group actors (DC REST `#api/2/project/{projectIdOrKey}/role-getProjectRole`).
const RoleActor = z.object({ type: z.string(), name: z.string().nullish(), displayName: str });

const Holder = z.object({
  type: z.string(),
  parameter: str,
  user: z.object({ key: z.string().nullish(), name: z.string().min(1) }).nullish(),
  group: z.object({ name: z.string() }).nullish(),
});
const Grant = z.object({ id, permission: z.string(), holder: Holder });
const Scheme = z.object({ id, name: z.string(), description: str, permissions: z.array(Grant).nullish() });

export const DcApplicationRole = z.object({
  key: z.string(),
  name: z.string(),
  groups: z.array(z.string()).nullish(),
  defaultGroups: z.array(z.string()).nullish(),
  numberOfSeats: int,
  remainingSeats: int,
  userCount: int,
  hasUnlimitedSeats: bool,
  platform: bool,
});

/** jira_application_roles rows of a DC role: one per group (by name), or one with a null group when it has none. */
export function dcApplicationRoleRows(r: z.infer<typeof DcApplicationRole>) {
  const base = {
    role_key: r.key,
    name: r.name,
    number_of_seats: r.numberOfSeats,
    remaining_seats: r.remainingSeats,
    user_count: r.userCount,
    has_unlimited_seats: r.hasUnlimitedSeats,
    platform: r.platform,
  };
  const defaults = new Set(r.defaultGroups ?? []);
  const groups = r.groups ?? [];
  if (!groups.length) return [{ ...base, group_id: null, group_name: null, is_default_group: false }];
  return groups.map((g) => ({ ...base, group_id: g, group_name: g, is_default_group: defaults.has(g) }));
}

/** holder_value as Cloud fills it, derived from a DC holder (see the module comment). */
export function dcHolderValue(h: z.infer<typeof Holder>, from: IdFrom): string | null {
  if (h.type === 'user') return h.user ? dcAccountId(h.user, from) : h.parameter;
  if (h.type === 'group') return h.group?.name ?? h.parameter;
  return h.parameter;
}

/** Streams of one Jira DC unit with these options, in collection order. */
export function jiraDcStreams(options: JiraDcOptions = {}): readonly Stream[] {
  const sizes: PageSizes = { ...JIRA_DC_PAGE_SIZES, ...options.pageSizes };
  const from: IdFrom = options.accountIdFrom ?? 'name';
  const usersMode = options.users ?? 'auto';

  const myself = defineStream({
    name: 'myself',
    // Credential check first (DC REST `#api/2/myself-getUser`): an expired or revoked PAT fails here with one
    // request, before anything is written. Other endpoints may treat a bad PAT as anonymous; this one cannot.
    style: () => single({ path: '/rest/api/2/myself', item: z.object({ name: z.string() }), select: (b) => [b], requires: 'a valid personal access token' }),
  });

  const users = defineStream<UsersKey, DcUserItem>({
    name: 'users',
    style: (k) => userStyle({ users: k.mode, sizes }),
    rows: (u) => [row(jiraUsers, dcUserRow(u, from))],
  });

  const serverInfo = defineStream<null, z.infer<typeof ServerInfo>, UsersKey>({
    name: 'server_info',
    // DC REST `#api/2/serverInfo-getServerInfo`: the version decides how users are listed (see JiraDcOptions.users).
    // The mode travels in the child key, so a resumed run keeps the mode (and cursor format) it started with.
    style: () => single({ path: '/rest/api/2/serverInfo', item: ServerInfo, select: (b) => [b] }),
    childKey: (i) => ({ mode: usersMode === 'auto' ? (hasUserList(i.versionNumbers) ? 'list' : 'search') : usersMode }),
    children: [users],
  });

  const groupMembers = defineStream<GroupKey, DcUserItem>({
    name: 'group_members',
    // DC REST `#api/2/group-getUsersFromGroup`: PageBean (startAt/maxResults, isLast); "members of the specified
    // group and its subgroups" (nested groups flattened); includeInactiveUsers defaults to false. 404 = the group
    // was deleted since the listing: skipped.
    style: (g) =>
      pageBean({
        path: '/rest/api/2/group/member',
        query: { groupname: g.name, includeInactiveUsers: true },
        pageSize: sizes.groupMember,
        item: DcUser,
        key: (u) => u.key ?? u.name,
        requires: ADMIN,
      }),
    rows: (u, g) => [
      row(jiraGroupMembers, {
        group_id: g.name,
        group_name: g.name,
        account_id: dcAccountId(u, from),
        account_type: 'unknown',
        display_name: u.displayName,
        email_address: u.emailAddress,
        active: u.active,
      }),
    ],
    notFound: 'skip-parent',
  });

  const groups = defineStream<null, z.infer<typeof GroupName>, GroupKey>({
    name: 'groups',
    // DC REST `#api/2/groups-findGroups` with an empty query matches every group; unpaged, so a `total` above the
    // groups returned means the instance capped the answer: fail rather than publish a partial group list.
    style: () =>
      single({
        path: '/rest/api/2/groups/picker',
        query: { query: '', maxResults: sizes.groupsPicker },
        item: GroupName,
        requires: BROWSE_USERS,
        select: (b, endpoint) => {
          const s = parsePayload(GroupSuggestions, b, endpoint);
          if (s.total !== null && s.total !== undefined && s.total > s.groups.length) {
            throw new PayloadError(
              `the group picker returned ${s.groups.length} of ${s.total} groups (capped by jira.ajax.autocomplete.limit or maxResults); ` +
                `raise the system property jira.ajax.autocomplete.limit on the instance, then collect again. Nothing was published.`,
              { endpoint },
            );
          }
          return s.groups;
        },
      }),
    rows: (g) => [row(jiraGroups, { group_id: g.name, name: g.name })],
    childKey: (g) => ({ name: g.name }),
    children: [groupMembers],
  });

  const projectScheme = projectSchemeStream<ProjectKey>('/rest/api/2', PROJECT_ADMIN, (p) => ({
    project_id: p.id,
    project_key: p.key,
    name: p.name,
    project_type_key: p.type,
    style: null,
    is_private: null,
    archived: p.archived,
    deleted: false,
    lead_account_id: p.lead,
  }));

  const roleActors = defineStream<RoleKey, z.infer<typeof RoleActor>>({
    name: 'project_role_actors',
    // DC REST `#api/2/project/{projectIdOrKey}/role-getProjectRole`: ProjectRole {self, name, id, description, actors}.
    style: (r) =>
      single({
        path: `/rest/api/2/project/${encodeURIComponent(r.project)}/role/${encodeURIComponent(r.role)}`,
        item: RoleActor,
        select: (b, endpoint) => parsePayload(z.object({ actors: z.array(z.unknown()).nullish() }), b, endpoint).actors ?? [],
        requires: PROJECT_ADMIN,
      }),
    rows: (a, r) => {
      const base = { project_id: r.project, project_key: r.projectKey, role_id: r.role, role_name: r.name };
      if (!a.name) return [];
      if (a.type === 'atlassian-group-role-actor') {
        return [row(jiraProjectRoleActors, { ...base, actor_type: 'group', account_id: null, group_id: a.name, group_name: a.name })];
      }
      if (a.type === 'atlassian-user-role-actor') {
        // Only the username is given (RoleActorBean): with accountIdFrom 'key' this row still holds the name.
        return [row(jiraProjectRoleActors, { ...base, actor_type: 'user', account_id: a.name, group_id: null, group_name: null })];
      }
      return [];
    },
    notFound: 'skip-parent',
  });

  // DC REST `#api/2/project/{projectIdOrKey}/role-getProjectRoles`: map {roleName: ".../project/KEY/role/10002"};
  // the role id is the URL's last segment.
  const projectRoleMap = projectRoleMapStream<ProjectKey>('/rest/api/2', PROJECT_ADMIN, roleActors);

  const projects = defineStream<null, z.infer<typeof ProjectItem>, ProjectKey>({
    name: 'projects',
    // DC REST `#api/2/project-getAllProjects`: every project the user can browse, as a bare array (unpaged);
    // archived ones only with includeArchived=true; the lead only with expand=lead.
    style: () =>
      single({
        path: '/rest/api/2/project',
        query: { includeArchived: true, expand: 'lead' },
        item: ProjectItem,
        requires: PROJECT_ADMIN,
      }),
    childKey: (p) => ({
      id: p.id,
      key: p.key,
      name: p.name,
      type: p.projectTypeKey,
      archived: p.archived ?? false,
      lead: p.lead ? dcAccountId(p.lead, from) : null,
    }),
    children: [projectScheme, projectRoleMap],
  });

  const roles = defineStream({
    name: 'project_roles',
    // DC REST `#api/2/role-getProjectRoles`: every project role; no `admin`/`default` flags in DC (null).
    style: () => single({ path: '/rest/api/2/role', item: z.object({ id, name: z.string(), description: str }), requires: ADMIN }),
    rows: (r) => [row(jiraProjectRoles, { role_id: r.id, name: r.name, description: r.description, admin: null, is_default: null })],
  });

  // DC REST `#api/2/permissionscheme-getPermissionSchemes`: grants only with expand=permissions; `user` and `group`
  // expand the holders so holder_value can be filled (DC holders have only `type` and `parameter`).
  const permissionSchemes = permissionSchemesStream({
    apiPath: '/rest/api/2',
    expand: 'permissions,user,group',
    scheme: Scheme,
    requires: ADMIN,
    holderValue: (h) => dcHolderValue(h, from),
  });

  const applicationRoles = defineStream({
    name: 'application_roles',
    // DC REST `#api/2/applicationrole-getAll`: ApplicationRole {key, name, groups[], defaultGroups[], numberOfSeats,
    // remainingSeats, userCount, hasUnlimitedSeats, platform}; groups by name (no groupDetails in DC). Admin only.
    style: () => single({ path: '/rest/api/2/applicationrole', item: DcApplicationRole, requires: ADMIN }),
    rows: (r) => dcApplicationRoleRows(r).map((x) => row(jiraApplicationRoles, x)),
  });

  // DC REST `#api/2/application-properties-getProperty`: every application property (advanced setting); admin only.
  const settings = settingsStream('/rest/api/2', ADMIN);

  return [myself, serverInfo, groups, applicationRoles, roles, projects, permissionSchemes, settings];
}

/** A Jira Data Center module with non-default options (tests, or a fork that needs them). */
export function jiraDcModule(options: JiraDcOptions = {}): ProductModule<'jira-dc', NoOptions> {
  const streams = jiraDcStreams(options);
  return {
    product: 'jira-dc',
    title: 'Jira Data Center',
    options: z.object({}),
    credentials: { kinds: ['bearer', 'basic'], env: ['ATLASSIAN_BEARER_TOKEN', 'ATLASSIAN_EMAIL', 'ATLASSIAN_API_TOKEN', 'ATLASSIAN_SECRET_FILE'] },
    tables: jiraTables,
    deployment: 'data-center',
    streams: () => streams,
  };
}

/** `--product jira-dc`: defaults (user/list, account_id = username). */
export const jiraDc = jiraDcModule();
