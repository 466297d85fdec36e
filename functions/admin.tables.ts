import { col, defineTable } from '../shared/schema/table.ts';

// Output tables of the organization directory (Atlassian Admin API) collector. Keys and names are a public
// contract (issue 5); add columns freely, never rename or retype one.

export const adminOrgs = defineTable({
  name: 'admin_orgs',
  description: 'The organization the admin API key belongs to.',
  key: ['org_id'],
  columns: {
    org_id: col.string(),
    name: col.string().nullable(),
  },
});

export const adminDirectories = defineTable({
  name: 'admin_directories',
  description: 'User directory of the organization (the key may manage several).',
  key: ['directory_id'],
  columns: {
    directory_id: col.string(),
    name: col.string().nullable(),
  },
});

export const adminDomains = defineTable({
  name: 'admin_domains',
  description: 'Domain claimed by the organization, verified or not.',
  key: ['domain_id'],
  columns: {
    domain_id: col.string(),
    name: col.string().nullable(),
    claim_type: col.string().nullable().describe('http | dns; null when the domain has no claim'),
    claim_status: col.string().nullable().describe('verified | unverified | deleted | superseded | missing_token'),
  },
});

export const adminWorkspaces = defineTable({
  name: 'admin_workspaces',
  description: 'Product instance (Jira site, Confluence site, Bitbucket workspace, ...) of the organization, with its URL.',
  key: ['workspace_id'],
  columns: {
    workspace_id: col.string(),
    cloud_id: col.string().nullable().describe('site cloud id when the workspace id is a site ARI (ari:cloud:<product>::site/<cloudId>); join key to admin_user_product_access'),
    name: col.string().nullable(),
    type: col.string().nullable().describe('e.g. jira, confluence, bitbucket'),
    type_key: col.string().nullable(),
    host_url: col.string().nullable(),
    status: col.string().nullable().describe('online | offline | deprecated'),
    created_at: col.timestamp().nullable(),
  },
});

export const adminPolicies = defineTable({
  name: 'admin_policies',
  description: 'Organization policy the API exposes: IP allowlist, data residency, data security. (Authentication policies are not in the API.)',
  key: ['policy_id'],
  columns: {
    policy_id: col.string(),
    name: col.string().nullable(),
    type: col.string().describe('ip-allowlist | data-residency | data-security'),
    status: col.string().nullable().describe('enabled | disabled'),
    rule_in: col.stringArray().describe('AllowIfContainedRule.in, e.g. the allowed IP ranges; empty when the policy has no rule'),
  },
});

export const adminPolicyResources = defineTable({
  name: 'admin_policy_resources',
  description: '(policy, resource) pair: a product instance a policy applies to.',
  key: ['policy_id', 'resource_id'],
  columns: {
    policy_id: col.string(),
    resource_id: col.string(),
    application_status: col.string().nullable().describe('applying | removing | applied | failed | scheduled'),
  },
});

export const adminUsers = defineTable({
  name: 'admin_users',
  description: 'Account in the organization directory: managed and unmanaged, active, suspended, deactivated.',
  key: ['account_id'],
  columns: {
    account_id: col.string(),
    account_type: col.string().nullable(),
    account_status: col.string().nullable().describe('active | inactive | closed (lifecycle of the Atlassian account)'),
    membership_status: col.string().nullable().describe('active | suspended | no_membership (in the organization)'),
    status: col.string().nullable().describe('active | suspended | not_invited | deactivated | for_deletion (composite)'),
    claim_status: col.string().nullable().describe('managed | unmanaged'),
    management_source: col.string().nullable().describe('invited | synced; null when unknown or unmanaged'),
    email: col.string().nullable().describe('null when the profile hides it'),
    email_verified: col.bool().nullable(),
    name: col.string().nullable(),
    nickname: col.string().nullable(),
    mfa_enabled: col.bool().nullable().describe('two-step verification; null for unmanaged accounts'),
    added_to_org: col.timestamp().nullable(),
    last_active: col.timestamp().nullable().describe('latest product last-active timestamp; null when the user never used a product'),
    platform_roles: col.stringArray().describe('organization-level admin roles, e.g. atlassian/org-admin'),
  },
});

export const adminUserProductAccess = defineTable({
  name: 'admin_user_product_access',
  description: '(user, product instance) the user has access to, with the last time they used it.',
  key: ['account_id', 'product_key', 'resource_id'],
  columns: {
    account_id: col.string(),
    product_key: col.string().nullable().describe('e.g. jira, confluence'),
    resource_id: col.string().nullable().describe('ARI of the product instance, e.g. ari:cloud:confluence::site/<cloudId>'),
    cloud_id: col.string().nullable().describe('site cloud id parsed from resource_id; join to admin_workspaces.cloud_id'),
    last_active: col.timestamp().nullable().describe('null when the user has access but never used the product'),
  },
});

