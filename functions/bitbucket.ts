import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Unit } from '../shared/config.ts';
import { nextLink, parsePayload, single, type Json, type PageStyle } from '../shared/engine/paginate.ts';
import { defineStream, row, type RowOut, type Stream } from '../shared/engine/streams.ts';
import { ATLASSIAN_CLOUD_CREDENTIALS, type ProductModule } from '../shared/engine/collect.ts';
import type { RatePolicy } from '../shared/http/pacing.ts';
import {
  bitbucketBranchRestrictions,
  bitbucketDeployKeys,
  bitbucketPipelineVariables,
  bitbucketProjectPermissions,
  bitbucketProjects,
  bitbucketRepositories,
  bitbucketRepositoryPermissions,
  bitbucketTables,
  bitbucketWebhooks,
  bitbucketWorkspaceMembers,
  bitbucketWorkspaces,
} from './bitbucket.tables.ts';
import { str, bool, timestamp } from '../shared/schema/fields.ts';

// Bitbucket Cloud REST 2.0. Authority: ../shared/atlassian-openapi/bitbucket-2.0.json and its facts sheet
// (README.md §2, §3 style B, §6, §9, §10 Q8). Pointers below are `bitbucket-2.0.json#/paths/...`.

/**
 * Page size asked of every list: `pagelen` "Globally, the minimum length is 10 and the maximum is 100"
 * (narrative "Pagination"). Only the first request carries it; later pages follow the opaque `next` link,
 * which keeps it.
 */
export const BITBUCKET_PAGE_SIZE = 100;

// What each endpoint needs, named in 401/403 messages ("Grant the account <requires>"). Classic OAuth
// scopes come from each operation's `security`, API token scopes from its `x-atlassian-oauth2-scopes`.
const NO_ACCESS_TOKENS =
  'workspace, project and repository access tokens can never read permissions (narrative "Authentication methods": ' +
  '"You can\'t use an access token to manipulate or query repository, project, or workspace permissions"), so use an ' +
  'API token or an OAuth consumer of a workspace admin; to skip workspaces the account does not administer, list the ' +
  "others in the unit's `workspaces`";
const requires = {
  userWorkspaces: "the OAuth scope 'account' (API token scope read:workspace:bitbucket)",
  workspace: (ws: string) => `membership of workspace '${ws}' (API token scope read:workspace:bitbucket)`,
  members: (ws: string) => `membership of workspace '${ws}' and the OAuth scope 'account' (API token scope read:workspace:bitbucket)`,
  projects: (ws: string) => `membership of workspace '${ws}' and the OAuth scope 'project' (API token scope read:project:bitbucket)`,
  repositories: (ws: string) => `membership of workspace '${ws}' and the OAuth scope 'repository' (API token scope read:repository:bitbucket)`,
  projectPermissions: (ws: string, key: string) =>
    `admin on project ${key} of workspace '${ws}' (workspace admins have it) and the OAuth scope 'project:admin' ` +
    `(API token scope read:project:bitbucket); ${NO_ACCESS_TOKENS}`,
  repositoryPermissions: (name: string) =>
    `admin on repository ${name} (workspace admins have it) and the OAuth scope 'repository:admin' ` +
    `(API token scope read:repository:bitbucket); ${NO_ACCESS_TOKENS}`,
  branchRestrictions: (name: string) =>
    `admin on repository ${name} (workspace admins have it) and the OAuth scope 'repository:admin' (API token scope admin:repository:bitbucket)`,
  deployKeys: (name: string) => `admin on ${name} and the OAuth scopes 'repository' and 'repository:admin' (API token scope admin:repository:bitbucket)`,
  projectDeployKeys: (ws: string, key: string) =>
    `admin on project ${key} of workspace '${ws}' and the OAuth scopes 'project' and 'project:admin' (API token scope admin:project:bitbucket)`,
  webhooks: (where: string) => `owner of workspace or admin of ${where} and the OAuth scope 'webhook' (API token scope read:webhook:bitbucket)`,
  variables: (where: string) => `access to ${where} and the OAuth scope 'pipeline' (API token scope read:pipeline:bitbucket)`,
};

