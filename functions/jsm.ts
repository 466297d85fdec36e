import { z } from 'zod';
import { offset, type PageStyle } from '../shared/engine/paginate.ts';
import { projectRoleMapStyle, roleActorColumns, roleActorsStyle } from './jira.ts';
import { defineStream, row, type Stream } from '../shared/engine/streams.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type NoOptions, type ProductModule } from '../shared/engine/collect.ts';
import {
  jsmAgents,
  jsmCustomers,
  jsmOrganizationMembers,
  jsmOrganizations,
  jsmServiceDeskOrganizations,
  jsmServiceDesks,
  jsmTables,
} from './jsm.tables.ts';
import { id, str, bool } from '../shared/schema/fields.ts';

// Jira Service Management Cloud REST (`/rest/servicedeskapi`). Authority:
// ../shared/atlassian-openapi/jira-service-management.json and its facts sheet (README.md §3 "JSM", §8, Q5).
// Pointers below are `jira-service-management.json#/paths/...`. Agents come from the Jira platform
// (jira-platform-v3.json), because the JSM spec has no agents endpoint.

/**
 * Page sizes asked for. The JSM narrative says the server caps `limit` per method and does not publish the
 * caps (facts sheet §11: "JSM per-method caps" unverified); asking more than the cap is harmless because the
 * engine advances `start` by the items received. 100 is an assumption, not a documented maximum.
 */
export const JSM_PAGE_SIZES = {
  serviceDesks: 100,
  customers: 100,
  organizations: 100,
  organizationUsers: 100,
  serviceDeskOrganizations: 100,
} as const;

/**
 * Project role(s) whose actors are the desk's agents. "Service Desk Team" is the role JSM company-managed
 * projects create for agents (Atlassian docs, "What are the default project roles in JSM?"; unverified for
 * team-managed projects, which may have no such role: then the desk has no agent rows).
 */
export const DEFAULT_JSM_AGENT_ROLES: readonly string[] = ['Service Desk Team'];

const AGENT = "a Jira Service Management agent licence on the desk (Service Desk Team role), or 'Administer Jira'";
const CUSTOMERS = "permission to view the service desk's customers (agent on the desk, or 'Administer Jira')";
const PROJECT_ADMIN = "'Administer Projects' on every service desk project, or 'Administer Jira' (OAuth scope read:jira-work)";


/** `isLastPage` of the JSM paged envelope (`#/components/schemas/PagedDTO*`). */
const PagedEnd = z.object({ isLastPage: z.boolean() });

/**
 * JSM paged list (facts sheet §3 "JSM"): `start`/`limit`, `{size, start, limit, isLastPage, values}`.
 * The end is `isLastPage: true` only: quirk Q5 ("first page shows `size` is less than `limit` and
 * `isLastPage` is `false`" when the server capped `limit`), so size < limit is never read as the end.
 * A body without `isLastPage` keeps paging until an empty page (the generic offset style's rule).
 */
function jsmPaged<T>(o: { path: string; item: z.ZodType<T>; key: (item: T) => string; pageSize: number; requires?: string; experimental?: boolean }): PageStyle<T> {
  return offset({
    path: o.path,
    item: o.item,
    key: o.key,
    limitField: 'limit',
    pageSize: o.pageSize,
    requires: o.requires,
    // `x-experimental: true` operations need this header (JSM narrative "Experimental methods").
    headers: o.experimental ? { 'X-ExperimentalApi': 'opt-in' } : undefined,
    startParam: 'start',
    limitParam: 'limit',
    itemsField: 'values',
    isEnd: (body) => {
      const b = PagedEnd.safeParse(body);
      return b.success && b.data.isLastPage;
    },
  });
}

const ServiceDesk = z.object({ id, projectId: id, projectKey: z.string(), projectName: z.string() });

// UserDTO: every field optional in the spec; accountId is the only join key (facts sheet Q4).
const User = z.object({
  accountId: z.string().min(1),
  displayName: str,
  // Absent or null when the profile hides it (facts sheet Q4).
  emailAddress: str,
  active: bool,
  timeZone: str,
});

const Organization = z.object({
  id,
  uuid: str,
  name: z.string(),
  scimManaged: bool,
  created: z.object({ iso8601: str }).nullish(),
});

type DeskKey = { desk: string; project: string; projectKey: string };
type OrgKey = { org: string };
type RoleKey = DeskKey & { role: string; name: string };

