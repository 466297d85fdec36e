-- @view jira_effective_permissions
-- @description Who holds which project permission in Jira, and why: one row per (snapshot, site, project,
-- @description permission, account), with every path that grants it. Grants that depend on an issue
-- @description (reporter, assignee, user/group custom fields, ...) are one 'conditional' row per project and
-- @description permission, not expanded; 'anyone' (anonymous access) is one 'anyone' row. Archived and
-- @description trashed projects and inactive accounts are marked, not dropped.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column site varchar Jira site host
-- @column project_id varchar
-- @column project_key varchar
-- @column project_name varchar
-- @column project_archived boolean
-- @column project_deleted boolean in the trash
-- @column permission varchar e.g. ADMINISTER_PROJECTS, BROWSE_PROJECTS
-- @column principal_type varchar account | anyone | conditional
-- @column account_id varchar null for anyone and conditional rows
-- @column display_name varchar
-- @column account_type varchar atlassian | app | customer
-- @column account_active boolean false for deactivated accounts; null for anyone and conditional rows
-- @column via varchar how, comma-separated: user, group, project_role_user, project_role_group, application_role, project_lead, anyone, or the conditional holder type
-- @column paths varchar every path, '; '-separated, e.g. scheme=10000 > grant=10102 > role=10002 > group=<group id>
-- @column path_count bigint
-- @column scheme_id varchar the project's permission scheme
WITH project_grants AS (
  SELECT p.dt, p.org, p.site, p.project_id, p.lead_account_id, g.grant_id, g.permission, g.holder_type, g.holder_value,
         'scheme=' || g.scheme_id || ' > grant=' || g.grant_id AS grant_path
  FROM jira_projects p
  JOIN jira_permission_grants g
    ON g.dt = p.dt AND g.org = p.org AND g.site = p.site AND g.scheme_id = p.permission_scheme_id
),
paths AS (
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account' AS principal_type, pg.holder_value AS account_id,
         'user' AS via, pg.grant_path || ' > user' AS path
  FROM project_grants pg
  WHERE pg.holder_type = 'user' AND pg.holder_value IS NOT NULL
  UNION ALL
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account', m.account_id,
         'group', pg.grant_path || ' > group=' || m.group_id
  FROM project_grants pg
  JOIN jira_group_members m
    ON m.dt = pg.dt AND m.org = pg.org AND m.site = pg.site AND m.group_id = pg.holder_value
  WHERE pg.holder_type = 'group'
  UNION ALL
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account', a.account_id,
         'project_role_user', pg.grant_path || ' > role=' || a.role_id || ' > user'
  FROM project_grants pg
  JOIN jira_project_role_actors a
    ON a.dt = pg.dt AND a.org = pg.org AND a.site = pg.site AND a.project_id = pg.project_id AND a.role_id = pg.holder_value
  WHERE pg.holder_type = 'projectRole' AND a.actor_type = 'user' AND a.account_id IS NOT NULL
  UNION ALL
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account', m.account_id,
         'project_role_group', pg.grant_path || ' > role=' || a.role_id || ' > group=' || m.group_id
  FROM project_grants pg
  JOIN jira_project_role_actors a
    ON a.dt = pg.dt AND a.org = pg.org AND a.site = pg.site AND a.project_id = pg.project_id AND a.role_id = pg.holder_value
  JOIN jira_group_members m
    ON m.dt = a.dt AND m.org = a.org AND m.site = a.site AND m.group_id = a.group_id
  WHERE pg.holder_type = 'projectRole' AND a.actor_type = 'group'
  UNION ALL
  -- Application role: members of the role's groups; without a parameter, of any role's groups (any licensed user).
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account', m.account_id,
         'application_role', pg.grant_path || ' > application_role=' || coalesce(pg.holder_value, '*') || ' > role_key=' || r.role_key || ' > group=' || m.group_id
  FROM project_grants pg
  JOIN jira_application_roles r
    ON r.dt = pg.dt AND r.org = pg.org AND r.site = pg.site AND (pg.holder_value IS NULL OR r.role_key = pg.holder_value)
  JOIN jira_group_members m
    ON m.dt = r.dt AND m.org = r.org AND m.site = r.site AND m.group_id = r.group_id
  WHERE pg.holder_type = 'applicationRole' AND r.group_id IS NOT NULL
  UNION ALL
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'account', pg.lead_account_id,
         'project_lead', pg.grant_path || ' > project_lead'
  FROM project_grants pg
  WHERE pg.holder_type = 'projectLead' AND pg.lead_account_id IS NOT NULL
  UNION ALL
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'anyone', CAST(NULL AS varchar),
         'anyone', pg.grant_path || ' > anyone'
  FROM project_grants pg
  WHERE pg.holder_type = 'anyone'
  UNION ALL
  -- Issue-dependent holders (reporter, assignee, userCustomField, groupCustomField, ...) and any holder type
  -- this view does not know: listed, not expanded.
  SELECT pg.dt, pg.org, pg.site, pg.project_id, pg.permission, 'conditional', CAST(NULL AS varchar),
         pg.holder_type, pg.grant_path || ' > ' || pg.holder_type || coalesce('=' || pg.holder_value, '')
  FROM project_grants pg
  WHERE pg.holder_type NOT IN ('user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'anyone')
),
granted AS (
  -- Aggregate on the key first, then add the project and account attributes: far less to group.
  SELECT dt, org, site, project_id, permission, principal_type, account_id,
         array_join(array_sort(array_distinct(array_agg(via))), ', ') AS via,
         array_join(array_sort(array_distinct(array_agg(path))), '; ') AS paths,
         count(DISTINCT path) AS path_count
  FROM paths
  GROUP BY dt, org, site, project_id, permission, principal_type, account_id
)
SELECT x.dt, x.org, x.site, x.project_id,
       p.project_key, p.name AS project_name, p.archived AS project_archived, p.deleted AS project_deleted,
       x.permission, x.principal_type, x.account_id,
       u.display_name, u.account_type, u.active AS account_active,
       x.via, x.paths, x.path_count,
       p.permission_scheme_id AS scheme_id
FROM granted x
JOIN jira_projects p
  ON p.dt = x.dt AND p.org = x.org AND p.site = x.site AND p.project_id = x.project_id
LEFT JOIN jira_users u
  ON u.dt = x.dt AND u.org = x.org AND u.site = x.site AND u.account_id = x.account_id
