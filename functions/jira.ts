import { z } from 'zod';
import { bareArray, pageBean, parsePayload, single, type Json, type PageStyle } from '../shared/engine/paginate.ts';
import { jiraAuditRecords, jiraAuditStream } from './jira-audit.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import type { RowInput } from '../shared/schema/table.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type NoOptions, type ProductModule } from '../shared/engine/collect.ts';
import { installedAppsStream } from './upm.ts';
import { jiraIssueSecurityStreams } from './jira-issue-security.ts';
import {
  jiraApplicationRoles,
  jiraGroupMembers,
  jiraGroups,
  jiraInstalledApps,
  jiraPermissionGrants,
  jiraPermissionSchemes,
  jiraProjectRoleActors,
  jiraProjectRoles,
  jiraProjects,
  jiraSettings,
  jiraTables,
  jiraUsers,
} from './jira.tables.ts';
import { id, str, bool, int } from '../shared/schema/fields.ts';

// Jira Cloud platform REST v3. Authority: ../shared/atlassian-openapi/jira-platform-v3.json and its facts sheet
// (README.md §3, §4, §10). Pointers below are `jira-platform-v3.json#/paths/...`.

/** Maximum page sizes. Jira silently lowers a larger `maxResults` (facts sheet Q2), so asking the cap is safe. */
export const JIRA_PAGE_SIZES = {
  /** `/users/search` "limited to 1000" (param description). */
  usersSearch: 1000,
  /** `/group/bulk`: no maximum in the schema (unverified); 50 is the documented default. */
  groupBulk: 50,
  /** `/group/member`: "number should be between 1 and 50". */
  groupMember: 50,
  /** `/project/search`: schema `maximum: 100`. */
  projectSearch: 100,
} as const;

const ADMIN = "the 'Administer Jira' global permission (OAuth scope manage:jira-configuration)";
const BROWSE_USERS = "the 'Browse users and groups' global permission (OAuth scope read:jira-user)";
const PROJECT_ADMIN = "'Administer Projects' on every project, or 'Administer Jira' (OAuth scope read:jira-work)";


const User = z.object({
  accountId: z.string().min(1),
  accountType: z.string().nullish().transform((v) => v ?? 'unknown'),
  displayName: str,
  // Null or absent when the profile hides it (facts sheet Q4).
  emailAddress: str,
  active: z.boolean(),
  appType: str,
  guest: bool,
  locale: str,
  timeZone: str,
});

const Group = z.object({
  // GroupDetails.groupId is nullable in the spec (legacy groups); the name is the only other identifier,
  // and /group/member accepts it too.
  groupId: z.string().nullish(),
  name: z.string(),
});

const ProjectItem = z.object({
  id,
  key: z.string(),
  name: z.string(),
  projectTypeKey: str,
  style: str,
  isPrivate: bool,
  archived: bool,
  deleted: bool,
  lead: z.object({ accountId: z.string() }).nullish(),
});

/** What a project hands its children: small, so a checkpoint stays bounded by one page of projects. */
type ProjectKey = {
  id: string;
  key: string;
  name: string;
  type: string | null;
  style: string | null;
  private: boolean | null;
  archived: boolean;
  deleted: boolean;
  lead: string | null;
};
type RoleKey = { project: string; projectKey: string; role: string; name: string };

const myself = defineStream({
  name: 'myself',
  // Credential check first: a bad token fails here with one request, before anything is written.
  // `#/paths/~1rest~1api~13~1myself/get`
  style: () => single({ path: '/rest/api/3/myself', item: z.object({ accountId: z.string() }), select: (b) => [b], requires: BROWSE_USERS }),
});

const users = defineStream({
  name: 'users',
  // `#/paths/~1rest~1api~13~1users~1search/get`: bare array, no end flag, short pages mid-stream (Q1).
  style: () =>
    bareArray({
      path: '/rest/api/3/users/search',
      pageSize: JIRA_PAGE_SIZES.usersSearch,
      item: User,
      key: (u) => u.accountId,
      requires: BROWSE_USERS,
    }),
  rows: (u) => [
    row(jiraUsers, {
      account_id: u.accountId,
      account_type: u.accountType,
      display_name: u.displayName,
      email_address: u.emailAddress,
      active: u.active,
      app_type: u.appType,
      guest: u.guest,
      locale: u.locale,
      time_zone: u.timeZone,
    }),
  ],
});

type GroupKey = { id: string; name: string; byName: boolean };

// UserDetails (group members): `active` is optional in the schema.
const Member = User.extend({ active: bool });