// Dates come as ISO-8601 with microseconds and `+00:00` (narrative "URI, UUID, and structures"); `timestamp`
// writes them normalized to UTC `Z`.

// `user` / `account`: `account_id` is absent for some users (e.g. deleted ones); `uuid` is always there.
const User = z.object({
  uuid: z.string().min(1),
  account_id: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  display_name: str,
  nickname: str,
  account_status: str,
});
type UserT = z.infer<typeof User>;

// `group`: `slug` is optional in the schema; `full_slug` is `<workspace>:<slug>`. One of them identifies it.
const Group = z
  .object({ slug: z.string().nullish(), full_slug: z.string().nullish(), name: str })
  .transform((g) => ({ slug: g.slug || (g.full_slug ? g.full_slug.slice(g.full_slug.indexOf(':') + 1) : ''), name: g.name }))
  .refine((g) => g.slug.length > 0, { message: 'group has neither slug nor full_slug' });

const Workspace = z.object({
  uuid: z.string().min(1),
  slug: z.string().min(1),
  name: str,
  is_private: bool,
  is_privacy_enforced: bool,
  forking_mode: str,
  created_on: timestamp,
});

// `workspace_access` of `/user/workspaces`: only `workspace {uuid, slug}` (workspace_base), no name or privacy.
const WorkspaceAccess = z.object({ workspace: z.object({ slug: z.string().min(1) }) });

// `workspace_membership` of `/workspaces/{workspace}/permissions`: `permission`, `added_on` and
// `last_accessed` appear in the operation's example, not in the schema, hence optional.
const Membership = z.object({ user: User, permission: str, added_on: timestamp, last_accessed: timestamp });

const Project = z.object({
  uuid: z.string().min(1),
  key: z.string().min(1),
  name: z.string(),
  is_private: bool,
  has_publicly_visible_repos: bool,
});

const Repository = z.object({
  uuid: z.string().min(1),
  full_name: z.string().min(1),
  // Not in the `repository` schema (the API returns it anyway); `full_name` is "<workspace>/<slug>".
  slug: z.string().nullish(),
  name: str,
  is_private: bool,
  project: z.object({ uuid: str, key: str }).nullish(),
  fork_policy: str,
  mainbranch: z.object({ name: str }).nullish(),
  parent: z.object({ full_name: str }).nullish(),
});

const UserPermission = z.object({ permission: z.string(), user: User });
const GroupPermission = z.object({ permission: z.string(), group: Group });

const BranchRestriction = z.object({
  id: z.union([z.int(), z.string().min(1)]).transform(String),
  kind: z.string(),
  // Required in the schema, but documented as "The default is `glob`".
  branch_match_kind: z
    .string()
    .nullish()
    .transform((v) => v ?? 'glob'),
  // "Will be empty when `branch_match_kind` is `branching_model`": empty means no pattern.
  pattern: z
    .string()
    .nullish()
    .transform((v) => (v ? v : null)),
  branch_type: str,
  value: z.int().nullish().transform((v) => v ?? null),
  users: z.array(User).nullish(),
  groups: z.array(Group).nullish(),
});

// `#/components/schemas/deploy_key` / `project_deploy_key`: `id` is in the operations' examples (`"id": 123`),
// not in the schema. `key` is the public key ("ssh-rsa AAAA... comment"): only its type and fingerprint are kept.
const DeployKey = z.object({
  id: z.union([z.int(), z.string().min(1)]).transform(String),
  key: str,
  label: str,
  comment: str,
  added_on: timestamp,
  created_on: timestamp,
  last_used: timestamp,
  owner: User.nullish(),
  created_by: User.nullish(),
});

// `#/components/schemas/webhook_subscription`: `secret` is write-only in practice and never read here (the
// schema below does not name it, so it is dropped on parse); `secret_set` says whether one exists.
const Webhook = z.object({
  uuid: z.string().min(1),
  url: str,
  description: str,
  active: bool,
  events: z.array(z.string()).nullish(),
  secret_set: bool,
  created_at: timestamp,
});

// `#/components/schemas/pipeline_variable`: `value` is not named, so it is dropped on parse, secured or not.
const PipelineVariable = z.object({ uuid: z.string().min(1), key: str, secured: bool });

