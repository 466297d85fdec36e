import { col, defineTable } from '../shared/schema/table.ts';
import { installedAppsTable } from './upm.ts';

// Output tables of the Confluence Cloud collector. Keys and names are a public contract (issue 5);
// add columns freely, never rename or retype one.

export const confluenceUsers = defineTable({
  name: 'confluence_users',
  description:
    'User the site lists in its user search (licensed users and guests, any account status), with the details of users-bulk. ' +
    'The search returns at most 10,000 users: see the users.search_* rows of confluence_settings.',
  key: ['account_id'],
  columns: {
    account_id: col.string(),
    account_type: col.string().describe('atlassian | app | customer | unknown'),
    account_status: col.string().nullable().describe('active | inactive | closed | unknown'),
    display_name: col.string().nullable(),
    public_name: col.string().nullable(),
    email: col.string().nullable().describe('null when the profile hides it (the API answers "" or null)'),
    is_guest: col.bool().nullable().describe('external collaborator (guest)'),
    personal_space_id: col.string().nullable(),
    time_zone: col.string().nullable(),
  },
});

export const confluenceGroups = defineTable({
  name: 'confluence_groups',
  description: 'Group of the site.',
  key: ['group_id'],
  columns: {
    group_id: col.string(),
    name: col.string(),
    type: col.string().nullable(),
    usage_type: col.string().nullable().describe('USERBASE_GROUP | TEAM_COLLABORATION'),
    managed_by: col.string().nullable().describe('ADMINS | EXTERNAL | TEAM_MEMBERS | OPEN'),
  },
});

export const confluenceGroupMembers = defineTable({
  name: 'confluence_group_members',
  description: '(group, member) pair, with the member as the group endpoint describes it.',
  key: ['group_id', 'account_id'],
  columns: {
    group_id: col.string(),
    group_name: col.string(),
    account_id: col.string(),
    account_type: col.string().nullable().describe('atlassian | app; null when the API gives an empty string'),
    display_name: col.string().nullable(),
    public_name: col.string().nullable(),
    email: col.string().nullable().describe('null when the profile hides it'),
    is_guest: col.bool().nullable(),
  },
});

export const confluenceSpaces = defineTable({
  name: 'confluence_spaces',
  description: 'Space the collecting account can view: every type (personal included) and status (archived included).',
  key: ['space_id'],
  columns: {
    space_id: col.string(),
    space_key: col.string(),
    name: col.string().nullable(),
    type: col.string().nullable().describe('global | collaboration | knowledge_base | personal | system | onboarding | xflow_sample_space'),
    status: col.string().nullable().describe('current | archived'),
    author_id: col.string().nullable(),
    created_at: col.timestamp().nullable(),
    homepage_id: col.string().nullable(),
  },
});

export const confluenceSpacePermissions = defineTable({
  name: 'confluence_space_permissions',
  description: 'Space permission assignment: a principal (user, group or role) may do an operation on a target type in a space.',
  key: ['space_id', 'permission_id'],
  columns: {
    space_id: col.string(),
    space_key: col.string(),
    permission_id: col.string(),
    principal_type: col.string().nullable().describe('user | group | role'),
    principal_id: col.string().nullable().describe('account id, group id, or role id'),
    operation: col.string().nullable().describe('use, create, read, update, delete, administer, export, restrict_content, archive, ...'),
    target_type: col.string().nullable().describe('space, page, blogpost, comment, attachment, ...'),
  },
});

export const confluenceSpaceRoles = defineTable({
  name: 'confluence_space_roles',
  description: 'Space role of a site that uses space roles (space-role-mode ROLES or ROLES_TRANSITION); empty otherwise.',
  key: ['role_id'],
  columns: {
    role_id: col.string(),
    name: col.string().nullable(),
    type: col.string().nullable().describe('SYSTEM | CUSTOM'),
    description: col.string().nullable(),
    space_permissions: col.stringArray().describe('space permission ids the role grants, e.g. read/space'),
  },
});

export const confluenceSpaceRoleAssignments = defineTable({
  name: 'confluence_space_role_assignments',
  description: 'Role a principal holds in a space, on a site that uses space roles; empty otherwise.',
  key: ['space_id', 'principal_type', 'principal_id', 'role_id'],
  columns: {
    space_id: col.string(),
    space_key: col.string(),
    principal_type: col.string().describe('USER | GROUP | ACCESS_CLASS'),
    principal_id: col.string().describe('account id, group id, or access class (anonymous-users, authenticated-users, all-licensed-users, ...)'),
    role_id: col.string(),
  },
});

export const confluenceSettings = defineTable({
  name: 'confluence_settings',
  description:
    'Security-relevant site setting the API exposes, as key/value (audit.retention.*, space_role_mode, system.*), and what the ' +
    'user search reported (users.search_total_size, users.search_capped).',
  key: ['key'],
  columns: {
    key: col.string(),
    value: col.string().nullable(),
    source: col.string().describe('endpoint the value came from'),
  },
});

/** Apps installed on the site (Universal Plugin Manager; see functions/upm.ts). */
export const confluenceInstalledApps = installedAppsTable('confluence');

/** Every Confluence Cloud output table, in collection order. */
export const confluenceTables = [
  confluenceUsers,
  confluenceGroups,
  confluenceGroupMembers,
  confluenceSpaces,
  confluenceSpacePermissions,
  confluenceSpaceRoles,
  confluenceSpaceRoleAssignments,
  confluenceSettings,
  confluenceInstalledApps,
] as const;
