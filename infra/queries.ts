/**
 * Named Athena queries for the questions analysts ask first. Every query reads each site's most recent
 * snapshot (the latest `dt` per org and site within the last two weeks), so a site whose last run
 * failed still shows its previous snapshot instead of disappearing.
 */
export interface NamedQuery {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/** Latest snapshot per (org, site) of `table`, within the last 14 days (partition-pruned). */
function latest(table: string): string {
  return `SELECT org, site, max(dt) AS dt FROM ${table}
    WHERE dt >= date_format(current_date - interval '14' day, '%Y-%m-%d')
    GROUP BY org, site`;
}

/** Rows of `table` (aliased `alias`) in the latest snapshot `snap`. */
function inSnap(table: string, alias: string): string {
  return `${table} ${alias} JOIN snap s_${alias} ON ${alias}.org = s_${alias}.org AND ${alias}.site = s_${alias}.site AND ${alias}.dt = s_${alias}.dt`;
}

/**
 * Who holds `permission` on which project, and through what: a group, a project role (its user actors,
 * and the members of its group actors), a user, an application role, the project lead, or anyone.
 * Jira Cloud resolves a project's permissions from its permission scheme's grants.
 */
export function projectAccessSql(permission: string): string {
  return `-- Who holds ${permission} on each project (latest snapshot per site), and through which grant.
WITH snap AS (${latest('jira_projects')}),
projects AS (SELECT p.org, p.site, p.project_id, p.project_key, p.name AS project_name, p.permission_scheme_id, p.lead_account_id
             FROM ${inSnap('jira_projects', 'p')} WHERE NOT p.deleted),
grants AS (SELECT g.org, g.site, g.scheme_id, g.holder_type, g.holder_value
           FROM ${inSnap('jira_permission_grants', 'g')} WHERE g.permission = '${permission}'),
members AS (SELECT m.org, m.site, m.group_id, m.group_name, m.account_id, m.display_name, m.active
            FROM ${inSnap('jira_group_members', 'm')}),
actors AS (SELECT a.org, a.site, a.project_id, a.role_id, a.role_name, a.actor_type, a.account_id, a.group_id, a.group_name
           FROM ${inSnap('jira_project_role_actors', 'a')}),
app_groups AS (SELECT r.org, r.site, r.role_key, r.group_id FROM ${inSnap('jira_application_roles', 'r')} WHERE r.group_id IS NOT NULL),
users AS (SELECT u.org, u.site, u.account_id, u.display_name, u.active FROM ${inSnap('jira_users', 'u')}),
access AS (
  SELECT p.org, p.site, p.project_key, p.project_name, 'group' AS via, m.group_name AS via_name, m.account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'group'
  JOIN members m ON m.org = p.org AND m.site = p.site AND m.group_id = g.holder_value
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'project role' AS via, a.role_name AS via_name, a.account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'projectRole'
  JOIN actors a ON a.org = p.org AND a.site = p.site AND a.project_id = p.project_id AND a.role_id = g.holder_value AND a.actor_type = 'user'
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'project role via group' AS via, a.role_name || ' / ' || a.group_name AS via_name, m.account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'projectRole'
  JOIN actors a ON a.org = p.org AND a.site = p.site AND a.project_id = p.project_id AND a.role_id = g.holder_value AND a.actor_type = 'group'
  JOIN members m ON m.org = p.org AND m.site = p.site AND m.group_id = a.group_id
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'user' AS via, 'direct grant' AS via_name, g.holder_value AS account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'user'
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'application role' AS via, coalesce(g.holder_value, 'any product role') AS via_name, m.account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'applicationRole'
  JOIN app_groups r ON r.org = p.org AND r.site = p.site AND (g.holder_value IS NULL OR r.role_key = g.holder_value)
  JOIN members m ON m.org = p.org AND m.site = p.site AND m.group_id = r.group_id
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'project lead' AS via, 'project lead' AS via_name, p.lead_account_id AS account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'projectLead'
  WHERE p.lead_account_id IS NOT NULL
  UNION ALL
  SELECT p.org, p.site, p.project_key, p.project_name, 'anyone' AS via, 'anyone, including anonymous users' AS via_name, CAST(NULL AS varchar) AS account_id
  FROM projects p
  JOIN grants g ON g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id AND g.holder_type = 'anyone'
)
SELECT DISTINCT x.org, x.site, x.project_key, x.project_name, x.via, x.via_name, x.account_id, u.display_name, u.active
FROM access x
LEFT JOIN users u ON u.org = x.org AND u.site = x.site AND u.account_id = x.account_id
ORDER BY x.org, x.site, x.project_key, x.via, u.display_name`;
}

/** Group names that carry site or product admin rights in Atlassian Cloud (jira-admins-<site> included). */
export const ADMIN_GROUP_PATTERN = '^(site-admins|administrators|org-admins|jira-administrators|jira-admins(-.+)?)$';

export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: 'Site and product admins',
    description: "Members of each site's admin groups (site-admins, administrators, jira-admins[-<site>]), latest snapshot per site.",
    sql: `-- Site and Jira admins: members of the groups that grant admin rights, latest snapshot per site.
-- Adjust ADMIN_GROUP_PATTERN below if your organization uses other admin groups.
WITH snap AS (${latest('jira_group_members')})
SELECT m.org, m.site, m.group_name, m.account_id, m.display_name, m.email_address, m.active
FROM ${inSnap('jira_group_members', 'm')}
WHERE regexp_like(lower(m.group_name), '${ADMIN_GROUP_PATTERN}')
ORDER BY m.org, m.site, m.group_name, m.display_name`,
  },
  {
    name: 'Project access by group or role',
    description: 'Who can browse each project (BROWSE_PROJECTS), and through which group, project role, application role or grant.',
    sql: projectAccessSql('BROWSE_PROJECTS'),
  },
  {
    name: 'Project administrators',
    description: 'Who can administer each project (ADMINISTER_PROJECTS), and through which group, project role or grant.',
    sql: projectAccessSql('ADMINISTER_PROJECTS'),
  },
  {
    name: 'Inactive accounts still in groups',
    description: 'Deactivated accounts that are still members of groups (and so keep access when reactivated), latest snapshot per site.',
    sql: `-- Inactive accounts that are still members of groups, latest snapshot per site.
WITH snap AS (${latest('jira_group_members')}),
users AS (SELECT u.org, u.site, u.account_id, u.active, u.account_type FROM ${inSnap('jira_users', 'u')})
SELECT m.org, m.site, m.account_id, m.display_name, m.email_address, u.account_type,
       count(*) AS group_count, array_join(array_agg(m.group_name ORDER BY m.group_name), ', ') AS groups
FROM ${inSnap('jira_group_members', 'm')}
LEFT JOIN users u ON u.org = m.org AND u.site = m.site AND u.account_id = m.account_id
WHERE coalesce(u.active, m.active) = false
GROUP BY m.org, m.site, m.account_id, m.display_name, m.email_address, u.account_type
ORDER BY group_count DESC, m.org, m.site, m.display_name`,
  },
];