const customers = defineStream<DeskKey, z.infer<typeof User>>({
  name: 'customers',
  // `~1rest~1servicedeskapi~1servicedesk~1{serviceDeskId}~1customer/get`: x-experimental. 404 when the
  // desk no longer exists: its other children are skipped.
  style: (d) =>
    jsmPaged({
      path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(d.desk)}/customer`,
      item: User,
      key: (u) => u.accountId,
      pageSize: JSM_PAGE_SIZES.customers,
      requires: CUSTOMERS,
      experimental: true,
    }),
  rows: (u, d) => [
    row(jsmCustomers, {
      service_desk_id: d.desk,
      account_id: u.accountId,
      display_name: u.displayName,
      email_address: u.emailAddress,
      active: u.active,
      time_zone: u.timeZone,
    }),
  ],
  notFound: 'skip-parent',
});

const deskOrganizations = defineStream<DeskKey, z.infer<typeof Organization>>({
  name: 'service_desk_organizations',
  // `~1rest~1servicedeskapi~1servicedesk~1{serviceDeskId}~1organization/get`: "Service desk's agent".
  style: (d) =>
    jsmPaged({
      path: `/rest/servicedeskapi/servicedesk/${encodeURIComponent(d.desk)}/organization`,
      item: Organization,
      key: (o) => o.id,
      pageSize: JSM_PAGE_SIZES.serviceDeskOrganizations,
      requires: AGENT,
    }),
  rows: (o, d) => [row(jsmServiceDeskOrganizations, { service_desk_id: d.desk, organization_id: o.id, organization_name: o.name })],
  notFound: 'skip-parent',
});

const agentActors = defineStream<RoleKey, Parameters<typeof roleActorColumns>[0]>({
  name: 'agent_role_actors',
  style: (r) => roleActorsStyle(r.project, r.role, PROJECT_ADMIN),
  rows: (a, r) => {
    const actor = roleActorColumns(a);
    return actor ? [row(jsmAgents, { service_desk_id: r.desk, project_id: r.project, project_key: r.projectKey, role_id: r.role, role_name: r.name, ...actor })] : [];
  },
  notFound: 'skip-parent',
});

function agentRoles(names: readonly string[]): Stream {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return defineStream<DeskKey, { name: string; id: string }, RoleKey>({
    name: 'agent_roles',
    // jira-platform-v3.json `#/paths/~1rest~1api~13~1project~1{projectIdOrKey}~1role/get`: map roleName → URL
    // whose last segment is the role id; only the agent role(s) are followed (one request each).
    style: (d) => projectRoleMapStyle('/rest/api/3', d.project, PROJECT_ADMIN, (name) => wanted.has(name.toLowerCase())),
    childKey: (r, d) => ({ ...d, role: r.id, name: r.name }),
    children: [agentActors],
    notFound: 'skip-parent',
  });
}

function serviceDesks(roles: readonly string[]): Stream {
  return defineStream<null, z.infer<typeof ServiceDesk>, DeskKey>({
    name: 'service_desks',
    // `~1rest~1servicedeskapi~1servicedesk/get`: "Permissions required: Any"; the desks the account can access.
    style: () => jsmPaged({ path: '/rest/servicedeskapi/servicedesk', item: ServiceDesk, key: (d) => d.id, pageSize: JSM_PAGE_SIZES.serviceDesks, requires: AGENT }),
    rows: (d) => [row(jsmServiceDesks, { service_desk_id: d.id, project_id: d.projectId, project_key: d.projectKey, project_name: d.projectName })],
    childKey: (d) => ({ desk: d.id, project: d.projectId, projectKey: d.projectKey }),
    // Customers first: a desk deleted since the listing answers 404 there and its other children are skipped.
    children: [customers, deskOrganizations, agentRoles(roles)],
  });
}

const organizationUsers = defineStream<OrgKey, z.infer<typeof User>>({
  name: 'organization_members',
  // `~1rest~1servicedeskapi~1organization~1{organizationId}~1user/get`: "Service desk administrator or
  // agent"; 404 when the organization no longer exists.
  style: (o) =>
    jsmPaged({
      path: `/rest/servicedeskapi/organization/${encodeURIComponent(o.org)}/user`,
      item: User,
      key: (u) => u.accountId,
      pageSize: JSM_PAGE_SIZES.organizationUsers,
      requires: AGENT,
    }),
  rows: (u, o) => [
    row(jsmOrganizationMembers, { organization_id: o.org, account_id: u.accountId, display_name: u.displayName, email_address: u.emailAddress, active: u.active }),
  ],
  notFound: 'skip-parent',
});

const organizations = defineStream<null, z.infer<typeof Organization>, OrgKey>({
  name: 'organizations',
  // `~1rest~1servicedeskapi~1organization/get`: customers see only their own organizations, agents all.
  style: () => jsmPaged({ path: '/rest/servicedeskapi/organization', item: Organization, key: (o) => o.id, pageSize: JSM_PAGE_SIZES.organizations, requires: AGENT }),
  rows: (o) => [row(jsmOrganizations, { organization_id: o.id, uuid: o.uuid, name: o.name, scim_managed: o.scimManaged, created: o.created?.iso8601 ?? null })],
  childKey: (o) => ({ org: o.id }),
  children: [organizationUsers],
});

/** JSM streams, in collection order; `agentRoles` names the project role(s) whose actors are agents. */
export function jsmStreams(options: { agentRoles?: readonly string[] } = {}): readonly Stream[] {
  return [serviceDesks(options.agentRoles ?? DEFAULT_JSM_AGENT_ROLES), organizations];
}

/** JSM module; `agentRoles` for sites that give agents another project role (e.g. a renamed team role). */
export function jsmModule(options: { agentRoles?: readonly string[] } = {}): ProductModule<'jsm', NoOptions> {
  const streams = jsmStreams(options);
  return {
    product: 'jsm',
    title: 'Jira Service Management',
    options: z.object({}),
    credentials: ATLASSIAN_CLOUD_CREDENTIALS,
    tables: jsmTables,
    streams: () => streams,
  };
}

export const jsm = jsmModule();
