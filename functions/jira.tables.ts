import { z } from 'zod';
import { col, defineTable } from '../shared/schema/table.ts';
import { installedAppsTable } from './upm.ts';

// Output tables of the Jira Cloud collector. Keys and names are a public contract (issue 3);
// add columns freely, never rename or retype one.

export const jiraUsers = defineTable({
  name: 'jira_users',
  description: 'User visible on the site: active and inactive; atlassian, app and customer accounts.',
  key: ['account_id'],
  columns: {
    account_id: col.string(),
    account_type: col.string().describe('atlassian | app | customer | unknown'),
    display_name: col.string().nullable(),
    email_address: col.string().nullable().describe('null when the profile hides it'),
    active: col.bool(),
    app_type: col.string().nullable(),
    guest: col.bool().nullable(),
    locale: col.string().nullable(),
    time_zone: col.string().nullable(),
  },
});

export const jiraGroups = defineTable({
  name: 'jira_groups',
  description: 'Group.',
  key: ['group_id'],
  columns: {
    group_id: col.string(),
    name: col.string(),
  },
});

export const jiraGroupMembers = defineTable({
  name: 'jira_group_members',
  description: '(group, member) pair, inactive members included.',
  key: ['group_id', 'account_id'],
  columns: {
    group_id: col.string(),
    group_name: col.string(),
    account_id: col.string(),
    account_type: col.string().nullable(),
    display_name: col.string().nullable(),
    email_address: col.string().nullable(),
    active: col.bool().nullable(),
  },
});

export const jiraApplicationRoles = defineTable({
  name: 'jira_application_roles',
  description: 'Product access role (e.g. jira-software) and each group that grants it; one row with a null group when the role has none.',
  key: ['role_key', 'group_id'],
  columns: {
    role_key: col.string(),
    name: col.string(),
    group_id: col.string().nullable(),
    group_name: col.string().nullable(),
    is_default_group: col.bool(),
    number_of_seats: col.int().nullable(),
    remaining_seats: col.int().nullable(),
    user_count: col.int().nullable(),
    has_unlimited_seats: col.bool().nullable(),
    platform: col.bool().nullable(),
  },
});

export const jiraProjects = defineTable({
  name: 'jira_projects',
  description: 'Project, archived, deleted (in trash) and private ones included where the API returns them.',
  key: ['project_id'],
  columns: {
    project_id: col.string(),
    project_key: col.string(),
    name: col.string(),
    project_type_key: col.string().nullable(),
    style: col.string().nullable(),
    is_private: col.bool().nullable(),
    archived: col.bool(),
    deleted: col.bool(),
    lead_account_id: col.string().nullable(),
    permission_scheme_id: col.string().nullable(),
  },
});

export const jiraProjectRoles = defineTable({
  name: 'jira_project_roles',
  description: 'Project role definition.',
  key: ['role_id'],
  columns: {
    role_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    admin: col.bool().nullable(),
    is_default: col.bool().nullable(),
  },
});

export const jiraProjectRoleActors = defineTable({
  name: 'jira_project_role_actors',
  description: '(project, role, actor): a user or a group that holds a project role in a project.',
  key: ['project_id', 'role_id', 'actor_type', 'account_id', 'group_id'],
  columns: {
    project_id: col.string(),
    project_key: col.string(),
    role_id: col.string(),
    role_name: col.string(),
    actor_type: z.enum(['user', 'group']),
    account_id: col.string().nullable(),
    group_id: col.string().nullable(),
    group_name: col.string().nullable(),
  },
});

export const jiraPermissionSchemes = defineTable({
  name: 'jira_permission_schemes',
  description: 'Permission scheme.',
  key: ['scheme_id'],
  columns: {
    scheme_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
  },
});

export const jiraPermissionGrants = defineTable({
  name: 'jira_permission_grants',
  description: 'Grant of a permission in a permission scheme.',
  key: ['scheme_id', 'grant_id'],
  columns: {
    scheme_id: col.string(),
    grant_id: col.string(),
    permission: col.string(),
    holder_type: col.string().describe('anyone, applicationRole, group, projectRole, projectLead, user, reporter, assignee, ...'),
    holder_parameter: col.string().nullable().describe('as the API gives it: group name, role id, account id, field id'),
    holder_value: col.string().nullable().describe('group id / account id / role id / application key; null when the holder has none'),
  },
});

export const jiraSettings = defineTable({
  name: 'jira_settings',
  description: 'Application property (advanced setting) of the site.',
  key: ['key'],
  columns: {
    key: col.string(),
    value: col.string().nullable(),
    name: col.string().nullable(),
    type: col.string().nullable(),
    default_value: col.string().nullable(),
  },
});

// Issue-level security (classic projects only: the API lists no team-managed project's levels).

export const jiraIssueSecuritySchemes = defineTable({
  name: 'jira_issue_security_schemes',
  description: 'Issue security scheme (classic projects): a set of levels an issue can be restricted to.',
  key: ['scheme_id'],
  columns: {
    scheme_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    default_level_id: col.string().nullable().describe('level given to new issues; null when the scheme has no default'),
  },
});

export const jiraIssueSecurityLevels = defineTable({
  name: 'jira_issue_security_levels',
  description: 'Issue security level of a scheme: an issue set to it is visible only to the level\'s members.',
  key: ['level_id'],
  columns: {
    level_id: col.string(),
    scheme_id: col.string(),
    name: col.string(),
    description: col.string().nullable(),
    is_default: col.bool().nullable(),
  },
});

export const jiraIssueSecurityLevelMembers = defineTable({
  name: 'jira_issue_security_level_members',
  description: 'Member of an issue security level: a holder of the same types as a permission grant.',
  key: ['member_id'],
  columns: {
    member_id: col.string(),
    scheme_id: col.string(),
    level_id: col.string(),
    holder_type: col.string().describe('user, group, projectRole, applicationRole, projectLead, reporter, assignee, anyone, userCustomField, groupCustomField, ...'),
    holder_parameter: col.string().nullable().describe('as the API gives it: group name, role id, account id, field id'),
    holder_value: col.string().nullable().describe('group id / account id / role id / application key; null when the holder has none'),
  },
});

export const jiraIssueSecurityProjects = defineTable({
  name: 'jira_issue_security_projects',
  description: 'Project that uses an issue security scheme (one scheme per project at most).',
  key: ['project_id'],
  columns: {
    project_id: col.string(),
    scheme_id: col.string(),
  },
});

/** Apps installed on the site (Universal Plugin Manager; see functions/upm.ts). */
export const jiraInstalledApps = installedAppsTable('jira');

/** Every Jira Cloud output table, in collection order. */
export const jiraTables = [
  jiraUsers,
  jiraGroups,
  jiraGroupMembers,
  jiraApplicationRoles,
  jiraProjects,
  jiraProjectRoles,
  jiraProjectRoleActors,
  jiraPermissionSchemes,
  jiraPermissionGrants,
  jiraSettings,
  jiraIssueSecuritySchemes,
  jiraIssueSecurityLevels,
  jiraIssueSecurityLevelMembers,
  jiraIssueSecurityProjects,
  jiraInstalledApps,
] as const;