export const adminGroups = defineTable({
  name: 'admin_groups',
  description: 'Group of the organization directories, empty ones included.',
  key: ['group_id'],
  columns: {
    group_id: col.string(),
    name: col.string().nullable(),
    description: col.string().nullable(),
    directory_id: col.string().nullable(),
    managed_by: col.string().nullable().describe('external | admins | team-members | open'),
    synced: col.bool().nullable().describe('created by IdP sync (externalSynced)'),
    member_count: col.int().nullable().describe('counts.users as the API reports it; compare with admin_group_members'),
    resource_count: col.int().nullable(),
  },
});

export const adminGroupRoleAssignments = defineTable({
  name: 'admin_group_role_assignments',
  description: '(group, product instance, role): a role the group grants its members on a resource; one row with a null role when the API lists the resource without roles.',
  key: ['group_id', 'resource_id', 'role'],
  columns: {
    group_id: col.string(),
    resource_id: col.string().nullable().describe('ARI of the product instance, e.g. ari:cloud:jira::site/<cloudId>'),
    resource_owner: col.string().nullable().describe('e.g. jira-software, confluence'),
    cloud_id: col.string().nullable().describe('site cloud id parsed from resource_id'),
    role: col.string().nullable().describe('e.g. atlassian/user, atlassian/admin, atlassian/guest'),
    default_role: col.string().nullable().describe('the role the resource grants by default'),
  },
});

export const adminGroupMembers = defineTable({
  name: 'admin_group_members',
  description: '(group, member) pair, members of every status included.',
  key: ['group_id', 'account_id'],
  columns: {
    group_id: col.string(),
    account_id: col.string(),
    group_name: col.string().nullable(),
  },
});

export const adminApiTokens = defineTable({
  name: 'admin_api_tokens',
  description:
    'User API token of a managed account. Filled by the organization-wide listing of the Admin API Access API when the key may read it (one paged listing), else by one request per managed account.',
  key: ['account_id', 'token_id'],
  columns: {
    account_id: col.string(),
    token_id: col.string(),
    label: col.string().nullable(),
    created_at: col.timestamp().nullable(),
    last_access: col.timestamp().nullable().describe('null when the token was never used'),
    expires_at: col.timestamp().nullable().describe('null for tokens without expiry'),
    status: col.string().nullable().describe('ALLOWED | BLOCKED (org listing only; null when filled per account)'),
    source: col.string().describe('org-listing (GET /admin/api-access/v1/orgs/{orgId}/api-tokens) | per-account (GET /users/{account_id}/manage/api-tokens, the fallback when the listing is refused)'),
  },
});

export const adminServiceAccounts = defineTable({
  name: 'admin_service_accounts',
  description: 'Service account of the organization (Admin API Access API): a non-human account that authenticates with its own API tokens or OAuth clients.',
  key: ['service_account_id'],
  columns: {
    service_account_id: col.string(),
    account_id: col.string().nullable().describe('Atlassian account id (atlassianId); joins the product tables'),
    email: col.string().nullable(),
    display_name: col.string().nullable(),
    status: col.string().nullable(),
    description: col.string().nullable(),
    created_by_id: col.string().nullable().describe('account id of the admin who created it'),
    updated_at: col.timestamp().nullable(),
  },
});

export const adminServiceAccountApiTokens = defineTable({
  name: 'admin_service_account_api_tokens',
  description: 'API token of a service account (scoped; never the secret).',
  key: ['service_account_id', 'token_id'],
  columns: {
    service_account_id: col.string(),
    token_id: col.string(),
    label: col.string().nullable(),
    status: col.string().nullable(),
    created_at: col.timestamp().nullable(),
    last_access: col.timestamp().nullable().describe('null when the token was never used'),
    expires_at: col.timestamp().nullable().describe('null for tokens without expiry'),
  },
});

export const adminServiceAccountOauthClients = defineTable({
  name: 'admin_service_account_oauth_clients',
  description: 'OAuth 2.0 client (client credentials) of a service account; the client secret is never returned nor stored.',
  key: ['service_account_id', 'client_id'],
  columns: {
    service_account_id: col.string(),
    client_id: col.string(),
    name: col.string().nullable(),
    status: col.string().nullable().describe('e.g. ACTIVE'),
    created_at: col.timestamp().nullable(),
    updated_at: col.timestamp().nullable(),
  },
});

/** Every organization directory output table, in collection order. */
export const adminTables = [
  adminOrgs,
  adminDirectories,
  adminDomains,
  adminWorkspaces,
  adminPolicies,
  adminPolicyResources,
  adminGroups,
  adminGroupRoleAssignments,
  adminUsers,
  adminUserProductAccess,
  adminGroupMembers,
  adminApiTokens,
  adminServiceAccounts,
  adminServiceAccountApiTokens,
  adminServiceAccountOauthClients,
] as const;
