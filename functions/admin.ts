import { adminAuditEvents, adminEventsStream } from './admin-events.ts';
import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import type { ProductModule } from '../shared/engine/collect.ts';
import { cursorToken, nextLink, parsePayload, single } from '../shared/engine/paginate.ts';
import { defineStream, row, type RowOut, type Stream } from '../shared/engine/streams.ts';
import { ConfigError, PayloadError } from '../shared/errors.ts';
import {
  adminApiTokens,
  adminDirectories,
  adminDomains,
  adminGroupMembers,
  adminGroupRoleAssignments,
  adminGroups,
  adminOrgs,
  adminPolicies,
  adminPolicyResources,
  adminServiceAccountApiTokens,
  adminServiceAccountOauthClients,
  adminServiceAccounts,
  adminTables,
  adminUserProductAccess,
  adminUsers,
  adminWorkspaces,
} from './admin.tables.ts';
import { str, bool, int } from '../shared/schema/fields.ts';

// Organization directory: Atlassian Admin API. Authority: ../shared/atlassian-openapi/admin-organizations.json
// (server https://api.atlassian.com/admin; pointers below are `admin-organizations.json#/paths/...` unless
// they name admin-user-management.json, server https://api.atlassian.com) and the facts sheet (README.md §2,
// §3 styles A1/A2, §7, §9, §10 Q4/Q7). The unit's siteUrl is the API host, https://api.atlassian.com.

/** Maximum page sizes. Admin v1 lists have no page-size parameter: the server sets it (facts sheet §11). */
export const ADMIN_PAGE_SIZES = {
  /** v2 GET `limit` and POST search `limit`: `minimum: 1, maximum: 100`. */
  v2: 100,
  /** POST `/v2/orgs/{orgId}/workspaces` `limit`: `minimum: 1, maximum: 1000`. */
  workspaces: 1000,
} as const;

/** Which managed accounts' API tokens to read; each costs one unpaged request. */
export type ApiTokenScope =
  /** Every managed account whose Atlassian account is not closed (closed accounts cannot authenticate). */
  | 'managed'
  /** Managed accounts whose Atlassian account is active: skips deactivated ones, whose tokens cannot be used. */
  | 'active'
  /** Do not read API tokens (`admin_api_tokens` stays empty). */
  | 'none';

/** Options of the organization directory collector. */
export interface AdminOptions {
  /**
   * API tokens. The organization listing of the API Access API (`GET /admin/api-access/v1/orgs/{orgId}/api-tokens`)
   * is used when the key may read it (read:tokens:admin) and returns every managed account's tokens whatever
   * this says, except 'none'. When it is refused, the fallback `GET /users/{account_id}/manage/api-tokens` is
   * unpaged and per account: one request per managed account (200,000 on an org that manages 200,000
   * accounts), which this bounds. @default 'managed'
   */
  readonly apiTokens?: ApiTokenScope;
}

const V1 = '/admin/v1/orgs';
const V2 = '/admin/v2/orgs';
/** Admin "API Access" API: https://developer.atlassian.com/cloud/admin/api-access/rest/ (server https://api.atlassian.com/admin/api-access/v1). */
const ACCESS = '/admin/api-access/v1/orgs';

// Named in the 403 message: "Grant the account <requires>, or use an account that has it."
const scope = (s: string): string => `the scope ${s} on the organization admin API key`;
// Scopes as the operation descriptions state them. The POST searches state none; their deprecated GET twins
// state read:directories:admin (users) and read:groups:admin (groups), so those are named.
const ORG = scope('read:orgs:admin');
const DIRECTORIES = scope('read:directories:admin');
const DOMAINS = scope('read:domains:admin');
const WORKSPACES = scope('read:workspaces:admin');
const GROUPS = scope('read:groups:admin');
// `~1v1~1orgs~1{orgId}~1policies/get` states no scope; the narrative says "Permission: Organization admin".
const POLICIES = 'organization admin rights on the API key (the spec names no scope for GET /v1/orgs/{orgId}/policies)';
// admin-user-management.json narrative "About": "Permission: Organization admin"; the key's org must own the
// account (managed accounts only).
const TOKENS = "the user management permission apiToken.read on the organization's managed accounts (an organization admin API key)";
// API Access reference, "Get all API tokens in an org": "OAuth 2.0 scopes required: read:tokens:admin".
const ORG_TOKENS = scope('read:tokens:admin');
// API Access reference, "List service accounts in an org" (Experimental): read:service-accounts:admin.
const SERVICE_ACCOUNTS = scope('read:service-accounts:admin');
// API Access reference, "Get all OAuth clients in an org": read:service-accounts-tokens:admin. The per service
// account token and client listings state no scope in the facts sheet; the same scope is named (unverified).
const SERVICE_ACCOUNT_CREDENTIALS = scope('read:service-accounts-tokens:admin');


