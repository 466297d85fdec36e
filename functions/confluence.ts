import { confluenceAuditRecords, confluenceAuditStream } from './confluence-audit.ts';
import { z } from 'zod';
import type { JsonResponse } from '../shared/http/client.ts';
import { nextLink, offset, parsePayload, single, type Cursor, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type RowOut, type Stream } from '../shared/engine/streams.ts';
import { installedAppsStream } from './upm.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type NoOptions, type ProductModule } from '../shared/engine/collect.ts';
import {
  confluenceInstalledApps,
  confluenceGroupMembers,
  confluenceGroups,
  confluenceSettings,
  confluenceSpacePermissions,
  confluenceSpaceRoleAssignments,
  confluenceSpaceRoles,
  confluenceSpaces,
  confluenceTables,
  confluenceUsers,
} from './confluence.tables.ts';
import { nonEmptyId as id, str, bool } from '../shared/schema/fields.ts';

// Confluence Cloud REST v2 (`/wiki/api/v2`) and v1 (`/wiki/rest/api`). Authority:
// ../shared/atlassian-openapi/confluence-v2.json, confluence-v1.json and the facts sheet (README.md §2, §3, §5,
// §9, §10). Pointers below are `confluence-v2.json#/paths/...` (v2, paths relative to /wiki/api/v2) or
// `confluence-v1.json#/paths/...` (v1, paths include /wiki/rest/api).
//
// Users: the only list of a site's users is the CQL user search (`/wiki/rest/api/search/user`), which returns at
// most 10,000 users (param `cql` description: "cql=type=user will return up to 10k users") and hides guests unless
// `sitePermissionTypeFilter=all` (facts sheet Q10). Each search page's account ids go to `POST /users-bulk` for
// what the search does not say (account status, guest flag, personal space). Above 10,000 users the users table
// holds the first 10,000 the search returns and `confluence_settings` says so (users.search_capped = true,
// users.search_total_size); group memberships (confluence_group_members, which carry each member's type, names,
// e-mail and guest flag) and the organization directory (admin_users) stay complete.

/** Page sizes asked for. */
export const CONFLUENCE_PAGE_SIZES = {
  /** Every v2 list: `limit` schema `maximum: 250` (e.g. `~1spaces/get`). */
  v2: 250,
  /**
   * v1 `/search/user`: no documented maximum ("may be restricted by fixed system limits"; unverified, so a
   * smaller answer is fine: the offset advances by the users received). Equal to the users-bulk maximum, so one
   * search page makes one users-bulk request.
   */
  userSearch: 250,
  /** v2 `POST /users-bulk`: body `accountIds` `maxItems: 250` (`components.requestBodies.BulkUsersRequest`). */
  usersBulk: 250,
  /** v1 `/group`: default 200, maximum unverified; 200 is always accepted. */
  groups: 200,
  /** v1 `/group/{groupId}/membersByGroupId`: "400 if given limit is greater than 200". */
  groupMembers: 200,
} as const;

/** `/wiki/rest/api/search/user` never returns more than this many users for one query (param `cql` description). */
export const USER_SEARCH_MAX_RESULTS = 10_000;

const CAN_USE = "the 'Can use' Confluence global permission";
const REQUIRES = {
  currentUser: `${CAN_USE} (OAuth scope read:confluence-user)`,
  audit: "the 'Confluence Administrator' global permission (OAuth scope read:audit-log:confluence)",
  systemInfo: `${CAN_USE} (OAuth scope manage:confluence-configuration or read:configuration:confluence)`,
  roleMode: `${CAN_USE} (OAuth scope read:configuration:confluence)`,
  roles: `${CAN_USE} and view permission on the space (OAuth scope read:space.permission:confluence)`,
  userSearch: `${CAN_USE} (OAuth scope read:content-details:confluence)`,
  usersBulk: `${CAN_USE} and permission to view user profiles (OAuth scope read:user:confluence)`,
  groups: `${CAN_USE} (OAuth scope read:confluence-groups)`,
  spaces: 'view permission on every space: Confluence lists only the spaces the account can view (OAuth scope read:space:confluence)',
} as const;

const PATHS = {
  currentUser: '/wiki/rest/api/user/current',
  retention: '/wiki/rest/api/audit/retention',
  systemInfo: '/wiki/rest/api/settings/systemInfo',
  roleMode: '/wiki/api/v2/space-role-mode',
  roles: '/wiki/api/v2/space-roles',
  userSearch: '/wiki/rest/api/search/user',
  usersBulk: '/wiki/api/v2/users-bulk',
  groups: '/wiki/rest/api/group',
  spaces: '/wiki/api/v2/spaces',
} as const;