/** OpenSSH-style fingerprint (`SHA256:` + unpadded base64 of the SHA-256 of the key blob) and the key type. */
export function sshKeyFacts(key: string | null): { keyType: string | null; fingerprint: string | null } {
  const [type, blob] = (key ?? '').trim().split(/\s+/);
  if (!type || !blob || !/^[A-Za-z0-9+/]+=*$/.test(blob)) return { keyType: type || null, fingerprint: null };
  const digest = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '');
  return { keyType: type, fingerprint: `SHA256:${digest}` };
}

/** Scheme, host and path of a webhook URL: a query string or user info may carry a token. */
export function webhookTarget(url: string | null): { host: string | null; url: string | null } {
  if (url === null) return { host: null, url: null };
  try {
    const u = new URL(url);
    return { host: u.hostname.toLowerCase(), url: `${u.protocol}//${u.host}${u.pathname}` };
  } catch {
    return { host: null, url: null };
  }
}

// Style B envelope `{values[], next?}` (facts sheet §3): `size`, `page` and `previous` are optional.
const Envelope = z.object({ values: z.array(z.unknown()), next: z.string().min(1).nullish() });

// A Bitbucket list: `pagelen` on the first request, then the `next` link as given until it is absent
// (narrative "Pagination": "Lack of a next link in the response indicates the end of the collection";
// the link "should be treated as an opaque location", quirk Q8).
function list<T>(path: string, item: z.ZodType<T>, needs: string): PageStyle<T> {
  return nextLink({
    path,
    item,
    requires: needs,
    pageSizeParam: 'pagelen',
    pageSize: BITBUCKET_PAGE_SIZE,
    items: (body, endpoint) => parsePayload(Envelope, body, endpoint).values,
    next: (res, endpoint) => parsePayload(Envelope, res.body, endpoint).next ?? undefined,
  });
}

const seg = encodeURIComponent;

// Keys handed to children: small, so a checkpoint stays bounded by a page of them.
type WorkspaceKey = { ws: string; wu: string };
type ProjectKey = { ws: string; wu: string; p: string; pu: string };
type RepositoryKey = { ws: string; wu: string; r: string; fn: string };

function userColumns(u: UserT) {
  return { account_id: u.account_id, user_uuid: u.uuid, display_name: u.display_name, group_slug: null, group_name: null };
}
function groupColumns(g: z.infer<typeof Group>) {
  return { account_id: null, user_uuid: null, display_name: null, group_slug: g.slug, group_name: g.name };
}

const members = defineStream<WorkspaceKey, z.infer<typeof Membership>>({
  name: 'workspace_members',
  // `#/paths/~1workspaces~1{workspace}~1permissions/get`: the members with their permission; `/members`
  // lists the same users without it.
  style: (w) => list(`/2.0/workspaces/${seg(w.ws)}/permissions`, Membership, requires.members(w.ws)),
  rows: (m, w) => [
    row(bitbucketWorkspaceMembers, {
      workspace_uuid: w.wu,
      workspace_slug: w.ws,
      account_id: m.user.account_id,
      user_uuid: m.user.uuid,
      display_name: m.user.display_name,
      nickname: m.user.nickname,
      account_status: m.user.account_status,
      permission: m.permission,
      added_on: m.added_on,
      last_accessed: m.last_accessed,
    }),
  ],
  notFound: 'skip-parent',
});

/** A principal's columns in a permission table: a user or a group, the other side's columns null. */
type PrincipalColumns = { principal_type: 'user' | 'group' } & (ReturnType<typeof userColumns> | ReturnType<typeof groupColumns>);

/**
 * The explicit user and group grants at one level (`permissions-config/users` and `permissions-config/groups`
 * of a project or a repository): the same payloads and principal columns at both levels. 403 without admin on
 * that level; 404 once it is gone (the parent vanished: skipped).
 */