const groupMembers = defineStream<GroupKey, z.infer<typeof Member>>({
  name: 'group_members',
  // `#/paths/~1rest~1api~13~1group~1member/get`: includeInactiveUsers defaults to false; a full inventory needs true.
  style: (g) =>
    pageBean({
      path: '/rest/api/3/group/member',
      query: { ...(g.byName ? { groupname: g.name } : { groupId: g.id }), includeInactiveUsers: true },
      pageSize: JIRA_PAGE_SIZES.groupMember,
      item: Member,
      key: (m) => m.accountId,
      requires: `${BROWSE_USERS} or ${ADMIN}`,
    }),
  rows: (u, g) => [
    row(jiraGroupMembers, {
      group_id: g.id,
      group_name: g.name,
      account_id: u.accountId,
      account_type: u.accountType,
      display_name: u.displayName,
      email_address: u.emailAddress,
      active: u.active,
    }),
  ],
  notFound: 'skip-parent',
});

const groups = defineStream<null, z.infer<typeof Group>, GroupKey>({
  name: 'groups',
  // `#/paths/~1rest~1api~13~1group~1bulk/get`
  style: () => pageBean({ path: '/rest/api/3/group/bulk', pageSize: JIRA_PAGE_SIZES.groupBulk, item: Group, key: (g) => g.groupId ?? g.name, requires: BROWSE_USERS }),
  rows: (g) => [row(jiraGroups, { group_id: g.groupId ?? g.name, name: g.name })],
  childKey: (g) => ({ id: g.groupId ?? g.name, name: g.name, byName: !g.groupId }),
  children: [groupMembers],
});

const GroupRef = z.object({ groupId: z.string().nullish(), name: z.string() });
const ApplicationRole = z.object({
  key: z.string(),
  name: z.string(),
  groupDetails: z.array(GroupRef).nullish(),
  defaultGroupsDetails: z.array(GroupRef).nullish(),
  numberOfSeats: int,
  remainingSeats: int,
  userCount: int,
  hasUnlimitedSeats: bool,
  platform: bool,
});

const applicationRoles = defineStream({
  name: 'application_roles',
  // `#/paths/~1rest~1api~13~1applicationrole/get`
  style: () => single({ path: '/rest/api/3/applicationrole', item: ApplicationRole, requires: ADMIN }),
  rows: (r) => {
    const base = {
      role_key: r.key,
      name: r.name,
      number_of_seats: r.numberOfSeats,
      remaining_seats: r.remainingSeats,
      user_count: r.userCount,
      has_unlimited_seats: r.hasUnlimitedSeats,
      platform: r.platform,
    };
    const groupsOf = r.groupDetails ?? [];
    const defaults = new Set((r.defaultGroupsDetails ?? []).map((g) => g.groupId ?? g.name));
    if (!groupsOf.length) return [row(jiraApplicationRoles, { ...base, group_id: null, group_name: null, is_default_group: false })];
    return groupsOf.map((g) =>
      row(jiraApplicationRoles, {
        ...base,
        group_id: g.groupId ?? g.name,
        group_name: g.name,
        is_default_group: defaults.has(g.groupId ?? g.name),
      }),
    );
  },
});

/**
 * The permission scheme of one project (Jira Cloud and Data Center): `GET <api>/project/{id}/permissionscheme`
 * (`#/paths/~1rest~1api~13~1project~1{projectKeyOrId}~1permissionscheme/get`; DC
 * `#api/2/project/{projectKeyOrId}/permissionscheme-getAssignedPermissionScheme`). The project row is written
 * here, once its scheme is known; a project deleted since the listing (404) is skipped.
 */
export function projectSchemeStream<K extends Json & { readonly id: string }>(
  apiPath: string,
  requires: string,
  project: (k: K) => Omit<RowInput<typeof jiraProjects>, 'permission_scheme_id'>,
): Stream {
  return defineStream<K, { id: string }>({
    name: 'project_permission_scheme',
    style: (p) =>
      single({
        path: `${apiPath}/project/${encodeURIComponent(p.id)}/permissionscheme`,
        item: z.object({ id }),
        select: (b) => [b],
        requires,
      }),
    rows: (s, p) => [row(jiraProjects, { ...project(p), permission_scheme_id: s.id })],
    notFound: 'skip-parent',
  });
}

const projectScheme = projectSchemeStream<ProjectKey>('/rest/api/3', PROJECT_ADMIN, (p) => ({
  project_id: p.id,
  project_key: p.key,
  name: p.name,
  project_type_key: p.type,
  style: p.style,
  is_private: p.private,
  archived: p.archived,
  deleted: p.deleted,
  lead_account_id: p.lead,
}));

