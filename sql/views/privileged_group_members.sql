-- @view privileged_group_members
-- @description Members of the groups that carry site, product or organization admin rights in Atlassian Cloud:
-- @description one row per (snapshot, product, site, group, member). This file is the one definition of an admin
-- @description group (the report, question 6 and the views read it): a group named site-admins, administrators,
-- @description org-admins, jira-administrators, jira-admins or jira-admins-<site>, or confluence-administrators
-- @description (case-insensitive). Edit the pattern below if your organization uses other admin groups.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column product varchar jira | confluence
-- @column site varchar
-- @column group_id varchar
-- @column group_name varchar
-- @column account_id varchar
-- @column display_name varchar from the product's user list, else the membership
-- @column active boolean the account is active in the product; null when the product does not say
WITH admin_groups AS (
  SELECT '^(site-admins|administrators|org-admins|jira-administrators|jira-admins(-.+)?|confluence-administrators)$' AS pattern
)
SELECT m.dt, m.org, 'jira' AS product, m.site, m.group_id, m.group_name, m.account_id,
       coalesce(u.display_name, m.display_name) AS display_name, coalesce(u.active, m.active) AS active
FROM jira_group_members m
CROSS JOIN admin_groups g
LEFT JOIN jira_users u ON u.dt = m.dt AND u.org = m.org AND u.site = m.site AND u.account_id = m.account_id
WHERE regexp_like(lower(m.group_name), g.pattern)
UNION ALL
SELECT m.dt, m.org, 'confluence', m.site, m.group_id, m.group_name, m.account_id,
       coalesce(u.display_name, m.display_name),
       CASE WHEN u.account_status IS NULL THEN CAST(NULL AS boolean) ELSE u.account_status = 'active' END
FROM confluence_group_members m
CROSS JOIN admin_groups g
LEFT JOIN confluence_users u ON u.dt = m.dt AND u.org = m.org AND u.site = m.site AND u.account_id = m.account_id
WHERE regexp_like(lower(m.group_name), g.pattern)