function grantStreams<K extends Json>(o: {
  level: 'project' | 'repository';
  /** The level's `permissions-config` path, without `/users` or `/groups`. */
  path: (k: K) => string;
  requires: (k: K) => string;
  row: (k: K, principal: PrincipalColumns, permission: string) => RowOut;
}): Stream[] {
  return [
    defineStream<K, z.infer<typeof UserPermission>>({
      name: `${o.level}_user_permissions`,
      style: (k) => list(`${o.path(k)}/users`, UserPermission, o.requires(k)),
      rows: (g, k) => [o.row(k, { principal_type: 'user', ...userColumns(g.user) }, g.permission)],
      notFound: 'skip-parent',
    }),
    defineStream<K, z.infer<typeof GroupPermission>>({
      name: `${o.level}_group_permissions`,
      style: (k) => list(`${o.path(k)}/groups`, GroupPermission, o.requires(k)),
      rows: (g, k) => [o.row(k, { principal_type: 'group', ...groupColumns(g.group) }, g.permission)],
      notFound: 'skip-parent',
    }),
  ];
}

// `#/paths/~1workspaces~1{workspace}~1projects~1{project_key}~1permissions-config~1users/get` and `…~1groups/get`.
const projectGrants = grantStreams<ProjectKey>({
  level: 'project',
  path: (p) => `/2.0/workspaces/${seg(p.ws)}/projects/${seg(p.p)}/permissions-config`,
  requires: (p) => requires.projectPermissions(p.ws, p.p),
  row: (p, principal, permission) =>
    row(bitbucketProjectPermissions, { project_uuid: p.pu, project_key: p.p, workspace_uuid: p.wu, workspace_slug: p.ws, ...principal, permission }),
});

function deployKeyRow(k: z.infer<typeof DeployKey>, level: 'repository' | 'project', parentUuid: string, parentName: string, w: { ws: string; wu: string }): RowOut {
  const facts = sshKeyFacts(k.key);
  return row(bitbucketDeployKeys, {
    level,
    parent_uuid: parentUuid,
    parent_name: parentName,
    workspace_uuid: w.wu,
    workspace_slug: w.ws,
    key_id: k.id,
    label: k.label,
    comment: k.comment,
    key_type: facts.keyType,
    fingerprint: facts.fingerprint,
    added_on: k.added_on ?? k.created_on,
    last_used: k.last_used,
    created_by_account_id: (k.owner ?? k.created_by)?.account_id ?? null,
  });
}

// Non-human access streams are optional: a 403 (a credential without the 'webhook' or 'pipeline' scope, or
// not admin there) leaves their table empty and counts the skip instead of failing the unit.
const projectDeployKeys = defineStream<ProjectKey, z.infer<typeof DeployKey>>({
  name: 'project_deploy_keys',
  // `#/paths/~1workspaces~1{workspace}~1projects~1{project_key}~1deploy-keys/get`
  style: (p) => list(`/2.0/workspaces/${seg(p.ws)}/projects/${seg(p.p)}/deploy-keys`, DeployKey, requires.projectDeployKeys(p.ws, p.p)),
  rows: (k, p) => [deployKeyRow(k, 'project', p.pu, p.p, p)],
  notFound: 'skip-parent',
  optional: true,
});

const projects = defineStream<WorkspaceKey, z.infer<typeof Project>, ProjectKey>({
  name: 'projects',
  // `#/paths/~1workspaces~1{workspace}~1projects/get`
  style: (w) => list(`/2.0/workspaces/${seg(w.ws)}/projects`, Project, requires.projects(w.ws)),
  rows: (p, w) => [
    row(bitbucketProjects, {
      project_uuid: p.uuid,
      workspace_uuid: w.wu,
      workspace_slug: w.ws,
      project_key: p.key,
      name: p.name,
      is_private: p.is_private,
      has_publicly_visible_repos: p.has_publicly_visible_repos,
    }),
  ],
  childKey: (p, w) => ({ ws: w.ws, wu: w.wu, p: p.key, pu: p.uuid }),
  children: [...projectGrants, projectDeployKeys],
  notFound: 'skip-parent',
});

// Repository children address the repository by `{uuid}` (the `repo_slug` parameter accepts "the UUID of the
// repository, surrounded by curly-braces"), so a rename between listing and these requests changes nothing.
const repoPath = (r: RepositoryKey, tail: string): string => `/2.0/repositories/${seg(r.ws)}/${seg(r.r)}/${tail}`;

