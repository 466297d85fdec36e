-- @view snapshots
-- @description The snapshots on record: one row per (date, org, product, site) whose collection completed that
-- @description day, read from a small table every product run writes (jira_settings, confluence_settings,
-- @description bitbucket_workspaces, admin_orgs). Use it to find the latest and previous dates.
-- @column dt varchar snapshot date (yyyy-MM-dd)
-- @column org varchar organization id
-- @column product varchar jira | confluence | bitbucket | admin
-- @column site varchar
SELECT DISTINCT dt, org, 'jira' AS product, site FROM jira_settings
UNION
SELECT DISTINCT dt, org, 'confluence', site FROM confluence_settings
UNION
SELECT DISTINCT dt, org, 'bitbucket', site FROM bitbucket_workspaces
UNION
SELECT DISTINCT dt, org, 'admin', site FROM admin_orgs