const RoleActor = z.object({
  type: z.string(),
  actorUser: z.object({ accountId: z.string() }).nullish(),
  actorGroup: z.object({ groupId: z.string().nullish(), name: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
  name: z.string().nullish(),
});
type RoleActor = z.infer<typeof RoleActor>;

/**
 * The actors of one role in one Jira Cloud project (also read by JSM for its agents):
 * `#/paths/~1rest~1api~13~1project~1{projectIdOrKey}~1role~1{id}/get`.
 */
export function roleActorsStyle(projectId: string, roleId: string, requires: string): PageStyle<RoleActor> {
  return single({
    path: `/rest/api/3/project/${encodeURIComponent(projectId)}/role/${encodeURIComponent(roleId)}`,
    item: RoleActor,
    select: (b, endpoint) => parsePayload(z.object({ actors: z.array(z.unknown()).nullish() }), b, endpoint).actors ?? [],
    requires,
  });
}

/** The actor columns of a role actor; null for actor types that name nobody (e.g. a corrupted record). */
export function roleActorColumns(a: RoleActor): { actor_type: 'group' | 'user'; account_id: string | null; group_id: string | null; group_name: string | null } | null {
  if (a.type === 'atlassian-group-role-actor') {
    const name = a.actorGroup?.name ?? a.name ?? null;
    return { actor_type: 'group', account_id: null, group_id: a.actorGroup?.groupId ?? name, group_name: name };
  }
  if (a.type === 'atlassian-user-role-actor' && a.actorUser) return { actor_type: 'user', account_id: a.actorUser.accountId, group_id: null, group_name: null };
  return null;
}

const roleActors = defineStream<RoleKey, RoleActor>({
  name: 'project_role_actors',
  style: (r) => roleActorsStyle(r.project, r.role, PROJECT_ADMIN),
  rows: (a, r) => {
    const actor = roleActorColumns(a);
    return actor ? [row(jiraProjectRoleActors, { project_id: r.project, project_key: r.projectKey, role_id: r.role, role_name: r.name, ...actor })] : [];
  },
  notFound: 'skip-parent',
});

/**
 * The roles of one project (Jira Cloud and Data Center, also read by JSM): `GET <api>/project/{id}/role` answers an
 * object map {roleName: ".../project/KEY/role/10002"} (`#/paths/~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`;
 * DC `#api/2/project/{projectIdOrKey}/role-getProjectRoles`); the role id is the URL's last segment. `keep`
 * selects roles by name.
 */
export function projectRoleMapStyle(
  apiPath: string,
  projectId: string,
  requires: string,
  keep: (roleName: string) => boolean = () => true,
): PageStyle<{ name: string; id: string }> {
  return single({
    path: `${apiPath}/project/${encodeURIComponent(projectId)}/role`,
    item: z.object({ name: z.string(), id: z.string().regex(/^\d+$/) }),
    select: (b, endpoint) =>
      Object.entries(parsePayload(z.record(z.string(), z.string()), b, endpoint))
        .filter(([name]) => keep(name))
        .map(([name, url]) => ({ name, id: url.replace(/\/+$/, '').split('/').pop() ?? '' })),
    requires,
  });
}

/**
 * The roles of each project (Jira Cloud and Data Center): {@link projectRoleMapStyle}, handing each role with its
 * project to `roleActors`; a project deleted after the listing is skipped.
 */
export function projectRoleMapStream<K extends Json & { readonly id: string; readonly key: string }>(apiPath: string, requires: string, roleActors: Stream): Stream {
  return defineStream<K, { name: string; id: string }, RoleKey>({
    name: 'project_roles_of_project',
    style: (p) => projectRoleMapStyle(apiPath, p.id, requires),
    childKey: (r, p) => ({ project: p.id, projectKey: p.key, role: r.id, name: r.name }),
    children: [roleActors],
    notFound: 'skip-parent',
  });
}

const projectRoleMap = projectRoleMapStream<ProjectKey>('/rest/api/3', PROJECT_ADMIN, roleActors);

const projects = defineStream<null, z.infer<typeof ProjectItem>, ProjectKey>({
  name: 'projects',
  // `#/paths/~1rest~1api~13~1project~1search/get`: archived and trashed projects only when asked for by
  // `status`; 404 (not an empty page) when nothing matches (Q9).
  style: () =>
    pageBean({
      path: '/rest/api/3/project/search',
      query: { expand: 'lead', status: ['live', 'archived', 'deleted'] },
      pageSize: JIRA_PAGE_SIZES.projectSearch,
      item: ProjectItem,
      key: (p) => p.id,
    }),
  childKey: (p) => ({
    id: p.id,
    key: p.key,
    name: p.name,
    type: p.projectTypeKey,
    style: p.style,
    private: p.isPrivate,
    archived: p.archived ?? false,
    deleted: p.deleted ?? false,
    lead: p.lead?.accountId ?? null,
  }),
  children: [projectScheme, projectRoleMap],
  notFound: 'empty',
});

const roles = defineStream({
  name: 'project_roles',
  // `#/paths/~1rest~1api~13~1role/get`
  style: () =>
    single({
      path: '/rest/api/3/role',
      item: z.object({ id, name: z.string(), description: str, admin: bool, default: bool }),
      requires: ADMIN,
    }),
  rows: (r) => [row(jiraProjectRoles, { role_id: r.id, name: r.name, description: r.description, admin: r.admin, is_default: r.default })],
});

const Grant = z.object({
  id,
  permission: z.string(),
  holder: z.object({ type: z.string(), parameter: str, value: str }),
});
const Scheme = z.object({ id, name: z.string(), description: str, permissions: z.array(Grant).nullish() });

/** A permission grant as Jira Cloud and Data Center both send it; the holder is each deployment's own shape. */
interface SchemeOf<H extends { type: string; parameter: string | null }> {
  id: string;
  name: string;
  description: string | null;
  permissions?: { id: string; permission: string; holder: H }[] | null;
}

/**
 * Every permission scheme with its grants (Jira Cloud and Data Center): `GET <apiPath>/permissionscheme`, grants
 * only with `expand` naming permissions; `holderValue` fills holder_value from the deployment's holder shape.
 */
export function permissionSchemesStream<H extends { type: string; parameter: string | null }>(def: {
  apiPath: string;
  expand: string;
  scheme: z.ZodType<SchemeOf<H>>;
  requires?: string;
  holderValue: (h: H) => string | null;
}): Stream {
  return defineStream({
    name: 'permission_schemes',
    style: () =>
      single({
        path: `${def.apiPath}/permissionscheme`,
        query: { expand: def.expand },
        item: def.scheme,
        ...(def.requires ? { requires: def.requires } : {}),
        select: (b, endpoint) => parsePayload(z.object({ permissionSchemes: z.array(z.unknown()) }), b, endpoint).permissionSchemes,
      }),
    rows: (s) => [
      row(jiraPermissionSchemes, { scheme_id: s.id, name: s.name, description: s.description }),
      ...(s.permissions ?? []).map((g) =>
        row(jiraPermissionGrants, {
          scheme_id: s.id,
          grant_id: g.id,
          permission: g.permission,
          holder_type: g.holder.type,
          holder_parameter: g.holder.parameter,
          holder_value: def.holderValue(g.holder),
        }),
      ),
    ],
  });
}

// `#/paths/~1rest~1api~13~1permissionscheme/get`: grants are only included with expand=permissions.
const permissionSchemes = permissionSchemesStream({ apiPath: '/rest/api/3', expand: 'permissions', scheme: Scheme, holderValue: (h) => h.value });

/** Every application property (advanced setting) of a Jira Cloud or Data Center site: `GET <apiPath>/application-properties`. */
export function settingsStream(apiPath: string, requires: string): Stream {
  return defineStream({
    name: 'settings',
    style: () =>
      single({
        path: `${apiPath}/application-properties`,
        item: z.object({ key: z.string(), value: str, name: str, type: str, defaultValue: str }),
        requires,
      }),
    rows: (p) => [row(jiraSettings, { key: p.key, value: p.value, name: p.name, type: p.type, default_value: p.defaultValue })],
  });
}

// `#/paths/~1rest~1api~13~1application-properties/get`
const settings = settingsStream('/rest/api/3', ADMIN);

/** Jira Cloud streams, in collection order. */
export const jiraStreams: readonly Stream[] = [myself, users, groups, applicationRoles, projects, roles, permissionSchemes, settings, ...jiraIssueSecurityStreams];

const installedApps = installedAppsStream('/rest/plugins/1.0/', jiraInstalledApps);

export const jira: ProductModule<'jira', NoOptions> = {
  product: 'jira',
  title: 'Jira Cloud',
  options: z.object({}),
  credentials: ATLASSIAN_CLOUD_CREDENTIALS,
  tables: [...jiraTables, jiraAuditRecords],
  // UPM answers on the site URL only, not through the api.atlassian.com gateway (functions/upm.ts).
  // The audit records come last (functions/jira-audit.ts): an incremental stream, optional on plans without them.
  streams: (unit) => [...(unit.apiBaseUrl ? jiraStreams : [...jiraStreams, installedApps]), jiraAuditStream],
};