// Confluence hides an e-mail as "" (v2 `User.email`: "may return an empty string"; v1 the same) or null (v1
// `User.email` is nullable) — facts sheet Q4. Both become null. v1 `accountType` "may return empty string if
// unavailable": the same rule.
const blankAsNull = z.string().nullish().transform((v) => (v ? v : null));
// v2 ids are strings in the spec; accept a number too rather than fail on it.

// ---------------------------------------------------------------------------------------------
// Paging helpers (styles from shared/engine/paginate.ts)

// v2 list envelope `MultiEntityResult<T>`: `{results, _links: {next?, base}}` (`components.schemas.MultiEntityLinks`).
const V2Page = z.object({ results: z.array(z.unknown()), _links: z.object({ next: z.string().nullish() }).loose().nullish() }).loose();

// `rel="next"` target of a `Link` header (the spec puts the next URL there as well as in `_links.next`).
function linkHeaderNext(h: string | string[] | undefined): string | undefined {
  const text = Array.isArray(h) ? h.join(', ') : (h ?? '');
  return /<([^>]*)>\s*;\s*rel="?next"?/.exec(text)?.[1];
}

// Style C2 (facts sheet §3; v2 narrative "Using the REST API"): `limit` on the first request, then the relative
// `_links.next` (also in the `Link` header) until neither is present. The link already starts with `/wiki`
// (quirk Q6): the HTTP client resolves it below the base URL, site and gateway alike, never against `_links.base`.
function v2List<T>(path: string, item: z.ZodType<T>, requires: string, query?: Readonly<Record<string, string>>): PageStyle<T> {
  return nextLink({
    path,
    query,
    pageSizeParam: 'limit',
    pageSize: CONFLUENCE_PAGE_SIZES.v2,
    itemsField: 'results',
    item,
    requires,
    items: (body, endpoint) => parsePayload(V2Page, body, endpoint).results,
    next: (res, endpoint) => parsePayload(V2Page, res.body, endpoint)._links?.next ?? linkHeaderNext(res.headers.link),
  });
}

const V1Page = z.object({ limit: z.int().nullish(), _links: z.record(z.string(), z.unknown()).nullish() }).loose();

// Style C1 (facts sheet §3): `start`/`limit`, envelope `{results, start, limit, size, _links}`. The end signal is
// unverified ("`size < limit` or no `_links.next`; do both"), so a page ends the list only when both say so:
// no `_links.next` and fewer items than the `limit` the server applied (the response's `limit`, since servers
// lower it silently). A full last page without a next link costs one more (empty) request; a short page with a
// next link is not the end.
function v1List<T>(
  path: string,
  item: z.ZodType<T>,
  key: (item: T) => string,
  pageSize: number,
  requires: string,
  query?: Readonly<Record<string, string>>,
  cap?: number,
): PageStyle<T> {
  return offset({
    path,
    query,
    key,
    limitField: 'limit',
    pageSize,
    startParam: 'start',
    limitParam: 'limit',
    itemsField: 'results',
    item,
    requires,
    isEnd: (body, received, startAt) => {
      if (cap !== undefined && startAt + received >= cap) return true;
      const b = V1Page.safeParse(body);
      const hasNext = b.success && b.data._links?.next !== undefined && b.data._links.next !== null;
      const limit = (b.success ? b.data.limit : null) ?? pageSize;
      return !hasNext && received < limit;
    },
  });
}

// Hands a whole page of `style` to the stream as one item, so the page's children run once per page (a page of
// searched users makes one users-bulk request). Pagination itself stays `style`'s.
function pageAsItem<T, B>(style: PageStyle<T>, make: (items: T[], res: JsonResponse, cursor: Cursor, endpoint: string) => B): PageStyle<B> {
  return {
    request: (cursor) => style.request(cursor),
    read: (res, cursor, endpoint) => {
      const { items, next } = style.read(res, cursor, endpoint);
      // The first page always yields its item (it carries the search totals), later ones only when not empty.
      return { items: items.length || cursor === null ? [make(items, res, cursor, endpoint)] : [], next };
    },
  };
}

const setting = (key: string, value: string | null, source: string): RowOut => row(confluenceSettings, { key, value, source });

// ---------------------------------------------------------------------------------------------
// Credential check and site settings