// `#/paths/~1repositories~1{workspace}~1{repo_slug}~1permissions-config~1users/get` and `…~1groups/get`.
const repositoryGrants = grantStreams<RepositoryKey>({
  level: 'repository',
  path: (r) => repoPath(r, 'permissions-config'),
  requires: (r) => requires.repositoryPermissions(r.fn),
  row: (r, principal, permission) =>
    row(bitbucketRepositoryPermissions, { repository_uuid: r.r, repository_full_name: r.fn, workspace_uuid: r.wu, workspace_slug: r.ws, ...principal, permission }),
});

const branchRestrictions = defineStream<RepositoryKey, z.infer<typeof BranchRestriction>>({
  name: 'branch_restrictions',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1branch-restrictions/get`: every kind, no filter.
  style: (r) => list(repoPath(r, 'branch-restrictions'), BranchRestriction, requires.branchRestrictions(r.fn)),
  rows: (b, r) => {
    const users = b.users ?? [];
    return [
      row(bitbucketBranchRestrictions, {
        repository_uuid: r.r,
        repository_full_name: r.fn,
        workspace_uuid: r.wu,
        workspace_slug: r.ws,
        restriction_id: b.id,
        kind: b.kind,
        branch_match_kind: b.branch_match_kind,
        pattern: b.pattern,
        branch_type: b.branch_type,
        value: b.value,
        exempt_user_uuids: users.map((u) => u.uuid),
        exempt_user_account_ids: users.flatMap((u) => (u.account_id ? [u.account_id] : [])),
        exempt_group_slugs: (b.groups ?? []).map((g) => g.slug),
      }),
    ];
  },
  notFound: 'skip-parent',
});

function webhookRow(h: z.infer<typeof Webhook>, w: { ws: string; wu: string }, repo: { r: string; fn: string } | null): RowOut {
  const target = webhookTarget(h.url);
  return row(bitbucketWebhooks, {
    webhook_uuid: h.uuid,
    level: repo ? 'repository' : 'workspace',
    workspace_uuid: w.wu,
    workspace_slug: w.ws,
    repository_uuid: repo?.r ?? null,
    repository_full_name: repo?.fn ?? null,
    url_host: target.host,
    url: target.url,
    description: h.description,
    active: h.active,
    events: h.events ?? [],
    secret_set: h.secret_set,
    created_at: h.created_at,
  });
}

function variableRow(
  v: z.infer<typeof PipelineVariable>,
  w: { ws: string; wu: string },
  repo: { r: string; fn: string } | null,
  env: { e: string; en: string | null } | null = null,
): RowOut {
  return row(bitbucketPipelineVariables, {
    level: env ? 'deployment_environment' : repo ? 'repository' : 'workspace',
    owner_uuid: env?.e ?? repo?.r ?? w.wu,
    workspace_uuid: w.wu,
    workspace_slug: w.ws,
    repository_uuid: repo?.r ?? null,
    repository_full_name: repo?.fn ?? null,
    environment_uuid: env?.e ?? null,
    environment_name: env?.en ?? null,
    variable_uuid: v.uuid,
    key: v.key,
    secured: v.secured,
  });
}

const repositoryDeployKeys = defineStream<RepositoryKey, z.infer<typeof DeployKey>>({
  name: 'repository_deploy_keys',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1deploy-keys/get`
  style: (r) => list(repoPath(r, 'deploy-keys'), DeployKey, requires.deployKeys(r.fn)),
  rows: (k, r) => [deployKeyRow(k, 'repository', r.r, r.fn, r)],
  notFound: 'skip-parent',
  optional: true,
});

const repositoryWebhooks = defineStream<RepositoryKey, z.infer<typeof Webhook>>({
  name: 'repository_webhooks',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1hooks/get`
  style: (r) => list(repoPath(r, 'hooks'), Webhook, requires.webhooks(r.fn)),
  rows: (h, r) => [webhookRow(h, r, r)],
  notFound: 'skip-parent',
  optional: true,
});

const repositoryVariables = defineStream<RepositoryKey, z.infer<typeof PipelineVariable>>({
  name: 'repository_pipeline_variables',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1pipelines_config~1variables/get`
  style: (r) => list(repoPath(r, 'pipelines_config/variables'), PipelineVariable, requires.variables(r.fn)),
  rows: (v, r) => [variableRow(v, r, r)],
  notFound: 'skip-parent',
  optional: true,
});