const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NO_ZONE = /T[\d:.]+$/;

/**
 * ISO-8601 date or date-time, normalized to UTC with milliseconds. `lastActiveTimestamp` carries nanoseconds
 * (`#/components/schemas/MultiDirectoryProductAccess` example `2025-11-06T23:07:29.936941226Z`), token times
 * are "UTC-ISO8601 strings" with or without milliseconds; one without a zone is read as UTC, as documented.
 */
const timestamp = z.string().transform((s, ctx) => {
  const v = s.trim();
  const t = ISO.test(v) ? Date.parse(NO_ZONE.test(v) ? `${v}Z` : v) : Number.NaN;
  if (Number.isNaN(t)) {
    ctx.issues.push({ code: 'custom', message: `not an ISO-8601 date-time: '${s}'`, input: s });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});
const optTimestamp = timestamp.nullish().transform((v) => v ?? null);

/**
 * API Access times: OAuth clients and service accounts give epoch milliseconds (reference examples
 * `"createdAt": 1763149545609`, `"updatedAt": 1764642980899`), API tokens ISO strings; both are accepted.
 */
const epochOrIso = z
  .union([z.number().int().nonnegative().transform((ms) => new Date(ms).toISOString()), timestamp])
  .nullish()
  .transform((v) => v ?? null);

const GROUP_ARI = 'ari:cloud:identity::group/';

/**
 * Group ids come in two forms: users/search `expand: groups` gives an ARI (`#/components/schemas/MultiDirectoryUserGroup`
 * id example `ari:cloud:identity::group/1234…`), groups/search the bare id (`#/components/schemas/MultiDirectoryGroup`
 * id example `1234…`). Both are reduced to the bare id so memberships join groups.
 */
export function groupIdOf(id: string): string {
  return id.startsWith(GROUP_ARI) ? id.slice(GROUP_ARI.length) : id;
}

/** Cloud id of a site ARI (`ari:cloud:confluence::site/<cloudId>`), else null (e.g. a Bitbucket workspace ARI). */
export function cloudIdOf(ari: string | null): string | null {
  const m = ari === null ? null : /^ari:cloud:[^:]+::site\/([^/]+)$/.exec(ari);
  return m?.[1] ?? null;
}

const PageLinks = z.object({ links: z.object({ next: z.string().nullish() }).nullish() });
const DataArray = z.object({ data: z.array(z.unknown()).nullish() });

/** `data[]` of an Admin envelope; the field is optional in v1 and v2 GET pages (`OrgPage`, `DomainPage`, ...). */
function dataOf(body: unknown, endpoint: string): unknown[] {
  return parsePayload(DataArray, body, endpoint).data ?? [];
}

/** `links.next` of an Admin envelope: a URL in v1, a bare cursor in v2 (facts sheet Q7); absent at the end. */
function linksNext(body: unknown, endpoint: string): string | undefined {
  return parsePayload(PageLinks, body, endpoint).links?.next || undefined;
}

/**
 * API Access lists answer `links.next` as "a cursor" (facts sheet §7d) where the reference types it a string;
 * a full URL is followed as is, a bare cursor is sent back as the `cursor` query parameter of `path`.
 */
export function accessNext(next: string | undefined, path: string): string | undefined {
  if (next === undefined) return undefined;
  if (/^https?:\/\//.test(next) || next.startsWith('/')) return next;
  return `${path}?cursor=${encodeURIComponent(next)}`;
}

/**
 * The workspaces page's `links.next` is typed `LinkPageModel` ("URL to fetch the Next Page") while the request
 * takes a body `cursor` ("a base-64 encoded continuation token"): take the `cursor` parameter of a URL, or the
 * value itself when it is a bare token (unverified which one the API sends).
 */
export function workspaceCursor(next: string | undefined, endpoint: string): string | undefined {
  if (next === undefined) return undefined;
  if (!/^https?:\/\/|[?&]cursor=/.test(next)) return next;
  const c = new URL(next, 'https://api.atlassian.com').searchParams.get('cursor');
  if (!c) throw new PayloadError(`unexpected payload at 'links.next': a next link without a cursor parameter ('${next}'); report it with this message.`, { endpoint });
  return c;
}

// ------------------------------------------------------------------------------------------------
// Payload schemas (only the fields the tables use)

const Org = z.object({ id: z.string().min(1), attributes: z.object({ name: str }).nullish() });

const Directory = z.object({ directoryId: z.string().min(1), name: str });

const Domain = z.object({
  id: z.string().min(1),
  attributes: z.object({ name: str, claim: z.object({ type: str, status: str }).nullish() }).nullish(),
});

const Workspace = z.object({
  id: z.string().min(1),
  attributes: z
    .object({ name: str, type: str, typeKey: str, hostUrl: str, status: str, createdAt: optTimestamp })
    .nullish(),
});

const Policy = z.object({
  id: z.string().min(1),
  attributes: z.object({
    name: str,
    type: z.string().min(1),
    status: str,
    // `#/components/schemas/PolicyModel`: rule is AllowIfContainedRule {in: string[]}.
    rule: z.object({ in: z.array(z.string()).nullish() }).nullish(),
    resources: z.array(z.object({ id: z.string().min(1), applicationStatus: str })).nullish(),
  }),
});

const Group = z.object({
  id: z.string().min(1),
  name: str,
  description: str,
  directoryId: str,
  managedBy: str,
  externalSynced: bool,
  counts: z.object({ users: int, resources: int }).nullish(),
});

const GroupRoleAssignment = z.object({ resourceId: str, resourceOwner: str, roles: z.array(z.string()).nullish(), defaultRole: str });

const UserGroup = z.object({ id: z.string().min(1), name: str });
const ProductAccess = z.object({ id: str, key: str, lastActiveTimestamp: optTimestamp });

const User = z.object({
  accountId: z.string().min(1),
  accountType: str,
  accountStatus: str,
  membershipStatus: str,
  status: str,
  claimStatus: str,
  managementSource: str,
  // Absent when the profile hides it (facts sheet Q4).
  email: str,
  emailVerified: bool,
  name: str,
  nickname: str,
  mfaEnabled: bool,
  addedToOrg: optTimestamp,
  platformRoles: z.array(z.string()).nullish(),
  groups: z.array(UserGroup).nullish(),
  productAccess: z.array(ProductAccess).nullish(),
});
type UserItem = z.infer<typeof User>;

// `admin-user-management.json#/components/schemas/ApiTokenModel`: id, label, createdAt required.
const ApiToken = z.object({
  id: z.string().min(1),
  label: z.string(),
  createdAt: timestamp,
  lastAccess: optTimestamp,
  expiry: optTimestamp,
});

// API Access reference `ApiTokenSearchResponse.data[]`: id, label, status (ALLOWED | BLOCKED), createdAt,
// expiresAt, lastActiveAt, user {id, orgId, name, email}.
const OrgApiToken = z.object({
  id: z.string().min(1),
  label: str,
  status: str,
  createdAt: optTimestamp,
  expiresAt: optTimestamp,
  lastActiveAt: optTimestamp,
  user: z.object({ id: z.string().min(1) }),
});

// API Access reference `ServiceAccountListResponse.items[]`: atlassianId, id, email, displayName, picture,
// container, updatedAt (epoch ms), status, createdById, description.
const ServiceAccount = z.object({
  id: z.string().min(1),
  atlassianId: str,
  email: str,
  displayName: str,
  status: str,
  description: str,
  createdById: str,
  updatedAt: epochOrIso,
});

// A service account's API tokens: the shape of the org listing's tokens without `user` (unverified).
const ServiceAccountToken = z.object({ id: z.string().min(1), label: str, status: str, createdAt: epochOrIso, expiresAt: epochOrIso, lastActiveAt: epochOrIso });

// `OAuthClientListResponse.data[]`: clientId, name, createdAt, updatedAt (epoch ms), status. Never a secret.
const OAuthClient = z.object({ clientId: z.string().min(1), name: str, status: str, createdAt: epochOrIso, updatedAt: epochOrIso });

const ItemsArray = z.object({ items: z.array(z.unknown()).nullish() });

// ------------------------------------------------------------------------------------------------
// Streams

function userRows(u: UserItem): RowOut[] {
  const access = u.productAccess ?? [];
  let lastActive: string | null = null;
  for (const p of access) if (p.lastActiveTimestamp !== null && (lastActive === null || p.lastActiveTimestamp > lastActive)) lastActive = p.lastActiveTimestamp;
  return [
    row(adminUsers, {
      account_id: u.accountId,
      account_type: u.accountType,
      account_status: u.accountStatus,
      membership_status: u.membershipStatus,
      status: u.status,
      claim_status: u.claimStatus,
      management_source: u.managementSource,
      email: u.email,
      email_verified: u.emailVerified,
      name: u.name,
      nickname: u.nickname,
      mfa_enabled: u.mfaEnabled,
      added_to_org: u.addedToOrg,
      last_active: lastActive,
      platform_roles: u.platformRoles ?? [],
    }),
    ...access.map((p) =>
      row(adminUserProductAccess, {
        account_id: u.accountId,
        product_key: p.key,
        resource_id: p.id,
        cloud_id: cloudIdOf(p.id),
        last_active: p.lastActiveTimestamp,
      }),
    ),
    ...(u.groups ?? []).map((g) => row(adminGroupMembers, { group_id: groupIdOf(g.id), account_id: u.accountId, group_name: g.name })),
  ];
}

function tokensWanted(u: UserItem, mode: ApiTokenScope): boolean {
  // `.../manage/api-tokens` answers 403 for accounts the org does not manage (admin-user-management.json
  // `~1users~1{account_id}~1manage~1api-tokens/get` 403 Forbidden.Action), so only managed accounts are asked.
  if (mode === 'none' || u.claimStatus !== 'managed') return false;
  return mode === 'active' ? u.accountStatus === 'active' : u.accountStatus !== 'closed';
}

/**
 * The organization directory streams for one organization, in collection order: the organization (also the
 * credential check), directories, domains, workspaces, policies, groups with their role assignments, then
 * users with their product access and group memberships, the API tokens of managed accounts (one organization
 * listing, or per account when the listing is refused), then service accounts with their tokens and OAuth clients.
 */
export function adminStreams(orgId: string, options: AdminOptions = {}): readonly Stream[] {
  const org = encodeURIComponent(orgId);
  const tokenMode = options.apiTokens ?? 'managed';

  const orgStream = defineStream({
    name: 'org',
    // `~1v1~1orgs~1{orgId}/get`: `{data: OrgModel}`; first, so a bad key fails with one request.
    style: () =>
      single({
        path: `${V1}/${org}`,
        item: Org,
        select: (b, endpoint) => [parsePayload(z.object({ data: z.unknown() }), b, endpoint).data],
        requires: ORG,
      }),
    rows: (o) => [row(adminOrgs, { org_id: o.id, name: o.attributes?.name ?? null })],
  });

  const directories = defineStream({
    name: 'directories',
    // `~1v2~1orgs~1{orgId}~1directories/get`: style A2 on GET, limit 1..100 (default 20).
    style: () =>
      cursorToken({
        path: `${V2}/${org}/directories`,
        pageSize: ADMIN_PAGE_SIZES.v2,
        item: Directory,
        items: dataOf,
        next: linksNext,
        requires: DIRECTORIES,
      }),
    rows: (d) => [row(adminDirectories, { directory_id: d.directoryId, name: d.name })],
  });

  const domains = defineStream({
    name: 'domains',
    // `~1v1~1orgs~1{orgId}~1domains/get`: style A1, no limit parameter; `links.next` is a full URL.
    style: () => nextLink({ path: `${V1}/${org}/domains`, item: Domain, itemsField: 'data', items: dataOf, next: (r, e) => linksNext(r.body, e), requires: DOMAINS }),
    rows: (d) => [
      row(adminDomains, {
        domain_id: d.id,
        name: d.attributes?.name ?? null,
        claim_type: d.attributes?.claim?.type ?? null,
        claim_status: d.attributes?.claim?.status ?? null,
      }),
    ],
  });

  const workspaces = defineStream({
    name: 'workspaces',
    // `~1v2~1orgs~1{orgId}~1workspaces/post`: body `limit` 1..1000; "When a cursor is provided in the request
    // body, no other properties may be present", so later pages send the cursor alone.
    style: () =>
      cursorToken({
        path: `${V2}/${org}/workspaces`,
        method: 'POST',
        body: {},
        cursorAlone: true,
        pageSize: ADMIN_PAGE_SIZES.workspaces,
        item: Workspace,
        items: dataOf,
        next: (b, e) => workspaceCursor(linksNext(b, e), e),
        requires: WORKSPACES,
      }),
    rows: (w) => [
      row(adminWorkspaces, {
        workspace_id: w.id,
        cloud_id: cloudIdOf(w.id),
        name: w.attributes?.name ?? null,
        type: w.attributes?.type ?? null,
        type_key: w.attributes?.typeKey ?? null,
        host_url: w.attributes?.hostUrl ?? null,
        status: w.attributes?.status ?? null,
        created_at: w.attributes?.createdAt ?? null,
      }),
    ],
  });

  const policies = defineStream({
    name: 'policies',
    // `~1v1~1orgs~1{orgId}~1policies/get`: style A1 (`links.next` URL; `meta.next` repeats the cursor).
    // Types: ip-allowlist, data-residency, data-security. The spec has no authentication policy endpoint.
    style: () => nextLink({ path: `${V1}/${org}/policies`, item: Policy, itemsField: 'data', items: dataOf, next: (r, e) => linksNext(r.body, e), requires: POLICIES }),
    rows: (p) => [
      row(adminPolicies, {
        policy_id: p.id,
        name: p.attributes.name,
        type: p.attributes.type,
        status: p.attributes.status,
        rule_in: p.attributes.rule?.in ?? [],
      }),
      ...(p.attributes.resources ?? []).map((r) =>
        row(adminPolicyResources, { policy_id: p.id, resource_id: r.id, application_status: r.applicationStatus }),
      ),
    ],
  });

  const groupRoles = defineStream<string, z.infer<typeof GroupRoleAssignment>>({
    name: 'group_role_assignments',
    // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1{groupId}~1role-assignments/get`: style A2 on
    // GET, limit 1..100. 404 = the group was deleted since groups/search listed it.
    style: (groupId) =>
      cursorToken({
        path: `${V2}/${org}/directories/-/groups/${encodeURIComponent(groupId)}/role-assignments`,
        pageSize: ADMIN_PAGE_SIZES.v2,
        item: GroupRoleAssignment,
        items: dataOf,
        next: linksNext,
        requires: GROUPS,
      }),
    rows: (a, groupId) => {
      const base = { group_id: groupId, resource_id: a.resourceId, resource_owner: a.resourceOwner, cloud_id: cloudIdOf(a.resourceId), default_role: a.defaultRole };
      const roles = a.roles ?? [];
      if (!roles.length) return [row(adminGroupRoleAssignments, { ...base, role: null })];
      return roles.map((role) => row(adminGroupRoleAssignments, { ...base, role }));
    },
    notFound: 'skip-parent',
  });

  const groups = defineStream<null, z.infer<typeof Group>, string>({
    name: 'groups',
    // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1groups~1search/post` (the GET twin stops working after
    // 2027-06-30). directoryId `-` = every directory the key can manage; counts only with `expand`.
    style: () =>
      cursorToken({
        path: `${V2}/${org}/directories/-/groups/search`,
        method: 'POST',
        body: { expand: ['counts.users', 'counts.resources'] },
        pageSize: ADMIN_PAGE_SIZES.v2,
        item: Group,
        items: dataOf,
        next: linksNext,
        requires: GROUPS,
      }),
    rows: (g) => [
      row(adminGroups, {
        group_id: groupIdOf(g.id),
        name: g.name,
        description: g.description,
        directory_id: g.directoryId,
        managed_by: g.managedBy,
        synced: g.externalSynced,
        member_count: g.counts?.users ?? null,
        resource_count: g.counts?.resources ?? null,
      }),
    ],
    // Why skip some groups: "Search for groups in an organization" documents `counts.resources` (expand) as "The
    // number of resources the group has roles assigned to, linked to the directories the requestor can manage"
    // (`#/components/schemas/GroupCounts`), the directories `-` asks for. A group counting 0 has no role
    // assignment to list, so "Get group role assignments" is asked only of the others (about 2,000 of 5,000
    // requests saved at L). Without the count (expand not honoured) the group is asked, as before.
    childKey: (g) => (g.counts?.resources === 0 ? undefined : groupIdOf(g.id)),
    children: [groupRoles],
  });

  const apiTokens = defineStream<string, z.infer<typeof ApiToken>>({
    name: 'api_tokens',
    // `admin-user-management.json#/paths/~1users~1{account_id}~1manage~1api-tokens/get`: unpaged array. 404
    // (NotFound.Account) = the account was removed since users/search listed it.
    style: (accountId) => single({ path: `/users/${encodeURIComponent(accountId)}/manage/api-tokens`, item: ApiToken, requires: TOKENS }),
    rows: (t, accountId) => [
      row(adminApiTokens, {
        account_id: accountId,
        token_id: t.id,
        label: t.label,
        created_at: t.createdAt,
        last_access: t.lastAccess,
        expires_at: t.expiry,
        status: null,
        source: 'per-account',
      }),
    ],
    notFound: 'skip-parent',
  });

  const tokenAccounts = defineStream<string, UserItem, string>({
    name: 'api_token_accounts',
    // The fallback when the organization listing is refused: the managed accounts (users/search body filters
    // `claimStatus` and `accountStatus`, `#/components/schemas/MultiDirectoryUserSearchRequest`), one token
    // request each.
    style: () =>
      cursorToken({
        path: `${V2}/${org}/directories/-/users/search`,
        method: 'POST',
        body: { claimStatus: 'managed', accountStatus: tokenMode === 'active' ? ['active'] : ['active', 'inactive'] },
        pageSize: ADMIN_PAGE_SIZES.v2,
        item: User,
        items: dataOf,
        next: linksNext,
        requires: DIRECTORIES,
      }),
    childKey: (u) => (tokensWanted(u, tokenMode) ? u.accountId : undefined),
    children: [apiTokens],
  });

  const orgApiTokensPath = `${ACCESS}/${org}/api-tokens`;
  const orgApiTokens = defineStream<null, z.infer<typeof OrgApiToken>, string>({
    name: 'org_api_tokens',
    // API Access "Get all API tokens in an org": every user API token of the organization's managed accounts
    // in one cursor listing. The reference shows no page-size parameter, so the server's size is used. A
    // key without read:tokens:admin gets 403: the stream falls back to one request per managed account.
    style: () =>
      nextLink({
        path: orgApiTokensPath,
        item: OrgApiToken,
        itemsField: 'data',
        items: dataOf,
        next: (r, e) => accessNext(linksNext(r.body, e), orgApiTokensPath),
        requires: ORG_TOKENS,
      }),
    rows: (t) => [
      row(adminApiTokens, {
        account_id: t.user.id,
        token_id: t.id,
        label: t.label,
        created_at: t.createdAt,
        last_access: t.lastActiveAt,
        expires_at: t.expiresAt,
        status: t.status,
        source: 'org-listing',
      }),
    ],
    optional: true,
    fallback: 'per-account',
    children: [tokenAccounts],
  });

  const saTokens = defineStream<string, z.infer<typeof ServiceAccountToken>>({
    name: 'service_account_api_tokens',
    // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/api-tokens`; 404 = deleted since listed.
    style: (id) => {
      const path = `${ACCESS}/${org}/service-accounts/${encodeURIComponent(id)}/api-tokens`;
      return nextLink({ path, item: ServiceAccountToken, itemsField: 'data', items: dataOf, next: (r, e) => accessNext(linksNext(r.body, e), path), requires: SERVICE_ACCOUNT_CREDENTIALS });
    },
    rows: (t, id) => [
      row(adminServiceAccountApiTokens, {
        service_account_id: id,
        token_id: t.id,
        label: t.label,
        status: t.status,
        created_at: t.createdAt,
        last_access: t.lastActiveAt,
        expires_at: t.expiresAt,
      }),
    ],
    notFound: 'skip-parent',
    optional: true,
  });

  const saClients = defineStream<string, z.infer<typeof OAuthClient>>({
    name: 'service_account_oauth_clients',
    // API Access `GET /orgs/{orgId}/service-accounts/{serviceAccountId}/oauth-clients`.
    style: (id) => {
      const path = `${ACCESS}/${org}/service-accounts/${encodeURIComponent(id)}/oauth-clients`;
      return nextLink({ path, item: OAuthClient, itemsField: 'data', items: dataOf, next: (r, e) => accessNext(linksNext(r.body, e), path), requires: SERVICE_ACCOUNT_CREDENTIALS });
    },
    rows: (c, id) => [
      row(adminServiceAccountOauthClients, { service_account_id: id, client_id: c.clientId, name: c.name, status: c.status, created_at: c.createdAt, updated_at: c.updatedAt }),
    ],
    notFound: 'skip-parent',
    optional: true,
  });

  const serviceAccountsPath = `${ACCESS}/${org}/service-accounts`;
  const serviceAccounts = defineStream<null, z.infer<typeof ServiceAccount>, string>({
    name: 'service_accounts',
    // API Access "List service accounts in an org" (Experimental): `{links {next, prev}, items[], total}`,
    // items under `items`, not `data`. 403 without read:service-accounts:admin: the tables stay empty.
    style: () =>
      nextLink({
        path: serviceAccountsPath,
        item: ServiceAccount,
        itemsField: 'items',
        items: (b, e) => parsePayload(ItemsArray, b, e).items ?? [],
        next: (r, e) => accessNext(linksNext(r.body, e), serviceAccountsPath),
        requires: SERVICE_ACCOUNTS,
      }),
    rows: (a) => [
      row(adminServiceAccounts, {
        service_account_id: a.id,
        account_id: a.atlassianId,
        email: a.email,
        display_name: a.displayName,
        status: a.status,
        description: a.description,
        created_by_id: a.createdById,
        updated_at: a.updatedAt,
      }),
    ],
    childKey: (a) => a.id,
    children: [saTokens, saClients],
    optional: true,
  });

  const users = defineStream<null, UserItem, string>({
    name: 'users',
    // `~1v2~1orgs~1{orgId}~1directories~1{directoryId}~1users~1search/post` (GET twin deprecated). One page
    // of 100 carries everything per user: `productAccess` (per-product lastActiveTimestamp, so no request to
    // the last-active-dates endpoint, 200/min per org) and `groups` (v2 has no membership list endpoint).
    style: () =>
      cursorToken({
        path: `${V2}/${org}/directories/-/users/search`,
        method: 'POST',
        body: { expand: ['groups', 'productAccess', 'platformRoles'] },
        pageSize: ADMIN_PAGE_SIZES.v2,
        item: User,
        items: dataOf,
        next: linksNext,
        requires: DIRECTORIES,
      }),
    rows: userRows,
  });

  // The audit log comes last (functions/admin-events.ts): an incremental stream, optional on plans without one.
  return [orgStream, directories, domains, workspaces, policies, groups, users, ...(tokenMode === 'none' ? [] : [orgApiTokens]), serviceAccounts, adminEventsStream(org)];
}

/** The organization directory collector with the given options. */
/** The Admin API's unit options. */
export const adminOptions = z.object({
  /** Admin API: the organization id (from admin.atlassian.com). */
  orgId: z.string().min(1).optional(),
  /**
   * Admin: whose API tokens to read (`GET /users/{id}/manage/api-tokens` costs one request per account):
   * `managed` accounts, only `active` managed accounts, or `none`. @default 'managed'
   */
  apiTokens: z.enum(['managed', 'active', 'none']).optional(),
});

export function adminModule(options: AdminOptions = {}): ProductModule<'admin', typeof adminOptions.shape> {
  return {
    product: 'admin',
    title: 'Organization directory (Admin API)',
    options: adminOptions,
    credentials: { kinds: ['bearer'], env: ['ATLASSIAN_BEARER_TOKEN', 'ATLASSIAN_SECRET_FILE'] },
    tables: [...adminTables, adminAuditEvents],
    streams: (unit: Unit) => {
      if (!unit.orgId) {
        throw new ConfigError(
          `unit ${unit.org}/admin: 'orgId' is required for product admin. Set it to the organization id shown in ` +
            'admin.atlassian.com (Settings → API keys, or the URL admin.atlassian.com/o/<orgId>/...).',
        );
      }
      return adminStreams(unit.orgId, { ...options, ...(unit.apiTokens ? { apiTokens: unit.apiTokens } : {}) });
    },
    // Orgs paths live under /admin and user-management paths under /, both on https://api.atlassian.com.
    baseUrl: (unit: Unit) => new URL(unit.siteUrl).origin,
  };
}

/** The organization directory collector (`--product admin`): every table, API tokens of all managed accounts. */
export const admin = adminModule();