const currentUser = defineStream({
  name: 'current_user',
  // Credential check first: a bad token fails here with one request, before anything is written.
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1user~1current/get`
  style: () => single({ path: PATHS.currentUser, item: z.object({ accountId: z.string().nullish() }), select: (b) => [b], requires: REQUIRES.currentUser }),
});

const Retention = z.object({ number: z.int(), units: z.string() });

const auditRetention = defineStream({
  name: 'audit_retention',
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1audit~1retention/get`: RetentionPeriod {number, units}. Needs
  // 'Confluence Administrator', so a non-admin credential fails here, early.
  style: () => single({ path: PATHS.retention, item: Retention, select: (b) => [b], requires: REQUIRES.audit }),
  rows: (r) => [
    setting('audit.retention.number', String(r.number), `GET ${PATHS.retention}`),
    setting('audit.retention.units', r.units, `GET ${PATHS.retention}`),
  ],
});

const SystemInfo = z.object({ edition: str, siteTitle: str, defaultLocale: str, defaultTimeZone: str, microsPerimeter: str });

const systemInfo = defineStream({
  name: 'system_info',
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1settings~1systemInfo/get`: SystemInfoEntity. Kept: the edition
  // (which security features the site has) and the perimeter (commercial / FedRAMP), plus title, locale, zone.
  style: () => single({ path: PATHS.systemInfo, item: SystemInfo, select: (b) => [b], requires: REQUIRES.systemInfo }),
  rows: (s) => {
    const src = `GET ${PATHS.systemInfo}`;
    const pairs: [string, string | null][] = [
      ['system.edition', s.edition],
      ['system.micros_perimeter', s.microsPerimeter],
      ['system.site_title', s.siteTitle],
      ['system.default_locale', s.defaultLocale],
      ['system.default_time_zone', s.defaultTimeZone],
    ];
    return pairs.filter(([, v]) => v !== null).map(([k, v]) => setting(k, v, src));
  },
});

// ---------------------------------------------------------------------------------------------
// Space roles (only where the site uses them)

type SpaceKey = { id: string; key: string };

const SpaceRole = z.object({ id: z.string().min(1), type: str, name: str, description: str, spacePermissions: z.array(z.string()).nullish() });

const spaceRoles = defineStream<{ mode: string }, z.infer<typeof SpaceRole>>({
  name: 'space_roles',
  // `#/paths/~1space-roles/get`: without `space-id`, every role of the tenant.
  style: () => v2List(PATHS.roles, SpaceRole, REQUIRES.roles),
  rows: (r) => [
    row(confluenceSpaceRoles, { role_id: r.id, name: r.name, type: r.type, description: r.description, space_permissions: r.spacePermissions ?? [] }),
  ],
});

const RoleAssignment = z.object({ principal: z.object({ principalType: z.string(), principalId: z.string() }), roleId: z.string() });

const roleAssignments = defineStream<SpaceKey, z.infer<typeof RoleAssignment>>({
  name: 'space_role_assignments',
  // `#/paths/~1spaces~1{id}~1role-assignments/get`: 404 = the space is gone (or no longer viewable).
  style: (s) => v2List(`${PATHS.spaces}/${encodeURIComponent(s.id)}/role-assignments`, RoleAssignment, REQUIRES.roles),
  rows: (a, s) => [
    row(confluenceSpaceRoleAssignments, {
      space_id: s.id,
      space_key: s.key,
      principal_type: a.principal.principalType,
      principal_id: a.principal.principalId,
      role_id: a.roleId,
    }),
  ],
  notFound: 'skip-parent',
});

const SpaceItem = z.object({
  id,
  key: z.string(),
  name: str,
  type: str,
  status: str,
  authorId: str,
  createdAt: z.iso.datetime({ offset: true }).nullish().transform((v) => v ?? null),
  homepageId: z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined ? null : String(v))),
});

const roleSpaces = defineStream<{ mode: string }, z.infer<typeof SpaceItem>, SpaceKey>({
  name: 'spaces_for_roles',
  // A second pass over `#/paths/~1spaces/get` for the role assignments: the engine cannot choose children per
  // response, and the first pass (spaces, permissions) must run whatever the mode. No rows: the first pass writes them.
  style: () => v2List(PATHS.spaces, SpaceItem, REQUIRES.spaces),
  childKey: (s) => ({ id: s.id, key: s.key }),
  children: [roleAssignments],
});

