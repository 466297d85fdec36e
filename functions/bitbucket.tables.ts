import { z } from 'zod';
import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the Bitbucket Cloud collector. Keys and names are a public contract (issue 5);
// add columns freely, never rename or retype one.
//
// Bitbucket users carry `uuid` (always) and `account_id` (the Atlassian account id, the join key to Jira
// and the Admin API). `account_id` is absent for some users (e.g. deleted accounts), so every user key
// also holds `user_uuid`, which keeps rows unique when `account_id` is null.

export const bitbucketWorkspaces = defineTable({
  name: 'bitbucket_workspaces',
  description: 'Workspace the credential collected: every workspace it can see, or the ones the unit lists.',
  key: ['workspace_uuid'],
  columns: {
    workspace_uuid: col.string().describe('with curly braces, as the API gives it'),
    slug: col.string(),
    name: col.string().nullable(),
    is_private: col.bool().nullable(),
    is_privacy_enforced: col.bool().nullable(),
    forking_mode: col.string().nullable().describe('allow_forks | internal_only'),
    created_on: col.timestamp().nullable(),
  },
});

export const bitbucketWorkspaceMembers = defineTable({
  name: 'bitbucket_workspace_members',
  description: 'Member of a workspace with their workspace permission (owner, collaborator or member).',
  key: ['workspace_uuid', 'account_id', 'user_uuid'],
  columns: {
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    account_id: col.string().nullable().describe('null for users without an Atlassian account id (e.g. deleted)'),
    user_uuid: col.string(),
    display_name: col.string().nullable(),
    nickname: col.string().nullable(),
    account_status: col.string().nullable(),
    permission: col.string().nullable().describe('owner | collaborator | member'),
    added_on: col.timestamp().nullable().describe('absent once the workspace is administered in admin.atlassian.com'),
    last_accessed: col.timestamp().nullable().describe('absent once the workspace is administered in admin.atlassian.com'),
  },
});

export const bitbucketProjects = defineTable({
  name: 'bitbucket_projects',
  description: 'Project of a workspace.',
  key: ['project_uuid'],
  columns: {
    project_uuid: col.string(),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    project_key: col.string(),
    name: col.string(),
    is_private: col.bool().nullable(),
    has_publicly_visible_repos: col.bool().nullable(),
  },
});

export const bitbucketRepositories = defineTable({
  name: 'bitbucket_repositories',
  description: 'Repository of a workspace, private and public, as listed (a repository deleted after the listing keeps its row but has no permission rows).',
  key: ['repository_uuid'],
  columns: {
    repository_uuid: col.string(),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    full_name: col.string(),
    slug: col.string(),
    name: col.string().nullable(),
    is_private: col.bool().nullable(),
    project_uuid: col.string().nullable(),
    project_key: col.string().nullable(),
    fork_policy: col.string().nullable().describe('allow_forks | no_public_forks | no_forks'),
    mainbranch: col.string().nullable().describe('null for a repository without commits'),
    parent_full_name: col.string().nullable().describe('the repository this one is a fork of'),
  },
});

const principal = {
  principal_type: z.enum(['user', 'group']),
  account_id: col.string().nullable().describe('user grants; null for a user without an Atlassian account id'),
  user_uuid: col.string().nullable().describe('user grants'),
  display_name: col.string().nullable().describe('user grants'),
  group_slug: col.string().nullable().describe('group grants'),
  group_name: col.string().nullable().describe('group grants'),
};

export const bitbucketProjectPermissions = defineTable({
  name: 'bitbucket_project_permissions',
  description: 'Explicit grant of a project permission to a user or a group (inherited and workspace-wide access are not listed).',
  key: ['project_uuid', 'principal_type', 'account_id', 'user_uuid', 'group_slug'],
  columns: {
    project_uuid: col.string(),
    project_key: col.string(),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    ...principal,
    permission: col.string().describe('read | write | create-repo | admin | none'),
  },
});

export const bitbucketRepositoryPermissions = defineTable({
  name: 'bitbucket_repository_permissions',
  description: 'Explicit grant of a repository permission to a user or a group (inherited project or group access is not listed).',
  key: ['repository_uuid', 'principal_type', 'account_id', 'user_uuid', 'group_slug'],
  columns: {
    repository_uuid: col.string(),
    repository_full_name: col.string(),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    ...principal,
    permission: col.string().describe('read | write | admin | none'),
  },
});