// `#/components/schemas/deployment_environment`: uuid and name.
const Environment = z.object({ uuid: z.string().min(1), name: str });
type EnvironmentKey = RepositoryKey & { e: string; en: string | null };

const deploymentVariables = defineStream<EnvironmentKey, z.infer<typeof PipelineVariable>>({
  name: 'deployment_pipeline_variables',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1deployments_config~1environments~1{environment_uuid}~1variables/get`:
  // `deployment_variable` has a `value` ("empty" when secured); it is dropped on parse, secured or not.
  style: (e) =>
    list(
      repoPath(e, `deployments_config/environments/${seg(e.e)}/variables`),
      PipelineVariable,
      requires.variables(`deployment environment ${e.en ?? e.e} of ${e.fn} (repository admin)`),
    ),
  rows: (v, e) => [variableRow(v, e, e, e)],
  notFound: 'skip-parent',
  optional: true,
});

const deploymentEnvironments = defineStream<RepositoryKey, z.infer<typeof Environment>, EnvironmentKey>({
  name: 'deployment_environments',
  // `#/paths/~1repositories~1{workspace}~1{repo_slug}~1environments/get`: the repository's deployment environments.
  style: (r) => list(repoPath(r, 'environments'), Environment, requires.variables(r.fn)),
  childKey: (e, r) => ({ ...r, e: e.uuid, en: e.name }),
  children: [deploymentVariables],
  notFound: 'skip-parent',
  optional: true,
});

const workspaceWebhooks = defineStream<WorkspaceKey, z.infer<typeof Webhook>>({
  name: 'workspace_webhooks',
  // `#/paths/~1workspaces~1{workspace}~1hooks/get`: 403 "If the authenticated user is not an owner".
  style: (w) => list(`/2.0/workspaces/${seg(w.ws)}/hooks`, Webhook, requires.webhooks(`workspace '${w.ws}'`)),
  rows: (h, w) => [webhookRow(h, w, null)],
  optional: true,
});

const workspaceVariables = defineStream<WorkspaceKey, z.infer<typeof PipelineVariable>>({
  name: 'workspace_pipeline_variables',
  // `#/paths/~1workspaces~1{workspace}~1pipelines-config~1variables/get`
  style: (w) => list(`/2.0/workspaces/${seg(w.ws)}/pipelines-config/variables`, PipelineVariable, requires.variables(`workspace '${w.ws}'`)),
  rows: (v, w) => [variableRow(v, w, null)],
  optional: true,
});

const repositories = defineStream<WorkspaceKey, z.infer<typeof Repository>, RepositoryKey>({
  name: 'repositories',
  // `#/paths/~1repositories~1{workspace}/get`: every repository of the workspace (no `role` filter). Counts
  // against the hourly budget of /2.0/repositories/* (facts sheet §9), as do the three children.
  style: (w) => list(`/2.0/repositories/${seg(w.ws)}`, Repository, requires.repositories(w.ws)),
  rows: (r, w) => [
    row(bitbucketRepositories, {
      repository_uuid: r.uuid,
      workspace_uuid: w.wu,
      workspace_slug: w.ws,
      full_name: r.full_name,
      slug: r.slug || r.full_name.slice(r.full_name.indexOf('/') + 1),
      name: r.name,
      is_private: r.is_private,
      project_uuid: r.project?.uuid ?? null,
      project_key: r.project?.key ?? null,
      fork_policy: r.fork_policy,
      mainbranch: r.mainbranch?.name ?? null,
      parent_full_name: r.parent?.full_name ?? null,
    }),
  ],
  childKey: (r, w) => ({ ws: w.ws, wu: w.wu, r: r.uuid, fn: r.full_name }),
  children: [...repositoryGrants, branchRestrictions, repositoryDeployKeys, repositoryWebhooks, repositoryVariables, deploymentEnvironments],
  notFound: 'skip-parent',
});