const roleMode = defineStream<null, { mode: string | null }, { mode: string }>({
  name: 'space_role_mode',
  // `#/paths/~1space-role-mode/get`: PRE_ROLES | ROLES_TRANSITION | ROLES. Role endpoints are "available on tenants
  // with Role-Based Access Control", so they are read only when the mode is not PRE_ROLES. A 404 ("does not have
  // permission to view the space role mode", asked with 'Can use' only) means a site without space roles.
  style: () => single({ path: PATHS.roleMode, item: z.object({ mode: str }), select: (b) => [b], requires: REQUIRES.roleMode }),
  rows: (m) => [setting('space_role_mode', m.mode, `GET ${PATHS.roleMode}`)],
  childKey: (m) => (m.mode && m.mode !== 'PRE_ROLES' ? { mode: m.mode } : undefined),
  children: [spaceRoles, roleSpaces],
  notFound: 'empty',
});

// ---------------------------------------------------------------------------------------------
// Users

const SearchResult = z.object({ user: z.object({ accountId: z.string().min(1) }) });
const SearchTotals = z.object({ totalSize: z.int().nullish() });
type SearchPage = { first: boolean; total: number | null; ids: string[] };
type IdsKey = { ids: string[] };

const BulkUser = z.object({
  accountId: z.string().min(1),
  accountType: z.string().nullish().transform((v) => v || 'unknown'),
  accountStatus: str,
  displayName: str,
  publicName: str,
  email: blankAsNull,
  isExternalCollaborator: bool,
  personalSpaceId: z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? null : String(v))),
  timeZone: str,
});

const usersBulk = defineStream<IdsKey, z.infer<typeof BulkUser>>({
  name: 'users_bulk',
  // `#/paths/~1users-bulk/post`: User {accountId, accountType, accountStatus, displayName, publicName, email,
  // isExternalCollaborator, personalSpaceId, timeZone} for ≤ 250 ids. An account deleted since the search is
  // simply not in `results` ("results may be empty if no account IDs were found"), so it is not written.
  style: (k) =>
    single({
      path: PATHS.usersBulk,
      method: 'POST',
      body: { accountIds: k.ids },
      item: BulkUser,
      select: (b, endpoint) => parsePayload(V2Page, b, endpoint).results,
      requires: REQUIRES.usersBulk,
    }),
  rows: (u) => [
    row(confluenceUsers, {
      account_id: u.accountId,
      account_type: u.accountType,
      account_status: u.accountStatus,
      display_name: u.displayName,
      public_name: u.publicName,
      email: u.email,
      is_guest: u.isExternalCollaborator,
      personal_space_id: u.personalSpaceId,
      time_zone: u.timeZone,
    }),
  ],
});

const users = defineStream<null, SearchPage, IdsKey>({
  name: 'users',
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1search~1user/get` with `cql=type=user`: at most 10,000 users,
  // so the list ends there (never ask past it); `sitePermissionTypeFilter=all` or guests are left out (default
  // `none` = licensed users only; Q10). Every page's ids go to users-bulk in one request.
  style: () =>
    pageAsItem(
      v1List(PATHS.userSearch, SearchResult, (r) => r.user.accountId, CONFLUENCE_PAGE_SIZES.userSearch, REQUIRES.userSearch, { cql: 'type=user', sitePermissionTypeFilter: 'all' }, USER_SEARCH_MAX_RESULTS),
      (items, res, cursor, endpoint): SearchPage => ({
        first: cursor === null,
        total: parsePayload(SearchTotals, res.body, endpoint).totalSize ?? null,
        ids: items.map((i) => i.user.accountId),
      }),
    ),
  rows: (p) => {
    if (!p.first) return [];
    // `totalSize` is what the search matched; whether it counts past the 10,000 cap is unverified, so reaching
    // the cap is enough to flag the users table as possibly incomplete.
    const src = `GET ${PATHS.userSearch}`;
    return [
      setting('users.search_total_size', p.total === null ? null : String(p.total), src),
      setting('users.search_capped', String((p.total ?? p.ids.length) >= USER_SEARCH_MAX_RESULTS), src),
    ];
  },
  childKey: (p) => (p.ids.length ? { ids: p.ids } : undefined),
  children: [usersBulk],
});

// ---------------------------------------------------------------------------------------------
// Groups

const Group = z.object({ id: z.string().min(1), name: z.string(), type: str, usageType: str, managedBy: str });
type GroupKey = { id: string; name: string };

const Member = z.object({
  accountId: z.string().min(1),
  accountType: blankAsNull,
  displayName: str,
  publicName: str,
  email: blankAsNull,
  isGuest: bool,
});

const groupMembers = defineStream<GroupKey, z.infer<typeof Member>>({
  name: 'group_members',
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group~1{groupId}~1membersByGroupId/get`: limit ≤ 200. The spec
  // lists no 404; a group deleted since the listing answers it (unverified), and is skipped.
  style: (g) => v1List(`${PATHS.groups}/${encodeURIComponent(g.id)}/membersByGroupId`, Member, (m) => m.accountId, CONFLUENCE_PAGE_SIZES.groupMembers, REQUIRES.groups),
  rows: (m, g) => [
    row(confluenceGroupMembers, {
      group_id: g.id,
      group_name: g.name,
      account_id: m.accountId,
      account_type: m.accountType,
      display_name: m.displayName,
      public_name: m.publicName,
      email: m.email,
      is_guest: m.isGuest,
    }),
  ],
  notFound: 'skip-parent',
});