export const bitbucketBranchRestrictions = defineTable({
  name: 'bitbucket_branch_restrictions',
  description: 'Branch restriction (branch permission or merge check) of a repository, with the users and groups it exempts.',
  key: ['repository_uuid', 'restriction_id'],
  columns: {
    repository_uuid: col.string(),
    repository_full_name: col.string(),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    restriction_id: col.string(),
    kind: col.string().describe('push, delete, force, restrict_merges, require_approvals_to_merge, ...'),
    branch_match_kind: col.string().describe('glob | branching_model'),
    pattern: col.string().nullable().describe('glob pattern; null when matched by branch type'),
    branch_type: col.string().nullable().describe('feature, bugfix, release, hotfix, development, production'),
    value: col.int().nullable().describe('kind-specific, e.g. approvals required'),
    exempt_user_uuids: col.stringArray().describe('users the restriction lets through (push/merge access)'),
    exempt_user_account_ids: col.stringArray().describe('account ids of those users; users without one are only in exempt_user_uuids'),
    exempt_group_slugs: col.stringArray(),
  },
});

export const bitbucketDeployKeys = defineTable({
  name: 'bitbucket_deploy_keys',
  description: 'SSH deploy key of a repository or a project: access that belongs to no person. The public key itself is not stored, only its fingerprint.',
  key: ['level', 'parent_uuid', 'key_id'],
  columns: {
    level: col.string().describe('repository | project'),
    parent_uuid: col.string().describe('repository or project uuid'),
    parent_name: col.string().nullable().describe('repository full name or project key'),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    key_id: col.string(),
    label: col.string().nullable(),
    comment: col.string().nullable().describe('the comment part of the public key, often user@host'),
    key_type: col.string().nullable().describe('e.g. ssh-rsa, ssh-ed25519'),
    fingerprint: col.string().nullable().describe('SHA256:<base64> of the public key blob, as ssh-keygen -l prints it'),
    added_on: col.timestamp().nullable(),
    last_used: col.timestamp().nullable().describe('null when never used'),
    created_by_account_id: col.string().nullable().describe('owner (repository keys) or created_by (project keys)'),
  },
});

export const bitbucketWebhooks = defineTable({
  name: 'bitbucket_webhooks',
  description: 'Webhook of a workspace or a repository: where Bitbucket sends data. Never the secret; the URL without query string or credentials.',
  key: ['webhook_uuid'],
  columns: {
    webhook_uuid: col.string(),
    level: col.string().describe('workspace | repository'),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    repository_uuid: col.string().nullable(),
    repository_full_name: col.string().nullable(),
    url_host: col.string().nullable().describe('host the webhook sends to; compare with the organization domains'),
    url: col.string().nullable().describe('scheme, host and path only: a query string or user info may carry a token'),
    description: col.string().nullable(),
    active: col.bool().nullable(),
    events: col.stringArray(),
    secret_set: col.bool().nullable().describe('whether the webhook signs its requests with a secret'),
    created_at: col.timestamp().nullable(),
  },
});

export const bitbucketPipelineVariables = defineTable({
  name: 'bitbucket_pipeline_variables',
  description:
    'Pipelines variable of a workspace, a repository or a deployment environment of a repository: its key and whether it is secured. The value is never stored, secured or not.',
  key: ['level', 'owner_uuid', 'variable_uuid'],
  columns: {
    level: col.string().describe('workspace | repository | deployment_environment'),
    owner_uuid: col.string().describe('workspace, repository or deployment environment uuid'),
    workspace_uuid: col.string(),
    workspace_slug: col.string(),
    repository_uuid: col.string().nullable(),
    repository_full_name: col.string().nullable(),
    environment_uuid: col.string().nullable().describe('deployment environment (level deployment_environment only)'),
    environment_name: col.string().nullable().describe('e.g. Test, Staging, Production'),
    variable_uuid: col.string(),
    key: col.string().nullable(),
    secured: col.bool().nullable(),
  },
});

/** Every Bitbucket Cloud output table, in collection order. */
export const bitbucketTables = [
  bitbucketWorkspaces,
  bitbucketWorkspaceMembers,
  bitbucketProjects,
  bitbucketProjectPermissions,
  bitbucketRepositories,
  bitbucketRepositoryPermissions,
  bitbucketBranchRestrictions,
  bitbucketDeployKeys,
  bitbucketWebhooks,
  bitbucketPipelineVariables,
] as const;