// One workspace: `#/paths/~1workspaces~1{workspace}/get` for its name and privacy, then its members,
// projects and repositories. `fixed` is a slug from the unit's `workspaces`; otherwise the parent
// (`/user/workspaces`) hands the slug.
function workspaceStream(fixed?: string): Stream {
  return defineStream<{ ws: string } | null, z.infer<typeof Workspace>, WorkspaceKey>({
    name: fixed === undefined ? 'workspace' : `workspace:${fixed}`,
    style: (parent) => {
      const ws = fixed ?? parent?.ws ?? '';
      return single({ path: `/2.0/workspaces/${seg(ws)}`, item: Workspace, select: (b) => [b], requires: requires.workspace(ws) });
    },
    rows: (w) => [
      row(bitbucketWorkspaces, {
        workspace_uuid: w.uuid,
        slug: w.slug,
        name: w.name,
        is_private: w.is_private,
        is_privacy_enforced: w.is_privacy_enforced,
        forking_mode: w.forking_mode,
        created_on: w.created_on,
      }),
    ],
    childKey: (w) => ({ ws: w.slug, wu: w.uuid }),
    children: [members, projects, repositories, workspaceWebhooks, workspaceVariables],
    // A listed workspace deleted since is skipped; a configured one that does not exist is an error.
    notFound: fixed === undefined ? 'skip-parent' : 'fail',
  });
}

const userWorkspaces = defineStream<null, z.infer<typeof WorkspaceAccess>, { ws: string }>({
  name: 'user_workspaces',
  // `#/paths/~1user~1workspaces/get`, the supported replacement of the deprecated `/workspaces`. Its items
  // carry only `workspace {uuid, slug}`, so each workspace is read once more for name and privacy.
  style: () => list('/2.0/user/workspaces', WorkspaceAccess, requires.userWorkspaces),
  childKey: (a) => ({ ws: a.workspace.slug }),
  children: [workspaceStream()],
});

/** Streams of a unit: the workspaces it lists, or every workspace the credential can see. */
export function bitbucketStreams(unit: Pick<Unit, 'workspaces'>): readonly Stream[] {
  const fixed = [...new Set(unit.workspaces ?? [])];
  return fixed.length ? fixed.map((ws) => workspaceStream(ws)) : [userWorkspaces];
}

// The API host: `siteUrl` as configured, except the web host `bitbucket.org`, whose API lives on
// `api.bitbucket.org` (facts sheet §2; OAuth requests "must be directed at https://api.bitbucket.org").
function apiBase(unit: Unit): string {
  const u = new URL(unit.siteUrl);
  return /^(www\.)?bitbucket\.org$/i.test(u.hostname) ? 'https://api.bitbucket.org' : unit.siteUrl;
}

/**
 * Bitbucket Cloud's budget ("API request limits", https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/;
 * facts sheet §9): 1,000 requests per rolling hour per credential for `/2.0/repositories/*` (scaled workspaces up
 * to 10,000: set the unit's `rateLimitBudget`). `X-RateLimit-Limit` comes only to access tokens on scaled
 * endpoints, and the 429 names no wait: the client paces to the configured budget over its own sends and,
 * after a 429, waits one minute, the step in which the rolling hour frees requests ("for every minute that
 * passes, you will be provided that time to run new requests").
 */
export const BITBUCKET_RATE: RatePolicy = {
  source: 'Bitbucket Cloud "API request limits" (https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/)',
  budgets: [{ name: 'hourly', windowMs: 3_600_000, limit: 1000, reopenMs: 60_000, headers: { limit: 'x-ratelimit-limit' } }],
};

/** Bitbucket's unit options. */
export const bitbucketOptions = z.object({
  /** Bitbucket: workspaces to collect (slugs). @default every workspace the credential can see */
  workspaces: z.array(z.string().min(1)).optional(),
});

export const bitbucket: ProductModule<'bitbucket', typeof bitbucketOptions.shape> = {
  product: 'bitbucket',
  title: 'Bitbucket Cloud',
  options: bitbucketOptions,
  credentials: { kinds: [...ATLASSIAN_CLOUD_CREDENTIALS.kinds, 'client-credentials'], env: ATLASSIAN_CLOUD_CREDENTIALS.env },
  tables: bitbucketTables,
  streams: bitbucketStreams,
  baseUrl: apiBase,
  rateLimit: BITBUCKET_RATE,
};
