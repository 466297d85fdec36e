-- @view jira_issue_security_access
-- @description Who can see an issue set to an issue security level, and why: one row per (snapshot, site,
-- @description project, level, account), for every project that uses an issue security scheme and every level
-- @description of that scheme, with every path through the level's members. A restricted issue is visible only
-- @description to its level's members (who also need Browse Projects: see jira_effective_permissions). Members
-- @description that depend on the issue (reporter, assignee, user/group custom fields, ...) are one
-- @description 'conditional' row per project and level, not expanded; 'anyone' is one 'anyone' row. Archived and
-- @description trashed projects and inactive accounts are marked, not dropped.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column site varchar Jira site host
-- @column project_id varchar
-- @column project_key varchar
-- @column project_name varchar
-- @column project_archived boolean
-- @column project_deleted boolean in the trash
-- @column scheme_id varchar the project's issue security scheme
-- @column level_id varchar
-- @column level_name varchar
-- @column principal_type varchar account | anyone | conditional
-- @column account_id varchar null for anyone and conditional rows
-- @column display_name varchar
-- @column account_type varchar atlassian | app | customer
-- @column account_active boolean false for deactivated accounts; null for anyone and conditional rows
-- @column via varchar how, comma-separated: user, group, project_role_user, project_role_group, application_role, project_lead, anyone, or the conditional holder type
-- @column paths varchar every path, '; '-separated, e.g. scheme=10000 > level=10100 > member=10302 > role=10002 > group=<group id>
-- @column path_count bigint
WITH level_members AS (
  SELECT p.dt, p.org, p.site, p.project_id, p.lead_account_id, sp.scheme_id, m.level_id, m.holder_type, m.holder_value,
         'scheme=' || sp.scheme_id || ' > level=' || m.level_id || ' > member=' || m.member_id AS member_path
  FROM jira_projects p
  JOIN jira_issue_security_projects sp
    ON sp.dt = p.dt AND sp.org = p.org AND sp.site = p.site AND sp.project_id = p.project_id
  JOIN jira_issue_security_level_members m
    ON m.dt = sp.dt AND m.org = sp.org AND m.site = sp.site AND m.scheme_id = sp.scheme_id
),
paths AS (
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account' AS principal_type, lm.holder_value AS account_id,
         'user' AS via, lm.member_path || ' > user' AS path
  FROM level_members lm
  WHERE lm.holder_type = 'user' AND lm.holder_value IS NOT NULL
  UNION ALL
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account', g.account_id,
         'group', lm.member_path || ' > group=' || g.group_id
  FROM level_members lm
  JOIN jira_group_members g
    ON g.dt = lm.dt AND g.org = lm.org AND g.site = lm.site AND g.group_id = lm.holder_value
  WHERE lm.holder_type = 'group'
  UNION ALL
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account', a.account_id,
         'project_role_user', lm.member_path || ' > role=' || a.role_id || ' > user'
  FROM level_members lm
  JOIN jira_project_role_actors a
    ON a.dt = lm.dt AND a.org = lm.org AND a.site = lm.site AND a.project_id = lm.project_id AND a.role_id = lm.holder_value
  WHERE lm.holder_type = 'projectRole' AND a.actor_type = 'user' AND a.account_id IS NOT NULL
  UNION ALL
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account', g.account_id,
         'project_role_group', lm.member_path || ' > role=' || a.role_id || ' > group=' || g.group_id
  FROM level_members lm
  JOIN jira_project_role_actors a
    ON a.dt = lm.dt AND a.org = lm.org AND a.site = lm.site AND a.project_id = lm.project_id AND a.role_id = lm.holder_value
  JOIN jira_group_members g
    ON g.dt = a.dt AND g.org = a.org AND g.site = a.site AND g.group_id = a.group_id
  WHERE lm.holder_type = 'projectRole' AND a.actor_type = 'group'
  UNION ALL
  -- Application role: members of the role's groups; without a parameter, of any role's groups (any licensed user).
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account', g.account_id,
         'application_role', lm.member_path || ' > application_role=' || coalesce(lm.holder_value, '*') || ' > role_key=' || r.role_key || ' > group=' || g.group_id
  FROM level_members lm
  JOIN jira_application_roles r
    ON r.dt = lm.dt AND r.org = lm.org AND r.site = lm.site AND (lm.holder_value IS NULL OR r.role_key = lm.holder_value)
  JOIN jira_group_members g
    ON g.dt = r.dt AND g.org = r.org AND g.site = r.site AND g.group_id = r.group_id
  WHERE lm.holder_type = 'applicationRole' AND r.group_id IS NOT NULL
  UNION ALL
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'account', lm.lead_account_id,
         'project_lead', lm.member_path || ' > project_lead'
  FROM level_members lm
  WHERE lm.holder_type = 'projectLead' AND lm.lead_account_id IS NOT NULL
  UNION ALL
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'anyone', CAST(NULL AS varchar),
         'anyone', lm.member_path || ' > anyone'
  FROM level_members lm
  WHERE lm.holder_type = 'anyone'
  UNION ALL
  -- Issue-dependent members (reporter, assignee, userCustomField, groupCustomField, ...) and any holder type
  -- this view does not know: listed, not expanded.
  SELECT lm.dt, lm.org, lm.site, lm.project_id, lm.scheme_id, lm.level_id, 'conditional', CAST(NULL AS varchar),
         lm.holder_type, lm.member_path || ' > ' || lm.holder_type || coalesce('=' || lm.holder_value, '')
  FROM level_members lm
  WHERE lm.holder_type NOT IN ('user', 'group', 'projectRole', 'applicationRole', 'projectLead', 'anyone')
),
granted AS (
  SELECT dt, org, site, project_id, scheme_id, level_id, principal_type, account_id,
         array_join(array_sort(array_distinct(array_agg(via))), ', ') AS via,
         array_join(array_sort(array_distinct(array_agg(path))), '; ') AS paths,
         count(DISTINCT path) AS path_count
  FROM paths
  GROUP BY dt, org, site, project_id, scheme_id, level_id, principal_type, account_id
)
SELECT x.dt, x.org, x.site, x.project_id,
       p.project_key, p.name AS project_name, p.archived AS project_archived, p.deleted AS project_deleted,
       x.scheme_id, x.level_id, l.name AS level_name,
       x.principal_type, x.account_id,
       u.display_name, u.account_type, u.active AS account_active,
       x.via, x.paths, x.path_count
FROM granted x
JOIN jira_projects p
  ON p.dt = x.dt AND p.org = x.org AND p.site = x.site AND p.project_id = x.project_id
LEFT JOIN jira_issue_security_levels l
  ON l.dt = x.dt AND l.org = x.org AND l.site = x.site AND l.level_id = x.level_id
LEFT JOIN jira_users u
  ON u.dt = x.dt AND u.org = x.org AND u.site = x.site AND u.account_id = x.account_id