const groups = defineStream<null, z.infer<typeof Group>, GroupKey>({
  name: 'groups',
  // `confluence-v1.json#/paths/~1wiki~1rest~1api~1group/get`: every group, by name.
  style: () => v1List(PATHS.groups, Group, (g) => g.id, CONFLUENCE_PAGE_SIZES.groups, REQUIRES.groups),
  rows: (g) => [row(confluenceGroups, { group_id: g.id, name: g.name, type: g.type, usage_type: g.usageType, managed_by: g.managedBy })],
  childKey: (g) => ({ id: g.id, name: g.name }),
  children: [groupMembers],
});

// ---------------------------------------------------------------------------------------------
// Spaces and their permissions

const Assignment = z.object({
  id,
  principal: z.object({ type: str, id: str }).nullish(),
  operation: z.object({ key: str, targetType: str }).nullish(),
});

const spacePermissions = defineStream<SpaceKey, z.infer<typeof Assignment>>({
  name: 'space_permissions',
  // `#/paths/~1spaces~1{id}~1permissions/get`. (v1 has no GET for space permissions: facts sheet §5.) 404 = the
  // space is gone, or no longer viewable, since the listing.
  style: (s) => v2List(`${PATHS.spaces}/${encodeURIComponent(s.id)}/permissions`, Assignment, REQUIRES.spaces),
  rows: (a, s) => [
    row(confluenceSpacePermissions, {
      space_id: s.id,
      space_key: s.key,
      permission_id: a.id,
      principal_type: a.principal?.type ?? null,
      principal_id: a.principal?.id ?? null,
      operation: a.operation?.key ?? null,
      target_type: a.operation?.targetType ?? null,
    }),
  ],
  notFound: 'skip-parent',
});

const spaces = defineStream<null, z.infer<typeof SpaceItem>, SpaceKey>({
  name: 'spaces',
  // `#/paths/~1spaces/get`: no `type`/`status` filter, so personal and archived spaces are included; only spaces
  // the account can view are listed (a site admin is not a viewer of every space).
  style: () => v2List(PATHS.spaces, SpaceItem, REQUIRES.spaces),
  rows: (s) => [
    row(confluenceSpaces, {
      space_id: s.id,
      space_key: s.key,
      name: s.name,
      type: s.type,
      status: s.status,
      author_id: s.authorId,
      created_at: s.createdAt,
      homepage_id: s.homepageId,
    }),
  ],
  childKey: (s) => ({ id: s.id, key: s.key }),
  children: [spacePermissions],
});

/** Confluence Cloud streams, in collection order. */
export const confluenceStreams: readonly Stream[] = [currentUser, auditRetention, systemInfo, roleMode, users, groups, spaces];

const installedApps = installedAppsStream('/wiki/rest/plugins/1.0/', confluenceInstalledApps);

export const confluence: ProductModule<'confluence', NoOptions> = {
  product: 'confluence',
  title: 'Confluence Cloud',
  options: z.object({}),
  credentials: ATLASSIAN_CLOUD_CREDENTIALS,
  tables: [...confluenceTables, confluenceAuditRecords],
  // UPM answers on the site URL only, not through the api.atlassian.com gateway (functions/upm.ts).
  // The audit log comes last (functions/confluence-audit.ts): an incremental stream, optional on plans without one.
  streams: (unit) => [...(unit.apiBaseUrl ? confluenceStreams : [...confluenceStreams, installedApps]), confluenceAuditStream],
};
